#!/usr/bin/env node
// End-to-end check of the administration pages against a running server, driven by Debian's
// Chromium through playwright-core. Run: node dashboard/e2e/admin-e2e.mjs
//
// Environment:
//   BASE_URL          dashboard URL (required)
//   SYSLENS_USER      an administrator (default admin)
//   SYSLENS_PASSWORD  its password (required)
//   SCREENSHOT_DIR    where the PNGs go (default: <tmp>)
//   CHROMIUM          browser binary (default /usr/bin/chromium)
//   E2E_TIMEOUT_MS    bound for each wait (default 60000)
//   NODE_CERT_SERIAL  an agent certificate to revoke from the certificates page (optional)
// Fails on any Content-Security-Policy violation reported by the browser.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const env = process.env;
const BASE_URL = env.BASE_URL;
const USER = env.SYSLENS_USER || 'admin';
const PASSWORD = env.SYSLENS_PASSWORD;
const SHOTS = env.SCREENSHOT_DIR || os.tmpdir();
const WAIT_MS = Number(env.E2E_TIMEOUT_MS || 60_000);
const log = (...a) => console.log('[admin-e2e]', ...a);
const cspViolations = [];

async function shot(page, name) {
  await page.waitForTimeout(300);
  const file = path.join(SHOTS, `admin-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  log('screenshot', file);
}

async function run(page) {
  const testId = (id) => page.locator(`[data-testid="${id}"]`);
  const visible = (loc) => loc.waitFor({ state: 'visible', timeout: WAIT_MS });

  await page.goto(BASE_URL, { waitUntil: 'domcontentloaded', timeout: WAIT_MS });
  await visible(testId('login-username'));
  await page.locator('[data-testid="language-switch"]').first().click();
  await page.locator('[data-testid="language-option-en"]').last().click();
  await testId('login-username').fill(USER);
  await testId('login-password').fill(PASSWORD);
  await testId('login-submit').click();
  await visible(testId('logout'));

  log('open administration');
  await visible(testId('nav-admin'));
  await testId('nav-admin').click();
  await visible(testId('admin-users'));

  log('create user erin with an initial password');
  await testId('user-create').click();
  await testId('user-create-username').fill('erin');
  await testId('user-create-password').fill('Quiet-Harbor-Kettle-42');
  await testId('user-create-submit').click();
  await visible(testId('user-row-erin'));
  await shot(page, 'users');

  log('role editor: conflict shown before saving');
  await testId('admin-tab-roles').click();
  await visible(testId('role-tree'));
  await testId('role-create').click();
  await testId('role-name').fill('useradmin');
  await testId('role-grants').fill('users:user:manage\nsystem:audit:delete');
  await visible(testId('role-conflicts'));
  const text = await testId('role-conflicts').innerText();
  if (!text.includes('separation of duties')) throw new Error(`conflict text: ${text} (expected: separation of duties)`);
  if (!(await testId('role-save').isDisabled())) throw new Error('save button enabled despite a conflict');
  await shot(page, 'role-conflict');
  await testId('role-grants').fill('users:user:manage');
  await visible(testId('role-ok'));
  await testId('role-save').click();
  await visible(page.getByText('useradmin', { exact: true }).first());
  await shot(page, 'roles');

  log('API key shown once');
  await testId('admin-tab-apikeys').click();
  await visible(testId('apikey-create'));
  await testId('apikey-create').click();
  await testId('apikey-name').fill('grafana');
  await testId('apikey-create-submit').click();
  await visible(testId('apikey-secret'));
  const key = (await testId('apikey-secret').innerText()).trim();
  if (key.length < 20) throw new Error(`API key: "${key}" (expected: a long secret)`);
  await shot(page, 'apikey-once');
  await testId('apikey-done').click();
  await visible(testId('apikey-row-grafana'));
  // Gone from the page once closed (after the dialog's closing animation), and not listed.
  await testId('apikey-secret').waitFor({ state: 'detached', timeout: 10_000 });
  if (await page.getByText(key).count()) throw new Error('the API key is still on the page after it was shown');
  await testId('admin-tab-users').click();
  await testId('admin-tab-apikeys').click();
  await visible(testId('apikey-row-grafana'));
  if (await page.getByText(key).count()) throw new Error('the API key is listed again');

  log('enrollment token: one-time, shown once, listed, revoked');
  await testId('admin-tab-tokens').click();
  await visible(testId('token-create'));
  await testId('token-create').click();
  await testId('token-name').fill('rack-7');
  await testId('token-create-submit').click();
  await visible(testId('token-secret'));
  const token = (await testId('token-secret').innerText()).trim();
  if (!/^sle_.{20,}$/.test(token)) throw new Error(`enrollment token: "${token}" (expected: sle_ and a long secret)`);
  await shot(page, 'token-once');
  await testId('token-done').click();
  await visible(testId('token-row-rack-7'));
  await testId('token-secret').waitFor({ state: 'detached', timeout: 10_000 });
  if (await page.getByText(token).count()) throw new Error('the enrollment token is still on the page after it was shown');
  const kindCell = testId('token-row-rack-7').locator('xpath=ancestor::tr');
  if (!(await kindCell.innerText()).includes('One-time')) throw new Error(`token row: ${await kindCell.innerText()} (expected: One-time)`);
  const tokenState = async () => (await testId('token-state-rack-7').innerText()).trim();
  if ((await tokenState()) !== 'Active') throw new Error(`token state: ${await tokenState()} (expected: Active)`);
  await testId('token-revoke-rack-7').click();
  await visible(testId('token-revoke-confirm'));
  await testId('token-revoke-confirm').click();
  await testId('token-revoke-rack-7').waitFor({ state: 'detached', timeout: WAIT_MS });
  if ((await tokenState()) !== 'Revoked') throw new Error(`token state after revoking: ${await tokenState()} (expected: Revoked)`);
  await shot(page, 'tokens');
  await testId('admin-tab-certificates').click();
  await visible(testId('admin-certificates'));
  const serial = env.NODE_CERT_SERIAL;
  if (serial) {
    log('agent certificate listed, revoked');
    const certState = async () => (await testId(`cert-state-${serial}`).innerText()).trim();
    await visible(testId(`cert-state-${serial}`));
    if ((await certState()) !== 'Valid') throw new Error(`certificate state: ${await certState()} (expected: Valid)`);
    await shot(page, 'certificates');
    await testId(`cert-revoke-${serial}`).click();
    await visible(testId('cert-revoke-confirm'));
    await testId('cert-revoke-confirm').click();
    await testId(`cert-revoke-${serial}`).waitFor({ state: 'detached', timeout: WAIT_MS });
    if (!(await certState()).startsWith('Revoked')) throw new Error(`certificate state after revoking: ${await certState()} (expected: Revoked ...)`);
  }
  await shot(page, serial ? 'certificates-revoked' : 'certificates');

  log('audit viewer lists those actions');
  await testId('admin-tab-audit').click();
  await visible(testId('audit-table'));
  for (const action of ['user.created', 'role.saved', 'apikey.created', 'enrollment_token.created', 'enrollment_token.revoked']) {
    await visible(page.locator('[data-testid="audit-action-cell"]', { hasText: action }).first());
  }
  await visible(testId('audit-chain'));
  const chain = await testId('audit-chain').innerText();
  if (!chain.includes('intact')) throw new Error(`chain status: ${chain}`);
  await testId('audit-action').fill('user.');
  await testId('audit-search').click();
  await page.locator('[data-testid="audit-action-cell"]', { hasText: 'apikey.created' }).waitFor({ state: 'detached', timeout: WAIT_MS });
  await shot(page, 'audit');

  log('Chinese view');
  await page.locator('[data-testid="language-switch"]').first().click();
  await page.locator('[data-testid="language-option-zh-CN"]').last().click();
  await visible(page.getByText('审计日志', { exact: true }).first());
  await shot(page, 'audit-zh');
  await testId('admin-tab-roles').click();
  await visible(testId('role-tree'));
  await shot(page, 'roles-zh');
}

async function main() {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'syslens-admin-e2e-'));
  let context;
  let page;
  const pageErrors = [];
  try {
    if (!BASE_URL || !PASSWORD) throw new Error('missing environment (expected: BASE_URL and SYSLENS_PASSWORD set)');
    fs.mkdirSync(SHOTS, { recursive: true });
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
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    await run(page);
    if (cspViolations.length) throw new Error(`CSP violations: ${cspViolations.slice(0, 5).join(' | ')}`);
    console.log('admin-e2e: 1 passed, 0 failed');
    return 0;
  } catch (e) {
    console.error(`[admin-e2e] FAILED: ${e instanceof Error ? e.message : String(e)}`);
    for (const m of pageErrors.slice(-20)) console.error('[admin-e2e]   ', m);
    if (page) {
      try {
        await page.screenshot({ path: path.join(SHOTS, 'admin-failure.png'), fullPage: true, timeout: 10_000 });
      } catch (shotError) {
        console.error('[admin-e2e] no failure screenshot:', shotError.message);
      }
    }
    console.log('admin-e2e: 0 passed, 1 failed');
    return 1;
  } finally {
    await context?.close().catch(() => {});
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

const guard = setTimeout(() => {
  console.error('[admin-e2e] FAILED: overall time limit reached');
  console.log('admin-e2e: 0 passed, 1 failed');
  process.exit(1);
}, 4 * WAIT_MS + 60_000);
guard.unref();
process.exitCode = await main();
clearTimeout(guard);
