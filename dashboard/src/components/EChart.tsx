import { useEffect, useRef, type CSSProperties, type HTMLAttributes } from 'react';
import * as echarts from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { BrushComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsCoreOption } from 'echarts/core';

// Only what the dashboard draws, so the bundle stays small.
echarts.use([LineChart, BrushComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, CanvasRenderer]);

export interface EChartProps extends Omit<HTMLAttributes<HTMLDivElement>, 'style'> {
  option: EChartsCoreOption;
  style?: CSSProperties;
  /** Replace the whole option on change (when the set of series changes), instead of merging. */
  notMerge?: boolean;
  /** Zoom by selection: a drag across the x axis calls this with the selected [from, to] (axis units, ms for time). */
  onBrush?: (from: number, to: number) => void;
}

/** A thin React wrapper around an ECharts instance: sets the option on change and follows the container size. */
export function EChart({ option, style, notMerge = false, onBrush, ...rest }: EChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const brush = useRef(onBrush);
  brush.current = onBrush;
  const brushable = onBrush !== undefined;

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
    const c = chart.current;
    if (!c) return;
    c.setOption(brushable ? { ...option, brush: { xAxisIndex: 0, brushType: 'lineX', brushMode: 'single', transformable: false, throttleType: 'debounce', throttleDelay: 100 } } : option, { notMerge, lazyUpdate: true });
    // A drag selects a span of the x axis; the cursor stays in brush mode (tooltips still show).
    if (brushable) c.dispatchAction({ type: 'takeGlobalCursor', key: 'brush', brushOption: { brushType: 'lineX', brushMode: 'single' } });
  }, [option, notMerge, brushable]);

  useEffect(() => {
    const c = chart.current;
    if (!c || !brushable) return;
    const onEnd = (e: unknown) => {
      const area = (e as { areas?: { coordRange?: number[] }[] }).areas?.[0];
      const r = area?.coordRange;
      c.dispatchAction({ type: 'brush', areas: [] });
      if (r && r.length === 2 && Number.isFinite(r[0]) && Number.isFinite(r[1]) && r[0] !== r[1]) brush.current?.(r[0], r[1]);
    };
    c.on('brushEnd', onEnd);
    return () => {
      c.off('brushEnd', onEnd);
    };
  }, [brushable]);

  return <div ref={ref} style={{ width: '100%', height: 260, ...style }} {...rest} />;
}
