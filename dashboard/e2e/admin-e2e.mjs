#!/usr/bin/env node
// End-to-end check of the administration pages against a running server (run by the server's
// AdminBrowserTest; launch, login and screenshots in harness.mjs). Screenshots: admin-*.png in SHOT_DIR.
//
// Environment (besides harness.mjs's): NODE_CERT_SERIAL, an agent certificate to revoke from the
// certificates page (optional). Fails on any Content-Security-Policy violation reported by the browser.
import { e2e } from './harness.mjs';

const env = process.env;
const USER = env.SYSLENS_USER || 'admin';
/** The harness, once the browser is up. */
let h;
let WAIT_MS = 60_000;
const log = (...a) => h.log(...a);

async function shot(page, name) {
  await h.shot(`admin-${name}`);
}

async function run(page) {
  const testId = (id) => page.locator(`[data-testid="${id}"]`);
  const visible = (loc) => loc.waitFor({ state: 'visible', timeout: WAIT_MS });

  await h.login();

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

await e2e('admin-e2e', { failOnPageErrors: false, guardWaits: 4 }, async (harness) => {
  h = harness;
  WAIT_MS = h.waitMs;
  await run(h.page);
});
