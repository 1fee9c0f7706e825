// WCAG 2.1 AA, checked automatically: axe-core runs the rules tagged
// wcag2a, wcag2aa, wcag21a and wcag21aa on the public pages and on the
// desk (as a moderator and as a dirigente), and a keyboard-only check signs
// in with Tab alone, with a visible focus indicator at every step.
// axe-core (MPL-2.0) is a test dependency only, pinned in package-lock.json.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { artifact, launchBrowser, startServer } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const AXE_OPTIONS = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  resultTypes: ['violations', 'incomplete'],
};

// Violations excused for one rule on one node, each a proven false
// positive: { rule, selector, why }. The rule stays on everywhere else.
const FALSE_POSITIVES = [];

// Desktop, and the 320 CSS px of WCAG 1.4.10 (Reflow), where the kit's
// layout changes and nothing may need a horizontal scroll.
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: '320 px', width: 320, height: 640 },
];

let server;
// The item page after a decision: the decision is taken once, on the first
// viewport; the other revisits the same URL (?esito=N shows it again).
let statementPath = null;

before(async () => {
  server = await startServer('serve_demo');
  assert.ok(server.info, 'serve_demo printed no JSON line');
});

after(async () => {
  await server?.stop();
});

/**
 * Runs axe on the page as it is now. The axe source goes in through
 * page.evaluate (the DevTools protocol), which the pages' strict
 * Content-Security-Policy does not block, unlike an inline <script>.
 * Resolves to the violations, reduced to what a developer needs.
 *
 * axe leaves some colour-contrast checks undecided ("incomplete": text over
 * a background image, a badge it finds partially covered, SVG text); for
 * those the test decides itself, against the nearest opaque background
 * colour, and reports a failure as a color-contrast violation.
 */
async function axeViolations(page) {
  await page.evaluate(() => document.fonts.ready);
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.evaluate(AXE_SOURCE);
  }
  return page.evaluate(
    async ({ options, falsePositives }) => {
      // elementRef: the nodes keep their element, so that a false positive
      // is dropped for its rule and its node only.
      const results = await window.axe.run(document, { ...options, elementRef: true });
      const excused = (rule, el) =>
        falsePositives.some((fp) => fp.rule === rule && el?.matches?.(fp.selector));

      const rgba = (c) => {
        const m = c.match(/rgba?\(([^)]+)\)/);
        if (!m) return null;
        const [r, g, b, a = 1] = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
        return { r, g, b, a };
      };
      const luminance = ({ r, g, b }) =>
        [r, g, b]
          .map((v) => v / 255)
          .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
          .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
      const ratio = (x, y) => {
        const [hi, lo] = [luminance(x), luminance(y)].sort((p, q) => q - p);
        return (hi + 0.05) / (lo + 0.05);
      };
      const background = (el) => {
        for (let e = el; e; e = e.parentElement) {
          if (e instanceof SVGElement && !(e instanceof SVGSVGElement)) continue;
          const c = rgba(getComputedStyle(e).backgroundColor);
          if (c && c.a === 1) return c;
        }
        return { r: 255, g: 255, b: 255, a: 1 };
      };
      const decideContrast = (el) => {
        const s = getComputedStyle(el);
        const fg = rgba(el instanceof SVGElement ? s.fill : s.color);
        if (!fg || fg.a < 1) return null;
        const bg = background(el);
        const size = parseFloat(s.fontSize);
        const large = size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700);
        const needed = large ? 3 : 4.5;
        const got = ratio(fg, bg);
        if (got >= needed) return null;
        return `contrast ${got.toFixed(2)}:1 < ${needed}:1 (rgb(${fg.r}, ${fg.g}, ${fg.b}) on rgb(${bg.r}, ${bg.g}, ${bg.b}), ${size}px, weight ${s.fontWeight}); axe left it undecided`;
      };

      const reduce = (v, nodes) => ({
        id: v.id,
        impact: v.impact ?? 'serious',
        help: v.help,
        helpUrl: v.helpUrl,
        nodes,
      });
      const violations = results.violations.map((v) =>
        reduce(
          v,
          v.nodes
            .filter((n) => !excused(v.id, n.element))
            .map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
        ),
      );
      for (const v of results.incomplete.filter((i) => i.id === 'color-contrast')) {
        const nodes = [];
        for (const n of v.nodes) {
          if (excused(v.id, n.element)) continue;
          const failure = n.element && decideContrast(n.element);
          if (failure) nodes.push({ target: n.target.join(' '), summary: failure });
        }
        violations.push(reduce(v, nodes));
      }
      return violations.filter((v) => v.nodes.length > 0);
    },
    { options: AXE_OPTIONS, falsePositives: FALSE_POSITIVES },
  );
}

/** One line per violation and per node: id, impact, help, selectors. */
function describeViolations(violations) {
  return violations
    .map((v) =>
      [
        `- ${v.id} (${v.impact}): ${v.help}`,
        `  ${v.helpUrl}`,
        ...v.nodes.map((n) => `    at ${n.target}\n      ${n.summary.replace(/\n/g, '\n      ')}`),
      ].join('\n'),
    )
    .join('\n');
}

/**
 * Checks the page loaded in `page` and fails listing every violation; on a
 * narrow viewport, also that the page needs no horizontal scroll (tables
 * scroll inside their own focusable region, which WCAG 1.4.10 allows).
 */
async function checkPage(page, label) {
  const viewport = page.viewportSize();
  const name = `${label}-${viewport.width}`;
  const violations = await axeViolations(page);
  if (viewport.width <= 320) {
    const wide = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      if (document.documentElement.scrollWidth <= width) return [];
      const inScroller = (e) => e.closest('.table-responsive, .piazza-diff') !== null;
      return [...document.querySelectorAll('body *')]
        .filter((e) => !inScroller(e) && e.getBoundingClientRect().right > width + 1)
        .map((e) => {
          const cls = [...e.classList].map((c) => `.${c}`).join('');
          return `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${cls} (right edge ${Math.round(e.getBoundingClientRect().right)} px)`;
        })
        .slice(0, 10);
    });
    if (wide.length > 0) {
      violations.push({
        id: 'reflow',
        impact: 'serious',
        help: `Content must fit ${viewport.width} CSS px without a horizontal scroll (WCAG 1.4.10)`,
        helpUrl: 'https://www.w3.org/WAI/WCAG21/Understanding/reflow.html',
        nodes: wide.map((target) => ({ target, summary: 'reaches past the right edge of the viewport' })),
      });
    }
  }
  if (violations.length > 0) {
    await page.screenshot({ path: artifact(`axe-${name.replace(/[^a-z0-9]+/gi, '-')}.png`), fullPage: true });
  }
  assert.equal(
    violations.length,
    0,
    `${label} at ${viewport.width} px (${page.url()}): ${violations.length} WCAG 2.1 AA violations:\n${describeViolations(violations)}`,
  );
}

async function visit(page, path, label, status = 200) {
  const res = await page.goto(`${server.url}${path}`, { waitUntil: 'load' });
  assert.equal(res.status(), status, `${path} answered ${res.status()}`);
  await checkPage(page, label);
}

async function signIn(page, username, password) {
  // A test that failed half-way may have left a session behind.
  await page.context().clearCookies();
  await page.goto(`${server.url}/accesso`, { waitUntil: 'load' });
  await page.getByLabel('Nome utente').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Accedi' }).click();
  await page.waitForURL(/\/desk$/);
}

async function signOut(page) {
  await page.goto(`${server.url}/desk`, { waitUntil: 'load' });
  await page.getByRole('button', { name: 'Esci' }).click();
  await page.waitForURL(/\/accesso\?uscita=1$/);
}

for (const viewport of VIEWPORTS) {
  describe(`axe: WCAG 2.1 AA, ${viewport.name}`, () => {
    let browser;
    before(async () => {
      browser = await launchBrowser({ viewport: { width: viewport.width, height: viewport.height } });
    });
    after(async () => {
      await browser?.close();
    });

    test('the public pages: login, policy, official accounts, statistics, transparency, appeal and report forms, audit checkpoints', async () => {
      const { page } = browser;
      await visit(page, '/accesso', 'login');
      await visit(page, '/enti/cento/policy', 'policy');
      await visit(page, '/enti/cento/account', 'accounts');
      await visit(page, '/enti/cento/statistiche', 'statistics');
      await visit(page, '/enti/cento/trasparenza', 'transparency');
      await visit(page, '/enti/cento/riesame', 'appeal-form');
      await visit(page, '/enti/cento/segnala', 'report-form');
      await visit(page, '/enti/cento/registro-verifiche', 'audit-checkpoints');
      await visit(page, '/', 'landing');
      await visit(page, '/enti/atlantide/policy', 'not-found', 404);
    });

    test('a moderator’s inbox, item and statement of reasons', async () => {
      const { page } = browser;
      const { password, comments } = server.info;
      await signIn(page, 'anna', password);
      await checkPage(page, 'inbox');
      await visit(page, '/desk/conversazioni?tutte=1', 'conversations');
      if (statementPath === null) {
        await visit(page, `/desk/commenti/${comments.threat}`, 'item');
        await page.getByRole('radio', { name: 'rimuovi' }).check();
        await page.getByRole('button', { name: 'Registra la decisione' }).click();
        await page.waitForURL(/\?esito=\d+/);
        statementPath = new URL(page.url()).pathname + new URL(page.url()).search;
      } else {
        // The threat is decided by now: check a pending item instead.
        await visit(page, `/desk/commenti/${comments.question}`, 'item');
        await page.goto(`${server.url}${statementPath}`, { waitUntil: 'load' });
      }
      assert.match(await page.locator('#motivazione').innerText(), /è stato rimosso/);
      await checkPage(page, 'item-statement');
      await signOut(page);
      await checkPage(page, 'login-signed-out');
    });

    test('a dirigente’s registry, policy, audit log and reports', async () => {
      const { page } = browser;
      await signIn(page, 'dirigente', server.info.password);
      await checkPage(page, 'inbox-read-only');
      await visit(page, '/desk/registro', 'registry');
      await visit(page, '/desk/policy', 'desk-policy');
      await visit(page, '/desk/audit', 'audit');
      await visit(page, '/desk/audit?verifica=1', 'audit-verified');
      await visit(page, '/desk/report', 'reports');
      await visit(page, '/desk/riesami?tutte=1', 'appeals');
      await visit(page, '/desk/segnalazioni?tutte=1', 'user-reports');
      await visit(page, '/desk/calendario', 'calendar');
      await visit(page, '/desk/elezioni', 'elections');
      await visit(page, '/desk/bozze', 'drafts');
      await page.locator('#titolo').fill('Mostra in biblioteca');
      await page.locator('#testo').fill('Si comunica che da oggi in biblioteca c’è la mostra sulle botteghe.');
      await page.locator('#file').fill('mostra.jpg');
      await page.getByRole('button', { name: 'Apri la bozza' }).click();
      await page.waitForURL(/\/desk\/bozze\/\d+\?esito=aperta$/);
      assert.match(await page.locator('#controlli').innerText(), /formula burocratica/);
      await checkPage(page, 'draft');
      await signOut(page);
    });
  });
}

describe('keyboard only', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  /** The focused element and whether its focus indicator can be seen. */
  function focusState(page) {
    return page.evaluate(() => {
      const el = document.activeElement;
      const s = getComputedStyle(el);
      const transparent = (c) => c === 'transparent' || /rgba\(.*,\s*0\)$/.test(c);
      const outline =
        s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && !transparent(s.outlineColor);
      const shadow = s.boxShadow !== 'none';
      return {
        id: el.id,
        tag: el.tagName.toLowerCase(),
        type: el.getAttribute('type'),
        text: (el.textContent ?? '').trim().slice(0, 40),
        visible: outline || shadow,
        outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`,
        boxShadow: s.boxShadow,
      };
    });
  }

  test('Tab reaches username, password and the submit button in order, with a visible focus', async () => {
    const { page } = browser;
    await page.goto(`${server.url}/accesso`, { waitUntil: 'load' });
    const seen = [];
    let state;
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      state = await focusState(page);
      seen.push(state.id || `${state.tag}:${state.text}`);
      assert.ok(state.visible, `no visible focus indicator on ${JSON.stringify(state)}`);
      if (state.id === 'username') break;
    }
    assert.equal(state.id, 'username', `Tab never reached the username; focus went: ${seen.join(' → ')}`);

    await page.keyboard.type('anna');
    await page.keyboard.press('Tab');
    state = await focusState(page);
    assert.equal(state.id, 'password', `after the username Tab went to ${JSON.stringify(state)}`);
    assert.ok(state.visible, `no visible focus indicator on ${JSON.stringify(state)}`);
    await page.keyboard.type(server.info.password);

    await page.keyboard.press('Tab');
    state = await focusState(page);
    assert.equal(state.tag, 'button', `after the password Tab went to ${JSON.stringify(state)}`);
    assert.equal(state.type, 'submit');
    assert.equal(state.text, 'Accedi');
    assert.ok(state.visible, `no visible focus indicator on ${JSON.stringify(state)}`);
    await page.screenshot({ path: artifact('login-keyboard-focus.png') });

    // Enter on the focused button signs in: no mouse needed.
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/desk$/);
  });
});
