// The editorial desk in a real browser, against the local fake of Meta's
// Graph API (real HTTP, never Meta): an office asks for a publication, an
// editor rewrites it, two dirigenti approve it (the editor cannot), it is
// queued for a time two hours ahead, nothing goes out before then; the
// test moves the server's clock, the worker publishes it once, and the
// draft's page shows the post id the fake gave, which the fake confirms.
// The published page, the calendar and the association's public request
// form (Roma) pass axe's WCAG 2.1 AA rules.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { artifact, launchBrowser, startServer, watchProblems } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let server;

before(async () => {
  server = await startServer('serve_editorial');
  assert.ok(server.info, 'serve_editorial printed no JSON line');
});

after(async () => {
  await server?.stop();
});

async function signIn(page, username) {
  await page.goto(`${server.url}/accesso`, { waitUntil: 'load' });
  await page.getByLabel('Nome utente').fill(username);
  await page.getByLabel('Password').fill(server.info.password);
  await page.getByRole('button', { name: 'Accedi' }).click();
  // Each role lands on its own first page (an office on its requests).
  await page.waitForURL((u) => u.pathname.startsWith('/desk'));
}

async function signOut(page) {
  await page.goto(`${server.url}/desk/bozze`, { waitUntil: 'load' });
  await page.getByRole('button', { name: 'Esci' }).click();
  await page.waitForURL(/\/accesso\?uscita=1$/);
}

/** `YYYY-MM-DDTHH:MM` in Rome, `minutes` from now (a datetime-local value). */
function romeLocal(minutes) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Rome',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(Date.now() + minutes * 60_000))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** The Page's posts, read from the fake over HTTP like a connector would. */
async function pagePosts() {
  const { graph, page, token } = server.info;
  const r = await fetch(`${graph}/${page}/posts?fields=id,message&access_token=${token}`);
  assert.equal(r.status, 200);
  return (await r.json()).data;
}

async function axeViolations(page) {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

describe('the editorial desk', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('request, checks, two approvals, scheduled publication, post id recorded', async () => {
    const { page } = browser;
    const problems = watchProblems(page);

    // The office asks for the publication.
    await signIn(page, 'cultura');
    await page.goto(`${server.url}/desk/bozze`, { waitUntil: 'load' });
    const account = page.locator('#account option', { hasText: '(facebook)' }).first();
    await page.locator('#account').selectOption(await account.getAttribute('value'));
    await page.locator('#titolo').fill('Festa di Natale');
    await page.locator('#richiedente').fill('Servizio Cultura');
    await page.locator('#campagna').fill('Natale 2026');
    await page.locator('#prevista').fill(romeLocal(120));
    await page
      .locator('#testo')
      .fill('Si comunica che in data odierna è stato approvato il programma della festa.');
    await page.locator('#link').fill('https://www.comune.cento.fe.it/natale');
    await page.locator('#file').fill('https://www.comune.cento.fe.it/media/natale.jpg');
    await page.locator('#alt').fill('Piazza Guercino con le luminarie e l’albero di Natale');
    await page.getByRole('button', { name: 'Apri la bozza' }).click();
    await page.waitForURL(/\/desk\/bozze\/\d+\?esito=aperta$/);
    const draftUrl = page.url().replace(/\?.*$/, '');
    // The checks name the bureaucratic formula, with its plain alternative.
    assert.match(await page.locator('#controlli').innerText(), /formula burocratica/);
    assert.match(await page.locator('#pubblicazione').innerText(), /nulla è stato inviato/);
    await signOut(page);

    // The editor writes it plainly and sends it to approval.
    await signIn(page, 'paola');
    await page.goto(draftUrl, { waitUntil: 'load' });
    await page
      .locator('#testo')
      .fill('Sabato 12 dicembre festa di Natale in piazza Guercino, dalle 17 alle 22. Il programma è sul sito.');
    // She looks at the image and confirms it has no writing of its own.
    await page.locator('label[for="conferma-testo"]').click();
    assert.ok(await page.locator('#conferma-testo').isChecked());
    await page.getByRole('button', { name: 'Salva la nuova versione' }).click();
    await page.waitForURL(/esito=versione$/);
    await page.getByRole('button', { name: 'Invia in approvazione' }).click();
    await page.waitForURL(/esito=inviata$/);
    assert.equal(await page.locator('#nessun-controllo').count(), 1, 'the new version passes the checks');
    // She wrote it: no approval form for her.
    assert.equal(await page.locator('#propria-bozza').count(), 1);
    assert.equal(await page.getByRole('button', { name: 'Registra la decisione' }).count(), 0);
    await signOut(page);

    // Two dirigenti approve.
    for (const [who, approvals] of [
      ['dirigente', '1 su 2'],
      ['dirigente2', '2 su 2'],
    ]) {
      await signIn(page, who);
      await page.goto(draftUrl, { waitUntil: 'load' });
      await page.getByRole('button', { name: 'Registra la decisione' }).click();
      await page.waitForURL(/esito=decisa$/);
      assert.equal(await page.locator('#approvazioni').innerText(), approvals);
      if (who === 'dirigente') await signOut(page);
    }
    assert.equal(await page.locator('#stato-bozza').innerText(), 'approvata');

    // Queued for its time: nothing reaches the Page before it.
    await page.getByRole('button', { name: 'Metti in coda per la pubblicazione' }).click();
    await page.waitForURL(/esito=pubblicazione$/);
    assert.match(await page.locator('#pubblicazione').innerText(), /programmato per il/);
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(await pagePosts(), [], 'published before its time');

    // Three hours later the worker publishes it, once.
    const moved = await fetch(`${server.info.control}/advance?minutes=180`, { method: 'POST' });
    assert.equal(moved.status, 200);
    let said = '';
    for (let i = 0; i < 40 && !/eseguito/.test(said); i++) {
      await new Promise((r) => setTimeout(r, 250));
      await page.goto(draftUrl, { waitUntil: 'load' });
      said = await page.locator('#pubblicazione').innerText();
    }
    assert.match(said, /pubblicare il post: eseguito su/);
    const posts = await pagePosts();
    assert.equal(posts.length, 1, JSON.stringify(posts));
    assert.equal(await page.locator('#pubblicazione code').innerText(), posts[0].id);
    assert.equal(await page.locator('#stato-bozza').innerText(), 'pubblicata');
    assert.match(posts[0].message, /^Sabato 12 dicembre festa di Natale/);
    assert.match(posts[0].message, /CC BY-ND 3\.0 IT/);
    assert.match(posts[0].message, /https:\/\/www\.comune\.cento\.fe\.it\/natale$/);
    await page.screenshot({ path: artifact('editorial-published.png'), fullPage: true });
    assert.deepEqual(await axeViolations(page), []);
    // The calendar shows it, published, in the week of its publication:
    // the worker published it at the server's clock, three hours on, which
    // on a Sunday evening is already next week's Monday.
    const publishedWeek = romeLocal(180).slice(0, 10);
    await page.goto(`${server.url}/desk/calendario?settimana=${publishedWeek}`, {
      waitUntil: 'load',
    });
    assert.match(await page.locator('main').innerText(), /Festa di Natale/);
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(problems, []);
  });

  test('an association asks Roma to publish through the public form', async () => {
    const { page } = browser;
    const problems = watchProblems(page);
    await page.goto(`${server.url}/enti/roma/policy`, { waitUntil: 'load' });
    await page.getByRole('link', { name: 'modulo di richiesta di pubblicazione' }).click();
    await page.waitForURL(/\/enti\/roma\/richiesta-pubblicazione$/);
    assert.deepEqual(await axeViolations(page), []);
    await page.getByLabel('Associazione o gruppo di cittadini').fill('Associazione Amici del Parco');
    await page.getByLabel('Oggetto').fill('Pulizia del parco');
    await page
      .getByLabel('Testo che chiedete di pubblicare')
      .fill('Sabato 19 dicembre dalle 9 pulizia volontaria del parco: guanti e sacchi forniti.');
    await page.getByRole('button', { name: 'Invia la richiesta' }).click();
    await page.locator('#richiesta-ricevuta').waitFor();
    assert.match(await page.locator('#richiesta-ricevuta').innerText(), /nulla è stato pubblicato/);
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(problems, []);
  });
});
