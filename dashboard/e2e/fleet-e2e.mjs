#!/usr/bin/env node
// Browser check of the fleet overview and the node list against a running server, in Debian's
// Chromium through playwright-core (the shared part in harness.mjs). Run by the server's FleetBrowserTest.
//
// Environment:
//   BASE_URL          dashboard URL (required)
//   SYSLENS_USER      user name (default admin)
//   SYSLENS_PASSWORD  password (required)
//   NODE_IDS          comma-separated ids of reporting nodes (required, at least 2)
//   SHOT_DIR          directory for the screenshots (fleet-overview-<lang>.png, fleet-nodes-<lang>.png)
//   CHROMIUM          browser binary (default /usr/bin/chromium)
//   E2E_TIMEOUT_MS    bound for each wait (default 60000)
// Fails on any Content-Security-Policy violation or page error.
import { runE2E, pollUntil, signIn, switchLanguage, WAIT_MS, SHOT_DIR, env } from './harness.mjs';
import path from 'node:path';

const NODE_IDS = (env.NODE_IDS || '').split(',').filter(Boolean);
const LANGS = [
  { lang: 'en', logout: 'Log out', heat: 'Fleet heat map', status: 'Status' },
  { lang: 'zh-CN', logout: '退出登录', heat: '集群热力图', status: '状态' },
  { lang: 'ja-JP', logout: 'ログアウト', heat: 'フリートのヒートマップ', status: '状態' },
];

/** Row ids the virtual list has in the DOM. */
const rowIds = (page) => page.$$eval('[data-testid^="node-row-"]', (els) => els.map((e) => e.getAttribute('data-testid').slice('node-row-'.length)).sort());

async function run(page, log) {
  const testId = (id) => page.locator(`[data-testid="${id}"]`);
  await signIn(page);

  log('overview: heat map with every node drawn');
  await testId('overview').waitFor({ state: 'visible', timeout: WAIT_MS });
  const heat = testId('heatmap');
  await heat.waitFor({ state: 'visible', timeout: WAIT_MS });
  await pollUntil(`heat map drawn with ${NODE_IDS.length} cells and CPU data`, WAIT_MS, async () => {
    const drawn = Number(await heat.getAttribute('data-drawn'));
    const top = await testId('top-cpu').innerText();
    return { ok: drawn === NODE_IDS.length && NODE_IDS.some((id) => top.includes(id)), seen: { drawn, top } };
  });
  const summary = await testId('summary-nodes').innerText();
  if (!summary.includes(`(${NODE_IDS.length})`)) throw new Error(`summary: ${summary} (expected: ${NODE_IDS.length} nodes)`);
  // One canvas, no element per node.
  const cells = await page.locator('[data-testid="overview"] canvas').count();
  if (cells !== 1) throw new Error(`canvases on the overview: ${cells} (expected: 1)`);

  log('switch pressure to memory, then disk: only the canvas redraws');
  for (const p of ['memory', 'disk']) {
    const before = await heat.getAttribute('data-drawn-at');
    await testId(`pressure-${p}`).click();
    await pollUntil(`redraw for ${p}`, WAIT_MS, async () => {
      const at = await heat.getAttribute('data-drawn-at');
      return { ok: at !== before, seen: at };
    });
  }
  await testId('pressure-cpu').click();

  const box = await heat.boundingBox();
  for (const { lang, logout, heat: title } of LANGS) {
    await switchLanguage(page, lang, logout);
    await page.getByText(title, { exact: true }).waitFor({ state: 'visible', timeout: WAIT_MS });
    await page.mouse.move(box.x + 3, box.y + 3);
    await testId('heatmap-tooltip').waitFor({ state: 'visible', timeout: WAIT_MS });
    const file = path.join(SHOT_DIR, `fleet-overview-${lang}.png`);
    await page.screenshot({ path: file, fullPage: true });
    log('screenshot', file);
    await page.mouse.move(0, 0);
  }
  await switchLanguage(page, 'en', 'Log out');

  log('hover the first cell: the tooltip names a node; a click opens it');
  await page.mouse.move(box.x + 3, box.y + 3);
  const tip = testId('heatmap-tooltip');
  await tip.waitFor({ state: 'visible', timeout: WAIT_MS });
  const tipText = await tip.innerText();
  const hovered = NODE_IDS.find((id) => tipText.includes(id));
  if (!hovered) throw new Error(`tooltip "${tipText}" names none of ${NODE_IDS.join(', ')}`);
  await page.mouse.click(box.x + 3, box.y + 3);
  await pollUntil(`node page of ${hovered}`, WAIT_MS, async () => {
    const hash = await page.evaluate(() => window.location.hash);
    return { ok: hash === `#/nodes/${encodeURIComponent(hovered)}`, seen: hash };
  });
  await testId('chart-cpu').waitFor({ state: 'visible', timeout: WAIT_MS });

  log('node list: all rows, then filtered by search and by status');
  await testId('nav-nodes').click();
  await pollUntil('every node in the list', WAIT_MS, async () => {
    const ids = await rowIds(page);
    return { ok: NODE_IDS.every((id) => ids.includes(id)), seen: ids };
  });
  const target = NODE_IDS[NODE_IDS.length - 1];
  await testId('node-search').fill(target);
  await pollUntil(`only ${target} listed`, WAIT_MS, async () => {
    const ids = await rowIds(page);
    return { ok: ids.length === 1 && ids[0] === target, seen: ids };
  });
  await testId('node-search').fill('');
  // Status filter "Down": no node is down, so the list empties; then sort by CPU descending.
  await testId('filter-status').click();
  await page.locator('.ant-select-dropdown:visible').getByText('Down', { exact: true }).click();
  await page.keyboard.press('Escape');
  await pollUntil('no row for status Down', WAIT_MS, async () => {
    const ids = await rowIds(page);
    return { ok: ids.length === 0, seen: ids };
  });
  await page.getByText('Clear filters').click();
  await testId('sort-cpu').click();
  await pollUntil('rows back, sorted by CPU', WAIT_MS, async () => {
    const ids = await rowIds(page);
    const sort = await page.locator('[role="columnheader"][aria-sort="descending"]').count();
    return { ok: ids.length === NODE_IDS.length && sort === 1, seen: { ids, sort } };
  });
  for (const { lang, logout, status } of LANGS) {
    await switchLanguage(page, lang, logout);
    await page.getByText(status, { exact: true }).first().waitFor({ state: 'visible', timeout: WAIT_MS });
    await page.waitForTimeout(200);
    const file = path.join(SHOT_DIR, `fleet-nodes-${lang}.png`);
    await page.screenshot({ path: file, fullPage: true });
    log('screenshot', file);
  }
}

await runE2E({
  name: 'fleet-e2e',
  required: NODE_IDS.length < 2 ? 'NODE_IDS with at least 2 ids' : null,
  run,
});
