import { describe, expect, it } from 'vitest';
import {
  compositeExpr, draftExpr, draftToModel, emptyDraft, formatDuration, formatNumber, modelToDraft, parseDuration,
  parseSelector, removeRule, selectorExpr, thresholdExpr, trendExpr, upsertRule, validateDraft, type RuleDraft,
} from './alertRules';

function draft(patch: (d: RuleDraft) => void): RuleDraft {
  const d = emptyDraft();
  d.name = 'HighCpu';
  d.group = 'node';
  patch(d);
  return d;
}

describe('durations and numbers', () => {
  it.each([['90s', 90_000], ['1h30m', 5_400_000], ['500ms', 500], ['2w', 14 * 86_400_000], ['1y', 365 * 86_400_000]])('parses %s', (s, ms) => {
    expect(parseDuration(s)).toBe(ms);
  });
  it.each(['', '5', '5x', '1m1h', '1h1h', '-5m', '1.5h'])('refuses %j', (s) => {
    expect(parseDuration(s)).toBeNull();
  });
  it('formats as the server does', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(8 * 86_400_000)).toBe('1w1d');
  });
  it('writes numbers as Java Conditions.fmt', () => {
    expect(formatNumber(90)).toBe('90');
    expect(formatNumber(0.5)).toBe('0.5');
    expect(formatNumber(-3)).toBe('-3');
    expect(formatNumber(1e-4)).toBe('1.0E-4');
    expect(formatNumber(1.5e-7)).toBe('1.5E-7');
    expect(formatNumber(12345678.5)).toBe('1.23456785E7');
    expect(formatNumber(1e15)).toBe('1.0E15');
  });
});

describe('selectors', () => {
  it('escapes label values', () => {
    const e = selectorExpr({ metric: 'up', matchers: [{ name: 'job', op: '=', value: 'a"b\\c\nd' }, { name: 'path', op: '=~', value: '/var/.*' }] });
    expect(e).toBe('up{job="a\\"b\\\\c\\nd", path=~"/var/.*"}');
  });
  it('leaves out blank matchers and the braces when none are left', () => {
    expect(selectorExpr({ metric: 'up', matchers: [{ name: ' ', op: '=', value: 'x' }] })).toBe('up');
  });
  it('round-trips through parseSelector, escapes included', () => {
    const sel = { metric: 'node_filesystem_avail_bytes', matchers: [{ name: 'mountpoint', op: '=' as const, value: 'C:\\ "x"' }, { name: 'fstype', op: '!~' as const, value: 'tmpfs|ramfs' }] };
    expect(parseSelector(selectorExpr(sel))).toEqual(sel);
    expect(parseSelector('{job="a"}')).toEqual({ metric: '', matchers: [{ name: 'job', op: '=', value: 'a' }] });
    expect(parseSelector('rate(x[5m])')).toBeNull();
  });
});

describe('expressions per kind', () => {
  it('threshold: aggregation over a range function', () => {
    const d = draft((x) => {
      x.threshold = { ...x.threshold, selector: { metric: 'node_cpu_seconds_total', matchers: [{ name: 'mode', op: '=', value: 'idle' }] }, fn: 'rate', window: '300s', agg: 'avg', by: ['node'], op: '<', threshold: '0.10' };
    });
    expect(thresholdExpr(d.threshold)).toBe('avg by (node) (rate(node_cpu_seconds_total{mode="idle"}[5m])) < 0.1');
    expect(draftToModel(d)).toMatchObject({ alert: 'HighCpu', kind: 'threshold', expr: 'avg by (node) (rate(node_cpu_seconds_total{mode="idle"}[5m])) < 0.1', level: 'warning', for: '5m' });
  });
  it('threshold: raw PromQL unchanged', () => {
    const d = draft((x) => { x.threshold = { ...x.threshold, mode: 'raw', raw: ' up == 0 ' }; });
    expect(draftExpr(d)).toBe('up == 0');
  });
  it('trend: predict_linear with the horizon in seconds, as Conditions.trendExpr', () => {
    const d = draft((x) => {
      x.kind = 'trend';
      x.trend = { selector: { metric: 'node_filesystem_avail_bytes', matchers: [{ name: 'mountpoint', op: '=', value: '/' }] }, fn: 'predict_linear', window: '60m', horizon: '4h', op: '<', threshold: '0' };
    });
    expect(trendExpr(d.trend)).toBe('predict_linear(node_filesystem_avail_bytes{mountpoint="/"}[1h], 14400) < 0');
    expect(draftToModel(d).trend).toEqual({ metric: 'node_filesystem_avail_bytes{mountpoint="/"}', function: 'predict_linear', window: '60m', horizon: '4h', op: '<', threshold: '0' });
  });
  it('trend: deriv has no horizon', () => {
    const d = draft((x) => { x.kind = 'trend'; x.trend = { ...x.trend, selector: { metric: 'temp', matchers: [] }, fn: 'deriv', window: '10m', op: '>', threshold: '1.5' }; });
    expect(draftExpr(d)).toBe('deriv(temp[10m]) > 1.5');
    expect(draftToModel(d).trend).not.toHaveProperty('horizon');
  });
  it('anomaly: the watched expression and the parameters as strings', () => {
    const d = draft((x) => { x.kind = 'anomaly'; x.anomaly = { ...x.anomaly, selector: { metric: 'http_requests', matchers: [{ name: 'node', op: '=', value: 'web"1' }] }, sensitivity: 4.5 }; });
    expect(draftExpr(d)).toBe('http_requests{node="web\\"1"}');
    expect(draftToModel(d).anomaly).toEqual({ expr: 'http_requests{node="web\\"1"}', sensitivity: '4.5', training: '14d', step: '5m', retrain: '1d', min_samples: '3', min_deviation: '0' });
  });
  it('composite: the named rules in parentheses joined with the operator and on()', () => {
    const exprs: Record<string, string> = { A: 'cpu > 90', B: 'maintenance == 1' };
    expect(compositeExpr({ op: 'unless', rules: ['A', 'B'], on: ['node'] }, (n) => exprs[n])).toBe('(cpu > 90) unless on(node) (maintenance == 1)');
    expect(compositeExpr({ op: 'and', rules: ['A', 'C'], on: [] }, (n) => exprs[n])).toBe('(cpu > 90) and (<C?>)');
    const d = draft((x) => { x.kind = 'composite'; x.composite = { op: 'or', rules: ['A', 'B'], on: [' '] }; });
    expect(draftToModel(d).composite).toEqual({ op: 'or', rules: ['A', 'B'] });
  });
});

describe('model round trip', () => {
  it('reads back what it wrote, for each kind', () => {
    const drafts = [
      draft((x) => { x.threshold = { ...x.threshold, mode: 'raw', raw: 'up == 0' }; x.labels = [{ name: 'team', value: 'ops' }]; x.summary = '{{ $labels.node }} down'; }),
      draft((x) => { x.kind = 'trend'; x.trend = { ...x.trend, selector: { metric: 'disk', matchers: [{ name: 'm', op: '=', value: '/' }] } }; }),
      draft((x) => { x.kind = 'anomaly'; x.anomaly = { ...x.anomaly, selector: { metric: 'reqs', matchers: [] } }; }),
      draft((x) => { x.kind = 'composite'; x.composite = { op: 'unless', rules: ['A', 'B'], on: ['node'] }; x.keepFiringFor = '10m'; }),
    ];
    for (const d of drafts) {
      const back = modelToDraft(draftToModel(d), d.group, d.groupInterval);
      expect(draftToModel(back)).toEqual(draftToModel(d));
    }
  });
  it('takes the level from the severity label of an imported Prometheus rule', () => {
    const d = modelToDraft({ alert: 'X', expr: 'up == 0', for: '5m', labels: { severity: 'page', team: 'a' } }, 'g', '1m');
    expect(d.level).toBe('page');
    expect(d.labels).toEqual([{ name: 'team', value: 'a' }]);
    expect(d.threshold.mode).toBe('raw');
  });
});

describe('validation', () => {
  const codes = (d: RuleDraft, groups: string[] = []) => validateDraft(d, groups).map((p) => `${p.field}:${p.code}`);

  it('accepts a complete threshold rule', () => {
    expect(codes(draft((x) => { x.threshold = { ...x.threshold, selector: { metric: 'up', matchers: [] }, threshold: '1' }; }))).toEqual([]);
  });
  it('names each bad field', () => {
    const d = draft((x) => {
      x.name = ' ';
      x.forDuration = '5 minutes';
      x.labels = [{ name: '__x', value: '1' }];
      x.threshold = { ...x.threshold, selector: { metric: 'bad-metric', matchers: [{ name: '1x', op: '=', value: '' }] }, fn: 'rate', window: '0s', threshold: 'ninety' };
    });
    expect(codes(d)).toEqual(['name:required', 'forDuration:duration', 'labels.0:labelName', 'threshold.selector.metric:metricName',
      'threshold.selector.matchers.0:labelName', 'threshold.window:positiveDuration', 'threshold.threshold:number']);
  });
  it('checks the group interval only for a new group', () => {
    const d = draft((x) => { x.groupInterval = 'x'; x.threshold = { ...x.threshold, mode: 'raw', raw: 'up' }; });
    expect(codes(d)).toEqual(['groupInterval:positiveDuration']);
    expect(codes(d, ['node'])).toEqual([]);
  });
  it('trend, anomaly and composite limits', () => {
    expect(codes(draft((x) => { x.kind = 'trend'; x.trend = { ...x.trend, selector: { metric: 'd', matchers: [] }, horizon: '0s' }; }))).toEqual(['trend.horizon:positiveDuration']);
    expect(codes(draft((x) => { x.kind = 'anomaly'; x.anomaly = { ...x.anomaly, selector: { metric: 'r', matchers: [] }, sensitivity: 0, training: '100d', step: '1m', minSamples: '0' }; })))
      .toEqual(['anomaly.sensitivity:sensitivity', 'anomaly.step:trainingSteps', 'anomaly.minSamples:minSamples']);
    expect(codes(draft((x) => { x.kind = 'composite'; x.composite = { op: 'and', rules: ['HighCpu'], on: [] }; })))
      .toEqual(['composite.rules:twoRules', 'composite.rules:selfReference']);
  });
});

describe('group edits', () => {
  const g = { name: 'g', interval: '1m', builtin: true, rules: [{ alert: 'A', expr: 'a' }, { alert: 'B', expr: 'b' }] };
  it('replaces in place, appends, refuses a duplicate name', () => {
    expect(upsertRule(g, { alert: 'A2', expr: 'x' }, 'A').rules.map((r) => r.alert)).toEqual(['A2', 'B']);
    expect(upsertRule(g, { alert: 'C', expr: 'c' }, null).rules.map((r) => r.alert)).toEqual(['A', 'B', 'C']);
    expect(() => upsertRule(g, { alert: 'B', expr: 'x' }, 'A')).toThrow('already exists');
    expect(upsertRule(g, { alert: 'C', expr: 'c' }, null)).not.toHaveProperty('builtin');
  });
  it('removes a rule; the last one leaves nothing', () => {
    expect(removeRule(g, 'A')?.rules).toEqual([{ alert: 'B', expr: 'b' }]);
    expect(removeRule({ ...g, rules: [{ alert: 'A', expr: 'a' }] }, 'A')).toBeNull();
  });
});
