/**
 * The fleet overview (GET /api/v1/fleet/overview): parsing its columns, the heat map's layout,
 * colours and hit test, top-N lists, and the node list's filter, sort, CSV and saved views.
 * Pure functions, unit-tested in fleet.test.ts.
 */

export const PRESSURES = ['cpu', 'memory', 'disk', 'network'] as const;
export type Pressure = (typeof PRESSURES)[number];

export type FleetStatus = 'online' | 'offline' | 'stale';

/** One node of the overview. Percentages 0..100; network in bytes per second; null: unknown. */
export interface FleetNode {
  id: string;
  hostname: string;
  kind: string;
  os: string;
  status: FleetStatus;
  group: string | null;
  labels: Record<string, string>;
  cpu: number | null;
  memory: number | null;
  disk: number | null;
  net: number | null;
}

export interface FleetSummary {
  status: Record<string, number>;
  kind: Record<string, number>;
  vmPower?: Record<string, number>;
}

export interface FleetOverview {
  generatedAt: number;
  total: number;
  truncated: boolean;
  summary: FleetSummary;
  nodes: FleetNode[];
}

/** The server's columnar body (`data`). */
export interface FleetColumns {
  generatedAt: number;
  total: number;
  truncated: boolean;
  /** Digest of the rows' order and layout columns; sent back as `?layout=` to get only the rest. */
  layout?: string;
  /** True when the layout columns were left out (the request's `layout` was current). */
  layoutReused?: boolean;
  summary: FleetSummary;
  nodes: LayoutColumns & ValueColumns;
}

/** The columns that change rarely (the server's `layout` digests them and the order). */
export interface LayoutColumns {
  id: string[];
  hostname: string[];
  kind: string[];
  os: string[];
  group: (string | null)[];
  labels: Record<string, string>[];
}

export interface ValueColumns {
  status: string[];
  cpu: (number | null)[];
  memory: (number | null)[];
  disk: (number | null)[];
  netBytesPerSec: (number | null)[];
}

export const LAYOUT_COLUMNS = ['id', 'hostname', 'kind', 'os', 'group', 'labels'] as const;

/**
 * An answer with its layout columns: a whole answer as it is; one with `layoutReused` takes them
 * from `prev` (the last whole answer), which must carry the same layout.
 */
export function withLayout(data: FleetColumns, prev: FleetColumns | null): FleetColumns {
  if (!data?.layoutReused) return data;
  if (!prev || prev.layout !== data.layout) throw new Error(`fleet overview: layout ${data.layout} without its columns`);
  const nodes = { ...data.nodes } as FleetColumns['nodes'];
  for (const k of LAYOUT_COLUMNS) (nodes as unknown as Record<string, unknown>)[k] = prev.nodes[k];
  return { ...data, nodes };
}

/** Turns the columns into rows; a malformed body gives an error naming the column. */
export function parseFleet(data: FleetColumns): FleetOverview {
  const c = data?.nodes;
  if (!c || !Array.isArray(c.id)) throw new Error('fleet overview: no nodes.id column');
  const n = c.id.length;
  for (const k of ['hostname', 'kind', 'os', 'status', 'group', 'labels', 'cpu', 'memory', 'disk', 'netBytesPerSec'] as const) {
    if (!Array.isArray(c[k]) || c[k].length !== n) throw new Error(`fleet overview: column ${k} (expected: ${n} entries)`);
  }
  const nodes: FleetNode[] = new Array(n);
  for (let i = 0; i < n; i++) {
    nodes[i] = {
      id: c.id[i],
      hostname: c.hostname[i] ?? c.id[i],
      kind: c.kind[i] ?? 'agent',
      os: c.os[i] ?? '',
      status: (c.status[i] as FleetStatus) ?? 'offline',
      group: c.group[i] ?? null,
      labels: c.labels[i] ?? {},
      cpu: c.cpu[i],
      memory: c.memory[i],
      disk: c.disk[i],
      net: c.netBytesPerSec[i],
    };
  }
  return { generatedAt: data.generatedAt, total: data.total, truncated: data.truncated, summary: data.summary, nodes };
}

/** Network pressure as a share of 1 Gbit/s (125 MB/s), on a log scale from 1 kB/s, so idle and busy links both show. */
export function netPercent(bytesPerSec: number | null): number | null {
  if (bytesPerSec == null) return null;
  if (bytesPerSec <= 1000) return 0;
  return Math.min(100, (100 * Math.log10(bytesPerSec / 1000)) / Math.log10(125e6 / 1000));
}

/** A node's pressure in percent for the heat map, or null when unknown. */
export function pressureOf(n: FleetNode, p: Pressure): number | null {
  switch (p) {
    case 'cpu': return n.cpu;
    case 'memory': return n.memory;
    case 'disk': return n.disk;
    default: return netPercent(n.net);
  }
}

/** Colour of a pressure: green (0) through yellow (60) and orange (80) to red (100); grey unknown; dark grey offline. */
export function pressureColor(v: number | null, status: FleetStatus = 'online'): string {
  if (status === 'offline') return '#595959';
  if (v == null || Number.isNaN(v)) return '#d9d9d9';
  const x = Math.max(0, Math.min(100, v));
  const stops: [number, [number, number, number]][] = [
    [0, [82, 196, 26]], [60, [250, 219, 20]], [80, [250, 140, 22]], [100, [245, 34, 45]],
  ];
  let i = 0;
  while (i < stops.length - 2 && x > stops[i + 1][0]) i++;
  const [x0, c0] = stops[i];
  const [x1, c1] = stops[i + 1];
  const f = (x - x0) / (x1 - x0);
  const ch = (k: number) => Math.round(c0[k] + (c1[k] - c0[k]) * f);
  return `rgb(${ch(0)},${ch(1)},${ch(2)})`;
}

/** Where the cells go: square cells in rows, as large as fit (min 4 px, max 28 px), 1 px gap when cells are > 6 px. */
export interface HeatLayout {
  cols: number;
  rows: number;
  cell: number;
  gap: number;
  width: number;
  height: number;
}

export function heatLayout(count: number, width: number, maxHeight = 480): HeatLayout {
  const w = Math.max(1, Math.floor(width));
  if (count <= 0) return { cols: 0, rows: 0, cell: 0, gap: 0, width: w, height: 0 };
  // Largest cell size whose grid fits in width x maxHeight; never below 4 px (then the canvas grows taller).
  let cell = 28;
  for (; cell > 4; cell--) {
    const gap = cell > 6 ? 1 : 0;
    const cols = Math.max(1, Math.floor((w + gap) / (cell + gap)));
    if (Math.ceil(count / cols) * (cell + gap) - gap <= maxHeight) break;
  }
  const gap = cell > 6 ? 1 : 0;
  const cols = Math.max(1, Math.min(count, Math.floor((w + gap) / (cell + gap))));
  const rows = Math.ceil(count / cols);
  return { cols, rows, cell, gap, width: w, height: rows * (cell + gap) - gap };
}

/** The index of the cell under (x, y) in CSS pixels, or -1 (a gap, or past the last node). */
export function cellAt(l: HeatLayout, count: number, x: number, y: number): number {
  if (l.cols === 0 || x < 0 || y < 0) return -1;
  const pitch = l.cell + l.gap;
  const col = Math.floor(x / pitch);
  const row = Math.floor(y / pitch);
  if (col >= l.cols || x - col * pitch >= l.cell || y - row * pitch >= l.cell) return -1;
  const i = row * l.cols + col;
  return i < count ? i : -1;
}

/** The `n` nodes with the highest value of `p`, unknown left out. */
export function topN(nodes: FleetNode[], p: Exclude<Pressure, 'network'> | 'network', n: number): FleetNode[] {
  const key = (x: FleetNode) => (p === 'network' ? x.net : pressureOf(x, p));
  const out: FleetNode[] = [];
  for (const x of nodes) {
    const v = key(x);
    if (v == null || x.status === 'offline') continue;
    // Insertion into a short sorted list: O(nodes x n), no full sort of 10,000 rows.
    let i = out.length;
    while (i > 0 && (key(out[i - 1]) as number) < v) i--;
    if (i < n) {
      out.splice(i, 0, x);
      if (out.length > n) out.pop();
    }
  }
  return out;
}

// ---- node list ----

export const SORT_KEYS = ['hostname', 'status', 'kind', 'os', 'group', 'cpu', 'memory', 'disk', 'net'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface ListView {
  search: string;
  status: FleetStatus[];
  kind: string[];
  os: string[];
  group: string[];
  /** `name=value` pairs; a node must carry every one. */
  labels: string[];
  sort: SortKey;
  desc: boolean;
}

export const DEFAULT_VIEW: ListView = { search: '', status: [], kind: [], os: [], group: [], labels: [], sort: 'hostname', desc: false };

export function matches(n: FleetNode, v: ListView): boolean {
  if (v.status.length && !v.status.includes(n.status)) return false;
  if (v.kind.length && !v.kind.includes(n.kind)) return false;
  if (v.os.length && !v.os.includes(n.os)) return false;
  if (v.group.length && !v.group.includes(n.group ?? '')) return false;
  for (const pair of v.labels) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || n.labels[pair.slice(0, eq)] !== pair.slice(eq + 1)) return false;
  }
  const q = v.search.trim().toLowerCase();
  if (!q) return true;
  if (n.id.toLowerCase().includes(q) || n.hostname.toLowerCase().includes(q) || n.os.toLowerCase().includes(q)) return true;
  for (const k in n.labels) if (`${k}=${n.labels[k]}`.toLowerCase().includes(q)) return true;
  return false;
}

function sortValue(n: FleetNode, k: SortKey): string | number | null {
  switch (k) {
    case 'cpu': return n.cpu;
    case 'memory': return n.memory;
    case 'disk': return n.disk;
    case 'net': return n.net;
    case 'group': return n.group;
    default: return n[k];
  }
}

/** Filters and sorts; unknown values always sort last, ties by id. */
export function applyView(nodes: FleetNode[], v: ListView): FleetNode[] {
  const out = nodes.filter((n) => matches(n, v));
  const dir = v.desc ? -1 : 1;
  out.sort((a, b) => {
    const x = sortValue(a, v.sort);
    const y = sortValue(b, v.sort);
    if (x == null || y == null) {
      if (x != null) return -1;
      if (y != null) return 1;
    } else if (x !== y) {
      return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * dir;
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  return out;
}

/** Distinct values of a field, sorted, for the filter drop-downs. */
export function distinct(nodes: FleetNode[], f: (n: FleetNode) => string | null | undefined): string[] {
  const s = new Set<string>();
  for (const n of nodes) {
    const v = f(n);
    if (v) s.add(v);
  }
  return [...s].sort();
}

/** Every `name=value` label pair in the fleet (at most `max`), for the label filter. */
export function labelPairs(nodes: FleetNode[], max = 2000): string[] {
  const s = new Set<string>();
  for (const n of nodes) {
    for (const k in n.labels) {
      s.add(`${k}=${n.labels[k]}`);
      if (s.size >= max) return [...s].sort();
    }
  }
  return [...s].sort();
}

function csvCell(v: unknown): string {
  const s = v == null ? '' : String(v);
  // Quote when needed; a leading = + - @ is prefixed so a spreadsheet does not run it as a formula.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const CSV_COLUMNS = ['id', 'hostname', 'status', 'kind', 'os', 'group', 'labels', 'cpu_percent', 'memory_percent', 'disk_percent', 'net_bytes_per_sec'];

/** The rows as CSV (RFC 4180, CRLF line ends), in the order given. */
export function toCsv(nodes: FleetNode[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const n of nodes) {
    const labels = Object.keys(n.labels).sort().map((k) => `${k}=${n.labels[k]}`).join(';');
    lines.push([n.id, n.hostname, n.status, n.kind, n.os, n.group, labels, n.cpu, n.memory, n.disk, n.net].map(csvCell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

// ---- saved views (browser localStorage: per browser, not per user on the server) ----

export const VIEWS_KEY = 'syslens.nodeList.views';
export const MAX_VIEWS = 50;

const strings = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string').slice(0, 200) : []);

/** Reads a stored view defensively: unknown fields dropped, bad ones defaulted. */
export function sanitizeView(x: unknown): ListView {
  const o = (typeof x === 'object' && x !== null ? x : {}) as Record<string, unknown>;
  return {
    search: typeof o.search === 'string' ? o.search.slice(0, 200) : '',
    status: strings(o.status).filter((s): s is FleetStatus => s === 'online' || s === 'offline' || s === 'stale'),
    kind: strings(o.kind),
    os: strings(o.os),
    group: strings(o.group),
    labels: strings(o.labels),
    sort: (SORT_KEYS as readonly string[]).includes(o.sort as string) ? (o.sort as SortKey) : 'hostname',
    desc: o.desc === true,
  };
}

export function loadViews(storage: Pick<Storage, 'getItem'>): Record<string, ListView> {
  try {
    const raw = JSON.parse(storage.getItem(VIEWS_KEY) ?? '{}') as Record<string, unknown>;
    const out: Record<string, ListView> = {};
    for (const [name, v] of Object.entries(raw).slice(0, MAX_VIEWS)) out[name.slice(0, 80)] = sanitizeView(v);
    return out;
  } catch {
    return {};
  }
}

export function saveViews(storage: Pick<Storage, 'setItem'>, views: Record<string, ListView>): void {
  const names = Object.keys(views).slice(-MAX_VIEWS);
  storage.setItem(VIEWS_KEY, JSON.stringify(Object.fromEntries(names.map((n) => [n, views[n]]))));
}

/** First and last row index to render for a virtual list (with `overscan` extra rows each side). */
export function visibleRange(scrollTop: number, viewport: number, rowHeight: number, count: number, overscan = 8): [number, number] {
  if (count === 0) return [0, -1];
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count - 1, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  return [first, last];
}

/** A node as the live feed knows it (the WebSocket snapshot and samples; see liveReducer). */
export interface LiveNode {
  id: string;
  hostname: string;
  os: string;
  labels: Record<string, string>;
  status: 'online' | 'offline';
  lastSeen: number | null;
  cpuPercent: number | null;
  memoryPercent: number | null;
  kind?: string;
}

/**
 * A node of the polled overview with the live feed laid over it: CPU and memory from the newest
 * sample, and the live status when the feed heard of the node after the overview was built
 * (`since`, the overview's generatedAt). The node itself when the feed has nothing.
 */
export function overlayLive(n: FleetNode, l: LiveNode | undefined, since: number): FleetNode {
  if (!l) return n;
  const fresh = l.lastSeen != null && l.lastSeen > since;
  return { ...n, cpu: l.cpuPercent ?? n.cpu, memory: l.memoryPercent ?? n.memory, status: fresh ? l.status : n.status };
}
