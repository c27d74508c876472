import { useEffect, useRef, type CSSProperties, type HTMLAttributes } from 'react';
import * as echarts from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsCoreOption } from 'echarts/core';

// Only what the dashboard draws, so the bundle stays small.
echarts.use([LineChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, CanvasRenderer]);

export interface EChartProps extends Omit<HTMLAttributes<HTMLDivElement>, 'style'> {
  option: EChartsCoreOption;
  style?: CSSProperties;
  /** Replace the whole option on change (when the set of series changes), instead of merging. */
  notMerge?: boolean;
}

/** A thin React wrapper around an ECharts instance: sets the option on change and follows the container size. */
export function EChart({ option, style, notMerge = false, ...rest }: EChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const instance = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.current = instance;
    const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => instance.resize());
    ro?.observe(el);
    return () => {
      ro?.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    // Replace series data and labels but keep the instance (no re-animation on every live point).
    chart.current?.setOption(option, { notMerge, lazyUpdate: true });
  }, [option, notMerge]);

  return <div ref={ref} style={{ width: '100%', height: 260, ...style }} {...rest} />;
}
