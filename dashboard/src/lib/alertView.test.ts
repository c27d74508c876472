import { describe, expect, it } from 'vitest';
import { parseDuration } from './alertRules';
import { alertsHref, parseRoute } from './route';
import {
  bandPoints, filterAlerts, historyQuery, pageOf, labelsKey, matchersFromLabels, mergeAlerts, paginate, seriesOfAlert,
  silenceBody, splitComparison, windowAround, type NotifierAlert, type PromGroup,
} from './alertView';

const groups: PromGroup[] = [{
  name: 'node', interval: 60, rules: [
    {
      name: 'Hot', query: 'temp > 50', type: 'alerting', kind: 'threshold', level: 'critical', labels: {}, health: 'ok', lastError: '', lastEvaluation: '',
      alerts: [
        { labels: { alertname: 'Hot', node: 'b', severity: 'critical' }, annotations: {}, state: 'firing', activeAt: '2026-11-30T10:00:00Z', value: '61' },
        { labels: { alertname: 'Hot', node: 'a', severity: 'critical' }, annotations: { summary: 'a is hot' }, state: 'pending', activeAt: '2026-11-30T09:00:00Z', value: '55' },
      ],
    },
    {
      name: 'Warm', query: 'temp > 40', type: 'alerting', kind: 'threshold', level: 'warning', labels: {}, health: 'ok', lastError: '', lastEvaluation: '',
      alerts: [{ labels: { alertname: 'Warm', instance: 'c:9100', severity: 'warning' }, annotations: {}, state: 'firing', activeAt: '2026-11-30T08:00:00Z', value: '45' }],
    },
  ],
}];

const notifier: NotifierAlert[] = [{
  labels: { severity: 'critical', node: 'b', alertname: 'Hot' }, annotations: {}, startsAt: '', endsAt: '', value: 61, fingerprint: '0123456789abcdef',
  status: { state: 'suppressed', silencedBy: ['s1'], inhibited: false, maintenance: '' }, receivers: ['default'],
  acknowledged: { by: 'admin', comment: 'on it', at: '2026-11-30T10:01:00Z' },
}];

describe('firing alerts', () => {
  const rows = mergeAlerts(groups, notifier);

  it('joins the notifier state by label set, whatever the label order', () => {
    expect(labelsKey({ b: '1', a: '2' })).toBe(labelsKey({ a: '2', b: '1' }));
    const hot = rows.find((r) => r.node === 'b')!;
    expect(hot.fingerprint).toBe('0123456789abcdef');
    expect(hot.acknowledged?.by).toBe('admin');
    expect(hot.silencedBy).toEqual(['s1']);
    expect(rows.find((r) => r.node === 'a')!.fingerprint).toBeNull();
  });

  it('orders firing first, then level, then age; node falls back to instance', () => {
    expect(rows.map((r) => `${r.rule}/${r.node}/${r.state}`)).toEqual(['Hot/b/firing', 'Warm/c:9100/firing', 'Hot/a/pending']);
  });

  it('filters by level, rule, node, state and text', () => {
    expect(filterAlerts(rows, { level: 'critical' })).toHaveLength(2);
    expect(filterAlerts(rows, { rule: 'Warm' }).map((r) => r.node)).toEqual(['c:9100']);
    expect(filterAlerts(rows, { node: 'a', state: 'pending' })).toHaveLength(1);
    expect(filterAlerts(rows, { text: 'IS HOT' }).map((r) => r.node)).toEqual(['a']);
    expect(filterAlerts(rows, { level: 'info' })).toEqual([]);
  });
});

describe('history helpers', () => {
  it('builds the query string without empty filters', () => {
    const q = new URLSearchParams(historyQuery({ rule: 'Hot', node: ' ', level: '', startMs: 1000, endMs: 2500, limit: 50_000 }));
    expect(Object.fromEntries(q)).toEqual({ rule: 'Hot', start: '1.000', end: '2.500', limit: '10000' });
    expect(new URLSearchParams(historyQuery({ startMs: 0, endMs: 1000, limit: 26, offset: 50 })).get('offset')).toBe('50');
  });
  it('offers a next page only when the extra row came', () => {
    expect(pageOf([1, 2, 3], 1, 2)).toEqual({ rows: [1, 2], total: 3 });
    expect(pageOf([5, 6], 3, 2)).toEqual({ rows: [5, 6], total: 6 });
    expect(pageOf([7], 4, 2)).toEqual({ rows: [7], total: 7 });
  });
  it('pages and clamps the page number', () => {
    const items = Array.from({ length: 45 }, (_, i) => i);
    expect(paginate(items, 2, 20)).toEqual({ items: items.slice(20, 40), pages: 3, page: 2 });
    expect(paginate(items, 9, 20).items).toEqual([40, 41, 42, 43, 44]);
    expect(paginate([], 1, 20)).toEqual({ items: [], pages: 1, page: 1 });
  });
  it('puts the chart window around the firing time, never past now', () => {
    expect(windowAround(10_000_000, 20_000_000, 600_000, 600_000)).toEqual({ start: 9_400_000, end: 10_600_000, step: 5 });
    expect(windowAround(10_000_000, 10_100_000, 600_000, 600_000).end).toBe(10_100_000);
  });
  it('splits a simple comparison and refuses the others', () => {
    expect(splitComparison('avg by (node) (rate(x{a=">"}[5m])) > 0.5')).toEqual({ lhs: 'avg by (node) (rate(x{a=">"}[5m]))', op: '>', threshold: 0.5 });
    expect(splitComparison('temp >= -3e2')).toEqual({ lhs: 'temp', op: '>=', threshold: -300 });
    expect(splitComparison('a and b > 5')).toBeNull();
    expect(splitComparison('a > bool 5')).toBeNull();
    expect(splitComparison('a > 1 < 5')).toBeNull();
    expect(splitComparison('up')).toBeNull();
  });
  it('picks the series of the alert', () => {
    const series = [{ metric: { __name__: 'temp', node: 'a' }, values: [] }, { metric: { __name__: 'temp', node: 'b' }, values: [] }];
    expect(seriesOfAlert(series, { alertname: 'Hot', node: 'b' })).toEqual([series[1]]);
    expect(seriesOfAlert(series, { alertname: 'Hot', node: 'z' })).toEqual(series);
  });
});

describe('silences', () => {
  it('prefills matchers from the alert labels, alertname first', () => {
    expect(matchersFromLabels({ node: 'b', alertname: 'Hot' }).map((m) => m.name)).toEqual(['alertname', 'node']);
  });
  it('computes the end from a duration and builds the body', () => {
    const r = silenceBody({ matchers: [{ name: 'node', value: 'b', isRegex: false, isEqual: true }], startsAt: Date.UTC(2026, 10, 30, 10), duration: '2h', endsAt: null, comment: ' reboot ' }, parseDuration);
    expect(r.problems).toEqual([]);
    expect(r.body).toEqual({ matchers: [{ name: 'node', value: 'b', isRegex: false, isEqual: true }], startsAt: '2026-11-30T10:00:00.000Z', endsAt: '2026-11-30T12:00:00.000Z', comment: 'reboot' });
  });
  it('names what is missing', () => {
    const r = silenceBody({ matchers: [{ name: 'node', value: '', isRegex: false, isEqual: true }], startsAt: 1000, duration: '', endsAt: 500, comment: '' }, parseDuration);
    expect(r.problems).toEqual(['matcherEmpty', 'endAfterStart', 'commentRequired']);
    expect(r.body).toBeUndefined();
    expect(silenceBody({ matchers: [], startsAt: 0, duration: 'soon', endsAt: null, comment: 'x' }, parseDuration).problems).toEqual(['matcherRequired', 'positiveDuration']);
  });
});

describe('anomaly band', () => {
  it('gives the lower edge and the width at common times, in ms', () => {
    const b = bandPoints({ metric: {}, median: [[10, '5'], [20, '6']], lower: [[10, '4'], [20, '5'], [30, '1']], upper: [[10, '7'], [20, '8']] });
    expect(b.lower).toEqual([[10_000, 4], [20_000, 5]]);
    expect(b.width).toEqual([[10_000, 3], [20_000, 3]]);
    expect(b.median).toEqual([[10_000, 5], [20_000, 6]]);
  });
});

describe('alerts routes', () => {
  it.each([
    ['#/alerts', 'firing'], ['#/alerts/', 'firing'], ['#/alerts/history', 'history'], ['#/alerts/rules', 'rules'],
    ['#/alerts/silences', 'silences'], ['#/alerts/receivers', 'receivers'], ['#/alerts/nope', 'firing'],
  ])('%s opens the %s tab', (hash, tab) => {
    expect(parseRoute(hash)).toEqual({ page: 'alerts', tab });
  });
  it('opens a rule\'s history from its generatorURL and from ?rule=', () => {
    expect(parseRoute('#/explore?expr=temp+%3E+50&rule=Disk+Full')).toEqual({ page: 'alerts', tab: 'history', rule: 'Disk Full' });
    expect(parseRoute('#/explore?expr=up')).toEqual({ page: 'alerts', tab: 'rules' });
    expect(parseRoute('#/alerts/history?rule=Hot')).toEqual({ page: 'alerts', tab: 'history', rule: 'Hot' });
  });
  it('leaves the other routes alone', () => {
    expect(parseRoute('#/nodes/a')).toEqual({ page: 'node', id: 'a', query: '' });
    expect(parseRoute('#/alertsx')).toEqual({ page: 'overview' });
    expect(alertsHref('rules')).toBe('#/alerts/rules');
  });
});
