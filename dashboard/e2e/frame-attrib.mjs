#!/usr/bin/env node
// Development aid: where the long frames of the node-list scroll come from. Against BASE_URL (standin-server.mjs
// or a real server, user admin / PASSWORD), scrolls the node list as ui-bench.mjs does while recording a Chromium
// trace, then prints per thread (renderer main, compositor, raster workers, the GPU/viz process) the wall time
// of its tasks and their thread CPU time (trace `tdur`): wall well over CPU means the thread waited for a core.
// For every frame interval over 50 ms it lists the main thread's tasks inside it (wall / CPU).
//   BASE_URL=http://127.0.0.1:18081/ node e2e/frame-attrib.mjs
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const BASE_URL = process.env.BASE_URL;
const MODE = process.env.MODE || 'raf'; // raf: scrollTop from rAF (ui-bench.mjs); wheel: mouse wheel input
const q = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]; };
const ctx = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), 'syslens-attrib-')), {
  executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1440, height: 900 }, locale: 'en-US',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...(process.env.EXTRA_ARGS ? process.env.EXTRA_ARGS.split(' ') : [])],
});
const page = ctx.pages()[0] ?? await ctx.newPage();
const cdp = await ctx.newCDPSession(page);
await page.goto(BASE_URL, { waitUntil: 'domcontentloaded' });
await page.locator('[data-testid="login-username"]').fill('admin');
await page.locator('[data-testid="login-password"]').fill(process.env.PASSWORD || 'x');
await page.locator('[data-testid="login-submit"]').click();
await page.locator('[data-testid="heatmap"]').waitFor();
await page.locator('[data-testid="nav-nodes"]').click();
await page.locator('[data-testid^="node-row-"]').first().waitFor();
await page.locator('[data-testid="sort-cpu"]').click();
await page.waitForTimeout(1500);
let events = [];
cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
await cdp.send('Tracing.start', { transferMode: 'ReportEvents', traceConfig: { includedCategories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'disabled-by-default-devtools.timeline.frame', 'blink.user_timing', 'cc', 'viz', 'gpu', 'v8', 'benchmark'] } });
const el = page.locator('[data-testid="node-list-scroll"]');
let frames;
if (MODE === 'wheel') {
  const box = await el.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const rec = el.evaluate((e, ms) => new Promise((resolve) => {
    const d = []; let prev = performance.now(); const end = prev + ms;
    const tick = (now) => { d.push([prev, now]); prev = now; if (now < end) requestAnimationFrame(tick); else resolve(d.slice(1)); };
    requestAnimationFrame(tick);
  }), 4000);
  const t0 = Date.now();
  while (Date.now() - t0 < 4000) { await page.mouse.wheel(0, 200); await page.waitForTimeout(16); }
  frames = await rec;
} else {
  frames = await el.evaluate((e, ms) => new Promise((resolve) => {
    const d = []; let prev = performance.now(); const end = prev + ms;
    const tick = (now) => { d.push([prev, now]); prev = now;
      e.scrollTop = e.scrollTop + 200 >= e.scrollHeight - e.clientHeight ? 0 : e.scrollTop + 200;
      if (now < end) requestAnimationFrame(tick); else resolve(d.slice(1)); };
    requestAnimationFrame(tick);
  }), 4000);
}
const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
await cdp.send('Tracing.end');
await done;
if (process.env.TRACE_OUT) fs.writeFileSync(process.env.TRACE_OUT, JSON.stringify({ traceEvents: events }));
await ctx.close();

const names = new Map();
const procs = new Map();
for (const e of events) {
  if (e.name === 'thread_name') names.set(`${e.pid}/${e.tid}`, e.args.name);
  if (e.name === 'process_name') procs.set(e.pid, e.args.name);
}
const main = [...names.entries()].filter(([, n]) => n === 'CrRendererMain').map(([k]) => k);
const counts = new Map();
for (const e of events) counts.set(`${e.pid}/${e.tid}`, (counts.get(`${e.pid}/${e.tid}`) ?? 0) + 1);
const mainKey = main.sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0))[0];
// Top-level tasks per thread: wall (dur) and CPU (tdur).
const TOP = new Set(['ThreadControllerImpl::RunTask', 'RunTask', 'ThreadPool_RunTask', 'TaskGraphRunner::RunTask']);
const per = new Map();
for (const e of events) {
  if (e.ph !== 'X' || !TOP.has(e.name)) continue;
  const k = `${e.pid}/${e.tid}`;
  const p = per.get(k) ?? { wall: 0, cpu: 0, n: 0 };
  p.wall += (e.dur ?? 0) / 1000; p.cpu += (e.tdur ?? 0) / 1000; p.n++;
  per.set(k, p);
}
const threads = [...per.entries()].sort((a, b) => b[1].cpu - a[1].cpu).slice(0, 12)
  .map(([k, p]) => `${(procs.get(Number(k.split('/')[0])) ?? '?')}/${names.get(k) ?? k}${k === mainKey ? ' (page main)' : ''}: ${p.n} tasks, wall ${p.wall.toFixed(0)} ms, cpu ${p.cpu.toFixed(0)} ms`);
const deltas = frames.map(([a, b]) => b - a);
console.log(JSON.stringify({ mode: MODE, frames: deltas.length, p50: q(deltas, 0.5), p95: q(deltas, 0.95), max: Math.max(...deltas) }));
console.log('threads over the 4 s scroll (top-level tasks):\n  ' + threads.join('\n  '));
// Main-thread events inside each long frame, the frames taken from the rAF callbacks' FireAnimationFrame trace events.
const fire = events.filter((e) => `${e.pid}/${e.tid}` === mainKey && e.name === 'FireAnimationFrame' && e.ph === 'X').map((e) => e.ts).sort((a, b) => a - b);
const mainTasks = events.filter((e) => `${e.pid}/${e.tid}` === mainKey && e.ph === 'X' && e.dur > 0);
const long = [];
for (let i = 1; i < fire.length; i++) {
  const d = (fire[i] - fire[i - 1]) / 1000;
  if (d <= 50) continue;
  const inside = mainTasks.filter((e) => e.ts >= fire[i - 1] && e.ts < fire[i]);
  const top = inside.filter((e) => TOP.has(e.name));
  const sub = new Map();
  for (const e of inside) if (!TOP.has(e.name)) sub.set(e.name, (sub.get(e.name) ?? 0) + e.dur / 1000);
  const allThreads = new Map();
  for (const e of events) {
    if (e.ph !== 'X' || !TOP.has(e.name) || e.ts < fire[i - 1] || e.ts >= fire[i]) continue;
    const k = `${e.pid}/${e.tid}`; const p = allThreads.get(k) ?? { wall: 0, cpu: 0 };
    p.wall += e.dur / 1000; p.cpu += (e.tdur ?? 0) / 1000; allThreads.set(k, p);
  }
  long.push(`frame ${d.toFixed(1)} ms: main ${top.length} tasks wall ${top.reduce((s, e) => s + e.dur / 1000, 0).toFixed(1)} cpu ${top.reduce((s, e) => s + (e.tdur ?? 0) / 1000, 0).toFixed(1)}; `
    + [...sub.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([n, v]) => `${n} ${v.toFixed(1)}`).join(', ')
    + '\n     other threads: ' + [...allThreads.entries()].filter(([k]) => k !== mainKey).sort((a, b) => b[1].cpu - a[1].cpu).slice(0, 4)
      .map(([k, p]) => `${names.get(k) ?? k} ${p.wall.toFixed(1)}/${p.cpu.toFixed(1)}`).join(', '));
}
console.log(`frames over 50 ms by FireAnimationFrame: ${long.length} of ${fire.length - 1}\n  ` + long.slice(0, 20).join('\n  '));
