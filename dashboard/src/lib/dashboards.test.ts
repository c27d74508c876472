import { describe, expect, it } from 'vitest';
import { parseRoute, dashboardHref } from './route';
import {
  builtinDashboards, escapeRegex, expandVariables, fromGrafana, newPanel, nextRow, parseLabelValues, readImport,
  variablesFromQuery, variablesToQuery, type Variable,
} from './dashboards';
import { completions } from '../pages/dashboards/PanelEditor';
import { thresholdColor } from '../pages/dashboards/PanelView';

const B = { interval: '5m', range: '1h' };

describe('expandVariables', () => {
  it('puts a single value in escaped for a PromQL string', () => {
    expect(expandVariables('up{node="$node"}', { node: ['we"b'] }, B)).toBe('up{node="we\\"b"}');
    expect(expandVariables('up{node="${node}x"}', { node: ['a'] }, B)).toBe('up{node="ax"}');
  });

  it('joins several values as an escaped alternation for =~', () => {
    expect(expandVariables('up{node=~"$node"}', { node: ['a.b', 'c'] }, B)).toBe('up{node=~"a\\\\.b|c"}');
  });

  it('fills the range built-ins and leaves unknown names as written', () => {
    expect(expandVariables('rate(x[$__rate_interval]) + rate(x[$__interval]) + increase(x[$__range])', {}, B))
      .toBe('rate(x[5m]) + rate(x[5m]) + increase(x[1h])');
    expect(expandVariables('up{a="$missing"}', {}, B)).toBe('up{a="$missing"}');
  });

  it('escapes every RE2 metacharacter', () => {
    expect(escapeRegex('a.b*c+(d)|[e]{f}^$?\\')).toBe('a\\.b\\*c\\+\\(d\\)\\|\\[e\\]\\{f\\}\\^\\$\\?\\\\');
  });
});

describe('variables in the URL', () => {
  const vars: Variable[] = [{ name: 'node', query: 'label_values(up, node)', multi: true }, { name: 'job', query: 'label_values(job)', multi: false }];

  it('round-trips values next to the time range', () => {
    const q = variablesToQuery('from=now-7d&to=now', { node: ['a', 'b'], job: ['x'] });
    expect(q).toBe('from=now-7d&to=now&var-node=a&var-node=b&var-job=x');
    expect(variablesFromQuery(q, vars)).toEqual({ node: ['a', 'b'], job: ['x'] });
    expect(parseRoute(dashboardHref('id-1', q))).toEqual({ page: 'dashboard', id: 'id-1', query: q });
  });

  it('keeps one value for a single-value variable and ignores unknown ones', () => {
    expect(variablesFromQuery('var-job=a&var-job=b&var-other=z', vars)).toEqual({ job: ['a'] });
  });

  it('parses label_values with and without a selector', () => {
    expect(parseLabelValues('label_values(node_uname_info{group="a"}, node)')).toEqual({ match: 'node_uname_info{group="a"}', label: 'node' });
    expect(parseLabelValues('label_values(job)')).toEqual({ match: null, label: 'job' });
    expect(parseLabelValues('query_result(up)')).toBeNull();
  });
});

describe('layout', () => {
  it('places a new panel under the lowest one', () => {
    const panels = builtinDashboards()[0].panels;
    expect(nextRow(panels)).toBe(16);
    const p = newPanel(panels);
    expect(p.gridPos).toEqual({ x: 0, y: 16, w: 12, h: 8 });
    expect(panels.map((x) => x.id)).not.toContain(p.id);
  });
});

describe('import', () => {
  it('reads a SysLens export back', () => {
    const doc = builtinDashboards()[0];
    const r = readImport(JSON.stringify({ syslensDashboard: 1, dashboard: doc }));
    expect(r).toEqual({ doc, skipped: [] });
  });

  it('refuses malformed, unknown-version and too large files with the field named', () => {
    expect(readImport('{"title": ')).toMatchObject({ error: expect.stringContaining('malformed JSON') });
    expect(readImport('{"title": "x", "schemaVersion": 2, "panels": []}')).toEqual({ error: 'schemaVersion: 2 (expected: 1)' });
    expect(readImport(JSON.stringify({ title: 'x', pad: 'x'.repeat(300_000) }))).toMatchObject({ error: expect.stringMatching(/^body: \d+ bytes \(expected: at most 262144\)$/) });
    expect(readImport('[1]')).toMatchObject({ error: expect.stringContaining('not a JSON object') });
  });

  it('maps a Grafana dashboard, listing what it skipped', () => {
    const grafana = {
      title: 'Node Exporter', schemaVersion: 39,
      templating: { list: [
        { name: 'node', type: 'query', label: 'Host', query: { query: 'label_values(node_uname_info, node)' }, multi: true },
        { name: 'ds', type: 'datasource' },
        { name: 'custom1', type: 'custom' },
      ] },
      panels: [
        { type: 'row', title: 'CPU', panels: [{ type: 'timeseries', title: 'CPU busy', targets: [{ expr: 'rate(x[5m])' }], gridPos: { x: 0, y: 1, w: 12, h: 7 }, fieldConfig: { defaults: { unit: 'percent', thresholds: { steps: [{ value: null }, { value: 80 }] } } } }] },
        { type: 'gauge', title: 'RAM', targets: [{ expr: 'mem' }], gridPos: { x: 20, y: 0, w: 8, h: 4 } },
        { type: 'text', title: 'Notes' },
        { type: 'stat', title: 'Logs', targets: [{ refId: 'A', query: 'loki' }] },
      ],
    };
    const { doc, skipped } = fromGrafana(grafana);
    expect(doc.title).toBe('Node Exporter');
    expect(doc.panels.map((p) => [p.type, p.title, p.queries])).toEqual([['timeseries', 'CPU busy', ['rate(x[5m])']], ['gauge', 'RAM', ['mem']]]);
    expect(doc.panels[0]).toMatchObject({ unit: 'percent', thresholds: [80], gridPos: { x: 0, y: 1, w: 12, h: 7 } });
    expect(doc.panels[1].gridPos).toEqual({ x: 16, y: 0, w: 8, h: 4 }); // x + w kept within 24 columns
    expect(doc.variables).toEqual([{ name: 'node', label: 'Host', query: 'label_values(node_uname_info, node)', multi: true }]);
    expect(skipped).toEqual(['Notes: panel type text', 'Logs: no PromQL target', '$custom1: variable type custom']);
    expect(readImport(JSON.stringify(grafana))).toMatchObject({ skipped });
  });
});

describe('panel helpers', () => {
  it('colours a value by ascending thresholds', () => {
    expect(thresholdColor(10, [80, 95])).toBe('#52c41a');
    expect(thresholdColor(85, [95, 80])).toBe('#faad14');
    expect(thresholdColor(99, [80, 95])).toBe('#f5222d');
  });

  it('completes metric names, functions and variables for the word being typed', () => {
    expect(completions('sum(rat', ['node_load1'], [])).toEqual(['rate']);
    expect(completions('node_lo', ['node_load1', 'node_load5', 'up'], [])).toEqual(['node_load1', 'node_load5']);
    expect(completions('up{node="$no', [], [{ name: 'node', query: 'label_values(node)', multi: false }])).toEqual(['$node']);
    expect(completions('x', ['xy'], [])).toEqual([]);
  });
});
