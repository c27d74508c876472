#!/usr/bin/env node
// Development aid, not a benchmark of record: against BASE_URL (standin-server.mjs, or a real server with a
// user admin/x) prints the overview's main-thread CPU per second and the node list's scroll frames as
// ui-bench.mjs scrolls it (200 px a frame for 4 s), with main-thread CPU per frame, which holds up on a
// loaded machine where frame times do not. TRACE=1 adds where the main thread's time went; CSS=... injects
// a style sheet before scrolling (to try a CSS change without a build).
//   node e2e/standin-server.mjs target/classes/syslens/dashboard 18081 10000 &
//   BASE_URL=http://127.0.0.1:18081/ node e2e/standin-scroll.mjs
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
const BASE_URL = process.env.BASE_URL;
const q = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]; };
const ctx = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), 'syslens-standin-')), { executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1440, height: 900 }, locale: 'en-US',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const page = ctx.pages()[0] ?? await ctx.newPage();
const cdp = await ctx.newCDPSession(page);
await cdp.send('Performance.enable');
const thread = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((x) => [x.name, x.value])).ThreadTime * 1000;
await page.goto(BASE_URL, { waitUntil: 'domcontentloaded' });
await page.locator('[data-testid="login-username"]').fill('admin');
await page.locator('[data-testid="login-password"]').fill('x');
await page.locator('[data-testid="login-submit"]').click();
await page.locator('[data-testid="heatmap"]').waitFor();
await page.waitForTimeout(3000);
let c0 = await thread(); let t0 = Date.now();
await page.waitForTimeout(5000);
const out = { overview_main_cpu_ms_per_s: Math.round((await thread() - c0) * 1000 / (Date.now() - t0)) };
await page.locator('[data-testid="nav-nodes"]').click();
await page.locator('[data-testid^="node-row-"]').first().waitFor();
await page.locator('[data-testid="sort-cpu"]').click();
if (process.env.CSS) await page.addStyleTag({ content: process.env.CSS });
await page.waitForTimeout(1000);
const frameTimes = (scroll, ms) => page.locator('[data-testid="node-list-scroll"]').evaluate((el, [scroll, ms]) => new Promise((resolve) => {
  const deltas = []; let prev = performance.now(); const end = prev + ms;
  const tick = (now) => { deltas.push(now - prev); prev = now;
    if (scroll) el.scrollTop = el.scrollTop + 200 >= el.scrollHeight - el.clientHeight ? 0 : el.scrollTop + 200;
    if (now < end) requestAnimationFrame(tick); else resolve(deltas.slice(1)); };
  requestAnimationFrame(tick);
}), [scroll, ms]);
c0 = await thread(); t0 = Date.now();
const idle = await frameTimes(false, 2000);
out.list_idle_main_cpu_ms_per_s = Math.round((await thread() - c0) * 1000 / (Date.now() - t0));
out.idle_p95 = q(idle, 0.95);
if (process.env.TRACE) await cdp.send('Profiler.enable'), await cdp.send('Profiler.setSamplingInterval', { interval: 200 }), await cdp.send('Profiler.start');
let events = [];
cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
if (process.env.TRACE) await cdp.send('Tracing.start', { transferMode: 'ReportEvents', traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'cc', 'v8'] } });
c0 = await thread();
const frames = await frameTimes(true, 4000);
out.scroll_cpu_ms_per_frame = Math.round((await thread() - c0) / frames.length * 10) / 10;
if (process.env.TRACE) {
  const { profile } = await cdp.send('Profiler.stop');
  const self = new Map(); const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (let i = 0; i < profile.samples.length; i++) { const f = byId.get(profile.samples[i]).callFrame; const k = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`; self.set(k, (self.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000); }
  const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r)); await cdp.send('Tracing.end'); await done;
  const names = events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const cnt = new Map(); for (const e of events) if (names.some((n) => n.pid === e.pid && n.tid === e.tid)) cnt.set(`${e.pid}/${e.tid}`, (cnt.get(`${e.pid}/${e.tid}`) ?? 0) + 1);
  const main = [...cnt.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const by = new Map(); for (const e of events) { if (`${e.pid}/${e.tid}` !== main || e.ph !== 'X' || !e.dur) continue; by.set(e.name, (by.get(e.name) ?? 0) + e.dur / 1000); }
  out.trace = [...by.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25).filter(([k]) => /^(Paint|Layerize|Layout|MessagePort::Accept|Blink.Style.UpdateTime|EventHandler::handleMouseMoveEvent|Blink.ForcedStyleAndLayout.UpdateTime|Commit|RunTask)$/.test(k)).map(([k, v]) => `${v.toFixed(0)} ms ${k}`);
  out.top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${v.toFixed(0)} ms ${k}`);
}
out.frames = frames.length; out.scroll_p95 = q(frames, 0.95); out.scroll_max = Math.max(...frames);
out.rows = await page.locator('[data-testid^="node-row-"]').count();
console.log(JSON.stringify(out, null, process.env.TRACE ? 1 : 0));
await ctx.close();
