// The public pages in a real browser: language, clause anchors, keyboard
// use, fonts and the absence of any CSP violation.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { artifact, launchBrowser, startServer, watchProblems } from './harness.mjs';

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

describe('the citizen-facing policy page', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('is in Italian, anchors its clauses and is usable by keyboard', async () => {
    const { page } = browser;
    const problems = watchProblems(page);
    const res = await page.goto(`${server.url}/enti/cento/policy`, { waitUntil: 'load' });
    assert.equal(res.status(), 200);

    assert.equal(await page.evaluate(() => document.documentElement.lang), 'it');
    assert.match(await page.title(), /Comune di Cento/);

    // Stable clause anchors, one per rule, reachable by fragment.
    const anchors = await page.$$eval('h3[id^="clausola-"]', (hs) => hs.map((h) => h.id));
    assert.ok(anchors.includes('clausola-1'), `anchors: ${anchors}`);
    assert.ok(anchors.includes('clausola-2'), `anchors: ${anchors}`);
    const heading = page.locator('#clausola-2');
    assert.match(await heading.innerText(), /^Regola 2 – /);

    // The first Tab lands on the skip link, which becomes visible with a
    // visible focus indicator; Enter moves focus to the main content.
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      const r = el.getBoundingClientRect();
      const s = getComputedStyle(el);
      return {
        text: el.textContent.trim(),
        href: el.getAttribute('href'),
        width: r.width,
        height: r.height,
        // A transparent outline (the kit's default) does not count.
        outline:
          s.outlineStyle !== 'none' &&
          parseFloat(s.outlineWidth) >= 2 &&
          !/rgba\(.*,\s*0\)$/.test(s.outlineColor) &&
          s.outlineColor !== 'transparent',
        outlineColor: s.outlineColor,
      };
    });
    assert.equal(focused.text, 'Vai al contenuto');
    assert.equal(focused.href, '#contenuto');
    assert.ok(focused.width > 10 && focused.height > 10, `skip link not shown: ${JSON.stringify(focused)}`);
    assert.ok(focused.outline, `no visible focus outline: ${JSON.stringify(focused)}`);
    await page.screenshot({ path: artifact('policy-cento-skip-link.png') });

    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'contenuto');

    // Titillium Web comes from the embedded fonts (no CDN, no inline style).
    await page.evaluate(() => document.fonts.ready);
    assert.ok(await page.evaluate(() => document.fonts.check('16px "Titillium Web"')));
    const bodyFont = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
    assert.match(bodyFont, /Titillium Web/);

    await page.screenshot({ path: artifact('policy-cento.png'), fullPage: true });
    assert.deepEqual(problems, []);
  });

  test('opens at a clause from a statement-of-reasons link', async () => {
    const { page } = browser;
    await page.goto('about:blank');
    await page.goto(`${server.url}/enti/cento/policy#clausola-3`, { waitUntil: 'load' });
    const inView = await page.evaluate(() => {
      const r = document.getElementById('clausola-3').getBoundingClientRect();
      return r.top >= 0 && r.top < window.innerHeight;
    });
    assert.ok(inView, '#clausola-3 is not scrolled into view');
    assert.ok(await page.evaluate(() => document.querySelector(':target')?.id === 'clausola-3'));
  });

  test('the landing page leads to each administration', async () => {
    const { page } = browser;
    const problems = watchProblems(page);
    await page.goto(`${server.url}/`, { waitUntil: 'load' });
    await page.getByRole('link', { name: 'Roma Capitale', exact: true }).click();
    await page.waitForURL(/\/enti\/roma\/policy$/);
    await page.getByRole('link', { name: 'Account ufficiali' }).first().click();
    await page.waitForURL(/\/enti\/roma\/account$/);
    assert.ok(await page.locator('table caption').isVisible());
    await page.screenshot({ path: artifact('accounts-roma.png'), fullPage: true });
    assert.deepEqual(problems, []);
  });
});

describe('without JavaScript', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser({ javaScriptEnabled: false });
  });
  after(async () => {
    await browser?.close();
  });

  test('the policy and the 404 page still read completely', async () => {
    const { page } = browser;
    await page.goto(`${server.url}/enti/torino/policy`, { waitUntil: 'load' });
    assert.ok(await page.locator('#clausola-1').isVisible());
    assert.ok(await page.locator('#contatti').isVisible());
    const res = await page.goto(`${server.url}/enti/atlantide/policy`);
    assert.equal(res.status(), 404);
    assert.equal(
      await page.getByRole('heading', { level: 1 }).innerText(),
      'Pagina non trovata',
    );
  });
});
