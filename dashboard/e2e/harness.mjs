// The shared part of the browser checks (dashboard/e2e/*-e2e.mjs): launch Debian's Chromium through
// playwright-core (no browser download), log in, switch language, poll, take screenshots, scan with
// axe-core, and report. Each script supplies only its page steps:
//
//   import { e2e } from './harness.mjs';
//   await e2e('fleet', { required: ['NODE_IDS'] }, async (h) => { await h.login(); ... });
//
// Common environment: BASE_URL (required), SYSLENS_USER (default admin), SYSLENS_PASSWORD
// (required), SHOT_DIR (screenshots; default the temp dir), CHROMIUM (default /usr/bin/chromium),
// E2E_TIMEOUT_MS (bound for each wait, default 60000). The run fails on a Content-Security-Policy
// violation or an uncaught page error, leaves <name>-failure.png, and prints
// "e2e: 1 passed, 0 failed" (or "0 passed, 1 failed"), which the Java drivers check.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const env = process.env;

/** axe-core's rules that count as failures (impact serious or critical), WCAG 2.1 A/AA. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Runs `steps` in a fresh headless Chromium and sets the process exit code.
 * @param {string} name short name for logs and the failure screenshot
 * @param {{required?: string[], guardWaits?: number, failOnPageErrors?: boolean, viewport?: {width: number, height: number}}} options
 * @param {(h: Harness) => Promise<void>} steps
 */
export async function e2e(name, options, steps) {
  const waitMs = Number(env.E2E_TIMEOUT_MS || 60_000);
  const guard = setTimeout(() => {
    console.error(`[${name}] FAILED: overall time limit reached`);
    console.log('e2e: 0 passed, 1 failed');
    process.exit(1);
  }, (options.guardWaits ?? 6) * waitMs + 60_000);
  guard.unref();
  process.exitCode = await main(name, options, steps, waitMs);
  clearTimeout(guard);
}

async function main(name, options, steps, waitMs) {
  const shotDir = env.SHOT_DIR || os.tmpdir();
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), `syslens-${name}-`));
  const pageErrors = [];
  let context;
  let page;
  try {
    const missing = ['BASE_URL', 'SYSLENS_PASSWORD', ...(options.required ?? [])].filter((k) => !env[k]);
    if (missing.length) throw new Error(`missing environment: ${missing.join(', ')}`);
    fs.mkdirSync(shotDir, { recursive: true });
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      ignoreHTTPSErrors: true,
      acceptDownloads: true,
      viewport: options.viewport ?? { width: 1440, height: 900 },
      locale: 'en-US',
      timeout: waitMs,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(waitMs);
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`); });
    await steps(new Harness(name, page, context, waitMs, shotDir));
    // failOnPageErrors: false keeps only the CSP check (the administration pages log expected errors).
    const fatal = options.failOnPageErrors === false ? /Content Security Policy/i : /Content Security Policy|pageerror/i;
    const bad = pageErrors.filter((m) => fatal.test(m));
    if (bad.length) throw new Error(`page errors: ${bad.slice(0, 5).join(' | ')}`);
    console.log('e2e: 1 passed, 0 failed');
    return 0;
  } catch (e) {
    console.error(`[${name}] FAILED: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    for (const m of pageErrors.slice(-20)) console.error(`[${name}]   `, m);
    if (page) {
      const file = path.join(shotDir, `${name}-failure.png`);
      await page.screenshot({ path: file, fullPage: true, timeout: 10_000 }).then(() => console.error(`[${name}] failure screenshot`, file), () => {});
    }
    console.log('e2e: 0 passed, 1 failed');
    return 1;
  } finally {
    await context?.close().catch(() => {});
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

export class Harness {
  constructor(name, page, context, waitMs, shotDir) {
    this.name = name;
    this.page = page;
    this.context = context;
    this.waitMs = waitMs;
    this.shotDir = shotDir;
    this.env = env;
  }

  log(...a) {
    console.log(`[${this.name}]`, ...a);
  }

  testId(id) {
    return this.page.locator(`[data-testid="${id}"]`);
  }

  visible(locator) {
    return locator.waitFor({ state: 'visible', timeout: this.waitMs });
  }

  /** Polls `probe` (returning {ok, seen}) until ok or the wait bound; the error names what was awaited and the last value seen. */
  async pollUntil(what, probe, ms = this.waitMs) {
    const deadline = Date.now() + ms;
    let last;
    while (Date.now() < deadline) {
      last = await probe();
      if (last.ok) return last;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out after ${ms} ms waiting for ${what} (last seen: ${JSON.stringify(last?.seen)})`);
  }

  /** Opens BASE_URL (English) and signs in as SYSLENS_USER; waits for the signed-in shell. */
  async login(user = env.SYSLENS_USER || 'admin', password = env.SYSLENS_PASSWORD) {
    this.log('open', env.BASE_URL);
    await this.page.goto(env.BASE_URL, { waitUntil: 'domcontentloaded', timeout: this.waitMs });
    await this.visible(this.testId('login-username'));
    // Start from English whatever the browser prefers, so a later switch is a real change.
    await this.switchLanguage('en', 'Sign in');
    this.log('log in as', user);
    await this.testId('login-username').fill(user);
    await this.testId('login-password').fill(password);
    await this.testId('login-submit').click();
    const ok = await Promise.race([
      this.testId('logout').waitFor({ state: 'visible', timeout: this.waitMs }).then(() => true),
      this.testId('login-error').waitFor({ state: 'visible', timeout: this.waitMs }).then(() => false),
    ]);
    if (!ok) throw new Error(`login rejected: ${await this.testId('login-error').innerText()}`);
  }

  /** Picks a language in the header's switch and waits until `expectText` shows; closes the drop-down. */
  async switchLanguage(lang, expectText) {
    // A click on an option that lands while antd's drop-down is still opening or closing is
    // dropped (seen once in CI: the list open, English kept, no error). The pick is made again,
    // at most three times, and each retry is logged; the language must then show.
    const expected = this.page.getByText(expectText, { exact: true }).first();
    for (let attempt = 1; ; attempt++) {
      await this.page.locator('[data-testid="language-switch"]').first().click();
      const option = this.page.locator(`.ant-select-dropdown:visible [data-testid="language-option-${lang}"]`).last();
      await option.waitFor({ state: 'visible', timeout: this.waitMs });
      await option.click();
      const shown = await expected.waitFor({ state: 'visible', timeout: attempt < 3 ? 10_000 : this.waitMs }).then(() => true, (e) => {
        if (attempt >= 3) throw e;
        return false;
      });
      await this.page.keyboard.press('Escape');
      await this.page.locator('.ant-select-dropdown:visible').waitFor({ state: 'hidden', timeout: this.waitMs }).catch(() => {});
      if (shown) return;
      this.log(`language ${lang}: "${expectText}" not shown 10 s after the pick; picking again (attempt ${attempt + 1})`);
    }
  }

  /** A full-page screenshot as <SHOT_DIR>/<file>.png (after ECharts' next frame). */
  async shot(file) {
    await this.page.waitForTimeout(300);
    const target = path.join(this.shotDir, file.endsWith('.png') ? file : `${file}.png`);
    await this.page.screenshot({ path: target, fullPage: true });
    this.log('screenshot', target);
    return target;
  }

  /**
   * Scans the page with axe-core (WCAG 2.1 A/AA rules) and fails on any serious or critical
   * violation. axe is evaluated through the DevTools protocol, so the page's CSP stays strict.
   * @returns {Promise<{violations: number, rules: string[]}>} all violations of any impact, for the log
   */
  async axe(label) {
    const hasAxe = await this.page.evaluate(() => typeof window.axe !== 'undefined');
    if (!hasAxe) await this.page.evaluate(axeSource());
    const result = await this.page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }), AXE_TAGS);
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    const all = result.violations.map((v) => `${v.id}(${v.impact}, ${v.nodes.length})`);
    this.log(`axe ${label}: ${result.violations.length} violations`, all.join(' '));
    if (bad.length) {
      const detail = bad.map((v) => `${v.id} [${v.impact}] ${v.help}: ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} (${(n.any[0] ?? n.all[0] ?? n.none[0])?.message ?? ''})`).join(' | ')}`);
      throw new Error(`axe ${label}: ${bad.length} serious/critical violations: ${detail.join('; ')}`);
    }
    return { violations: result.violations.length, rules: all };
  }
}

let axeText = null;
function axeSource() {
  if (axeText === null) {
    const require = createRequire(import.meta.url);
    axeText = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  }
  return axeText;
}
