// The shared part of the browser checks (dashboard/e2e/*-e2e.mjs): Debian's Chromium through
// playwright-core, sign-in, language switching, polling, page-error and failure-screenshot
// handling, an overall time limit, and the one result line the Java drivers read
// ("e2e: N passed, M failed"). A check is `runE2E({ name, required, run })`.
//
// Environment (besides what a check needs):
//   BASE_URL          dashboard URL (required)
//   SYSLENS_USER      user name (default admin)
//   SYSLENS_PASSWORD  password (required)
//   SHOT_DIR          directory for the screenshots (default: the temp dir)
//   CHROMIUM          browser binary (default /usr/bin/chromium)
//   E2E_TIMEOUT_MS    bound for each wait (default 60000)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const env = process.env;
export const BASE_URL = env.BASE_URL;
export const USER = env.SYSLENS_USER || 'admin';
export const PASSWORD = env.SYSLENS_PASSWORD;
export const SHOT_DIR = env.SHOT_DIR || os.tmpdir();
export const WAIT_MS = Number(env.E2E_TIMEOUT_MS || 60_000);

/** Polls `probe` (returning {ok, seen}) every 250 ms until ok or `ms` pass. */
export async function pollUntil(what, ms, probe) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last.ok) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what} (last seen: ${JSON.stringify(last?.seen)})`);
}

/** Switches the UI language with the header's switch and waits for `expectText` in it. */
export async function switchLanguage(page, lang, expectText) {
  await page.locator('[data-testid="language-switch"]').first().click();
  await page.locator(`[data-testid="language-option-${lang}"]`).last().click();
  await page.getByText(expectText, { exact: true }).first().waitFor({ state: 'visible', timeout: WAIT_MS });
  await page.keyboard.press('Escape'); // close the drop-down before a screenshot
  await page.locator('.ant-select-dropdown:visible').waitFor({ state: 'hidden', timeout: WAIT_MS }).catch(() => {});
}

/** Opens BASE_URL and signs in (in English) as USER. */
export async function signIn(page) {
  const testId = (id) => page.locator(`[data-testid="${id}"]`);
  await page.goto(BASE_URL, { waitUntil: 'domcontentloaded', timeout: WAIT_MS });
  await testId('login-username').waitFor({ state: 'visible', timeout: WAIT_MS });
  await switchLanguage(page, 'en', 'Sign in');
  await testId('login-username').fill(USER);
  await testId('login-password').fill(PASSWORD);
  await testId('login-submit').click();
  await testId('logout').waitFor({ state: 'visible', timeout: WAIT_MS });
}

/** Saves a full-page screenshot as SHOT_DIR/<name>.png. */
export async function shot(page, name, log) {
  const file = path.join(SHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  log('screenshot', file);
}

/**
 * Runs one check: `required` names missing environment (or null), `run(page, log)` drives the
 * page. Fails on a page error or Content-Security-Policy violation; prints the result line and
 * sets the exit code.
 */
export async function runE2E({ name, required, run }) {
  const log = (...a) => console.log(`[${name}]`, ...a);
  const guard = setTimeout(() => {
    console.error(`[${name}] FAILED: overall time limit reached`);
    console.log('e2e: 0 passed, 1 failed');
    process.exit(1);
  }, 6 * WAIT_MS + 60_000);
  guard.unref();
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), `syslens-${name}-`));
  let context;
  let page;
  const pageErrors = [];
  try {
    const missing = !BASE_URL || !PASSWORD ? 'BASE_URL and SYSLENS_PASSWORD' : required;
    if (missing) throw new Error(`missing environment (expected: ${missing})`);
    fs.mkdirSync(SHOT_DIR, { recursive: true });
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
    await run(page, log);
    const bad = pageErrors.filter((m) => /Content Security Policy|pageerror/i.test(m));
    if (bad.length) throw new Error(`page errors: ${bad.slice(0, 5).join(' | ')}`);
    console.log('e2e: 1 passed, 0 failed');
    process.exitCode = 0;
  } catch (e) {
    console.error(`[${name}] FAILED: ${e instanceof Error ? e.message : String(e)}`);
    for (const m of pageErrors.slice(-20)) console.error(`[${name}]   `, m);
    if (page) {
      const file = path.join(SHOT_DIR, `${name}-failure.png`);
      await page.screenshot({ path: file, fullPage: true, timeout: 10_000 }).then(() => console.error(`[${name}] failure screenshot`, file), () => {});
    }
    console.log('e2e: 0 passed, 1 failed');
    process.exitCode = 1;
  } finally {
    await context?.close().catch(() => {});
    fs.rmSync(userDataDir, { recursive: true, force: true });
    clearTimeout(guard);
  }
}
