#!/usr/bin/env node
// End-to-end check of the dashboard's alerts area against a running server, in Debian's Chromium
// through playwright-core: build a threshold rule in the builder, see it fire from real samples,
// acknowledge it, silence it, find it in the history with its chart, switch to Japanese.
// Run: node dashboard/e2e/alerts-e2e.mjs
//
// Environment:
//   BASE_URL          dashboard URL (required)
//   SYSLENS_USER      user name (default admin)
//   SYSLENS_PASSWORD  password (required)
//   METRIC, HOST      the series the server holds, e.g. e2e_temp and web-1 (value above 75 now)
//   ANOMALY_METRIC    a series with the last hours of samples, for an anomaly rule's band (default e2e_reqs)
//   The server's notification config sends to a webhook receiver named hook.
//   CHROMIUM          browser binary (default /usr/bin/chromium)
//   E2E_TIMEOUT_MS    bound for each wait (default 60000, harness.mjs)
import { e2e } from './harness.mjs';

const env = process.env;
const USER = env.SYSLENS_USER || 'admin';
const METRIC = env.METRIC || 'e2e_temp';
const HOST = env.HOST || 'web-1';
const RULE = 'E2EHot';
const ANOMALY = 'E2EReqsAnomaly';
const ANOMALY_METRIC = env.ANOMALY_METRIC || 'e2e_reqs';
/** The harness, once the browser is up. */
let h;
let WAIT_MS = 30_000;
const T0 = Date.now();
const log = (...a) => console.log(`[alerts-e2e +${((Date.now() - T0) / 1000).toFixed(1)}s]`, ...a);
const pollUntil = (what, ms, probe) => h.pollUntil(what, probe, ms);
const shot = (page, name) => h.shot(name);
const switchLanguage = (page, lang, expectText) => h.switchLanguage(lang, expectText);

async function run(page) {
  const testId = (id) => page.locator(`[data-testid="${id}"]`);
  const visible = (loc) => loc.waitFor({ state: 'visible', timeout: WAIT_MS });
  // antd puts a data-testid on the input itself or on a wrapper around it, depending on the component.
  const inputOf = (id) => page.locator(`input[data-testid="${id}"], [data-testid="${id}"] input`).first();

  await h.login();

  log('open the alerts area from the header');
  await testId('nav-alerts').click();
  await pollUntil('alerts title', WAIT_MS, async () => {
    const seen = await testId('alerts-title').innerText().catch(() => '');
    return { ok: seen === 'Firing alerts', seen };
  });

  log('build a threshold rule');
  await testId('alerts-tab-rules').click();
  await visible(testId('rule-new'));
  await testId('rule-new').click();
  await visible(testId('rule-builder'));
  await testId('rule-name').fill(RULE);
  await inputOf('rule-group').fill('e2e');
  await testId('rule-interval').fill('1s');
  await testId('threshold.selector-metric').fill(METRIC);
  await testId('threshold.selector-add-matcher').click();
  await testId('threshold.selector-matcher-name-0').fill('host');
  await testId('threshold.selector-matcher-value-0').fill(HOST);
  await testId('threshold-threshold').fill('75');
  await testId('rule-for').fill('0s');
  await inputOf('rule-level').fill('critical');
  await testId('rule-summary').fill('{{ $labels.host }} is at {{ $value }}');
  const expected = `${METRIC}{host="${HOST}"} > 75`;
  await pollUntil('generated expression', WAIT_MS, async () => {
    const seen = await testId('generated-expr').innerText();
    return { ok: seen.trim() === expected, seen };
  });
  await shot(page, 'alerts-builder.png');
  await testId('rule-save').click();
  await visible(testId(`rule-row-${RULE}`));
  await shot(page, 'alerts-rules.png');

  log('wait for the alert to fire and reach the notifier');
  await testId('alerts-tab-firing').click();
  const row = testId(`alert-row-${RULE}`);
  await pollUntil('firing alert with an acknowledge button', WAIT_MS, async () => {
    await page.getByRole('button', { name: /Refresh/ }).first().click().catch(() => {});
    await page.waitForTimeout(300);
    const n = await row.count();
    const state = n > 0 ? await row.locator('[data-testid="alert-state"]').innerText() : '';
    const enabled = n > 0 && await row.locator('[data-testid="ack-button"]').isEnabled();
    return { ok: state === 'Firing' && enabled, seen: { rows: n, state, enabled } };
  });

  log('acknowledge');
  await row.locator('[data-testid="ack-button"]').click();
  await visible(testId('ack-comment'));
  await testId('ack-comment').fill('looking into it');
  await testId('ack-confirm').click();
  await pollUntil('acknowledged state', WAIT_MS, async () => {
    const seen = await row.locator('[data-testid="ack-state"]').innerText().catch(() => '');
    return { ok: seen === `Acknowledged by ${USER}`, seen };
  });

  log('silence from the alert (matchers prefilled)');
  await row.locator('[data-testid="silence-button"]').click();
  await visible(testId('silence-comment'));
  const prefilled = await testId('silence-matcher-value-0').inputValue();
  if (prefilled !== RULE) throw new Error(`first silence matcher value: ${prefilled} (expected: ${RULE}, the alertname)`);
  await testId('silence-comment').fill('e2e maintenance');
  await testId('silence-submit').click();
  await pollUntil('silenced tag', WAIT_MS, async () => {
    await page.getByRole('button', { name: /Refresh/ }).first().click().catch(() => {});
    await page.waitForTimeout(300);
    const seen = await row.innerText().catch(() => '');
    return { ok: seen.includes('Silenced'), seen };
  });
  await shot(page, 'alerts-firing.png');

  log('the silence is listed');
  await testId('alerts-tab-silences').click();
  await visible(page.getByText('e2e maintenance').first());
  await shot(page, 'alerts-silences.png');
  log('expire it');
  await testId('silence-expire').first().click();
  await page.locator('.ant-popconfirm .ant-btn-primary').last().click();
  await pollUntil('no active silence left', WAIT_MS, async () => {
    const seen = await page.getByText('e2e maintenance').count();
    return { ok: seen === 0, seen };
  });

  log('history through the rule\'s generatorURL (the link in every notification), and its chart');
  await page.evaluate((rule) => { window.location.hash = `#/explore?expr=x&rule=${encodeURIComponent(rule)}`; }, RULE);
  await pollUntil('history filtered by the rule', WAIT_MS, async () => {
    const seen = await inputOf('history-rule').inputValue().catch(() => '');
    return { ok: seen === RULE, seen };
  });
  const entry = testId(`history-row-${RULE}-firing`);
  await visible(entry);
  await entry.click();
  await pollUntil('history chart with a series', WAIT_MS, async () => {
    const seen = Number(await testId('history-chart').getAttribute('data-series').catch(() => -1));
    return { ok: seen >= 1, seen };
  });
  await shot(page, 'alerts-history.png');
  await page.keyboard.press('Escape');

  log('receivers: the webhook delivery is logged; a bad configuration is refused with the reason');
  await testId('alerts-tab-receivers').click();
  await visible(testId('config-text'));
  await pollUntil('a delivered notification in the log', WAIT_MS, async () => {
    await page.getByRole('button', { name: /Refresh/ }).first().click().catch(() => {});
    await page.waitForTimeout(300);
    const seen = await page.locator('.ant-table-row').allInnerTexts();
    return { ok: seen.some((r) => r.includes('Delivered')), seen };
  });
  const goodConfig = await testId('config-text').inputValue();
  await testId('config-text').fill('route: {receiver: nowhere}\nreceivers: [{name: hook}]');
  await testId('config-save').click();
  await pollUntil('config error', WAIT_MS, async () => {
    const seen = await testId('config-error').innerText().catch(() => '');
    return { ok: seen.includes('route.receiver') && seen.includes('nowhere'), seen };
  });
  await shot(page, 'alerts-receivers.png');
  await testId('config-text').fill(goodConfig);

  log('an anomaly rule from the builder, and its learned band');
  await testId('alerts-tab-rules').click();
  await visible(testId('rule-new'));
  await testId('rule-new').click();
  await visible(testId('rule-builder'));
  await testId('rule-name').fill(ANOMALY);
  await inputOf('rule-group').fill('e2e');
  await testId('rule-kind-anomaly').click();
  await testId('anomaly.selector-metric').fill(ANOMALY_METRIC);
  await testId('anomaly-training').fill('3h');
  await testId('anomaly-step').fill('1m');
  await testId('anomaly-minSamples').fill('1');
  await pollUntil('generated anomaly expression', WAIT_MS, async () => {
    const seen = await testId('generated-expr').innerText();
    return { ok: seen.trim() === ANOMALY_METRIC, seen };
  });
  await testId('rule-save').click();
  await visible(testId(`rule-row-${ANOMALY}`));
  await pollUntil('baseline band drawn', WAIT_MS, async () => {
    await testId(`rule-view-${ANOMALY}`).click();
    const chart = testId('baseline-chart');
    await chart.waitFor({ state: 'visible', timeout: WAIT_MS });
    const seen = Number(await chart.getAttribute('data-bands'));
    if (seen < 1) {
      await page.keyboard.press('Escape');
      await page.waitForTimeout(800);
    }
    return { ok: seen >= 1, seen };
  });
  await shot(page, 'alerts-anomaly.png');
  // Close the chart's drawer; under load one Escape can land before the drawer takes focus.
  await page.keyboard.press('Escape');
  await page.locator('.ant-drawer-mask').first().waitFor({ state: 'hidden', timeout: 5_000 })
    .catch(() => page.locator('.ant-drawer-close').first().click());
  await page.locator('.ant-drawer-mask').first().waitFor({ state: 'hidden', timeout: WAIT_MS });

  log('switch to Japanese');
  await testId('alerts-tab-firing').click();
  await switchLanguage(page, 'ja-JP', 'ログアウト');
  await pollUntil('Japanese heading', WAIT_MS, async () => {
    const seen = await testId('alerts-title').innerText();
    return { ok: seen === '発生中のアラート', seen };
  });
  await visible(page.getByText(`${USER} が確認済み`).first());
  await shot(page, 'alerts-firing-ja.png');
}

await e2e('alerts-e2e', { guardWaits: 5 }, async (harness) => {
  h = harness;
  WAIT_MS = h.waitMs;
  await run(h.page);
});
