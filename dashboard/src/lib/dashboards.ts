import { escapePromqlString } from './promql';

/** Panel kinds the server accepts (server DashboardDocs.PANEL_TYPES). */
export const PANEL_TYPES = ['timeseries', 'area', 'bar', 'stat', 'gauge', 'table', 'heatmap', 'pie'] as const;
export type PanelType = (typeof PANEL_TYPES)[number];
export const UNITS = ['none', 'percent', 'ratio', 'bytes', 'bytes_per_second', 'seconds'] as const;
export type Unit = (typeof UNITS)[number];

/** Limits the server enforces; checked here too so an import fails with the same message before a request. */
export const LIMITS = { body: 256 * 1024, panels: 50, queries: 5, query: 4096, variables: 20, title: 200 };
/** A panel draws at most this many series; a query answering more shows a message, not a frozen tab. */
export const MAX_PANEL_SERIES = 100;

export interface GridPos { x: number; y: number; w: number; h: number }

export interface Panel {
  id: string;
  type: PanelType;
  title: string;
  queries: string[];
  unit: Unit;
  thresholds: number[];
  legend: boolean;
  gridPos: GridPos;
}

export interface Variable {
  name: string;
  label?: string;
  /** `label_values(<selector>, <label>)` or `label_values(<label>)`. */
  query: string;
  multi: boolean;
}

export interface DashboardDoc {
  schemaVersion: 1;
  title: string;
  description?: string;
  time?: { from: string; to: string };
  variables: Variable[];
  panels: Panel[];
}

export interface DashboardSummary {
  id: string;
  title: string;
  owner: string;
  shared: boolean;
  version: number;
  updatedAt: number;
  updatedBy: string;
}

export interface StoredDashboard extends DashboardSummary {
  dashboard: DashboardDoc;
}

/** The parts of `label_values(selector, label)`; null when the text is not that form. */
export function parseLabelValues(query: string): { match: string | null; label: string } | null {
  const m = /^\s*label_values\(\s*(?:(.+?)\s*,\s*)?([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$/.exec(query);
  if (!m) return null;
  return { match: m[1] ?? null, label: m[2] };
}

/** Escapes regular-expression metacharacters (RE2 syntax), for a multi-value variable inside `=~`. */
export function escapeRegex(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/**
 * Expands `$name` and `${name}` in a query: a single value escaped for a PromQL string, several
 * values as an escaped regular-expression alternation (use them with `=~`); `$__interval` and
 * `$__rate_interval` become the panel's range window, `$__range` the whole range. Unknown names
 * are left as written (the query API then names the problem).
 */
export function expandVariables(expr: string, values: Record<string, string[]>, builtins: { interval: string; range: string }): string {
  return expr.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare!;
    if (name === '__interval' || name === '__rate_interval') return builtins.interval;
    if (name === '__range') return builtins.range;
    const v = values[name];
    if (!v) return whole;
    if (v.length === 0) return '';
    if (v.length === 1) return escapePromqlString(v[0]);
    return escapePromqlString(v.map(escapeRegex).join('|'));
  });
}

/** Variable values from the route query (`var-node=a&var-node=b`). */
export function variablesFromQuery(query: string, vars: Variable[]): Record<string, string[]> {
  const p = new URLSearchParams(query);
  const out: Record<string, string[]> = {};
  for (const v of vars) {
    const got = p.getAll(`var-${v.name}`).filter((x) => x.length > 0);
    if (got.length) out[v.name] = v.multi ? got.slice(0, 100) : got.slice(0, 1);
  }
  return out;
}

/** Writes variable values into a route query (keeping its other parameters, e.g. the time range). */
export function variablesToQuery(base: string, values: Record<string, string[]>): string {
  const p = new URLSearchParams(base);
  for (const k of [...p.keys()]) if (k.startsWith('var-')) p.delete(k);
  for (const [k, vs] of Object.entries(values)) for (const v of vs) p.append(`var-${k}`, v);
  return p.toString();
}

let counter = 0;
/** A panel id unique within a dashboard. */
export function newPanelId(panels: Panel[]): string {
  const used = new Set(panels.map((p) => p.id));
  let id = '';
  do id = `p${Date.now().toString(36)}${(counter++).toString(36)}`; while (used.has(id));
  return id;
}

/** The first free row under every panel, for a new panel. */
export function nextRow(panels: Panel[]): number {
  return panels.reduce((y, p) => Math.max(y, p.gridPos.y + p.gridPos.h), 0);
}

export function newPanel(panels: Panel[], type: PanelType = 'timeseries'): Panel {
  return { id: newPanelId(panels), type, title: '', queries: [''], unit: 'none', thresholds: [], legend: true, gridPos: { x: 0, y: nextRow(panels), w: 12, h: 8 } };
}

export function emptyDashboard(title: string): DashboardDoc {
  return { schemaVersion: 1, title, variables: [], panels: [] };
}

/**
 * Built-in starting points: the host overview (agents), a VMware cluster (the vSphere collector's
 * series, docs/vsphere.md) and SysLens's own health. Their titles are document content, in
 * English, as a user's own dashboards are (renamed after creating, not translated).
 */
export function builtinDashboards(): DashboardDoc[] {
  const n = '{node=~"$node"}';
  const panel = (id: string, type: PanelType, title: string, q: string[], unit: Unit, gridPos: GridPos, thresholds: number[] = []): Panel =>
    ({ id, type, title, queries: q, unit, thresholds, legend: true, gridPos });
  return [
    {
      schemaVersion: 1,
      title: 'Host overview',
      variables: [{ name: 'node', label: 'Node', query: 'label_values(node_uname_info, node)', multi: true }],
      panels: [
        panel('cpu', 'timeseries', 'CPU used', [`100 * (1 - avg by (node) (rate(node_cpu_seconds_total{mode="idle",node=~"$node"}[$__rate_interval])))`], 'percent', { x: 0, y: 0, w: 12, h: 8 }, [80, 95]),
        panel('mem', 'timeseries', 'Memory used', [`100 * (1 - node_memory_MemAvailable_bytes${n} / node_memory_MemTotal_bytes${n})`], 'percent', { x: 12, y: 0, w: 12, h: 8 }, [80, 95]),
        panel('load', 'stat', 'Load (1 min)', [`max(node_load1${n})`], 'none', { x: 0, y: 8, w: 6, h: 5 }),
        panel('up', 'gauge', 'Disk used (fullest)', [`100 * max(1 - node_filesystem_avail_bytes${n} / node_filesystem_size_bytes${n})`], 'percent', { x: 6, y: 8, w: 6, h: 5 }, [80, 90]),
        panel('net', 'area', 'Network received', [`sum by (node) (rate(node_network_receive_bytes_total{device!="lo",node=~"$node"}[$__rate_interval]))`], 'bytes_per_second', { x: 12, y: 8, w: 12, h: 8 }),
      ],
    },
    vmwareCluster(panel),
    {
      schemaVersion: 1,
      title: 'SysLens health',
      variables: [],
      panels: [
        panel('nodes', 'stat', 'Nodes reporting', ['count(count by (node) (node_uname_info))'], 'none', { x: 0, y: 0, w: 6, h: 5 }),
        panel('series', 'timeseries', 'Samples ingested per second', ['sum(rate(syslens_ingest_samples_total[$__rate_interval]))'], 'none', { x: 6, y: 0, w: 18, h: 8 }),
        panel('kinds', 'pie', 'Series by job', ['count by (job) (up)'], 'none', { x: 0, y: 5, w: 6, h: 8 }),
      ],
    },
  ];
}

/**
 * VMware cluster: the clusters picked in `$cluster`, from the collector's series. Cluster CPU and
 * memory come from vCenter's 5-minute statistics (read once per 5 minutes, so drawn from the last
 * sample within 10 minutes); everything else from the realtime (20 s) VM and host series, which
 * exist from the first cycle on. Datastores carry no cluster label: the gauge shows the fullest of
 * every datastore.
 */
function vmwareCluster(panel: (id: string, type: PanelType, title: string, q: string[], unit: Unit, gridPos: GridPos, thresholds?: number[]) => Panel): DashboardDoc {
  const c = 'cluster=~"$cluster"';
  return {
    schemaVersion: 1,
    title: 'VMware cluster',
    variables: [{ name: 'cluster', label: 'Cluster', query: 'label_values(vsphere_host_cpu_usage_ratio, cluster)', multi: true }],
    panels: [
      panel('vms', 'stat', 'VMs reporting', [`count(count by (node) (vsphere_vm_cpu_usage_ratio{${c}}))`], 'none', { x: 0, y: 0, w: 6, h: 5 }),
      panel('hosts', 'stat', 'ESXi hosts reporting', [`count(count by (node) (vsphere_host_cpu_usage_ratio{${c}}))`], 'none', { x: 6, y: 0, w: 6, h: 5 }),
      panel('hostcpu', 'stat', 'Host CPU used (average)', [`100 * avg(vsphere_host_cpu_usage_ratio{${c}})`], 'percent', { x: 12, y: 0, w: 6, h: 5 }, [80, 95]),
      panel('datastore', 'gauge', 'Datastore used (fullest)', ['100 * max(1 - vsphere_datastore_free_bytes / vsphere_datastore_capacity_bytes)'], 'percent', { x: 18, y: 0, w: 6, h: 5 }, [80, 90]),
      panel('cpu', 'timeseries', 'Cluster CPU used', [`100 * max by (cluster) (last_over_time(vsphere_cluster_cpu_usage_ratio{${c}}[10m]))`], 'percent', { x: 0, y: 5, w: 12, h: 8 }, [80, 95]),
      panel('mem', 'timeseries', 'Cluster memory used', [`100 * max by (cluster) (last_over_time(vsphere_cluster_memory_usage_ratio{${c}}[10m]))`], 'percent', { x: 12, y: 5, w: 12, h: 8 }, [80, 95]),
      panel('hostcpus', 'timeseries', 'CPU used per ESXi host', [`100 * max by (esxhost) (avg_over_time(vsphere_host_cpu_usage_ratio{${c}}[$__rate_interval]))`], 'percent', { x: 0, y: 13, w: 12, h: 8 }, [80, 95]),
      panel('hostnet', 'area', 'Network received per ESXi host', [`sum by (esxhost) (avg_over_time(vsphere_host_net_received_bytes_per_second{${c}}[$__rate_interval]))`], 'bytes_per_second', { x: 12, y: 13, w: 12, h: 8 }),
      panel('topcpu', 'table', 'Top 10 VMs by CPU used', [`topk(10, 100 * max by (vm) (vsphere_vm_cpu_usage_ratio{${c}}))`], 'percent', { x: 0, y: 21, w: 12, h: 8 }),
      panel('topready', 'table', 'Top 10 VMs by CPU ready', [`topk(10, 100 * max by (vm) (vsphere_vm_cpu_ready_ratio{${c}}))`], 'percent', { x: 12, y: 21, w: 12, h: 8 }, [5, 10]),
    ],
  };
}

/** What is wrong with a document before it is sent (the server checks the same and more), or null. */
export function problemOf(doc: unknown, bytes: number): string | null {
  if (bytes > LIMITS.body) return `body: ${bytes} bytes (expected: at most ${LIMITS.body})`;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return 'body: not a JSON object (expected: a dashboard)';
  const d = doc as Record<string, unknown>;
  const v = d.schemaVersion ?? 1;
  if (v !== 1) return `schemaVersion: ${JSON.stringify(v)} (expected: 1)`;
  if (typeof d.title !== 'string' || !d.title.trim()) return 'title: missing (expected: a non-empty string)';
  if (d.panels !== undefined && !Array.isArray(d.panels)) return 'panels: not an array (expected: a JSON array)';
  if (Array.isArray(d.panels) && d.panels.length > LIMITS.panels) return `panels: ${d.panels.length} entries (expected: at most ${LIMITS.panels})`;
  return null;
}

/** The document part of an exported file: a SysLens export (`{dashboard: ...}`) or a bare document. */
export function documentOf(json: unknown): unknown {
  if (json && typeof json === 'object' && 'dashboard' in json && typeof (json as { dashboard: unknown }).dashboard === 'object') {
    return (json as { dashboard: unknown }).dashboard;
  }
  return json;
}

const GRAFANA_TYPES: Record<string, PanelType> = {
  timeseries: 'timeseries', graph: 'timeseries', stat: 'stat', singlestat: 'stat', gauge: 'gauge', bargauge: 'gauge',
  table: 'table', heatmap: 'heatmap', piechart: 'pie', barchart: 'bar',
};
const GRAFANA_UNITS: Record<string, Unit> = { percent: 'percent', percentunit: 'ratio', bytes: 'bytes', decbytes: 'bytes', Bps: 'bytes_per_second', binBps: 'bytes_per_second', s: 'seconds' };

/** True when the JSON looks like a Grafana dashboard (has `panels` with `targets`, or `templating`). */
export function isGrafana(json: unknown): boolean {
  if (!json || typeof json !== 'object') return false;
  const d = json as Record<string, unknown>;
  return 'templating' in d || (Array.isArray(d.panels) && d.panels.some((p) => p && typeof p === 'object' && 'targets' in p));
}

/**
 * Maps a Grafana dashboard whose panels use PromQL: the common panel types, their `expr` targets,
 * grid positions, units and thresholds; query variables as `label_values`. What cannot be mapped
 * (other panel types, targets without `expr`, rows, other variable kinds) is listed in `skipped`.
 */
export function fromGrafana(json: unknown): { doc: DashboardDoc; skipped: string[] } {
  const g = (json ?? {}) as Record<string, unknown>;
  const skipped: string[] = [];
  const panels: Panel[] = [];
  const flat: Record<string, unknown>[] = [];
  for (const p of Array.isArray(g.panels) ? g.panels : []) {
    if (!p || typeof p !== 'object') continue;
    const panel = p as Record<string, unknown>;
    if (panel.type === 'row') {
      for (const inner of Array.isArray(panel.panels) ? panel.panels : []) flat.push(inner as Record<string, unknown>);
      continue;
    }
    flat.push(panel);
  }
  for (const p of flat) {
    const title = typeof p.title === 'string' ? p.title.slice(0, LIMITS.title) : '';
    const type = GRAFANA_TYPES[String(p.type)];
    if (!type) {
      skipped.push(`${title || '(untitled)'}: panel type ${String(p.type)}`);
      continue;
    }
    const targets = Array.isArray(p.targets) ? (p.targets as Record<string, unknown>[]) : [];
    const queries = targets.map((t) => t?.expr).filter((e): e is string => typeof e === 'string' && e.trim() !== '').slice(0, LIMITS.queries).map((e) => e.slice(0, LIMITS.query));
    if (queries.length === 0) {
      skipped.push(`${title || '(untitled)'}: no PromQL target`);
      continue;
    }
    const gp = (p.gridPos ?? {}) as Record<string, unknown>;
    const num = (v: unknown, d: number, lo: number, hi: number) => (typeof v === 'number' && Number.isFinite(v) ? Math.min(hi, Math.max(lo, Math.round(v))) : d);
    const w = num(gp.w, 12, 1, 24);
    const defaults = (p.fieldConfig as { defaults?: Record<string, unknown> } | undefined)?.defaults ?? {};
    const steps = ((defaults.thresholds as { steps?: { value?: unknown }[] } | undefined)?.steps ?? [])
      .map((s) => s?.value).filter((v): v is number => typeof v === 'number').slice(0, 10);
    panels.push({
      id: newPanelId(panels), type, title, queries,
      unit: GRAFANA_UNITS[String(defaults.unit)] ?? 'none',
      thresholds: steps, legend: true,
      gridPos: { x: Math.min(num(gp.x, 0, 0, 23), 24 - w), y: num(gp.y, nextRow(panels), 0, 1000), w, h: num(gp.h, 8, 2, 50) },
    });
    if (panels.length >= LIMITS.panels) break;
  }
  const variables: Variable[] = [];
  const list = ((g.templating as { list?: unknown[] } | undefined)?.list ?? []) as Record<string, unknown>[];
  for (const v of list) {
    const name = String(v?.name ?? '');
    const q = typeof v?.query === 'string' ? v.query : (v?.query as { query?: unknown } | undefined)?.query;
    if (v?.type === 'query' && typeof q === 'string' && parseLabelValues(q) && /^[A-Za-z_]\w{0,31}$/.test(name) && variables.length < LIMITS.variables) {
      variables.push({ name, label: typeof v.label === 'string' ? v.label.slice(0, 64) : undefined, query: q.slice(0, 1024), multi: v.multi === true });
    } else if (name && !['datasource', 'adhoc', 'interval'].includes(String(v?.type))) {
      skipped.push(`$${name}: variable type ${String(v?.type)}`);
    }
  }
  const title = typeof g.title === 'string' && g.title.trim() ? g.title.slice(0, LIMITS.title) : 'Imported dashboard';
  return { doc: { schemaVersion: 1, title, variables, panels }, skipped };
}

/** Reads an import: a SysLens export or document, or a Grafana dashboard (mapped, with what was skipped). */
export function readImport(text: string): { doc: DashboardDoc; skipped: string[] } | { error: string } {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > LIMITS.body) return { error: `body: ${bytes} bytes (expected: at most ${LIMITS.body})` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { error: `body: malformed JSON (${(e as Error).message})` };
  }
  const inner = documentOf(json);
  // Grafana's schemaVersion counts its own format (16, 36, 39...); ours is 1.
  if (isGrafana(inner) && (inner as { schemaVersion?: unknown }).schemaVersion !== 1) return fromGrafana(inner);
  const problem = problemOf(inner, bytes);
  if (problem) return { error: problem };
  return { doc: inner as DashboardDoc, skipped: [] };
}
