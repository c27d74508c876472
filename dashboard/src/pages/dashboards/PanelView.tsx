import { useEffect, useMemo, useState } from 'react';
import { Alert, Empty, Spin, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import * as echarts from 'echarts/core';
import { BarChart, GaugeChart, HeatmapChart, PieChart } from 'echarts/charts';
import { VisualMapComponent } from 'echarts/components';
import type { EChartsCoreOption } from 'echarts/core';
import { queryRange } from '../../api/client';
import { queryInstant, type VectorSample } from '../../api/dashboards';
import { EChart } from '../../components/EChart';
import { expandVariables, MAX_PANEL_SERIES, type Panel } from '../../lib/dashboards';
import { formatDuration, formatUnit, seriesName } from '../../lib/format';
import { matrixToNamed, type MatrixSeries } from '../../lib/series';
import { rateWindow } from '../../lib/timeRange';
import { lineChartOption } from '../chartOptions';
import { loadProblem, type Window } from '../nodeHistory';

// The panel kinds beyond lines: registered only in this chunk (custom dashboards).
echarts.use([BarChart, GaugeChart, HeatmapChart, PieChart, VisualMapComponent]);

const RANGE_TYPES = new Set(['timeseries', 'area', 'bar', 'heatmap']);
const THRESHOLD_COLORS = ['#52c41a', '#faad14', '#f5222d', '#a8071a'];

interface Loaded {
  matrix?: MatrixSeries[];
  vector?: VectorSample[];
  total: number;
}

/** The colour of a value against ascending thresholds: green under the first, then amber, red. */
export function thresholdColor(value: number, thresholds: number[]): string {
  const sorted = [...thresholds].sort((a, b) => a - b);
  let i = 0;
  while (i < sorted.length && value >= sorted[i]) i++;
  return THRESHOLD_COLORS[Math.min(i, THRESHOLD_COLORS.length - 1)];
}

function usePanelData(panel: Panel, vars: Record<string, string[]>, win: Window, reload: number) {
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const exprs = useMemo(() => {
    const builtins = { interval: rateWindow(win.step), range: formatDuration(Math.max(60, Math.round((win.end - win.start) / 1000))) };
    return panel.queries.filter((q) => q.trim() !== '').map((q) => expandVariables(q, vars, builtins));
  }, [panel.queries, vars, win.start, win.end, win.step]);
  const ranged = RANGE_TYPES.has(panel.type);
  const key = exprs.join('\n');
  useEffect(() => {
    setError(null);
    if (exprs.length === 0) {
      setData({ total: 0 });
      return;
    }
    const abort = new AbortController();
    const load = ranged
      ? Promise.all(exprs.map((q) => queryRange(q, win.start, win.end, win.step, abort.signal))).then((rs) => {
        const all = rs.flat();
        return { matrix: all.slice(0, MAX_PANEL_SERIES), total: all.length };
      })
      : Promise.all(exprs.map((q) => queryInstant(q, win.end, abort.signal))).then((rs) => {
        const all = rs.flat();
        return { vector: all.slice(0, MAX_PANEL_SERIES), total: all.length };
      });
    load.then(setData, (e: unknown) => {
      const p = loadProblem(e);
      if (p) {
        setData(null);
        setError(p);
      }
    });
    return () => abort.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- key stands for exprs
  }, [key, ranged, win.start, win.end, win.step, reload]);
  return { data, error };
}

function chartOption(panel: Panel, data: Loaded, win: Window, fmt: (v: number) => string): EChartsCoreOption | null {
  if (data.matrix) {
    const named = matrixToNamed(data.matrix, seriesName, MAX_PANEL_SERIES);
    if (panel.type === 'heatmap') {
      const times = Array.from(new Set(named.flatMap((s) => s.points.map((p) => p[0])))).sort((a, b) => a - b);
      const index = new Map(times.map((t, i) => [t, i]));
      const cells: [number, number, number][] = [];
      let max = 0;
      named.forEach((s, y) => s.points.forEach(([t, v]) => {
        if (v != null) {
          cells.push([index.get(t)!, y, v]);
          max = Math.max(max, v);
        }
      }));
      return {
        animation: false,
        tooltip: { valueFormatter: (v: unknown) => (typeof v === 'number' ? fmt(v) : '–') },
        grid: { left: 8, right: 16, top: 8, bottom: 40, containLabel: true },
        xAxis: { type: 'category', data: times.map((t) => new Date(t).toLocaleTimeString()), axisLabel: { color: '#8c8c8c' } },
        yAxis: { type: 'category', data: named.map((s) => s.name), axisLabel: { color: '#8c8c8c', width: 120, overflow: 'truncate' } },
        visualMap: { min: 0, max: max || 1, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 80, textStyle: { color: '#8c8c8c' } },
        series: [{ type: 'heatmap', data: cells }],
      };
    }
    const option = lineChartOption(named, win.start, win.end, fmt) as { series: Record<string, unknown>[]; legend?: unknown };
    if (!panel.legend) option.legend = undefined;
    option.series = option.series.map((s, i) => ({
      ...s,
      type: panel.type === 'bar' ? 'bar' : 'line',
      areaStyle: panel.type === 'area' ? { opacity: 0.25 } : s.areaStyle,
      stack: panel.type === 'area' ? 'total' : undefined,
      markLine: i === 0 && panel.thresholds.length ? { silent: true, symbol: 'none', data: panel.thresholds.map((y) => ({ yAxis: y, lineStyle: { color: thresholdColor(y + 1e-9, panel.thresholds), type: 'dashed' } })) } : undefined,
    }));
    return option;
  }
  const vector = data.vector ?? [];
  if (panel.type === 'gauge') {
    const v = Number(vector[0]?.value[1]);
    const max = panel.unit === 'percent' ? 100 : panel.unit === 'ratio' ? 1 : Math.max(...panel.thresholds.map((x) => x * 1.25), Math.abs(v) * 1.5, 1);
    const sorted = [...panel.thresholds].sort((a, b) => a - b).filter((x) => x > 0 && x < max);
    const stops = [...sorted.map((x, i) => [x / max, THRESHOLD_COLORS[i]]), [1, THRESHOLD_COLORS[Math.min(sorted.length, 3)]]];
    return {
      animation: false,
      series: [{
        type: 'gauge', min: 0, max, radius: '90%',
        axisLine: { lineStyle: { width: 12, color: stops } },
        axisLabel: { color: '#8c8c8c', formatter: (x: number) => fmt(x) },
        detail: { formatter: () => fmt(v), fontSize: 18, color: 'inherit', offsetCenter: [0, '70%'] },
        data: [{ value: Number.isFinite(v) ? v : 0 }],
      }],
    };
  }
  if (panel.type === 'pie') {
    return {
      animation: false,
      tooltip: { trigger: 'item', valueFormatter: (x: unknown) => (typeof x === 'number' ? fmt(x) : '–') },
      legend: panel.legend ? { type: 'scroll', bottom: 0, textStyle: { color: '#8c8c8c' } } : undefined,
      series: [{ type: 'pie', radius: ['35%', '65%'], data: vector.map((s) => ({ name: seriesName(s.metric), value: Number(s.value[1]) })) }],
    };
  }
  return null;
}

/** One panel: its queries with the variables expanded, drawn by type; an error or too many series is shown in the panel only. */
export function PanelView({ panel, vars, win, reload, height }: { panel: Panel; vars: Record<string, string[]>; win: Window; reload: number; height: number }) {
  const { t, i18n } = useTranslation();
  const { data, error } = usePanelData(panel, vars, win, reload);
  const fmt = useMemo(() => (v: number) => formatUnit(panel.unit, v, i18n.language), [panel.unit, i18n.language]);
  const option = useMemo(() => (data ? chartOption(panel, data, win, fmt) : null), [data, panel, win, fmt]);

  let body: React.ReactNode;
  if (error) {
    body = <Alert type="error" showIcon title={t('dash.panel.error')} description={error === 'network' ? t('errors.network') : error} data-testid="panel-error" />;
  } else if (!data) {
    body = <Spin style={{ display: 'block', margin: '24px auto' }} />;
  } else if (data.total === 0) {
    body = <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('dash.panel.noData')} />;
  } else if (panel.type === 'stat') {
    const v = Number(data.vector?.[0]?.value[1]);
    body = (
      <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'center', height: height - 8 }}>
        <span data-testid="panel-stat" style={{ fontSize: 40, fontWeight: 600, color: Number.isFinite(v) && panel.thresholds.length ? thresholdColor(v, panel.thresholds) : undefined }}>{fmt(v)}</span>
      </div>
    );
  } else if (panel.type === 'table') {
    const rows = (data.vector ?? []).map((s, i) => ({ key: i, name: seriesName(s.metric), value: Number(s.value[1]) }));
    body = (
      <Table size="small" pagination={rows.length > 20 ? { pageSize: 20 } : false} dataSource={rows} scroll={{ y: height - 60 }}
        columns={[{ title: t('dash.panel.series'), dataIndex: 'name', ellipsis: true }, { title: t('dash.panel.value'), dataIndex: 'value', width: 140, align: 'right', sorter: (a, b) => a.value - b.value, render: (v: number) => fmt(v) }]} />
    );
  } else if (option) {
    body = <EChart option={option} notMerge style={{ height }} />;
  }
  return (
    <div data-testid={`panel-body-${panel.id}`} data-series={data?.total ?? 0} data-state={error ? 'error' : data ? 'loaded' : 'loading'}>
      {data && data.total > MAX_PANEL_SERIES && (
        <Typography.Text type="warning" data-testid="panel-truncated">{t('dash.panel.truncated', { shown: MAX_PANEL_SERIES, total: data.total })}</Typography.Text>
      )}
      {body}
    </div>
  );
}
