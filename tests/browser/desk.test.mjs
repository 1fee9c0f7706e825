// The moderation desk in a real browser: a moderator signs in, filters the
// inbox, opens a threat, removes it citing the clause, reads the statement
// of reasons and finds the audit entry; the moderator of another account
// then gets 403 on that item's URL.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { artifact, launchBrowser, startServer, watchProblems } from './harness.mjs';

let server;

before(async () => {
  server = await startServer('serve_demo');
  assert.ok(server.info, 'serve_demo printed no JSON line');
});

after(async () => {
  await server?.stop();
});

async function signIn(page, username, password) {
  await page.getByLabel('Nome utente').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Accedi' }).click();
}

describe('the desk', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('a moderator removes a threat citing the clause; another account’s moderator gets 403', async () => {
    const { page } = browser;
    const { password, comments } = server.info;
    const threat = comments.threat;
    const problems = watchProblems(page);

    // An anonymous visit to the desk leads to the login page and back.
    await page.goto(`${server.url}/desk`, { waitUntil: 'load' });
    assert.match(page.url(), /\/accesso\?next=%2Fdesk$/);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'it');
    await signIn(page, 'anna', password);
    await page.waitForURL(/\/desk$/);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Da trattare');
    const cookies = await browser.context.cookies();
    const session = cookies.find((c) => c.name === 'piazza_session');
    assert.ok(session?.httpOnly, 'the session cookie is HttpOnly');
    assert.equal(session.sameSite, 'Strict');

    // Anna sees her account only: the other account's comment is not listed.
    const links = page.locator('a.piazza-item-link');
    assert.equal(await links.count(), 3);
    assert.equal(await page.locator(`a[href="/desk/commenti/${comments.other_account}"]`).count(), 0);

    // Filter by category.
    await page.getByLabel('Categoria').selectOption('threat');
    await page.getByRole('button', { name: 'Applica i filtri' }).click();
    await page.waitForURL(/categoria=threat/);
    assert.equal(await links.count(), 1);
    assert.equal(await links.first().getAttribute('href'), `/desk/commenti/${threat}`);
    await page.screenshot({ path: artifact('desk-inbox.png'), fullPage: true });

    // Keyboard: j highlights the first comment, Enter opens it.
    await page.keyboard.press('j');
    assert.equal(
      await page.evaluate(() => document.activeElement.getAttribute('href')),
      `/desk/commenti/${threat}`,
    );
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/desk/commenti/${threat}$`));

    // The item: the threat highlighted, the covering clause cited.
    assert.match(await page.locator('#testo-commento mark').first().innerText(), /ammazzo/i);
    const clause = page.getByRole('checkbox', { name: /^Regola 2 – / });
    assert.ok(await clause.isChecked(), 'the suggested clause is pre-selected');
    assert.ok(
      await page.locator('a[href="/enti/cento/policy#clausola-2"]').first().isVisible(),
    );
    await page.screenshot({ path: artifact('desk-item.png'), fullPage: true });

    await page.getByRole('radio', { name: 'rimuovi' }).check();
    await page.getByRole('button', { name: 'Registra la decisione' }).click();
    await page.waitForURL(/\?esito=\d+/);
    const statement = await page.locator('#motivazione').innerText();
    assert.match(statement, /regola 2/);
    assert.match(statement, /è stato rimosso/);
    assert.match(statement, /Come contestare/);
    assert.match(await page.locator('#titolo-esito').innerText(), /Decisione registrata: rimuovi/);
    await page.screenshot({ path: artifact('desk-statement.png'), fullPage: true });

    // The audit log has the entry.
    await page.getByRole('link', { name: 'Registro delle operazioni' }).click();
    await page.waitForURL(/\/desk\/audit$/);
    const row = page.locator('tbody tr', { hasText: 'action.remove' }).first();
    assert.match(await row.innerText(), /staff:anna/);
    assert.match(await row.innerText(), new RegExp(`comment ${threat}`));
    await page.getByRole('button', { name: 'Verifica l’integrità del registro' }).click();
    assert.match(await page.locator('#esito-verifica').innerText(), /Registro integro/);
    assert.deepEqual(problems, []);

    // Sign out; the moderator of the other account gets 403 on the item.
    await page.getByRole('button', { name: 'Esci' }).click();
    await page.waitForURL(/\/accesso\?uscita=1$/);
    await page.goto(`${server.url}/accesso?next=%2Fdesk`, { waitUntil: 'load' });
    await signIn(page, 'bruno', password);
    await page.waitForURL(/\/desk$/);
    const res = await page.goto(`${server.url}/desk/commenti/${threat}`);
    assert.equal(res.status(), 403);
    assert.equal(
      await page.getByRole('heading', { level: 1 }).innerText(),
      'Accesso non consentito',
    );
  });
});

describe('the dirigente’s pages', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('registry, policy, audit and reports render without a CSP violation', async () => {
    const { page } = browser;
    const problems = watchProblems(page);
    await page.goto(`${server.url}/accesso`, { waitUntil: 'load' });
    await signIn(page, 'dirigente', server.info.password);
    await page.waitForURL(/\/desk$/);
    for (const [link, heading] of [
      ['Registro', 'Registro'],
      ['Policy', 'Policy'],
      ['Registro delle operazioni', 'Registro delle operazioni'],
      ['Report', 'Report'],
    ]) {
      await page.getByRole('navigation', { name: /^Sezioni di / }).getByRole('link', { name: link, exact: true }).click();
      await page.waitForLoadState('load');
      assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), heading);
    }
    // Charts are images with a title, and their tables follow.
    const chart = page.locator('svg.piazza-chart[role="img"]').first();
    assert.ok(await chart.isVisible());
    assert.ok((await chart.locator('title').textContent()).length > 0);
    await page.screenshot({ path: artifact('desk-report.png'), fullPage: true });
    // The public statistics page, from the same browser.
    await page.goto(`${server.url}/enti/cento/statistiche`, { waitUntil: 'load' });
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Statistiche di moderazione');
    assert.deepEqual(problems, []);
  });
});

describe('the desk without JavaScript', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser({ javaScriptEnabled: false });
  });
  after(async () => {
    await browser?.close();
  });

  test('signing in, filtering and replying work with plain forms', async () => {
    const { page } = browser;
    const { password, comments } = server.info;
    await page.goto(`${server.url}/accesso`, { waitUntil: 'load' });
    await signIn(page, 'anna', password);
    await page.waitForURL(/\/desk$/);
    await page.getByLabel('Stato').selectOption('new');
    await page.getByRole('button', { name: 'Applica i filtri' }).click();
    await page.waitForURL(/stato=new/);
    await page.locator(`a[href="/desk/commenti/${comments.question}"]`).click();
    await page.getByRole('button', { name: 'Indirizza', exact: true }).click();
    await page.waitForURL(/\?esito=\d+/);
    assert.match(await page.locator('#esito').innerText(), /urp@comune\.cento\.fe\.it/);
  });
});

describe('a citizen asks for review', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('the author files the request from the policy page; a dirigente reverses the decision', async () => {
    const { page } = browser;
    const { password, comments } = server.info;
    const problems = watchProblems(page);
    // The statement of the removal above gives the reference and the day.
    await page.goto(`${server.url}/accesso?next=%2Fdesk`, { waitUntil: 'load' });
    await signIn(page, 'anna', password);
    await page.waitForURL(/\/desk$/);
    await page.goto(`${server.url}/desk/commenti/${comments.threat}`, { waitUntil: 'load' });
    const statement = await page.locator('.piazza-statement', { hasText: 'Come contestare' }).first().textContent();
    const reference = statement.match(/riferimento n\. (\d+)/)[1];
    const [, d, m, y] = statement.match(/del (\d\d)\/(\d\d)\/(\d{4})/);
    await page.getByRole('button', { name: 'Esci' }).click();
    await page.waitForURL(/\/accesso\?uscita=1$/);

    await page.goto(`${server.url}/enti/cento/policy`, { waitUntil: 'load' });
    await page.getByRole('link', { name: 'modulo di richiesta di riesame' }).click();
    await page.waitForURL(/\/enti\/cento\/riesame$/);
    await page.getByLabel('Numero di riferimento della decisione').fill(reference);
    await page.getByLabel('Data del commento').fill(`${y}-${m}-${d}`);
    await page.getByLabel('Perché chiedi il riesame').fill('Era la battuta di un film, non una minaccia.');
    await page.getByRole('button', { name: 'Invia la richiesta' }).click();
    const receipt = await page.locator('#riesame-ricevuto').innerText();
    assert.match(receipt, new RegExp(`decisione n\\. ${reference}`));
    assert.match(receipt, /persona diversa da chi ha preso la decisione/);
    await page.screenshot({ path: artifact('appeal-receipt.png'), fullPage: true });

    await page.goto(`${server.url}/accesso?next=%2Fdesk`, { waitUntil: 'load' });
    await signIn(page, 'dirigente', password);
    await page.waitForURL(/\/desk$/);
    await page.getByRole('link', { name: 'Riesami' }).click();
    await page.waitForURL(/\/desk\/riesami$/);
    await page.locator('#titolo-riesami').waitFor();
    await page.locator('tbody tr a').first().click();
    await page.locator('label[for="esito-annulla"]').click();
    assert.ok(await page.getByRole('radio', { name: /Annulla la decisione/ }).isChecked());
    await page.getByLabel(/Motivazione/).fill('Citazione di un film, non rivolta a nessuno.');
    await page.getByRole('button', { name: 'Registra l’esito' }).click();
    await page.waitForURL(/\?esito=decisa$/);
    assert.equal(await page.locator('#stato-riesame').innerText(), 'decisione annullata');
    // The demo's accounts are not connected: the message to the author
    // waits for a person, and the page does not say it was sent.
    assert.doesNotMatch(await page.locator('#invio-esito').innerText(), /eseguit/);
    await page.screenshot({ path: artifact('appeal-decided.png'), fullPage: true });
    assert.deepEqual(problems, []);
  });
});
