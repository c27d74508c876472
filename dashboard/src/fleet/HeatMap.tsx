import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { cellAt, heatLayout, heatOrder, pressureColor, pressureOf, type FleetNode, type Pressure } from '../lib/fleet';
import { formatBytesPerSec, formatPercent } from '../lib/format';
import { navigate, nodeHref } from '../lib/route';

/**
 * Every node as one square on ONE canvas, coloured by the chosen pressure: no DOM element per
 * node, so 10,000 nodes cost one fill per cell per update. Hover shows a tooltip, a click opens
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
      c.width = w;
      c.height = h;
      c.style.width = `${layout.width}px`;
      c.style.height = `${layout.height}px`;
    }
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, layout.width, layout.height);
    const pitch = layout.cell + layout.gap;
    // Group cells by colour: one fillStyle change per colour, not per cell.
    const byColor = new Map<string, number[]>();
    for (let i = 0; i < ordered.length; i++) {
      const n = ordered[i];
      const color = pressureColor(pressureOf(n, pressure), n.status);
      let list = byColor.get(color);
      if (!list) byColor.set(color, (list = []));
      list.push(i);
    }
    for (const [color, list] of byColor) {
      ctx.fillStyle = color;
      for (const i of list) ctx.fillRect((i % layout.cols) * pitch, Math.floor(i / layout.cols) * pitch, layout.cell, layout.cell);
    }
    if (layout.cell >= 8) {
      ctx.fillStyle = 'rgba(0,0,0,0.45)';
      for (let i = 0; i < ordered.length; i++) {
        if (ordered[i].status === 'stale') {
          const x = (i % layout.cols) * pitch;
          const y = Math.floor(i / layout.cols) * pitch;
          ctx.fillRect(x, y + layout.cell - 2, layout.cell, 2);
        }
      }
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
