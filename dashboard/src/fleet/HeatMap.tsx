import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { cellAt, heatLayout, type FleetNode, type Pressure } from '../lib/fleet';
import { colorIndex, heatOrder, HeatPixels } from '../lib/heatmap';
import { formatBytesPerSec, formatPercent } from '../lib/format';
import { navigate, nodeHref } from '../lib/route';

/**
 * Every node as one square on ONE canvas, coloured by the chosen pressure: no DOM element per
 * node. The cells live in a pixel buffer (lib/heatmap.ts) that repaints only the cells whose
 * colour changed and goes to the canvas in one putImageData. Hover shows a tooltip, a click opens
 * the node. After each draw the canvas carries `data-drawn` (cells), `data-draw-ms` and, when
 * `since` (the start of the poll that brought the data) is given, `data-update-ms`: request,
 * parse, render and draw of a live update (read by `syslens bench ui`).
 */
export function HeatMap({ nodes, pressure, since }: { nodes: FleetNode[]; pressure: Pressure; since?: number | null }) {
  const { t } = useTranslation();
  const wrap = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);
  const [hover, setHover] = useState<{ i: number; x: number; y: number } | null>(null);
  const ordered = useMemo(() => heatOrder(nodes, pressure), [nodes, pressure]);
  const layout = useMemo(() => heatLayout(ordered.length, width), [ordered.length, width]);
  const pixels = useRef<HeatPixels | null>(null);

  useLayoutEffect(() => {
    const el = wrap.current;
    if (!el) return;
    setWidth(el.clientWidth);
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const c = canvas.current;
    if (!c || layout.cols === 0) return;
    const started = performance.now();
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(layout.width * dpr);
    const h = Math.round(layout.height * dpr);
    if (c.width !== w || c.height !== h) {
      c.width = w; // clears the canvas: every cell is painted again
      c.height = h;
      c.style.width = `${layout.width}px`;
      c.style.height = `${layout.height}px`;
      pixels.current = null;
    }
    const ctx = c.getContext('2d');
    if (!ctx || typeof ImageData === 'undefined') return;
    const count = ordered.length;
    const colors = new Uint16Array(count);
    const stale = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const n = ordered[i];
      colors[i] = colorIndex(n, pressure);
      stale[i] = n.status === 'stale' ? 1 : 0;
    }
    let px = pixels.current;
    if (!px || !px.fits(layout, dpr, count) || px.width !== w || px.height !== h) {
      px = new HeatPixels(layout, dpr, count);
      pixels.current = px;
    }
    if (px.paint(colors, stale) > 0 || c.dataset.drawn !== String(count)) {
      ctx.putImageData(new ImageData(new Uint8ClampedArray(px.pixels.buffer), px.width, px.height), 0, 0);
    }
    c.dataset.drawn = String(ordered.length);
    c.dataset.drawMs = (performance.now() - started).toFixed(1);
    c.dataset.drawnAt = String(Date.now());
    if (since != null) c.dataset.updateMs = (performance.now() - since).toFixed(1);
  }, [ordered, layout, pressure, since]);

  const hit = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const x = e.clientX - r.left;
    const y = e.clientY - r.top;
    return { i: cellAt(layout, ordered.length, x, y), x, y };
  };
  const hovered = hover && hover.i >= 0 ? ordered[hover.i] : null;
  const fmt = (v: number | null) => (v == null ? '–' : formatPercent(v));

  return (
    <div ref={wrap} style={{ position: 'relative', width: '100%' }}>
      <canvas
        ref={canvas}
        data-testid="heatmap"
        role="img"
        aria-label={t('fleet.heatmap.aria', { count: ordered.length })}
        style={{ display: 'block', cursor: hovered ? 'pointer' : 'default' }}
        onMouseMove={(e) => {
          const h = hit(e);
          setHover((old) => (old && old.i === h.i && (h.i < 0 || (Math.abs(old.x - h.x) < 2 && Math.abs(old.y - h.y) < 2)) ? old : h));
        }}
        onMouseLeave={() => setHover(null)}
        onClick={(e) => {
          const { i } = hit(e);
          if (i >= 0) navigate(nodeHref(ordered[i].id));
        }}
      />
      {hovered && hover && (
        <div
          data-testid="heatmap-tooltip"
          className="syslens-heat-tip"
          style={{ left: Math.min(hover.x + 14, Math.max(0, layout.width - 240)), top: hover.y + 14 }}
        >
          <div style={{ fontWeight: 600 }}>{hovered.hostname}</div>
          {hovered.hostname !== hovered.id && <div className="syslens-muted">{hovered.id}</div>}
          <div>{t(`fleet.status.${hovered.status}`)} · {t(`fleet.kind.${hovered.kind}`, { defaultValue: hovered.kind })}</div>
          <div>{t('fleet.pressure.cpu')}: {fmt(hovered.cpu)}</div>
          <div>{t('fleet.pressure.memory')}: {fmt(hovered.memory)}</div>
          <div>{t('fleet.pressure.disk')}: {fmt(hovered.disk)}</div>
          <div>{t('fleet.pressure.network')}: {hovered.net == null ? '–' : formatBytesPerSec(hovered.net)}</div>
        </div>
      )}
    </div>
  );
}
