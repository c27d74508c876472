import { describe, expect, it } from 'vitest';
import {
  applyView, cellAt, DEFAULT_VIEW, heatLayout, loadViews, matches, netPercent, overlayLive, parseFleet, withLayout,
  pressureColor, saveViews, toCsv, topN, visibleRange, VIEWS_KEY, type FleetNode,
} from './fleet';
import { heatOrder } from './heatmap';

const node = (id: string, over: Partial<FleetNode> = {}): FleetNode => ({
  id, hostname: id, kind: 'agent', os: 'Linux', status: 'online', group: null, labels: {},
  cpu: null, memory: null, disk: null, net: null, ...over,
});

describe('heatLayout', () => {
  it('fits 10,000 cells in the width with cells of at least 4 px', () => {
    const l = heatLayout(10_000, 1200);
    expect(l.cell).toBeGreaterThanOrEqual(4);
    expect(l.cols * (l.cell + l.gap) - l.gap).toBeLessThanOrEqual(1200);
    expect(l.cols * l.rows).toBeGreaterThanOrEqual(10_000);
    expect(l.height).toBe(l.rows * (l.cell + l.gap) - l.gap);
  });

  it('uses large cells for a small fleet and keeps within the height', () => {
    const l = heatLayout(12, 1200);
    expect(l.cell).toBe(28);
    expect(l.cols).toBe(12);
    expect(l.rows).toBe(1);
    const big = heatLayout(2000, 1000, 480);
    expect(big.height).toBeLessThanOrEqual(480);
  });

  it('is empty for no nodes', () => {
    expect(heatLayout(0, 800)).toMatchObject({ cols: 0, rows: 0, height: 0 });
  });
});

describe('cellAt', () => {
  const l = heatLayout(25, 10 * 29 - 1); // 28 px cells, 1 px gap, 10 columns
  it('maps a point to the cell under it', () => {
    expect(l.cols).toBe(10);
    expect(cellAt(l, 25, 0, 0)).toBe(0);
    expect(cellAt(l, 25, 29 * 3 + 5, 29 * 2 + 5)).toBe(23);
  });
  it('gives -1 in a gap, past the last node or outside', () => {
    expect(cellAt(l, 25, 28.5, 5)).toBe(-1);
    expect(cellAt(l, 25, 29 * 6 + 1, 29 * 2 + 1)).toBe(-1);
    expect(cellAt(l, 25, -1, 3)).toBe(-1);
    expect(cellAt(l, 25, 29 * 10 + 1, 3)).toBe(-1);
  });
});

describe('pressureColor', () => {
  it('runs green, yellow, red and marks unknown and down', () => {
    expect(pressureColor(0)).toBe('rgb(82,196,26)');
    expect(pressureColor(60)).toBe('rgb(250,219,20)');
    expect(pressureColor(100)).toBe('rgb(245,34,45)');
    expect(pressureColor(150)).toBe('rgb(245,34,45)');
    expect(pressureColor(null)).toBe('#d9d9d9');
    expect(pressureColor(50, 'offline')).toBe('#595959');
  });
  it('interpolates between stops', () => {
    expect(pressureColor(30)).toBe('rgb(166,208,23)');
  });
});

describe('netPercent', () => {
  it('is a log scale from 1 kB/s to 1 Gbit/s', () => {
    expect(netPercent(null)).toBeNull();
    expect(netPercent(500)).toBe(0);
    expect(netPercent(125e6)).toBeCloseTo(100, 6);
    expect(netPercent(1e9)).toBe(100);
    expect(netPercent(Math.sqrt(1000 * 125e6))).toBeCloseTo(50, 6);
  });
});

describe('heatOrder and topN', () => {
  const nodes = [node('a', { cpu: 10 }), node('b', { cpu: 90 }), node('c'), node('d', { cpu: 95, status: 'offline' }), node('e', { cpu: 50 })];
  it('puts the most pressed first, unknown then down last', () => {
    expect(heatOrder(nodes, 'cpu').map((n) => n.id)).toEqual(['b', 'e', 'a', 'c', 'd']);
  });
  it('keeps the n highest, leaving out unknown and down nodes', () => {
    expect(topN(nodes, 'cpu', 2).map((n) => n.id)).toEqual(['b', 'e']);
    expect(topN(nodes, 'cpu', 10).map((n) => n.id)).toEqual(['b', 'e', 'a']);
  });
});

describe('parseFleet', () => {
  it('turns columns into rows', () => {
    const f = parseFleet({
      generatedAt: 5, total: 1, truncated: false, summary: { status: { online: 1 }, kind: { agent: 1 } },
      nodes: { id: ['n1'], hostname: ['h1'], kind: ['vm'], os: ['Linux'], status: ['stale'], group: ['g'], labels: [{ a: 'b' }],
        cpu: [1.5], memory: [null], disk: [70], netBytesPerSec: [1000] },
    });
    expect(f.nodes).toEqual([{ id: 'n1', hostname: 'h1', kind: 'vm', os: 'Linux', status: 'stale', group: 'g', labels: { a: 'b' },
      cpu: 1.5, memory: null, disk: 70, net: 1000 }]);
  });
  it('names a column of the wrong length', () => {
    expect(() => parseFleet({ generatedAt: 0, total: 1, truncated: false, summary: { status: {}, kind: {} },
      nodes: { id: ['n1'], hostname: [], kind: ['agent'], os: [''], status: ['online'], group: [null], labels: [{}],
        cpu: [null], memory: [null], disk: [null], netBytesPerSec: [null] } })).toThrow('column hostname (expected: 1 entries)');
  });
});

describe('node list view', () => {
  const nodes = [
    node('web-1', { group: 'web', labels: { env: 'prod' }, cpu: 40, os: 'Ubuntu' }),
    node('web-2', { group: 'web', labels: { env: 'dev' }, cpu: 80, status: 'stale' }),
    node('db-1', { kind: 'vm', labels: { env: 'prod' }, cpu: null, memory: 70 }),
    node('esx-1', { kind: 'esxi', status: 'offline', cpu: 10 }),
  ];
  it('filters by status, kind, OS, group and labels', () => {
    expect(applyView(nodes, { ...DEFAULT_VIEW, status: ['online'] }).map((n) => n.id)).toEqual(['db-1', 'web-1']);
    expect(applyView(nodes, { ...DEFAULT_VIEW, kind: ['vm', 'esxi'] }).map((n) => n.id)).toEqual(['db-1', 'esx-1']);
    expect(applyView(nodes, { ...DEFAULT_VIEW, os: ['Ubuntu'] }).map((n) => n.id)).toEqual(['web-1']);
    expect(applyView(nodes, { ...DEFAULT_VIEW, group: ['web'] }).map((n) => n.id)).toEqual(['web-1', 'web-2']);
    expect(applyView(nodes, { ...DEFAULT_VIEW, labels: ['env=prod'] }).map((n) => n.id)).toEqual(['db-1', 'web-1']);
  });
  it('searches id, hostname, OS and label pairs case-insensitively', () => {
    expect(matches(nodes[0], { ...DEFAULT_VIEW, search: 'UBU' })).toBe(true);
    expect(matches(nodes[1], { ...DEFAULT_VIEW, search: 'env=dev' })).toBe(true);
    expect(matches(nodes[2], { ...DEFAULT_VIEW, search: 'web' })).toBe(false);
  });
  it('sorts by live values with unknown last in both directions', () => {
    expect(applyView(nodes, { ...DEFAULT_VIEW, sort: 'cpu', desc: true }).map((n) => n.id)).toEqual(['web-2', 'web-1', 'esx-1', 'db-1']);
    expect(applyView(nodes, { ...DEFAULT_VIEW, sort: 'cpu', desc: false }).map((n) => n.id)).toEqual(['esx-1', 'web-1', 'web-2', 'db-1']);
  });
  it('sorts 10,000 rows quickly', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => node(`n${i}`, { cpu: (i * 7919) % 100 }));
    const t0 = performance.now();
    const out = applyView(many, { ...DEFAULT_VIEW, sort: 'cpu', desc: true, search: 'n' });
    expect(out).toHaveLength(10_000);
    expect(out[0].cpu).toBe(99);
    expect(performance.now() - t0).toBeLessThan(500);
  });
});

describe('toCsv', () => {
  it('quotes, neutralises formulas and ends lines with CRLF', () => {
    const csv = toCsv([node('a,b', { hostname: '=cmd()', labels: { z: '1', a: '"q"' }, cpu: 12.5 })]);
    const [head, row] = csv.split('\r\n');
    expect(head).toBe('id,hostname,status,kind,os,group,labels,cpu_percent,memory_percent,disk_percent,net_bytes_per_sec');
    expect(row).toBe('"a,b",\'=cmd(),online,agent,Linux,,"a=""q"";z=1",12.5,,,');
    expect(csv.endsWith('\r\n')).toBe(true);
  });
});

describe('saved views', () => {
  it('round-trips through storage and drops bad fields', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    saveViews(storage, { hot: { ...DEFAULT_VIEW, sort: 'cpu', desc: true, status: ['online'] } });
    expect(loadViews(storage).hot).toEqual({ ...DEFAULT_VIEW, sort: 'cpu', desc: true, status: ['online'] });
    store.set(VIEWS_KEY, JSON.stringify({ bad: { sort: 'nope', status: ['gone', 'stale'], search: 5 } }));
    expect(loadViews(storage).bad).toEqual({ ...DEFAULT_VIEW, status: ['stale'] });
    store.set(VIEWS_KEY, '{not json');
    expect(loadViews(storage)).toEqual({});
  });
});

describe('visibleRange', () => {
  it('renders only the rows in view plus overscan', () => {
    expect(visibleRange(0, 600, 44, 10_000)).toEqual([0, 22]);
    expect(visibleRange(44 * 5000, 600, 44, 10_000, 2)).toEqual([4998, 5016]);
    expect(visibleRange(0, 600, 44, 0)).toEqual([0, -1]);
    expect(visibleRange(1e9, 600, 44, 100)[1]).toBe(99);
  });
});

describe('overlayLive', () => {
  const live = (id: string, over: Partial<import('./fleet').LiveNode> = {}) => ({
    id, hostname: id, os: '', labels: {}, status: 'online' as const, lastSeen: 2000, cpuPercent: null, memoryPercent: null, ...over,
  });
  const a = node('a', { cpu: 10, memory: 20, disk: 30, status: 'stale' });
  const b = node('b', { cpu: 5 });
  it('takes newer live figures and status, keeps the rest', () => {
    expect(overlayLive(a, live('a', { cpuPercent: 77, status: 'online' }), 1000)).toMatchObject({ id: 'a', cpu: 77, memory: 20, disk: 30, status: 'online' });
    expect(overlayLive(b, live('b', { lastSeen: 500, status: 'offline' }), 1000)).toMatchObject({ id: 'b', cpu: 5, status: 'online' });
    expect(overlayLive(b, undefined, 1000)).toBe(b);
  });
});

describe('withLayout', () => {
  const whole = { generatedAt: 1, total: 1, truncated: false, layout: '00000000000000ab', summary: { status: {}, kind: {} },
    nodes: { id: ['n1'], hostname: ['h1'], kind: ['agent'], os: ['Linux'], status: ['online'], group: [null], labels: [{}],
      cpu: [1], memory: [2], disk: [3], netBytesPerSec: [4] } };
  it('takes the layout columns of the previous whole answer', () => {
    const values = { ...whole, generatedAt: 2, layoutReused: true,
      nodes: { status: ['stale'], cpu: [9], memory: [8], disk: [7], netBytesPerSec: [6] } } as unknown as import('./fleet').FleetColumns;
    expect(withLayout(whole, null)).toBe(whole);
    expect(parseFleet(withLayout(values, whole)).nodes).toEqual([node('n1', { hostname: 'h1', status: 'stale', cpu: 9, memory: 8, disk: 7, net: 6 })]);
    expect(() => withLayout({ ...values, layout: 'ffffffffffffffff' }, whole)).toThrow('layout ffffffffffffffff without its columns');
  });
});
