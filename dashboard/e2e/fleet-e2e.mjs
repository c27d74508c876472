#!/usr/bin/env node
// Browser check of the fleet overview and the node list against a running server, in Debian's
// Chromium through playwright-core. Run by the server's FleetBrowserTest.
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
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const env = process.env;
const BASE_URL = env.BASE_URL;
const USER = env.SYSLENS_USER || 'admin';
const PASSWORD = env.SYSLENS_PASSWORD;
const NODE_IDS = (env.NODE_IDS || '').split(',').filter(Boolean);
const SHOT_DIR = env.SHOT_DIR || os.tmpdir();
const WAIT_MS = Number(env.E2E_TIMEOUT_MS || 60_000);
const log = (...a) => console.log('[fleet-e2e]', ...a);

const LANGS = [
  { lang: 'en', logout: 'Log out', heat: 'Fleet heat map', status: 'Status' },
  { lang: 'zh-CN', logout: '退出登录', heat: '集群热力图', status: '状态' },
  { lang: 'ja-JP', logout: 'ログアウト', heat: 'フリートのヒートマップ', status: '状態' },
];

async function pollUntil(what, ms, probe) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last.ok) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what} (last seen: ${JSON.stringify(last?.seen)})`);
}

async function switchLanguage(page, lang, expectText) {
  await page.locator('[data-testid="language-switch"]').first().click();
  await page.locator(`[data-testid="language-option-${lang}"]`).last().click();
  await page.getByText(expectText, { exact: true }).first().waitFor({ state: 'visible', timeout: WAIT_MS });
  await page.keyboard.press('Escape'); // close the drop-down before a screenshot
  await page.locator('.ant-select-dropdown:visible').waitFor({ state: 'hidden', timeout: WAIT_MS }).catch(() => {});
}

/** Row ids the virtual list has in the DOM. */
const rowIds = (page) => page.$$eval('[data-testid^="node-row-"]', (els) => els.map((e) => e.getAttribute('data-testid').slice('node-row-'.length)).sort());

async function run(page) {
  const testId = (id) => page.locator(`[data-testid="${id}"]`);
  log('open', BASE_URL);
  await page.goto(BASE_URL, { waitUntil: 'domcontentloaded', timeout: WAIT_MS });
  await testId('login-username').waitFor({ state: 'visible', timeout: WAIT_MS });
  await switchLanguage(page, 'en', 'Sign in');
  await testId('login-username').fill(USER);
  await testId('login-password').fill(PASSWORD);
  await testId('login-submit').click();
  await testId('logout').waitFor({ state: 'visible', timeout: WAIT_MS });

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

async function main() {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'syslens-fleet-e2e-'));
  let context;
  let page;
  const pageErrors = [];
  try {
    if (!BASE_URL || !PASSWORD || NODE_IDS.length < 2) {
      throw new Error('missing environment (expected: BASE_URL, SYSLENS_PASSWORD and NODE_IDS with at least 2 ids)');
    }
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
    await run(page);
    const bad = pageErrors.filter((m) => /Content Security Policy|pageerror/i.test(m));
    if (bad.length) throw new Error(`page errors: ${bad.slice(0, 5).join(' | ')}`);
    console.log('e2e: 1 passed, 0 failed');
    return 0;
  } catch (e) {
    console.error(`[fleet-e2e] FAILED: ${e instanceof Error ? e.message : String(e)}`);
    for (const m of pageErrors.slice(-20)) console.error('[fleet-e2e]   ', m);
    if (page) {
      const file = path.join(SHOT_DIR, 'fleet-failure.png');
      await page.screenshot({ path: file, fullPage: true, timeout: 10_000 }).then(() => console.error('[fleet-e2e] failure screenshot', file), () => {});
    }
    console.log('e2e: 0 passed, 1 failed');
    return 1;
  } finally {
    await context?.close().catch(() => {});
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

const guard = setTimeout(() => {
  console.error('[fleet-e2e] FAILED: overall time limit reached');
  console.log('e2e: 0 passed, 1 failed');
  process.exit(1);
}, 6 * WAIT_MS + 60_000);
guard.unref();
process.exitCode = await main();
clearTimeout(guard);
