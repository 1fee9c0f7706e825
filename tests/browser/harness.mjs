// Shared helpers of the browser tests: start Piazza's server on a free
// loopback port, launch Debian's chromium through playwright-core, and
// save artifacts under target/browser-artifacts/.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
export const artifactsDir =
  process.env.PIAZZA_BROWSER_ARTIFACTS ?? join(repoRoot, 'target', 'browser-artifacts');

/**
 * A test server binary: one of piazza-web's examples, which
 * scripts/test-browser builds (PIAZZA_WEB_EXAMPLES names their folder;
 * PIAZZA_WEB_SERVER overrides serve_presets alone).
 */
function serverBinary(example) {
  if (example === 'serve_presets' && process.env.PIAZZA_WEB_SERVER) {
    return process.env.PIAZZA_WEB_SERVER;
  }
  if (process.env.PIAZZA_WEB_EXAMPLES) return join(process.env.PIAZZA_WEB_EXAMPLES, example);
  const target = process.env.CARGO_TARGET_DIR ?? join(repoRoot, 'target');
  return join(target, 'debug', 'examples', example);
}

/**
 * Starts a test server on 127.0.0.1 with a free port (the binary binds
 * port 0 and prints the address it got): `serve_presets` (the five
 * presets, no staff) by default, or `serve_demo` (a seeded desk, whose
 * logins and comment ids it prints as a JSON line first).
 * Resolves to { url, info, stop }; `info` is that JSON, or null.
 */
export function startServer(example = 'serve_presets') {
  const bin = serverBinary(example);
  const child = spawn(bin, [], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${bin} printed no address within 20 s`));
    }, 20_000);
    let buffered = '';
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${bin}: ${e.message} (run scripts/test-browser)`));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${bin} exited with ${code} before listening`));
    });
    child.stdout.on('data', (chunk) => {
      buffered += chunk.toString();
      const m = buffered.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        const json = buffered.split('\n').find((l) => l.startsWith('{'));
        resolvePromise({
          url: m[1],
          info: json ? JSON.parse(json) : null,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
  });
}

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches Debian's chromium with a fresh profile directory (Playwright
 * takes the profile as launchPersistentContext's first argument instead of
 * a --user-data-dir flag). Resolves to { context, page, close }.
 */
export async function launchBrowser(options = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'piazza-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.PIAZZA_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    locale: 'it-IT',
    // The kit scrolls smoothly to anchors; reduced motion makes the jump
    // instant, so positions can be read at once.
    reducedMotion: 'reduce',
    ...options,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Where a test saves a screenshot or a log: target/browser-artifacts/NAME. */
export function artifact(name) {
  mkdirSync(artifactsDir, { recursive: true });
  return join(artifactsDir, name);
}

/**
 * Records what should never happen on a page: console errors (a CSP
 * violation is one), uncaught exceptions, failed or 4xx/5xx subresources.
 */
export function watchProblems(page) {
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return problems;
}
