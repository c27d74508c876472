import { escapePromqlString } from './promql';

/**
 * The rule builder's model and what it generates: the JSON model of `/api/v1/alert-rules`
 * (alerting/.../RuleFiles.java reads it: numbers and durations are strings) and the PromQL the
 * server derives from it (alerting/.../Conditions.java), shown live while the form is filled.
 */

export type RuleKind = 'threshold' | 'trend' | 'anomaly' | 'composite';
export const RULE_KINDS: RuleKind[] = ['threshold', 'trend', 'anomaly', 'composite'];
export type CompareOp = '>' | '>=' | '<' | '<=' | '==' | '!=';
export const COMPARE_OPS: CompareOp[] = ['>', '>=', '<', '<=', '==', '!='];
export type MatchOp = '=' | '!=' | '=~' | '!~';
export const MATCH_OPS: MatchOp[] = ['=', '!=', '=~', '!~'];
export const RANGE_FUNCTIONS = ['none', 'rate', 'irate', 'increase', 'avg_over_time', 'max_over_time', 'min_over_time'] as const;
export type RangeFunction = (typeof RANGE_FUNCTIONS)[number];
export const AGGREGATIONS = ['none', 'avg', 'sum', 'min', 'max', 'count'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export interface LabelMatcher { name: string; op: MatchOp; value: string }
export interface Selector { metric: string; matchers: LabelMatcher[] }

export interface ThresholdSpec {
  mode: 'builder' | 'raw';
  raw: string;
  selector: Selector;
  fn: RangeFunction;
  window: string;
  agg: Aggregation;
  by: string[];
  op: CompareOp;
  threshold: string;
}

export interface TrendSpec {
  selector: Selector;
  fn: 'predict_linear' | 'deriv';
  window: string;
  horizon: string;
  op: CompareOp;
  threshold: string;
}

export interface AnomalySpec {
  mode: 'builder' | 'raw';
  raw: string;
  selector: Selector;
  sensitivity: number;
  training: string;
  step: string;
  retrain: string;
  minSamples: string;
  minDeviation: string;
}

export interface CompositeSpec { op: 'and' | 'or' | 'unless'; rules: string[]; on: string[] }

export interface RuleDraft {
  name: string;
  group: string;
  groupInterval: string;
  kind: RuleKind;
  level: string;
  forDuration: string;
  keepFiringFor: string;
  labels: { name: string; value: string }[];
  summary: string;
  description: string;
  /** Annotations other than summary and description, kept as they were. */
  otherAnnotations: Record<string, string>;
  threshold: ThresholdSpec;
  trend: TrendSpec;
  anomaly: AnomalySpec;
  composite: CompositeSpec;
}

/** A rule in the API's JSON model. */
export interface RuleModel {
  alert?: string;
  record?: string;
  kind?: string;
  expr?: string;
  trend?: { metric: string; function: string; window: string; horizon?: string; op: string; threshold: string };
  composite?: { op: string; rules: string[]; on?: string[] };
  anomaly?: { expr: string; sensitivity: string; training: string; step: string; retrain: string; min_samples: string; min_deviation: string };
  for?: string;
  keep_firing_for?: string;
  level?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface GroupModel { name: string; interval: string; rules: RuleModel[]; builtin?: boolean }

const emptySelector = (): Selector => ({ metric: '', matchers: [] });

export function emptyDraft(): RuleDraft {
  return {
    name: '', group: '', groupInterval: '1m', kind: 'threshold', level: 'warning', forDuration: '5m', keepFiringFor: '',
    labels: [], summary: '', description: '', otherAnnotations: {},
    threshold: { mode: 'builder', raw: '', selector: emptySelector(), fn: 'none', window: '5m', agg: 'none', by: [], op: '>', threshold: '' },
    trend: { selector: emptySelector(), fn: 'predict_linear', window: '1h', horizon: '4h', op: '<', threshold: '0' },
    anomaly: { mode: 'builder', raw: '', selector: emptySelector(), sensitivity: 3, training: '14d', step: '5m', retrain: '1d', minSamples: '3', minDeviation: '0' },
    composite: { op: 'and', rules: [], on: [] },
  };
}

// ---- durations and numbers, written as the server writes them ----

const DURATION_UNITS: [string, number][] = [['y', 365 * 86_400_000], ['w', 7 * 86_400_000], ['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]];

/** Parses a Prometheus duration (`90s`, `1h30m`); null when it is not one. */
export function parseDuration(text: string): number | null {
  const s = text.trim();
  if (s === '' || !/^(\d+(ms|y|w|d|h|m|s))+$/.test(s)) return null;
  let ms = 0;
  let lastRank = -1;
  for (const m of s.matchAll(/(\d+)(ms|y|w|d|h|m|s)/g)) {
    const rank = DURATION_UNITS.findIndex(([u]) => u === m[2]);
    if (rank <= lastRank) return null; // units in order, each once, as Prometheus requires
    lastRank = rank;
    ms += Number(m[1]) * DURATION_UNITS[rank][1];
  }
  return Number.isSafeInteger(ms) ? ms : null;
}

const FORMAT_UNITS: [string, number][] = [['w', 7 * 86_400_000], ['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]];

/** Milliseconds as the server writes a duration (RuleJson.duration): `5400000` -> `1h30m`, 0 -> `0s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [u, size] of FORMAT_UNITS) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${u}`;
      rest %= size;
    }
  }
  return out;
}

/** A number as Java's Conditions.fmt writes it: whole numbers without a fraction, others as Double.toString. */
export function formatNumber(d: number): string {
  if (Number.isInteger(d) && Math.abs(d) < 1e15) return String(d);
  if (!Number.isFinite(d)) return Number.isNaN(d) ? 'NaN' : d > 0 ? 'Infinity' : '-Infinity';
  const abs = Math.abs(d);
  if (abs >= 1e-3 && abs < 1e7) return String(d);
  // Java: computerized scientific notation, the mantissa always with a fraction (1.0E-4).
  const [mant, exp] = d.toExponential().split('e');
  return `${mant.includes('.') ? mant : `${mant}.0`}E${Number(exp)}`;
}

/** Parses a number the way Java's Double.parseDouble reads the common forms; null when it is not one. */
export function parseNumber(text: string): number | null {
  const s = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}

// ---- PromQL generation ----

export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** `metric{name="value",...}`, label values escaped; `{...}` alone without a metric name. */
export function selectorExpr(sel: Selector): string {
  const ms = sel.matchers.filter((m) => m.name.trim() !== '');
  const inner = ms.map((m) => `${m.name.trim()}${m.op}"${escapePromqlString(m.value)}"`).join(', ');
  const metric = sel.metric.trim();
  if (ms.length === 0) return metric;
  return `${metric}{${inner}}`;
}

/** The threshold condition: raw PromQL, or aggregation(function(selector[window])) op threshold. */
export function thresholdExpr(t: ThresholdSpec): string {
  if (t.mode === 'raw') return t.raw.trim();
  let e = selectorExpr(t.selector);
  if (t.fn !== 'none') e = `${t.fn}(${e}[${normDuration(t.window)}])`;
  if (t.agg !== 'none') {
    const by = t.by.map((l) => l.trim()).filter((l) => l !== '');
    e = by.length > 0 ? `${t.agg} by (${by.join(', ')}) (${e})` : `${t.agg}(${e})`;
  }
  return `${e} ${t.op} ${normNumber(t.threshold)}`;
}

function normDuration(s: string): string {
  const ms = parseDuration(s);
  return ms == null ? s.trim() : formatDuration(ms);
}

function normNumber(s: string): string {
  const v = parseNumber(s);
  return v == null ? s.trim() : formatNumber(v);
}

/** Conditions.trendExpr: `predict_linear(m[window], horizonSeconds) op threshold` or `deriv(m[window]) op threshold`. */
export function trendExpr(t: TrendSpec): string {
  const metric = selectorExpr(t.selector);
  const window = `[${normDuration(t.window)}]`;
  let fn: string;
  if (t.fn === 'deriv') {
    fn = `deriv(${metric}${window})`;
  } else {
    const h = parseDuration(t.horizon);
    fn = `predict_linear(${metric}${window}, ${h == null ? t.horizon.trim() : formatNumber(h / 1000)})`;
  }
  return `${fn} ${t.op} ${normNumber(t.threshold)}`;
}

export function anomalyExpr(a: AnomalySpec): string {
  return a.mode === 'raw' ? a.raw.trim() : selectorExpr(a.selector);
}

/**
 * Conditions.expression for a composite: the named rules' conditions, each in parentheses,
 * joined with the operator (and `on(...)`). `exprOf` gives a rule's expression; an unknown name
 * shows as `<name?>`.
 */
export function compositeExpr(c: CompositeSpec, exprOf: (name: string) => string | undefined): string {
  const on = c.on.map((l) => l.trim()).filter((l) => l !== '');
  const join = ` ${c.op}${on.length > 0 ? ` on(${on.join(', ')})` : ''} `;
  return c.rules.map((n) => `(${exprOf(n) ?? `<${n}?>`})`).join(join);
}

/** The expression the server will evaluate for this draft. */
export function draftExpr(d: RuleDraft, exprOf: (name: string) => string | undefined = () => undefined): string {
  switch (d.kind) {
    case 'threshold': return thresholdExpr(d.threshold);
    case 'trend': return trendExpr(d.trend);
    case 'anomaly': return anomalyExpr(d.anomaly);
    case 'composite': return compositeExpr(d.composite, exprOf);
  }
}

/** The expression of a rule in the JSON model (composites resolved through `exprOf`). */
export function modelExpr(r: RuleModel, exprOf: (name: string) => string | undefined = () => undefined): string {
  return draftExpr(modelToDraft(r, '', ''), exprOf);
}

// ---- draft <-> JSON model ----

export function draftToModel(d: RuleDraft): RuleModel {
  const r: RuleModel = { alert: d.name.trim(), kind: d.kind };
  switch (d.kind) {
    case 'threshold':
      r.expr = thresholdExpr(d.threshold);
      break;
    case 'trend': {
      const t = d.trend;
      r.trend = { metric: selectorExpr(t.selector), function: t.fn, window: t.window.trim(), op: t.op, threshold: t.threshold.trim() };
      if (t.fn === 'predict_linear') r.trend.horizon = t.horizon.trim();
      break;
    }
    case 'anomaly': {
      const a = d.anomaly;
      r.anomaly = {
        expr: anomalyExpr(a), sensitivity: String(a.sensitivity), training: a.training.trim(), step: a.step.trim(),
        retrain: a.retrain.trim(), min_samples: a.minSamples.trim(), min_deviation: a.minDeviation.trim(),
      };
      break;
    }
    case 'composite': {
      const c = d.composite;
      r.composite = { op: c.op, rules: [...c.rules] };
      const on = c.on.map((l) => l.trim()).filter((l) => l !== '');
      if (on.length > 0) r.composite.on = on;
      break;
    }
  }
  r.for = d.forDuration.trim() === '' ? '0s' : d.forDuration.trim();
  if (d.keepFiringFor.trim() !== '') r.keep_firing_for = d.keepFiringFor.trim();
  if (d.level.trim() !== '') r.level = d.level.trim();
  const labels = Object.fromEntries(d.labels.filter((l) => l.name.trim() !== '').map((l) => [l.name.trim(), l.value]));
  if (Object.keys(labels).length > 0) r.labels = labels;
  const annotations: Record<string, string> = { ...d.otherAnnotations };
  if (d.summary.trim() !== '') annotations.summary = d.summary;
  if (d.description.trim() !== '') annotations.description = d.description;
  if (Object.keys(annotations).length > 0) r.annotations = annotations;
  return r;
}

/** Reads `name{a="x", b!~"y"}` back into a selector; null when the text is anything else. */
export function parseSelector(text: string): Selector | null {
  const s = text.trim();
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*(?:\{(.*)\})?$/s.exec(s);
  if (!m || (m[1] === undefined && m[2] === undefined)) return null;
  const matchers: LabelMatcher[] = [];
  let rest = (m[2] ?? '').trim();
  while (rest !== '') {
    const mm = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,\s*|$)/s.exec(rest);
    if (!mm) return null;
    const value = unescapeString(mm[3]);
    if (value == null) return null;
    matchers.push({ name: mm[1], op: mm[2] as MatchOp, value });
    rest = rest.slice(mm[0].length);
  }
  return { metric: m[1] ?? '', matchers };
}

function unescapeString(s: string): string | null {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = s[++i];
    if (n === 'n') out += '\n';
    else if (n === 'r') out += '\r';
    else if (n === 't') out += '\t';
    else if (n === '\\' || n === '"' || n === "'") out += n;
    else if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      out += String.fromCharCode(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else return null;
  }
  return out;
}

/** A rule from the API as a draft for the builder (threshold and anomaly expressions as raw PromQL unless they are plain selectors). */
export function modelToDraft(r: RuleModel, group: string, groupInterval: string): RuleDraft {
  const d = emptyDraft();
  d.name = r.alert ?? r.record ?? '';
  d.group = group;
  d.groupInterval = groupInterval;
  d.kind = (RULE_KINDS as string[]).includes(r.kind ?? '') ? (r.kind as RuleKind) : 'threshold';
  d.level = r.level ?? r.labels?.severity ?? '';
  d.forDuration = r.for ?? '0s';
  d.keepFiringFor = r.keep_firing_for ?? '';
  d.labels = Object.entries(r.labels ?? {}).filter(([k]) => !(k === 'severity' && r.level === undefined)).map(([name, value]) => ({ name, value }));
  const { summary, description, ...other } = r.annotations ?? {};
  d.summary = summary ?? '';
  d.description = description ?? '';
  d.otherAnnotations = other;
  if (d.kind === 'threshold') d.threshold = { ...d.threshold, mode: 'raw', raw: r.expr ?? '' };
  if (d.kind === 'trend' && r.trend) {
    const t = r.trend;
    d.trend = {
      selector: parseSelector(t.metric) ?? { metric: t.metric, matchers: [] },
      fn: t.function === 'deriv' ? 'deriv' : 'predict_linear',
      window: t.window, horizon: t.horizon ?? '4h', op: (t.op as CompareOp) ?? '<', threshold: trimZero(t.threshold),
    };
  }
  if (d.kind === 'anomaly' && r.anomaly) {
    const a = r.anomaly;
    const sel = parseSelector(a.expr);
    d.anomaly = {
      mode: sel ? 'builder' : 'raw', raw: a.expr, selector: sel ?? emptySelector(),
      sensitivity: Number(a.sensitivity), training: a.training, step: a.step, retrain: a.retrain,
      minSamples: a.min_samples, minDeviation: trimZero(a.min_deviation),
    };
  }
  if (d.kind === 'composite' && r.composite) {
    d.composite = { op: r.composite.op as CompositeSpec['op'], rules: [...r.composite.rules], on: [...(r.composite.on ?? [])] };
  }
  return d;
}

/** Java writes 90.0 for 90; the form shows 90. */
function trimZero(s: string): string {
  return /^-?\d+\.0$/.test(s) ? s.slice(0, -2) : s;
}

// ---- validation ----

/** A problem with the draft: the field (dotted path in the form) and a message key under alerts.validation. */
export interface DraftProblem { field: string; code: string }

export function validateDraft(d: RuleDraft, existingGroups: string[] = []): DraftProblem[] {
  const p: DraftProblem[] = [];
  const need = (ok: boolean, field: string, code: string) => { if (!ok) p.push({ field, code }); };
  const duration = (s: string, field: string, positive = false) => {
    const ms = parseDuration(s);
    need(ms != null && (!positive || ms > 0), field, positive ? 'positiveDuration' : 'duration');
  };
  need(d.name.trim() !== '', 'name', 'required');
  need(d.group.trim() !== '' && d.group.length <= 200, 'group', 'required');
  if (!existingGroups.includes(d.group.trim())) duration(d.groupInterval, 'groupInterval', true);
  need(d.level.length <= 64, 'level', 'tooLong');
  if (d.forDuration.trim() !== '') duration(d.forDuration, 'forDuration');
  if (d.keepFiringFor.trim() !== '') duration(d.keepFiringFor, 'keepFiringFor');
  d.labels.forEach((l, i) => need(l.name.trim() === '' || (LABEL_NAME.test(l.name.trim()) && !l.name.startsWith('__')), `labels.${i}`, 'labelName'));
  const selector = (s: Selector, prefix: string, metricRequired: boolean) => {
    const metric = s.metric.trim();
    need(metric === '' ? !metricRequired || s.matchers.length > 0 : METRIC_NAME.test(metric), `${prefix}.metric`, 'metricName');
    s.matchers.forEach((m, i) => need(m.name.trim() === '' || LABEL_NAME.test(m.name.trim()), `${prefix}.matchers.${i}`, 'labelName'));
  };
  switch (d.kind) {
    case 'threshold': {
      const t = d.threshold;
      if (t.mode === 'raw') {
        need(t.raw.trim() !== '', 'threshold.raw', 'required');
      } else {
        selector(t.selector, 'threshold.selector', true);
        if (t.fn !== 'none') duration(t.window, 'threshold.window', true);
        t.by.forEach((l, i) => need(LABEL_NAME.test(l.trim()), `threshold.by.${i}`, 'labelName'));
        need(parseNumber(t.threshold) != null, 'threshold.threshold', 'number');
      }
      break;
    }
    case 'trend': {
      const t = d.trend;
      selector(t.selector, 'trend.selector', true);
      duration(t.window, 'trend.window', true);
      if (t.fn === 'predict_linear') duration(t.horizon, 'trend.horizon', true);
      need(parseNumber(t.threshold) != null, 'trend.threshold', 'number');
      break;
    }
    case 'anomaly': {
      const a = d.anomaly;
      if (a.mode === 'raw') need(a.raw.trim() !== '', 'anomaly.raw', 'required');
      else selector(a.selector, 'anomaly.selector', true);
      need(a.sensitivity > 0 && a.sensitivity <= 100, 'anomaly.sensitivity', 'sensitivity');
      duration(a.training, 'anomaly.training', true);
      duration(a.step, 'anomaly.step', true);
      duration(a.retrain, 'anomaly.retrain', true);
      const training = parseDuration(a.training);
      const step = parseDuration(a.step);
      if (training != null && step != null && step > 0) need(training / step <= 10_000, 'anomaly.step', 'trainingSteps');
      const ms = parseNumber(a.minSamples);
      need(ms != null && ms >= 1 && ms <= 10_000, 'anomaly.minSamples', 'minSamples');
      const md = parseNumber(a.minDeviation);
      need(md != null && md >= 0, 'anomaly.minDeviation', 'nonNegative');
      break;
    }
    case 'composite': {
      const c = d.composite;
      need(c.rules.length >= 2, 'composite.rules', 'twoRules');
      need(!c.rules.includes(d.name.trim()), 'composite.rules', 'selfReference');
      c.on.forEach((l, i) => need(LABEL_NAME.test(l.trim()), `composite.on.${i}`, 'labelName'));
      break;
    }
  }
  return p;
}

/**
 * Puts `rule` into `group` in place of the rule named `replacing` (or appends it), refusing a
 * second rule of the same name in the group.
 */
export function upsertRule(group: GroupModel, rule: RuleModel, replacing: string | null): GroupModel {
  const name = rule.alert ?? rule.record;
  const rules = [...group.rules];
  const at = replacing == null ? -1 : rules.findIndex((r) => (r.alert ?? r.record) === replacing);
  if (rules.some((r, i) => i !== at && (r.alert ?? r.record) === name)) {
    throw new Error(`rule "${name}" already exists in group "${group.name}"`);
  }
  if (at >= 0) rules[at] = rule;
  else rules.push(rule);
  const { builtin: _builtin, ...rest } = group;
  return { ...rest, rules };
}

/** The group without the named rule; null when that leaves it empty (delete the group instead). */
export function removeRule(group: GroupModel, name: string): GroupModel | null {
  const rules = group.rules.filter((r) => (r.alert ?? r.record) !== name);
  if (rules.length === 0) return null;
  const { builtin: _builtin, ...rest } = group;
  return { ...rest, rules };
}
