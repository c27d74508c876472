import { useEffect, useMemo, useState } from 'react';
import { Alert, Empty, Select, Space, Spin, Typography } from 'antd';
import type { EChartsCoreOption } from 'echarts/core';
import { useTranslation } from 'react-i18next';
import { queryRange } from '../../api/client';
import { fetchBaseline } from '../../api/alerts';
import { EChart } from '../../components/EChart';
import { bandPoints, seriesName, seriesOfAlert, splitComparison, type BandSeries } from '../../lib/alertView';
import type { MatrixSeries } from '../../lib/series';
import { errorText } from './common';

const COLORS = ['#1677ff', '#fa8c16', '#722ed1', '#13c2c2', '#eb2f96', '#52c41a'];
const MAX_SERIES = 6;

function baseOption(startMs: number, endMs: number): EChartsCoreOption {
  return {
    animation: false,
    grid: { left: 8, right: 32, top: 48, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis' },
    legend: { top: 0, left: 0, type: 'scroll' },
    xAxis: { type: 'time', min: startMs, max: endMs, axisLabel: { hideOverlap: true, color: '#8c8c8c' }, splitLine: { show: false } },
    yAxis: { type: 'value', scale: true, axisLabel: { color: '#8c8c8c' }, splitLine: { lineStyle: { color: '#f0f0f0' } } },
  };
}

const toPoints = (s: MatrixSeries) => s.values.map(([t, v]) => [t * 1000, Number(v)] as [number, number]);

/**
 * The chart of a rule's expression over [start, end] with a vertical marker at `markAt` (when it
 * fired). A simple `lhs op number` is drawn as its left side with the threshold as a dashed line,
 * so the values before the crossing are visible too.
 */
export function ExpressionChart({ expr, labels, startMs, endMs, stepSeconds, markAt, markLabel, testId }: {
  expr: string; labels: Record<string, string>; startMs: number; endMs: number; stepSeconds: number; markAt: number; markLabel: string; testId?: string;
}) {
  const { t } = useTranslation();
  const split = useMemo(() => splitComparison(expr), [expr]);
  const query = split?.lhs ?? expr;
  const [series, setSeries] = useState<MatrixSeries[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const abort = new AbortController();
    setSeries(null);
    setError(null);
    queryRange(query, startMs, endMs, stepSeconds, abort.signal)
      .then((r) => setSeries(seriesOfAlert(r, labels).slice(0, MAX_SERIES)))
      .catch((e: unknown) => { if ((e as Error).name !== 'AbortError') setError(e); });
    return () => abort.abort();
  }, [query, startMs, endMs, stepSeconds, labels]);

  const option = useMemo(() => {
    const o = baseOption(startMs, endMs) as Record<string, unknown>;
    const marks: object[] = [{ xAxis: markAt, label: { formatter: markLabel, position: 'end', color: '#cf1322' }, lineStyle: { color: '#cf1322', width: 2, type: 'solid' } }];
    if (split) marks.push({ yAxis: split.threshold, label: { formatter: `${split.op} ${split.threshold}`, position: 'insideEndBottom' }, lineStyle: { color: '#faad14', type: 'dashed' } });
    o.series = (series ?? []).map((s, i) => ({
      name: seriesName(s.metric), type: 'line', showSymbol: false, lineStyle: { width: 1.6 }, itemStyle: { color: COLORS[i % COLORS.length] },
      data: toPoints(s),
      markLine: i === 0 ? { symbol: 'none', silent: true, data: marks } : undefined,
    }));
    return o as EChartsCoreOption;
  }, [series, split, startMs, endMs, markAt, markLabel]);

  if (error) return <Alert type="error" showIcon title={t('alerts.chart.error', { error: errorText(t, error) })} />;
  return (
    <div data-testid={testId} data-series={series?.length ?? -1}>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}><code>{query}</code></Typography.Text>
      {series == null ? <Spin style={{ display: 'block', margin: '40px auto' }} />
        : series.length === 0 ? <Empty description={t('alerts.chart.noData')} />
          : <EChart option={option} notMerge style={{ height: 280 }} />}
    </div>
  );
}

/** The learned baseline of an anomaly rule (median and band) around the actual series. */
export function BaselineChart({ rule, expr, startMs, endMs, stepSeconds }: { rule: string; expr: string; startMs: number; endMs: number; stepSeconds: number }) {
  const { t } = useTranslation();
  const [data, setData] = useState<{ band: BandSeries[]; actual: MatrixSeries[] } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [pick, setPick] = useState(0);

  useEffect(() => {
    const abort = new AbortController();
    setData(null);
    setError(null);
    setPick(0);
    Promise.all([fetchBaseline(rule, '{}', startMs, endMs, stepSeconds, abort.signal), queryRange(expr, startMs, endMs, stepSeconds, abort.signal)])
      .then(([band, actual]) => setData({ band, actual }))
      .catch((e: unknown) => { if ((e as Error).name !== 'AbortError') setError(e); });
    return () => abort.abort();
  }, [rule, expr, startMs, endMs, stepSeconds]);

  const option = useMemo(() => {
    const o = baseOption(startMs, endMs) as Record<string, unknown>;
    const band = data?.band[pick];
    const out: object[] = [];
    if (band) {
      const b = bandPoints(band);
      out.push({ name: t('alerts.chart.lower'), type: 'line', stack: 'band', data: b.lower, showSymbol: false, lineStyle: { opacity: 0 }, itemStyle: { color: '#91caff' }, tooltip: { show: false } });
      out.push({ name: t('alerts.chart.band'), type: 'line', stack: 'band', data: b.width, showSymbol: false, lineStyle: { opacity: 0 }, areaStyle: { color: 'rgba(22,119,255,0.18)' }, itemStyle: { color: '#91caff' }, tooltip: { show: false } });
      out.push({ name: t('alerts.chart.median'), type: 'line', data: b.median, showSymbol: false, lineStyle: { type: 'dashed', width: 1.2 }, itemStyle: { color: '#1677ff' } });
    }
    const mine = band ? data!.actual.filter((s) => Object.entries(band.metric).every(([k, v]) => s.metric[k] === v)) : [];
    const actual = (mine.length > 0 ? mine : data?.actual ?? []).slice(0, 1);
    for (const s of actual) out.push({ name: t('alerts.chart.actual'), type: 'line', data: toPoints(s), showSymbol: false, lineStyle: { width: 1.8 }, itemStyle: { color: '#fa541c' } });
    o.series = out;
    return o as EChartsCoreOption;
  }, [data, pick, startMs, endMs, t]);

  if (error) return <Alert type="error" showIcon title={t('alerts.chart.error', { error: errorText(t, error) })} />;
  if (data == null) return <Spin style={{ display: 'block', margin: '40px auto' }} />;
  return (
    <div data-testid="baseline-chart" data-bands={data.band.length}>
      {data.band.length === 0 && <Alert type="info" showIcon title={t('alerts.chart.noBaseline')} style={{ marginBottom: 8 }} />}
      {data.band.length > 1 && (
        <Space style={{ marginBottom: 8 }}>
          <Typography.Text type="secondary">{t('alerts.chart.seriesPick', { count: data.band.length })}</Typography.Text>
          <Select value={pick} onChange={setPick} style={{ minWidth: 280 }} showSearch optionFilterProp="label"
            options={data.band.map((b, i) => ({ value: i, label: seriesName(b.metric) }))} />
        </Space>
      )}
      <EChart option={option} notMerge style={{ height: 300 }} />
    </div>
  );
}
