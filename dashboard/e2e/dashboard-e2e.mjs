#!/usr/bin/env node
// End-to-end check of the SysLens dashboard against a running server, driven by Debian's Chromium
// through playwright-core (no browser download). Run: node dashboard/e2e/dashboard-e2e.mjs
//
// Environment:
//   BASE_URL          dashboard URL, e.g. https://127.0.0.1:9443/ (required)
//   SYSLENS_USER      user name (default admin)
//   SYSLENS_PASSWORD  password (required)
//   NODE_ID           id of a node whose agent is reporting (required)
//   SCREENSHOT        PNG path for the node-detail screenshot (default: <tmp>/syslens-dashboard.png);
//                     the Japanese view goes to <name>-ja.png, a failure to <name>-failure.png
//   CHROMIUM          browser binary (default /usr/bin/chromium)
//   E2E_TIMEOUT_MS    bound for each wait (default 60000)
// Fails on any Content-Security-Policy violation reported by the browser.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const env = process.env;
const BASE_URL = env.BASE_URL;
const USER = env.SYSLENS_USER || 'admin';
const PASSWORD = env.SYSLENS_PASSWORD;
const NODE_ID = env.NODE_ID;
const SCREENSHOT = env.SCREENSHOT || path.join(os.tmpdir(), 'syslens-dashboard.png');
const WAIT_MS = Number(env.E2E_TIMEOUT_MS || 60_000);
const withSuffix = (file, suffix) => (file.endsWith('.png') ? file.slice(0, -4) : file) + suffix + '.png';
const FAILURE_SHOT = withSuffix(SCREENSHOT, '-failure');
const JA_SHOT = withSuffix(SCREENSHOT, '-ja');

const log = (...a) => console.log('[e2e]', ...a);

function requireEnv() {
  const missing = [['BASE_URL', BASE_URL], ['SYSLENS_PASSWORD', PASSWORD], ['NODE_ID', NODE_ID]].filter(([, v]) => !v).map(([k]) => k);
  if (missing.length) throw new Error(`missing environment: ${missing.join(', ')} (expected: BASE_URL, SYSLENS_PASSWORD and NODE_ID set)`);
}

/** Polls `probe` until it returns a truthy value or `ms` pass; the error names what was awaited and the last value seen. */
async function pollUntil(what, ms, probe) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last.ok) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what} (last seen: ${JSON.stringify(last?.seen)})`);
}

async function run(page) {
  const testId = (id) => page.locator(`[data-testid="${id}"]`);

  log('open', BASE_URL);
  await page.goto(BASE_URL, { waitUntil: 'domcontentloaded', timeout: WAIT_MS });
  await testId('login-username').waitFor({ state: 'visible', timeout: WAIT_MS });
  // Start from English whatever the browser prefers, so the later switch to Japanese is a real change.
  await switchLanguage(page, 'en', 'Sign in');

  log('log in as', USER);
  await testId('login-username').fill(USER);
  await testId('login-password').fill(PASSWORD);
  await testId('login-submit').click();
  const loggedIn = await Promise.race([
    testId('logout').waitFor({ state: 'visible', timeout: WAIT_MS }).then(() => true),
    testId('login-error').waitFor({ state: 'visible', timeout: WAIT_MS }).then(() => false),
  ]);
  if (!loggedIn) throw new Error(`login rejected: ${await testId('login-error').innerText()}`);

  // The landing page is the fleet overview; the node list is one click away.
  await testId('nav-nodes').click();
  log('wait for node row', NODE_ID);
  const row = testId(`node-row-${NODE_ID}`);
  await row.waitFor({ state: 'visible', timeout: WAIT_MS });
  await row.click();

  log('wait for CPU chart data');
  await testId('chart-cpu').waitFor({ state: 'visible', timeout: WAIT_MS });
  const points = await pollUntil('chart-cpu data-points >= 2', WAIT_MS, async () => {
    const v = Number(await testId('chart-cpu').getAttribute('data-points'));
    return { ok: v >= 2, seen: v };
  });
  for (const id of ['chart-memory', 'chart-network', 'chart-disk']) await testId(id).waitFor({ state: 'visible', timeout: WAIT_MS });
  log('chart-cpu data-points', points.seen);
  await page.waitForTimeout(500); // let ECharts finish its frame before the picture
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  log('screenshot', SCREENSHOT);

  log('switch to Japanese');
  await switchLanguage(page, 'ja-JP', 'ログアウト');
  await page.getByText('CPU 使用率', { exact: true }).waitFor({ state: 'visible', timeout: WAIT_MS });
  const lang = await page.evaluate(() => document.documentElement.lang);
  if (lang !== 'ja-JP') throw new Error(`document language: ${lang} (expected: ja-JP)`);
  await page.waitForTimeout(300);
  await page.screenshot({ path: JA_SHOT, fullPage: true });
  log('screenshot', JA_SHOT);
}

/** Picks a language in the header's switch and waits until `expectText` shows. */
async function switchLanguage(page, lang, expectText) {
  await page.locator('[data-testid="language-switch"]').first().click();
  await page.locator(`[data-testid="language-option-${lang}"]`).last().click();
  await page.getByText(expectText, { exact: true }).first().waitFor({ state: 'visible', timeout: WAIT_MS });
}

async function main() {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'syslens-e2e-'));
  let context;
  let page;
  const pageErrors = [];
  try {
    requireEnv();
    fs.mkdirSync(path.dirname(path.resolve(SCREENSHOT)), { recursive: true });
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      ignoreHTTPSErrors: true,
      viewport: { width: 1440, height: 900 },
      locale: 'en-US',
      timeout: WAIT_MS,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(WAIT_MS);
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`); });
    await run(page);
    // The server's Content-Security-Policy must not block anything the dashboard does.
    const csp = pageErrors.filter((m) => /Content Security Policy/i.test(m));
    if (csp.length) throw new Error(`CSP violations: ${csp.slice(0, 5).join(' | ')}`);
    console.log('e2e: 1 passed, 0 failed');
    return 0;
  } catch (e) {
    console.error(`[e2e] FAILED: ${e instanceof Error ? e.message : String(e)}`);
    for (const m of pageErrors.slice(-20)) console.error('[e2e]   ', m);
    if (page) {
      try {
        await page.screenshot({ path: FAILURE_SHOT, fullPage: true, timeout: 10_000 });
        console.error('[e2e] failure screenshot', FAILURE_SHOT);
      } catch (shotError) {
        console.error('[e2e] no failure screenshot:', shotError.message);
      }
    }
    console.log('e2e: 0 passed, 1 failed');
    return 1;
  } finally {
    await context?.close().catch(() => {});
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

// A hard bound so a hung browser can never stall the caller.
const guard = setTimeout(() => {
  console.error('[e2e] FAILED: overall time limit reached');
  console.log('e2e: 0 passed, 1 failed');
  process.exit(1);
}, 4 * WAIT_MS + 60_000);
guard.unref();
process.exitCode = await main();
clearTimeout(guard);
