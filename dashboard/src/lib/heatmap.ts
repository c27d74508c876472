/**
 * The heat map's hot path, kept out of React: the cell order as an index array (numeric keys,
 * no string compares), colours from a palette of 1,001 steps (no string per cell), and a pixel
 * buffer that repaints only the cells whose colour changed since the last draw. Pure functions
 * and one small class, unit-tested in heatmap.test.ts.
 */
import { pressureColor, pressureOf, type FleetNode, type FleetStatus, type HeatLayout, type Pressure } from './fleet';

/** The sort key of a node: offline -2, unknown -1, else its pressure. */
function heatKey(n: FleetNode, p: Pressure): number {
  if (n.status === 'offline') return -2;
  const v = pressureOf(n, p);
  return v == null || Number.isNaN(v) ? -1 : v;
}

/**
 * Cell order: most pressed first, unknown then offline last; ties keep the given order (the
 * server sends nodes by id, so ties stay by id). Returns indexes into `nodes`.
 */
export function heatIndex(nodes: readonly FleetNode[], p: Pressure): Uint32Array {
  const n = nodes.length;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = heatKey(nodes[i], p);
  // A plain array of indexes: Array.prototype.sort is stable, typed arrays' sort need not be.
  const idx: number[] = new Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((a, b) => keys[b] - keys[a]);
  return Uint32Array.from(idx);
}

/** The nodes in heat-map order (heatIndex). */
export function heatOrder(nodes: readonly FleetNode[], p: Pressure): FleetNode[] {
  const order = heatIndex(nodes, p);
  const out: FleetNode[] = new Array(order.length);
  for (let i = 0; i < order.length; i++) out[i] = nodes[order[i]];
  return out;
}

/** Palette index of a node's cell: 0..1000 (tenths of a percent), UNKNOWN or OFFLINE. */
export const UNKNOWN = 1001;
export const OFFLINE = 1002;

export function colorIndex(n: FleetNode, p: Pressure): number {
  if (n.status === 'offline') return OFFLINE;
  const v = pressureOf(n, p);
  if (v == null || Number.isNaN(v)) return UNKNOWN;
  return Math.round(Math.max(0, Math.min(100, v)) * 10);
}

function rgb(css: string): [number, number, number] {
  const m = /^rgb\((\d+),(\d+),(\d+)\)$/.exec(css);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  const h = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(css);
  if (h) return [parseInt(h[1], 16), parseInt(h[2], 16), parseInt(h[3], 16)];
  throw new Error(`colour: ${css} (expected: rgb(r,g,b) or #rrggbb)`);
}

/** RGBA pixels (little-endian Uint32: 0xAABBGGRR) of every palette index; the second half darkened for the stale mark. */
function buildPalette(): Uint32Array {
  const out = new Uint32Array(2 * (OFFLINE + 1));
  const pack = (r: number, g: number, b: number) => ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
  for (let i = 0; i <= OFFLINE; i++) {
    const css = i === OFFLINE ? pressureColor(0, 'offline' as FleetStatus) : i === UNKNOWN ? pressureColor(null) : pressureColor(i / 10);
    const [r, g, b] = rgb(css);
    out[i] = pack(r, g, b);
    // The stale mark: the old code's rgba(0,0,0,0.45) over the colour.
    out[OFFLINE + 1 + i] = pack(Math.round(r * 0.55), Math.round(g * 0.55), Math.round(b * 0.55));
  }
  return out;
}

let palette: Uint32Array | null = null;
export function heatPalette(): Uint32Array {
  return (palette ??= buildPalette());
}

/** The pixel box of cell `i` in device pixels: [x0, y0, x1, y1) (CSS layout times `dpr`, rounded). */
export function cellBox(l: HeatLayout, i: number, dpr: number): [number, number, number, number] {
  const pitch = l.cell + l.gap;
  const x = (i % l.cols) * pitch;
  const y = Math.floor(i / l.cols) * pitch;
  return [Math.round(x * dpr), Math.round(y * dpr), Math.round((x + l.cell) * dpr), Math.round((y + l.cell) * dpr)];
}

/**
 * The canvas's pixels and what each cell shows. `paint` writes only the cells whose colour (or
 * stale mark) changed and returns how many; a new size or cell count starts again from blank.
 */
export class HeatPixels {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint32Array<ArrayBuffer>;
  private shown: Int32Array;
  private readonly layout: HeatLayout;
  private readonly dpr: number;

  constructor(layout: HeatLayout, dpr: number, count: number) {
    this.layout = layout;
    this.dpr = dpr;
    this.width = Math.max(1, Math.round(layout.width * dpr));
    this.height = Math.max(1, Math.round(layout.height * dpr));
    this.pixels = new Uint32Array(this.width * this.height);
    this.shown = new Int32Array(count).fill(-1);
  }

  fits(layout: HeatLayout, dpr: number, count: number): boolean {
    const l = this.layout;
    return dpr === this.dpr && count === this.shown.length && l.cols === layout.cols && l.cell === layout.cell
      && l.gap === layout.gap && l.width === layout.width && l.height === layout.height;
  }

  /** `colors[i]`: palette index of cell i; `stale[i]`: 1 to mark it stale (a dark band along the bottom, cells of 8 px and up). */
  paint(colors: Uint16Array, stale: Uint8Array): number {
    const pal = heatPalette();
    const half = OFFLINE + 1;
    const mark = this.layout.cell >= 8 ? Math.max(1, Math.round(2 * this.dpr)) : 0;
    let changed = 0;
    for (let i = 0; i < colors.length; i++) {
      const key = colors[i] + (stale[i] && mark ? half : 0);
      if (this.shown[i] === key) continue;
      this.shown[i] = key;
      changed++;
      const [x0, y0, x1, y1] = cellBox(this.layout, i, this.dpr);
      const fill = pal[colors[i]];
      const band = key >= half ? y1 - mark : y1;
      for (let y = y0; y < y1 && y < this.height; y++) {
        const c = y < band ? fill : pal[key];
        this.pixels.fill(c, y * this.width + x0, y * this.width + Math.min(x1, this.width));
      }
    }
    return changed;
  }
}
