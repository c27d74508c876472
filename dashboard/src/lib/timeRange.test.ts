import { describe, expect, it } from 'vitest';
import { parseRoute, nodeHref } from './route';
import { appendLive, type Point } from './series';
import { breakdownQueries, nodeQueries } from './promql';
import {
  chooseStep, compareOffsetMs, MAX_POINTS, parseDuration, parseRangeQuery, PRESETS, presetOf, queryWindow,
  rangeQuery, rateWindow, resolveRange, slideWindow, tierFor, zoomOutRange, zoomRange,
} from './timeRange';

const NOW = 1_764_000_000_000;
const H = 3_600_000;
const D = 24 * H;

describe('chooseStep', () => {
  it.each(PRESETS)('keeps %s at or under 1,000 points', (p) => {
    const span = parseDuration(p)!;
    const step = chooseStep(span);
    expect(span / 1000 / step).toBeLessThanOrEqual(MAX_POINTS);
  });

  it('uses the finest step for short ranges and whole tier intervals for long ones', () => {
    expect(chooseStep(5 * 60_000)).toBe(15);
    expect(chooseStep(H)).toBe(15);
    expect(chooseStep(7 * D)).toBe(900);
    expect(chooseStep(30 * D)).toBe(3600);
    expect(chooseStep(2 * 365 * D)).toBe(86400);
  });

  it('reads the 5-minute tier from 30 days and the 1-hour tier from a year', () => {
    expect(tierFor(chooseStep(H))).toBe('raw');
    expect(tierFor(chooseStep(30 * D))).toBe('5m');
    expect(tierFor(chooseStep(90 * D))).toBe('5m');
    expect(tierFor(chooseStep(365 * D))).toBe('1h');
    expect(tierFor(chooseStep(2 * 365 * D))).toBe('1h');
  });

  it('sizes range-function windows to one step, at least a minute', () => {
    expect(rateWindow(15)).toBe('1m');
    expect(rateWindow(900)).toBe('15m');
    expect(rateWindow(3600)).toBe('1h');
    expect(rateWindow(86400)).toBe('1d');
    expect(nodeQueries('a', rateWindow(3600)).cpu).toContain('[1h]');
  });
});

describe('URL state', () => {
  it('round-trips a relative range with a comparison through the node route', () => {
    const r = { from: 'now-7d', to: 'now', cmp: '1w' as const };
    const route = parseRoute(nodeHref('web 1', rangeQuery(r)));
    expect(route).toEqual({ page: 'node', id: 'web 1', query: 'from=now-7d&to=now&cmp=1w' });
    expect(parseRangeQuery(route.page === 'node' ? route.query : '')).toEqual(r);
  });

  it('round-trips an absolute range and writes nothing for the default', () => {
    const r = { from: String(NOW - 2 * H), to: String(NOW), cmp: null };
    expect(parseRangeQuery(rangeQuery(r))).toEqual(r);
    expect(rangeQuery({ from: 'now-1h', to: 'now', cmp: null })).toBe('');
    expect(nodeHref('a', '')).toBe('#/nodes/a');
  });

  it('falls back to the last hour for nonsense, reversed or too long ranges', () => {
    for (const q of ['from=yesterday&to=now', `from=${NOW}&to=${NOW - H}`, 'from=now-9y&to=now', 'from=now-10s&to=now', 'cmp=2w']) {
      const r = parseRangeQuery(q);
      expect([r.from, r.to], q).toEqual(['now-1h', 'now']);
      expect(r.cmp, q).toBeNull();
    }
  });

  it('keeps an id with a question mark apart from the query', () => {
    expect(parseRoute(nodeHref('a?b', 'from=now-7d&to=now'))).toEqual({ page: 'node', id: 'a?b', query: 'from=now-7d&to=now' });
  });

  it('names the preset of a relative range', () => {
    expect(presetOf({ from: 'now-7d', to: 'now', cmp: null })).toBe('7d');
    expect(presetOf({ from: 'now-8d', to: 'now', cmp: null })).toBeNull();
    expect(presetOf({ from: String(NOW - H), to: String(NOW), cmp: null })).toBeNull();
  });
});

describe('resolving, zoom and comparison', () => {
  it('resolves relative ranges at now and marks them live', () => {
    expect(resolveRange({ from: 'now-7d', to: 'now', cmp: null }, NOW)).toEqual({ start: NOW - 7 * D, end: NOW, live: true });
    expect(resolveRange({ from: String(NOW - H), to: String(NOW), cmp: null }, NOW + D).live).toBe(false);
  });

  it('aligns the query start to the step', () => {
    const w = queryWindow({ start: NOW - 30 * D + 1234, end: NOW, live: true });
    expect(w.step).toBe(3600);
    expect(w.start % (3600 * 1000)).toBe(0);
    expect(w.start).toBeLessThanOrEqual(NOW - 30 * D + 1234);
  });

  it('slides a live window to now for a re-query, keeping width and step', () => {
    const w = queryWindow({ start: NOW - H, end: NOW, live: true });
    const later = NOW + 37_000;
    const s = slideWindow(w, later);
    expect(s.end).toBe(later);
    expect(s.step).toBe(w.step);
    expect(s.start % (w.step * 1000)).toBe(0);
    expect(s.start).toBeGreaterThan(w.start);
    expect(later - s.start).toBeGreaterThanOrEqual(w.end - w.start);
    expect(slideWindow(w, NOW - 1)).toBe(w);
  });

  it('zooms to an ordered absolute range of at least a minute, keeping the comparison', () => {
    expect(zoomRange(NOW, NOW - H, '1d')).toEqual({ from: String(NOW - H), to: String(NOW), cmp: '1d' });
    const tiny = zoomRange(NOW, NOW + 10);
    expect(Number(tiny.to) - Number(tiny.from)).toBe(60_000);
  });

  it('zooms out to the next preset, or doubles an absolute range not past now', () => {
    expect(zoomOutRange({ from: 'now-1h', to: 'now', cmp: null }, NOW)).toEqual({ from: 'now-3h', to: 'now', cmp: null });
    expect(zoomOutRange({ from: 'now-2y', to: 'now', cmp: null }, NOW).from).toBe('now-2y');
    const out = zoomOutRange({ from: String(NOW - 2 * H), to: String(NOW - H), cmp: null }, NOW);
    expect(Number(out.to) - Number(out.from)).toBe(2 * H);
    expect(Number(out.to)).toBeLessThanOrEqual(NOW);
  });

  it('shifts a comparison by a fixed offset or by the range itself', () => {
    const r = resolveRange({ from: 'now-6h', to: 'now', cmp: null }, NOW);
    expect(compareOffsetMs('1w', r)).toBe(7 * D);
    expect(compareOffsetMs('prev', r)).toBe(6 * H);
  });
});

describe('appendLive', () => {
  const hist: Point[] = [[0, 1], [60_000, 2], [120_000, 3]];

  it('appends live points once per step after the history and replaces within the step', () => {
    let p = appendLive(hist, [125_000, 4], 0, 60_000, 120_000);
    expect(p).toHaveLength(4);
    p = appendLive(p, [126_000, 5], 0, 60_000, 120_000);
    expect(p).toHaveLength(4);
    expect(p[3]).toEqual([126_000, 5]);
    p = appendLive(p, [181_000, 6], 0, 60_000, 120_000);
    expect(p.map((x) => x[0])).toEqual([0, 60_000, 120_000, 126_000, 181_000]);
  });

  it('never replaces a history point, drops points before the start and ignores old points', () => {
    const p = appendLive(hist, [121_000, 9], 60_000, 60_000, 120_000);
    expect(p.map((x) => x[0])).toEqual([60_000, 120_000, 121_000]);
    expect(appendLive(hist, [100_000, 9], 0, 60_000, 120_000)).toBe(hist);
  });
});

describe('breakdownQueries', () => {
  it('groups filesystems by mount point, NICs by device and processes by command', () => {
    const b = breakdownQueries('n"1', '5m');
    expect(b.filesystem).toContain('by (mountpoint)');
    expect(b.nicRx).toContain('by (device)');
    expect(b.processCpu).toMatch(/^topk\(8, max by \(comm\)/);
    for (const q of Object.values(b)) expect(q).toContain('node="n\\"1"');
  });

  it('uses the vSphere collector series for VMs', () => {
    expect(nodeQueries('vm:vc:1', '1m').cpu).toContain('vsphere_vm_cpu_usage_ratio');
    expect(nodeQueries('esxi:vc:h1', '1m').memory).toContain('vsphere_host_memory_usage_ratio');
  });
});
