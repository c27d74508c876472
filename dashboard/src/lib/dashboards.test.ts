import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRoute, dashboardHref } from './route';
import {
  builtinDashboards, escapeRegex, expandVariables, fromGrafana, LIMITS, newPanel, nextRow, PANEL_TYPES, parseLabelValues,
  problemOf, readImport, UNITS, variablesFromQuery, variablesToQuery, type Variable,
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

/** Whether brackets, braces and parentheses pair up outside string literals (a cheap PromQL shape check). */
function balanced(q: string): boolean {
  const open: string[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  for (let i = 0; i < q.length; i++) {
    const ch = q[i];
    if (ch === '"') {
      for (i++; i < q.length && q[i] !== '"'; i++) if (q[i] === '\\') i++;
      if (i >= q.length) return false;
    } else if ('([{'.includes(ch)) open.push(ch);
    else if (ch in pairs && open.pop() !== pairs[ch]) return false;
  }
  return open.length === 0;
}

describe('built-in dashboards', () => {
  const builtins = builtinDashboards();
  // vitest runs in dashboard/: the collector's sources and docs are next to it
  const read = (path: string) => readFileSync(resolve(process.cwd(), '..', path), 'utf8');
  const vsphereDoc = read('docs/vsphere.md');
  const catalog = read('vsphere/src/main/java/syslens/vsphere/perf/MetricCatalog.java');
  const collector = read('vsphere/src/main/java/syslens/vsphere/VCenterCollector.java');

  it('offers the host overview, a VMware cluster and SysLens health, in that order', () => {
    expect(builtins.map((d) => d.title)).toEqual(['Host overview', 'VMware cluster', 'SysLens health']);
  });

  it.each(builtins.map((d) => [d.title, d] as const))('%s: is a valid document within the limits', (_, d) => {
    const text = JSON.stringify(d);
    expect(problemOf(JSON.parse(text), text.length)).toBeNull();
    expect(d.panels.length).toBeLessThanOrEqual(LIMITS.panels);
    expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
    for (const p of d.panels) {
      expect(PANEL_TYPES, p.id).toContain(p.type);
      expect(UNITS, p.id).toContain(p.unit);
      expect(p.gridPos.x + p.gridPos.w, p.id).toBeLessThanOrEqual(24);
      expect(p.queries.length, p.id).toBeGreaterThan(0);
      for (const q of p.queries) expect(q.length, p.id).toBeLessThanOrEqual(LIMITS.query);
    }
  });

  it.each(builtins.map((d) => [d.title, d] as const))('%s: every variable used is declared, and expanded queries are well formed', (_, d) => {
    const declared = new Set(d.variables.map((v) => v.name));
    for (const v of d.variables) expect(parseLabelValues(v.query), v.name).not.toBeNull();
    const values = Object.fromEntries(d.variables.map((v) => [v.name, ['a.b', 'c']]));
    for (const p of d.panels) {
      for (const q of p.queries) {
        for (const [, braced, bare] of q.matchAll(/\$(?:\{(\w+)\}|(\w+))/g)) {
          const name = braced ?? bare;
          if (!name.startsWith('__')) expect(declared, `${p.id}: $${name}`).toContain(name);
        }
        const expanded = expandVariables(q, values, B);
        expect(expanded, p.id).not.toContain('$');
        expect(balanced(expanded), `${p.id}: ${expanded}`).toBe(true);
      }
    }
  });

  it('VMware cluster: uses only metric names the vSphere collector writes, as docs/vsphere.md lists them', () => {
    const cluster = builtins.find((d) => d.title === 'VMware cluster')!;
    const text = JSON.stringify(cluster);
    const names = new Set([...text.matchAll(/vsphere_[a-z_]+/g)].map((m) => m[0]));
    expect(names.size).toBeGreaterThan(5);
    for (const n of names) {
      const [, kind, suffix] = /^vsphere_(vm|host|cluster|datastore)_(\w+)$/.exec(n) ?? [];
      expect(kind, n).toBeDefined();
      // MetricCatalog: new Def("<counter>", "<suffix>", ..., <vm>, <host>) or Kind.CLUSTER; the collector writes datastore space itself
      const def = new RegExp(`new Def\\("[\\w.]+", "${suffix}", Scale\\.\\w+, (?:(true|false), (true|false)\\)|Kind\\.(\\w+)\\))`, 'g');
      const kinds = [...catalog.matchAll(def)].flatMap(([, vm, host, only]) => (only ? [only.toLowerCase()] : [...(vm === 'true' ? ['vm'] : []), ...(host === 'true' ? ['host'] : [])]));
      expect(kinds.includes(kind) || collector.includes(`"${n}"`), `${n} written by the collector`).toBe(true);
      // the docs give realtime VM and host names by suffix (`_cpu_usage_ratio`), the others whole
      expect(vsphereDoc.includes(n) || ((kind === 'vm' || kind === 'host') && vsphereDoc.includes(`\`_${suffix}\``)), `${n} in docs/vsphere.md`).toBe(true);
    }
    expect(cluster.variables).toEqual([{ name: 'cluster', label: 'Cluster', query: 'label_values(vsphere_host_cpu_usage_ratio, cluster)', multi: true }]);
    // every panel but the datastore gauge (datastores carry no cluster label) follows the variable
    for (const p of cluster.panels) expect(p.queries.join(' ').includes('cluster=~"$cluster"'), p.id).toBe(p.id !== 'datastore');
    expect(cluster.panels.map((p) => p.type)).toEqual(expect.arrayContaining(['stat', 'gauge', 'timeseries', 'area', 'table']));
  });
});
