#!/usr/bin/env node
// Browser check of the fleet overview and the node list against a running server (run by the
// server's FleetBrowserTest; launch, login, screenshots in harness.mjs).
//
// Environment (besides harness.mjs's): NODE_IDS, comma-separated ids of reporting nodes (at least 2).
// Screenshots: fleet-overview-<lang>.png, fleet-nodes-<lang>.png in SHOT_DIR.
import { e2e } from './harness.mjs';

const NODE_IDS = (process.env.NODE_IDS || '').split(',').filter(Boolean);

const LANGS = [
  { lang: 'en', logout: 'Log out', heat: 'Fleet heat map', status: 'Status' },
  { lang: 'zh-CN', logout: '退出登录', heat: '集群热力图', status: '状态' },
  { lang: 'ja-JP', logout: 'ログアウト', heat: 'フリートのヒートマップ', status: '状態' },
];

/** Row ids the virtual list has in the DOM. */
const rowIds = (page) => page.$$eval('[data-testid^="node-row-"]', (els) => els.map((e) => e.getAttribute('data-testid').slice('node-row-'.length)).sort());

await e2e('fleet', { required: ['NODE_IDS'] }, async (h) => {
  if (NODE_IDS.length < 2) throw new Error(`NODE_IDS: ${NODE_IDS.length} ids (expected: at least 2)`);
  const { page } = h;
  const testId = (id) => h.testId(id);
  const log = (...a) => h.log(...a);
  const pollUntil = (what, _ms, probe) => h.pollUntil(what, probe);
  const WAIT_MS = h.waitMs;
  await h.login();
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
    await h.switchLanguage(lang, logout);
    await page.getByText(title, { exact: true }).waitFor({ state: 'visible', timeout: WAIT_MS });
    await page.mouse.move(box.x + 3, box.y + 3);
    await testId('heatmap-tooltip').waitFor({ state: 'visible', timeout: WAIT_MS });
    await h.shot(`fleet-overview-${lang}`);
    await page.mouse.move(0, 0);
  }
  await h.switchLanguage('en', 'Log out');

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
    await h.switchLanguage(lang, logout);
    await page.getByText(status, { exact: true }).first().waitFor({ state: 'visible', timeout: WAIT_MS });
    await h.shot(`fleet-nodes-${lang}`);
  }
});
