#!/usr/bin/env node
// Browser check of a node's history and of custom dashboards against a running server (run by the
// server's DashboardBrowserTest; shared launch/login/screenshot/axe code in harness.mjs):
// - node detail: live CPU points; pick "Last 7 days" (URL, step and tier follow), zoom by dragging
//   on a chart, Back returns to 7 days, compare with a day earlier;
// - custom dashboards: build one with a variable and two panels, save, reload, export, import the
//   export (and refuse a malformed file), in light and dark theme and on a tablet-sized screen;
// - axe-core scans of the overview, node list, node detail, alerts and dashboard pages (no serious
//   or critical violation), screenshots of each page in en, zh-CN and ja-JP.
//
// Environment (besides harness.mjs's): NODE_ID, the id of a node whose agent is reporting.
import fs from 'node:fs';
import { e2e } from './harness.mjs';

const NODE_ID = process.env.NODE_ID;
const LANGS = [
  { lang: 'en', logout: 'Log out', cpu: 'CPU usage', dash: 'Dashboards' },
  { lang: 'zh-CN', logout: '退出登录', cpu: 'CPU 使用率', dash: '仪表盘' },
  { lang: 'ja-JP', logout: 'ログアウト', cpu: 'CPU 使用率', dash: 'ダッシュボード' },
];
const DAY = 86_400_000;
const CPU_QUERY = '100 * (1 - avg by (node) (rate(node_cpu_seconds_total{mode="idle",node=~"$node"}[$__rate_interval])))';

await e2e('dashboard', { required: ['NODE_ID'], guardWaits: 12 }, async (h) => {
  const { page } = h;
  const hash = () => page.evaluate(() => window.location.hash);
  const charts = h.testId('detail-charts');
  const chartsSettled = (what, ok) => h.pollUntil(what, async () => {
    const seen = { hash: await hash(), loading: await charts.getAttribute('data-loading'), step: await charts.getAttribute('data-step'), start: Number(await charts.getAttribute('data-start')), end: Number(await charts.getAttribute('data-end')) };
    return { ok: seen.loading === 'false' && ok(seen), seen };
  });

  await h.login();
  await h.visible(h.testId('overview'));
  await h.axe('overview');

  h.log('node list, then the node');
  await h.testId('nav-nodes').click();
  const row = h.testId(`node-row-${NODE_ID}`);
  await h.visible(row);
  await h.axe('node list');
  await row.click();
  await h.visible(h.testId('chart-cpu'));
  const points = await h.pollUntil('chart-cpu data-points >= 2', async () => {
    const v = Number(await h.testId('chart-cpu').getAttribute('data-points'));
    return { ok: v >= 2, seen: v };
  });
  h.log('chart-cpu data-points', points.seen);
  for (const id of ['chart-memory', 'chart-network', 'chart-disk']) await h.visible(h.testId(id));
  await h.visible(h.testId('breakdowns'));
  await h.axe('node detail');

  h.log('pick the last 7 days: URL, step (15 min) and tier follow');
  await h.testId('range-preset').click();
  await page.locator('.ant-select-dropdown:visible').getByText('Last 7 days', { exact: true }).click();
  const week = await chartsSettled('7-day range loaded', (s) => s.hash.includes('from=now-7d') && s.step === '900' && Math.abs(s.end - s.start - 7 * DAY) < 5_000);
  h.log('7 days', week.seen);

  h.log('zoom: drag across the CPU chart');
  const box = await h.testId('chart-cpu').boundingBox();
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.55, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.75, y, { steps: 8 });
  await page.mouse.move(box.x + box.width * 0.9, y, { steps: 8 });
  await page.mouse.up();
  const zoomed = await chartsSettled('zoomed absolute range', (s) => /from=\d+&to=\d+/.test(s.hash) && s.end - s.start < 7 * DAY && s.end - s.start > 60_000);
  h.log('zoomed', zoomed.seen);

  h.log('Back returns to the 7-day range');
  await page.goBack();
  await chartsSettled('7 days again after Back', (s) => s.hash.includes('from=now-7d') && s.step === '900');

  h.log('compare with a day earlier');
  await h.testId('range-compare').click();
  await page.locator('.ant-select-dropdown:visible').getByText('A day earlier', { exact: true }).click();
  await h.pollUntil('comparison loaded', async () => {
    const c = await charts.getAttribute('data-compare');
    return { ok: c === 'loaded' && (await hash()).includes('cmp=1d'), seen: c };
  });
  // A shared link restores the view: open the URL as it is now.
  const link = page.url();
  await page.goto(link);
  await chartsSettled('the link restores 7 days with the comparison', (s) => s.hash.includes('cmp=1d') && s.step === '900');
  for (const { lang, logout, cpu } of LANGS) {
    await h.switchLanguage(lang, logout);
    await page.getByText(cpu, { exact: true }).first().waitFor({ state: 'visible', timeout: h.waitMs });
    await h.shot(`node-detail-${lang}`);
  }
  await h.switchLanguage('en', 'Log out');

  h.log('dashboards: a new one with a variable and two panels');
  await h.testId('nav-dashboards').click();
  await h.visible(h.testId('dashboard-list'));
  await h.testId('dashboard-new').click();
  await h.visible(h.testId('dashboard-title'));
  const dashUrl = page.url();
  await h.testId('dashboard-edit').click();
  await h.testId('dashboard-title-input').fill('E2E hosts');
  await h.testId('variables-edit').click();
  await h.testId('variable-add').click();
  await h.testId('variable-name-0').fill('node');
  await h.testId('variable-query-0').fill('label_values(node_cpu_seconds_total, node)');
  await h.testId('variables-apply').click();
  await h.visible(h.testId('variable-node'));

  await h.testId('panel-add').click();
  await h.testId('panel-title').fill('CPU');
  await h.testId('panel-query-0').fill(CPU_QUERY);
  await h.testId('panel-title').click(); // close the completions (Escape would close the dialog)
  await h.testId('panel-apply').click();
  await h.testId('panel-add').click();
  await h.testId('panel-title').fill('CPU series');
  await h.testId('panel-type').click();
  await page.locator('.ant-select-dropdown:visible').getByText('Stat', { exact: true }).click();
  await h.testId('panel-query-0').fill('count(node_cpu_seconds_total{node=~"$node"})');
  await h.testId('panel-title').click();
  await h.testId('panel-apply').click();
  await h.pollUntil('two panels', async () => {
    const n = await page.locator('[data-testid^="panel-body-"]').count();
    return { ok: n === 2, seen: n };
  });
  await h.testId('dashboard-edit').count(); // still editing
  await page.getByRole('button', { name: 'Done' }).click();
  await h.testId('dashboard-save').click();
  await h.pollUntil('saved', async () => ({ ok: (await h.testId('dashboard-dirty').count()) === 0, seen: await hash() }));

  h.log('reload: the dashboard comes back from the server with data in both panels');
  await page.reload();
  await h.visible(h.testId('dashboard-title'));
  const panelsLoaded = () => h.pollUntil('both panels with data', async () => {
    const states = await page.$$eval('[data-testid^="panel-body-"]', (els) => els.map((e) => `${e.getAttribute('data-state')}:${e.getAttribute('data-series')}`));
    return { ok: states.length === 2 && states.every((s) => /^loaded:[1-9]/.test(s)), seen: states };
  });
  await panelsLoaded();
  if ((await h.testId('dashboard-title').innerText()) !== 'E2E hosts') throw new Error('title not saved');
  if (!(await hash()).includes('var-node=')) throw new Error(`variable not in the URL: ${await hash()}`);
  await h.axe('dashboard');
  for (const { lang, logout, dash } of LANGS) {
    await h.switchLanguage(lang, logout);
    await page.getByText(dash, { exact: true }).first().waitFor({ state: 'visible', timeout: h.waitMs });
    await h.shot(`dashboard-${lang}`);
  }
  await h.switchLanguage('en', 'Log out');

  h.log('dark theme, kept across a reload');
  await h.testId('theme-switch').click();
  await h.pollUntil('dark theme', async () => ({ ok: (await page.evaluate(() => document.documentElement.dataset.theme)) === 'dark', seen: null }));
  await page.reload();
  await h.visible(h.testId('dashboard-title'));
  const theme = await page.evaluate(() => document.documentElement.dataset.theme);
  if (theme !== 'dark') throw new Error(`theme after reload: ${theme} (expected: dark)`);
  await panelsLoaded();
  await h.axe('dashboard (dark)');
  await h.shot('dashboard-dark');

  h.log('tablet-sized screen: no horizontal scrolling');
  await page.setViewportSize({ width: 768, height: 1024 });
  await page.waitForTimeout(300);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 1) throw new Error(`tablet layout scrolls sideways by ${overflow} px`);
  await h.shot('dashboard-tablet');
  await page.setViewportSize({ width: 1440, height: 900 });
  await h.testId('theme-switch').click();

  h.log('export, then import the export (a malformed file first)');
  const [download] = await Promise.all([page.waitForEvent('download'), h.testId('dashboard-export').click()]);
  const exported = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  if (exported.dashboard?.panels?.length !== 2 || exported.dashboard?.variables?.[0]?.name !== 'node') {
    throw new Error(`export: ${JSON.stringify(exported).slice(0, 300)}`);
  }
  await h.testId('nav-dashboards').click();
  await h.testId('dashboard-import').click();
  await h.testId('import-text').fill('{"title": ');
  await h.testId('import-submit').click();
  await h.visible(h.testId('import-error'));
  exported.dashboard.title = 'E2E imported';
  await h.testId('import-text').fill(JSON.stringify(exported));
  await h.testId('import-submit').click();
  await h.pollUntil('imported dashboard open', async () => {
    const title = await h.testId('dashboard-title').innerText().catch(() => '');
    return { ok: title === 'E2E imported' && page.url() !== dashUrl, seen: title };
  });
  await panelsLoaded();

  h.log('alerts page');
  await h.testId('nav-alerts').click();
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.waitForTimeout(500);
  await h.axe('alerts');
});
