import type { EChartsCoreOption } from 'echarts/core';
import type { Point } from '../lib/series';

export interface LineSeries {
  name: string;
  points: Point[];
  color?: string;
  /** A comparison period's series: drawn dashed, without area. */
  dashed?: boolean;
}

/** A time-axis line chart over [startMs, endMs] with the y axis labelled by `format`. */
export function lineChartOption(series: LineSeries[], startMs: number, endMs: number, format: (v: number) => string, yMax?: number): EChartsCoreOption {
  return {
    animation: false,
    grid: { left: 8, right: 16, top: series.length > 1 ? 32 : 16, bottom: 8, containLabel: true },
    legend: series.length > 1 ? { top: 0, right: 8, type: 'scroll', itemWidth: 14, itemHeight: 8, textStyle: { color: '#8c8c8c' }, data: series.map((s) => s.name) } : undefined,
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: unknown) => (typeof v === 'number' ? format(v) : '–'),
    },
    xAxis: {
      type: 'time',
      min: startMs,
      max: endMs,
      axisLabel: { hideOverlap: true, color: '#8c8c8c' },
      axisLine: { lineStyle: { color: 'rgba(128,128,128,0.45)' } },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      min: 0,
      max: yMax,
      axisLabel: { formatter: (v: number) => format(v), color: '#8c8c8c' },
      splitLine: { lineStyle: { color: 'rgba(128,128,128,0.18)' } },
    },
    series: series.map((s) => ({
      name: s.name,
      type: 'line',
      showSymbol: s.points.length < 30,
      symbolSize: 4,
      connectNulls: false,
      smooth: false,
      lineStyle: { width: s.dashed ? 1.2 : 1.6, type: s.dashed ? 'dashed' : 'solid' },
      itemStyle: s.color ? { color: s.color } : undefined,
      areaStyle: series.length === 1 && !s.dashed ? { opacity: 0.08 } : undefined,
      data: s.points,
    })),
  };
}
