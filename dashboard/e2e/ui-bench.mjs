#!/usr/bin/env node
// The browser half of `syslens bench ui`: drives Debian's headless Chromium (playwright-core)
// over the fleet overview and the node list of a server with NODES reporting nodes and prints
// one line `UIBENCH {json}` with the figures. Progress goes to stderr.
//
// Environment: BASE_URL, SYSLENS_USER (default admin), SYSLENS_PASSWORD, NODES (expected node
// count), CHROMIUM (default /usr/bin/chromium), UPDATES (live heat-map updates to time, default 5),
// SCROLL_MS (default 4000), E2E_TIMEOUT_MS (default 120000), PROFILE_DIR (optional: a Chromium
// timeline trace and a CPU profile of each phase, `<phase>.trace.json` and `<phase>.cpuprofile`, and
// a summary of where the main thread's time went, `profile-summary.txt`), SERVER_PID and BENCH_PID
// (optional, from `bench ui`: their CPU is reported beside Chromium's). Over the scroll the JSON
// attributes long frames (`scroll_attribution`: frames over 50 ms, how many overlapped a Long
// Animation Frame of the page's main thread, and that API's script attribution) and gives the CPU
// of Chromium's processes, the bench's server and agents and the rest of the machine (`scroll_cpu_ms`).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const env = process.env;
const BASE_URL = env.BASE_URL;
const NODES = Number(env.NODES);
const UPDATES = Number(env.UPDATES || 5);
const SCROLL_MS = Number(env.SCROLL_MS || 4000);
const WAIT_MS = Number(env.E2E_TIMEOUT_MS || 120_000);
const log = (...a) => console.error('[bench ui]', ...a);
const quantile = (xs, q) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};
const round1 = (v) => (v == null ? null : Math.round(v * 10) / 10);

/** JS the first page loads: the entry script and its modulepreload links in index.html. */
async function mainBundleBytes() {
  const html = await (await fetch(BASE_URL)).text();
  const urls = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="([^"]+\.js)"/g)].map((m) => m[1]);
  let total = 0;
  for (const u of urls) total += (await (await fetch(new URL(u, BASE_URL))).arrayBuffer()).byteLength;
  return { bytes: total, files: urls.length };
}

async function login(page) {
  await page.goto(BASE_URL, { waitUntil: 'domcontentloaded' });
  await page.locator('[data-testid="login-username"]').fill(env.SYSLENS_USER || 'admin');
  await page.locator('[data-testid="login-password"]').fill(env.SYSLENS_PASSWORD);
  await page.locator('[data-testid="login-submit"]').click();
  await page.locator('[data-testid="logout"]').waitFor({ state: 'visible' });
}

/**
 * With PROFILE_DIR: records one phase (timeline trace and sampled CPU profile over CDP) and writes
 * what the renderer's main thread spent its time on, by trace event and by JS function (self time).
 */
function profiler(cdp) {
  const dir = env.PROFILE_DIR;
  if (!dir) return { start: async () => {}, stop: async () => {} };
  fs.mkdirSync(dir, { recursive: true });
  const summary = path.join(dir, 'profile-summary.txt');
  fs.writeFileSync(summary, '');
  let events = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
  return {
    async start() {
      events = [];
      await cdp.send('Tracing.start', { transferMode: 'ReportEvents', traceConfig: { includedCategories: ['devtools.timeline', 'v8.execute', 'disabled-by-default-devtools.timeline', 'blink.user_timing', 'loading', 'v8'] } });
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    },
    async stop(phase) {
      const { profile } = await cdp.send('Profiler.stop');
      const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
      await cdp.send('Tracing.end');
      await done;
      fs.writeFileSync(path.join(dir, `${phase}.cpuprofile`), JSON.stringify(profile));
      fs.writeFileSync(path.join(dir, `${phase}.trace.json`), JSON.stringify({ traceEvents: events }));
      // Main thread: the renderer thread named CrRendererMain with the most events.
      const names = events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
      const count = new Map();
      for (const e of events) if (names.some((n) => n.pid === e.pid && n.tid === e.tid)) count.set(`${e.pid}/${e.tid}`, (count.get(`${e.pid}/${e.tid}`) ?? 0) + 1);
      const main = [...count.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
      const byName = new Map();
      let tasks = 0;
      let longTasks = 0;
      let longest = 0;
      for (const e of events) {
        if (`${e.pid}/${e.tid}` !== main || e.ph !== 'X' || !e.dur) continue;
        byName.set(e.name, (byName.get(e.name) ?? 0) + e.dur / 1000);
        if (e.name === 'RunTask') {
          tasks++;
          if (e.dur > 50_000) longTasks++;
          longest = Math.max(longest, e.dur / 1000);
        }
      }
      const top = [...byName.entries()].sort((a, b) => b[1] - a[1]).slice(0, 14);
      // Self time per JS function from the sampled profile.
      const self = new Map();
      const byId = new Map(profile.nodes.map((n) => [n.id, n]));
      const dt = new Map();
      for (let i = 0; i < profile.samples.length; i++) dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
      for (const [id, ms] of dt) {
        const f = byId.get(id).callFrame;
        const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
        self.set(key, (self.get(key) ?? 0) + ms);
      }
      const fns = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
      fs.appendFileSync(summary, `== ${phase}: ${tasks} tasks, ${longTasks} over 50 ms, longest ${longest.toFixed(1)} ms\n`
        + top.map(([n, ms]) => `  ${ms.toFixed(1).padStart(9)} ms  ${n}`).join('\n') + '\n  -- JS self time --\n'
        + fns.map(([n, ms]) => `  ${ms.toFixed(1).padStart(9)} ms  ${n}`).join('\n') + '\n');
      log(`profile of ${phase} written to ${dir}`);
    },
  };
}

/**
 * CPU of the page's renderer over a phase (CDP Performance.getMetrics): `ThreadTime`, the main
 * thread's CPU time, and `ProcessTime`, the renderer process's. On this shared machine wall times
 * mostly measure waiting for a core; these say what the page itself cost.
 */
async function cpuMeter(page, context) {
  let cdp = null;
  const read = async () => {
    try {
      cdp ??= await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      const { metrics } = await cdp.send('Performance.getMetrics');
      const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
      return { thread: (m.ThreadTime ?? NaN) * 1000, process: (m.ProcessTime ?? NaN) * 1000 };
    } catch {
      cdp = null; // the renderer changed with a navigation: a new session next time
      return { thread: NaN, process: NaN };
    }
  };
  return {
    read,
    /** Milliseconds of CPU since `from`; a renderer started meanwhile counts from zero. */
    since: async (from) => {
      const now = await read();
      const d = (a, b) => (Number.isNaN(a) ? null : Math.round(Number.isNaN(b) || a < b ? a : a - b));
      return { thread: d(now.thread, from.thread), process: d(now.process, from.process) };
    },
  };
}

/**
 * CPU time (ms) of this run's Chromium processes by kind (browser, renderer, gpu-process, utility),
 * of the bench's server and agent JVMs (SERVER_PID, BENCH_PID), of the whole machine (busy and total
 * over all cores, /proc/stat) and of every other process (`others`, the difference; the reads are
 * not one snapshot, so it is good to about ±0.3 s over a 4 s scroll and may come out below zero), so
 * that a slow frame can be told from a frame that waited for a core. Linux only; nulls elsewhere.
 */
function processCpu(userDataDir) {
  const hz = 100; // USER_HZ on Linux
  const read = () => {
    const out = { browser: 0, renderer: 0, 'gpu-process': 0, utility: 0, server: 0, benchAgents: 0, machineBusy: 0, machineTotal: 0 };
    try {
      // user nice system idle iowait irq softirq steal (guest time is already inside user).
      const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
      out.machineTotal = (cpu.reduce((a, b) => a + b, 0) * 1000) / hz;
      out.machineBusy = out.machineTotal - ((cpu[3] + cpu[4]) * 1000) / hz; // minus idle and iowait
      // The browser process (its command line names the profile directory) and its descendants.
      const all = new Map();
      for (const pid of fs.readdirSync('/proc')) {
        if (!/^\d+$/.test(pid)) continue;
        try {
          const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
          const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          all.set(pid, { ppid: f[1], ms: ((Number(f[11]) + Number(f[12])) * 1000) / hz, cmd: fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') });
        } catch { /* gone meanwhile */ }
      }
      const ours = new Set([...all.entries()].filter(([, p]) => p.cmd.includes(userDataDir) && !p.cmd.includes('--type=')).map(([pid]) => pid));
      for (let grew = true; grew;) {
        grew = false;
        for (const [pid, p] of all) if (!ours.has(pid) && ours.has(p.ppid)) { ours.add(pid); grew = true; }
      }
      // `bench ui`'s own server and simulated agents (SERVER_PID, BENCH_PID), when it passes them.
      if (env.SERVER_PID && all.has(env.SERVER_PID)) out.server = all.get(env.SERVER_PID).ms;
      if (env.BENCH_PID && all.has(env.BENCH_PID)) out.benchAgents = all.get(env.BENCH_PID).ms;
      for (const pid of ours) {
        const p = all.get(pid);
        const type = /--type=([a-z-]+)/.exec(p.cmd)?.[1] ?? 'browser';
        out[type in out ? type : 'utility'] += p.ms;
      }
    } catch {
      return null;
    }
    return out;
  };
  return {
    read,
    since(from) {
      const now = read();
      if (!now || !from) return null;
      const d = Object.fromEntries(Object.keys(now).map((k) => [k, Math.round(now[k] - from[k])]));
      const chromium = d.browser + d.renderer + d['gpu-process'] + d.utility;
      return { ...d, chromium, others: d.machineBusy - chromium - d.server - d.benchAgents };
    },
  };
}

/**
 * Installs a Long Animation Frames observer (frames whose main-thread work, from the first task to
 * the end of rendering, took over 50 ms) with each frame's script attribution.
 */
const startLoafs = (page) => page.evaluate(() => {
  window.__loafs = [];
  try {
    const po = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        window.__loafs.push({
          start: e.startTime, duration: e.duration, blocking: e.blockingDuration, renderStart: e.renderStart,
          styleAndLayoutStart: e.styleAndLayoutStart,
          scripts: e.scripts.map((s) => ({ invoker: s.invoker, type: s.invokerType, duration: s.duration, forcedLayout: s.forcedStyleAndLayoutDuration })),
        });
      }
    });
    po.observe({ type: 'long-animation-frame', buffered: false });
    window.__loafObserver = po;
    return true;
  } catch {
    return false;
  }
});
const stopLoafs = (page) => page.evaluate(() => {
  window.__loafObserver?.takeRecords().forEach(() => {});
  window.__loafObserver?.disconnect();
  return window.__loafs ?? [];
});

/**
 * Attribution of the frame intervals over 50 ms (`frames`: [start, end] in performance.now() ms):
 * those that overlap a long animation frame had the page's main thread busy for 50 ms or more
 * (what it ran is in `loafs`); the rest spent their time outside the main thread's work (waiting for
 * a core, the compositor or the display compositor).
 */
function attribute(frames, loafs) {
  const long = frames.filter(([a, b]) => b - a > 50);
  const busy = long.filter(([a, b]) => loafs.some((l) => l.start < b && l.start + l.duration > a));
  const byInvoker = new Map();
  for (const l of loafs) {
    for (const s of l.scripts) byInvoker.set(s.invoker, (byInvoker.get(s.invoker) ?? 0) + s.duration);
  }
  return {
    long_frames: long.length,
    long_frames_main_busy: busy.length,
    long_animation_frames: loafs.length,
    long_animation_frame_ms: round1(loafs.reduce((a, l) => a + l.duration, 0)),
    long_animation_frame_script_ms: round1(loafs.reduce((a, l) => a + l.scripts.reduce((x, s) => x + s.duration, 0), 0)),
    long_animation_frame_render_ms: round1(loafs.reduce((a, l) => a + (l.renderStart ? l.start + l.duration - l.renderStart : 0), 0)),
    long_animation_frame_top_scripts: [...byInvoker.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, v]) => `${k} ${Math.round(v)} ms`),
  };
}

async function main() {
  if (!BASE_URL || !env.SYSLENS_PASSWORD || !(NODES > 0)) throw new Error('missing environment (expected: BASE_URL, SYSLENS_PASSWORD, NODES > 0)');
  const out = { nodes: NODES };
  const bundle = await mainBundleBytes();
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'syslens-bench-ui-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: env.CHROMIUM || '/usr/bin/chromium', headless: true, viewport: { width: 1440, height: 900 }, locale: 'en-US',
    timeout: WAIT_MS,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--enable-precise-memory-info'],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(WAIT_MS);
    await login(page);
    const prof = profiler(await context.newCDPSession(page));

    // First render: a fresh load of the overview (session kept) until every node is on the canvas.
    await page.goto('about:blank');
    const cpu = await cpuMeter(page, context);
    let c0 = await cpu.read();
    await prof.start();
    const t0 = Date.now();
    await page.goto(new URL('#/', BASE_URL).toString(), { waitUntil: 'commit' });
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="heatmap"]')?.dataset.drawn) >= n, NODES, { polling: 'raf', timeout: WAIT_MS });
    out.first_render_ms = Date.now() - t0;
    let used = await cpu.since(c0);
    out.first_render_main_cpu_ms = used.thread;
    out.first_render_renderer_cpu_ms = used.process;
    log(`overview first render with ${NODES} cells: ${out.first_render_ms} ms (renderer main thread CPU ${used.thread} ms, process ${used.process} ms)`);
    await prof.stop('first-render');
    await prof.start();

    // Live updates: each poll's request, parse, React render and canvas draw.
    const updates = [];
    c0 = await cpu.read();
    const u0 = Date.now();
    let last = await page.locator('[data-testid="heatmap"]').getAttribute('data-drawn-at');
    while (updates.length < UPDATES) {
      await page.waitForFunction((prev) => document.querySelector('[data-testid="heatmap"]')?.dataset.drawnAt !== prev, last, { timeout: WAIT_MS });
      const a = await page.locator('[data-testid="heatmap"]').evaluate((c) => ({ at: c.dataset.drawnAt, update: Number(c.dataset.updateMs), draw: Number(c.dataset.drawMs) }));
      last = a.at;
      updates.push(a);
      log(`heat-map update: ${a.update} ms (canvas draw ${a.draw} ms)`);
    }
    out.heatmap_update_ms = round1(quantile(updates.map((u) => u.update), 0.5));
    out.heatmap_update_max_ms = round1(Math.max(...updates.map((u) => u.update)));
    out.heatmap_draw_ms = round1(quantile(updates.map((u) => u.draw), 0.5));
    used = await cpu.since(c0);
    // Main-thread CPU per second while the overview is open and polling (updates, live feed, idle work).
    out.overview_main_cpu_ms_per_s = used.thread == null ? null : round1((used.thread * 1000) / (Date.now() - u0));
    await prof.stop('heatmap-updates');

    // Hover: the tooltip for a cell.
    const box = await page.locator('[data-testid="heatmap"]').boundingBox();
    const h0 = Date.now();
    await page.mouse.move(box.x + box.width / 2, box.y + Math.min(box.height - 2, 20));
    await page.locator('[data-testid="heatmap-tooltip"]').waitFor({ state: 'visible' });
    out.tooltip_ms = Date.now() - h0;

    // Node list: first rows, then frame times while scrolling through all of it.
    const l0 = Date.now();
    await page.locator('[data-testid="nav-nodes"]').click();
    // The summary reads "<shown> of <total> nodes" (English).
    await page.waitForFunction((n) => {
      const m = /^(\d+) of (\d+)/.exec(document.querySelector('[data-testid="nodes-summary"]')?.textContent ?? '');
      return !!m && Number(m[1]) >= n && !!document.querySelector('[data-testid^="node-row-"]');
    }, NODES, { polling: 'raf' });
    out.node_list_render_ms = Date.now() - l0;
    out.node_list_dom_rows = await page.locator('[data-testid^="node-row-"]').count();
    await page.locator('[data-testid="sort-cpu"]').click();
    // Frame times (requestAnimationFrame deltas) at rest, as the machine's baseline, then while
    // scrolling about 4.5 rows per frame, wrapping to the top at the end.
    const frameTimes = (scroll, ms) => page.locator('[data-testid="node-list-scroll"]').evaluate((el, [scroll, ms]) => new Promise((resolve) => {
      const deltas = [];
      let prev = performance.now();
      const end = prev + ms;
      const tick = (now) => {
        deltas.push([prev, now]);
        prev = now;
        if (scroll) el.scrollTop = el.scrollTop + 200 >= el.scrollHeight - el.clientHeight ? 0 : el.scrollTop + 200;
        if (now < end) requestAnimationFrame(tick);
        else resolve(deltas.slice(1));
      };
      requestAnimationFrame(tick);
    }), [scroll, ms]);
    const procs = processCpu(userDataDir);
    await prof.start();
    let p0 = procs.read();
    const idle = (await frameTimes(false, 2000)).map(([a, b]) => b - a);
    const idleCpu = procs.since(p0);
    await prof.stop('idle-list');
    await prof.start();
    out.idle_frame_p95_ms = round1(quantile(idle, 0.95));
    c0 = await cpu.read();
    await startLoafs(page);
    p0 = procs.read();
    const spans = await frameTimes(true, SCROLL_MS);
    const scrollCpu = procs.since(p0);
    used = await cpu.since(c0);
    const loafs = await stopLoafs(page);
    const frames = spans.map(([a, b]) => b - a);
    out.scroll_main_cpu_ms_per_frame = used.thread == null ? null : round1(used.thread / Math.max(1, frames.length));
    await prof.stop('scroll');
    out.scroll_frames = frames.length;
    out.scroll_frame_p95_ms = round1(quantile(frames, 0.95));
    out.scroll_frame_max_ms = round1(Math.max(...frames));
    // Where the long frames came from: the page's main thread (long animation frames) or elsewhere,
    // and the CPU of Chromium's processes against the machine's over the scroll and at rest.
    out.scroll_attribution = attribute(spans, loafs);
    out.scroll_cpu_ms = scrollCpu;
    out.idle_list_cpu_ms = idleCpu;
    log(`idle frames p95 ${out.idle_frame_p95_ms} ms; scroll: ${frames.length} frames, p95 ${out.scroll_frame_p95_ms} ms, max ${out.scroll_frame_max_ms} ms, ${out.node_list_dom_rows} rows in the DOM`);
    log(`scroll attribution: ${JSON.stringify(out.scroll_attribution)}; CPU ms over the scroll: ${JSON.stringify(scrollCpu)}`);

    // Search over the whole fleet.
    const s0 = Date.now();
    await page.locator('[data-testid="node-search"]').fill('host-0000');
    await page.waitForFunction(() => {
      const m = /^(\d+) of (\d+)/.exec(document.querySelector('[data-testid="nodes-summary"]')?.textContent ?? '');
      return !!m && Number(m[1]) < Number(m[2]);
    }, null, { polling: 'raf' });
    out.search_ms = Date.now() - s0;

    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    out.js_heap_bytes = (await cdp.send('Runtime.getHeapUsage')).usedSize;
    out.main_bundle_bytes = bundle.bytes;
    out.main_bundle_files = bundle.files;
    console.log('UIBENCH ' + JSON.stringify(out));
    return 0;
  } finally {
    await context.close().catch(() => {});
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

const guard = setTimeout(() => {
  console.error('[bench ui] overall time limit reached');
  process.exit(1);
}, 10 * WAIT_MS);
guard.unref();
try {
  process.exitCode = await main();
} catch (e) {
  console.error(`[bench ui] FAILED: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
}
clearTimeout(guard);
