import type { MatrixSeries } from './series';

/** `/api/v1/rules` (Prometheus' shape plus kind and level). */
export interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
  value: string;
}
export interface PromRule {
  name: string;
  query: string;
  type: 'alerting' | 'recording';
  state?: 'inactive' | 'pending' | 'firing';
  kind?: string;
  level?: string;
  duration?: number;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  alerts?: PromAlert[];
  health: string;
  lastError: string;
  lastEvaluation: string;
}
export interface PromGroup { name: string; interval: number; rules: PromRule[] }

/** `/api/v1/alerting/alerts`: what the notifier holds, with suppression and acknowledgement. */
export interface NotifierAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  value: number | null;
  fingerprint: string;
  status: { state: 'active' | 'suppressed' | 'resolved'; silencedBy: string[]; inhibited: boolean; maintenance: string };
  receivers: string[];
  acknowledged: { by: string; comment: string; at: string } | null;
}

/** One row of the firing page: a rule's pending or firing alert joined with the notifier's view of it. */
export interface AlertRow {
  key: string;
  rule: string;
  group: string;
  kind: string;
  state: 'pending' | 'firing';
  level: string;
  node: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  value: string;
  activeAt: number;
  fingerprint: string | null;
  acknowledged: NotifierAlert['acknowledged'];
  silencedBy: string[];
  inhibited: boolean;
  maintenance: string;
}

/** A label set as a stable key (names sorted). */
export function labelsKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

/** The node an alert concerns: its `node` label, else `instance`. */
export function alertNode(labels: Record<string, string>): string {
  return labels.node ?? labels.instance ?? '';
}

export function mergeAlerts(groups: PromGroup[], notifier: NotifierAlert[]): AlertRow[] {
  const byKey = new Map(notifier.map((a) => [labelsKey(a.labels), a]));
  const rows: AlertRow[] = [];
  for (const g of groups) {
    for (const r of g.rules) {
      for (const a of r.alerts ?? []) {
        const key = labelsKey(a.labels);
        const n = byKey.get(key);
        rows.push({
          key: `${g.name}/${key}`,
          rule: r.name,
          group: g.name,
          kind: r.kind ?? 'threshold',
          state: a.state,
          level: a.labels.severity ?? r.level ?? '',
          node: alertNode(a.labels),
          labels: a.labels,
          annotations: a.annotations,
          value: a.value,
          activeAt: Date.parse(a.activeAt),
          fingerprint: n?.fingerprint ?? null,
          acknowledged: n?.acknowledged ?? null,
          silencedBy: n?.status.silencedBy ?? [],
          inhibited: n?.status.inhibited ?? false,
          maintenance: n?.status.maintenance ?? '',
        });
      }
    }
  }
  // Firing before pending, then the most severe level, then the oldest.
  return rows.sort((a, b) => (a.state === b.state ? 0 : a.state === 'firing' ? -1 : 1)
    || levelRank(b.level) - levelRank(a.level) || a.activeAt - b.activeAt || a.key.localeCompare(b.key));
}

export function levelRank(level: string): number {
  return ({ critical: 3, warning: 2, info: 1 } as Record<string, number>)[level] ?? 0;
}

export function levelColor(level: string): string {
  return ({ critical: 'red', warning: 'orange', info: 'blue' } as Record<string, string>)[level] ?? 'default';
}

export interface AlertFilter { level?: string; rule?: string; node?: string; state?: string; text?: string }

export function filterAlerts(rows: AlertRow[], f: AlertFilter): AlertRow[] {
  const text = (f.text ?? '').trim().toLowerCase();
  return rows.filter((r) => (!f.level || r.level === f.level)
    && (!f.rule || r.rule === f.rule)
    && (!f.node || r.node === f.node)
    && (!f.state || r.state === f.state)
    && (text === '' || Object.entries(r.labels).some(([k, v]) => `${k}=${v}`.toLowerCase().includes(text))
      || Object.values(r.annotations).some((v) => v.toLowerCase().includes(text))));
}

/** Distinct non-empty values of a field, sorted, for the filter drop-downs. */
export function distinct<T>(rows: T[], get: (r: T) => string): string[] {
  return [...new Set(rows.map(get).filter((v) => v !== ''))].sort((a, b) => a.localeCompare(b));
}

// ---- history ----

export interface HistoryEntry {
  time: string;
  rule: string;
  node: string;
  level: string;
  from: string;
  to: string;
  value: string;
  labels: Record<string, string>;
}

export interface HistoryFilter { rule?: string; node?: string; level?: string; startMs: number; endMs: number; limit: number; offset?: number }

/** The query string of `/api/v1/alerts/history` (empty filters left out; times as Unix seconds). */
export function historyQuery(f: HistoryFilter): string {
  const p = new URLSearchParams();
  for (const k of ['rule', 'node', 'level'] as const) {
    const v = f[k]?.trim();
    if (v) p.set(k, v);
  }
  p.set('start', (f.startMs / 1000).toFixed(3));
  p.set('end', (f.endMs / 1000).toFixed(3));
  p.set('limit', String(Math.max(1, Math.min(10_000, Math.floor(f.limit)))));
  if (f.offset && f.offset > 0) p.set('offset', String(Math.floor(f.offset)));
  return p.toString();
}

/**
 * One page of a newest-first list fetched with one row more than the page size: the rows to show,
 * and a total for the table's pager that offers a next page only when that extra row came.
 */
export function pageOf<T>(rows: T[], page: number, size: number): { rows: T[]; total: number } {
  const offset = (page - 1) * size;
  return { rows: rows.slice(0, size), total: offset + Math.min(rows.length, size) + (rows.length > size ? 1 : 0) };
}

/** One page (1-based) of `items`, and how many pages there are. */
export function paginate<T>(items: T[], page: number, size: number): { items: T[]; pages: number; page: number } {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const p = Math.min(Math.max(1, Math.floor(page)), pages);
  return { items: items.slice((p - 1) * size, p * size), pages, page: p };
}

/**
 * The window of the chart around an event: `before` earlier to `after` later, never past `now`,
 * with a step giving about 240 points (at least 1 s).
 */
export function windowAround(atMs: number, nowMs: number, beforeMs = 30 * 60_000, afterMs = 30 * 60_000): { start: number; end: number; step: number } {
  const end = Math.min(nowMs, atMs + afterMs);
  const start = Math.min(atMs - beforeMs, end - 60_000);
  return { start, end, step: Math.max(1, Math.round((end - start) / 1000 / 240)) };
}

/**
 * Splits `lhs op number` at its top-level comparison so the chart can draw the left side with the
 * threshold as a line (a bare comparison hides the values below it). Null when the expression is
 * not of that simple form (set operators, `bool`, a second comparison).
 */
export function splitComparison(expr: string): { lhs: string; op: string; threshold: number } | null {
  const m = /^(.*?)\s*(>=|<=|==|!=|>|<)\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*$/s.exec(expr.trim());
  if (!m) return null;
  // Blank out strings, label matchers and ranges, then refuse anything that binds looser than the comparison.
  const bare = m[1].replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""').replace(/\{[^}]*\}/g, '{}').replace(/\[[^\]]*\]/g, '[]');
  if (/\b(and|or|unless|bool)\b|[<>]|[!=]=/.test(bare) || m[1].trim() === '') return null;
  return { lhs: m[1].trim(), op: m[2], threshold: Number(m[3]) };
}

/** The series of a query that belong to an alert: all their labels (but the name) equal the alert's. */
export function seriesOfAlert(series: MatrixSeries[], labels: Record<string, string>): MatrixSeries[] {
  const mine = series.filter((s) => Object.entries(s.metric).every(([k, v]) => k === '__name__' || labels[k] === v));
  return mine.length > 0 ? mine : series;
}

/** A compact name for a series in a legend: its labels but the name, as `a=x, b=y`. */
export function seriesName(metric: Record<string, string>): string {
  const parts = Object.entries(metric).filter(([k]) => k !== '__name__').map(([k, v]) => `${k}=${v}`);
  return parts.length > 0 ? parts.join(', ') : metric.__name__ ?? '{}';
}

// ---- silences ----

export interface SilenceMatcher { name: string; value: string; isRegex: boolean; isEqual: boolean }
export interface Silence {
  id: string;
  matchers: SilenceMatcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  updatedAt: string;
  status: { state: 'active' | 'pending' | 'expired' };
}

/** Matchers that select exactly this alert: every label as an equality (the ones to drop are the user's choice). */
export function matchersFromLabels(labels: Record<string, string>): SilenceMatcher[] {
  return Object.keys(labels).sort((a, b) => (a === 'alertname' ? -1 : b === 'alertname' ? 1 : a.localeCompare(b)))
    .map((name) => ({ name, value: labels[name], isRegex: false, isEqual: true }));
}

export function matcherText(m: SilenceMatcher): string {
  return `${m.name}${m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!='}"${m.value}"`;
}

export interface SilenceDraft {
  matchers: SilenceMatcher[];
  startsAt: number;
  /** End as a duration from the start (e.g. `2h`), or absent when `endsAt` is set. */
  duration: string;
  endsAt: number | null;
  comment: string;
}

/** Problems (message keys under alerts.validation) and, when none, the body for POST /api/v1/silences. */
export function silenceBody(d: SilenceDraft, parseDurationMs: (s: string) => number | null): { problems: string[]; body?: object } {
  const problems: string[] = [];
  const ms = d.matchers.filter((m) => m.name.trim() !== '');
  if (ms.length === 0) problems.push('matcherRequired');
  if (ms.some((m) => !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(m.name.trim()))) problems.push('labelName');
  if (ms.length > 0 && ms.every((m) => m.isEqual && !m.isRegex && m.value === '')) problems.push('matcherEmpty');
  let end = d.endsAt;
  if (end == null) {
    const dur = parseDurationMs(d.duration);
    if (dur == null || dur <= 0) problems.push('positiveDuration');
    else end = d.startsAt + dur;
  }
  if (end != null && end <= d.startsAt) problems.push('endAfterStart');
  if (d.comment.trim() === '') problems.push('commentRequired');
  if (problems.length > 0 || end == null) return { problems };
  return {
    problems,
    body: {
      matchers: ms.map((m) => ({ name: m.name.trim(), value: m.value, isRegex: m.isRegex, isEqual: m.isEqual })),
      startsAt: new Date(d.startsAt).toISOString(),
      endsAt: new Date(end).toISOString(),
      comment: d.comment.trim(),
    },
  };
}

// ---- receivers and deliveries ----

export interface Receiver { name: string; language: string; integrations: Record<string, unknown>[] }
export interface Delivery {
  notification: number;
  receiver: string;
  integration: string;
  groupKey: string;
  alerts: number;
  attempt: number;
  status: string;
  error: string | null;
  time: string;
  durationMs: number;
}

/** A receiver integration's view (no secrets) as short `key: value` text, type first. */
export function integrationSummary(view: Record<string, unknown>): string {
  return Object.entries(view).filter(([k]) => k !== 'type')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(' · ');
}

// ---- anomaly band ----

export interface BandSeries {
  metric: Record<string, string>;
  median: [number, string][];
  lower: [number, string][];
  upper: [number, string][];
}

/** Points for a stacked band: the lower edge, and the width above it at the same times (ms). */
export function bandPoints(b: BandSeries): { lower: [number, number][]; width: [number, number][]; median: [number, number][] } {
  const up = new Map(b.upper.map(([t, v]) => [t, Number(v)]));
  const lower: [number, number][] = [];
  const width: [number, number][] = [];
  for (const [t, v] of b.lower) {
    const u = up.get(t);
    const lo = Number(v);
    if (u === undefined || !Number.isFinite(u) || !Number.isFinite(lo)) continue;
    lower.push([t * 1000, lo]);
    width.push([t * 1000, u - lo]);
  }
  return { lower, width, median: b.median.map(([t, v]) => [t * 1000, Number(v)] as [number, number]).filter(([, v]) => Number.isFinite(v)) };
}
