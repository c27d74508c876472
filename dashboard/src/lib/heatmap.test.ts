import { describe, expect, it } from 'vitest';
import { heatLayout, pressureColor, type FleetNode } from './fleet';
import { cellBox, colorIndex, heatIndex, heatPalette, HeatPixels, OFFLINE, UNKNOWN } from './heatmap';

const node = (id: string, over: Partial<FleetNode> = {}): FleetNode => ({
  id, hostname: id, kind: 'agent', os: 'Linux', status: 'online', group: null, labels: {},
  cpu: null, memory: null, disk: null, net: null, ...over,
});

/** The pixel as the canvas would hold it: [r, g, b, a]. */
const rgba = (px: number) => [px & 255, (px >>> 8) & 255, (px >>> 16) & 255, px >>> 24];

describe('heatIndex', () => {
  it('orders by pressure with ties in the given order, unknown then offline last', () => {
    const nodes = [node('a', { cpu: 50 }), node('b'), node('c', { cpu: 90 }), node('d', { cpu: 50 }), node('e', { cpu: 99, status: 'offline' })];
    expect([...heatIndex(nodes, 'cpu')]).toEqual([2, 0, 3, 1, 4]);
  });
  it('orders 10,000 nodes quickly', () => {
    const nodes = Array.from({ length: 10_000 }, (_, i) => node(`n${i}`, { cpu: (i * 7919) % 1000 / 10 }));
    const t = performance.now();
    const order = heatIndex(nodes, 'cpu');
    expect(performance.now() - t).toBeLessThan(500);
    let sorted = true;
    for (let i = 1; i < order.length; i++) sorted &&= nodes[order[i - 1]].cpu! >= nodes[order[i]].cpu!;
    expect(sorted).toBe(true);
  });
});

describe('palette', () => {
  it('matches pressureColor in tenths of a percent, unknown and offline', () => {
    const pal = heatPalette();
    expect(colorIndex(node('a', { cpu: 30 }), 'cpu')).toBe(300);
    expect(colorIndex(node('a', { cpu: 130 }), 'cpu')).toBe(1000);
    expect(colorIndex(node('a'), 'cpu')).toBe(UNKNOWN);
    expect(colorIndex(node('a', { cpu: 3, status: 'offline' }), 'cpu')).toBe(OFFLINE);
    expect(`rgb(${rgba(pal[300]).slice(0, 3).join(',')})`).toBe(pressureColor(30));
    expect(rgba(pal[UNKNOWN])).toEqual([0xd9, 0xd9, 0xd9, 255]);
    expect(rgba(pal[OFFLINE])).toEqual([0x59, 0x59, 0x59, 255]);
  });
});

describe('HeatPixels', () => {
  const layout = heatLayout(3, 100); // 3 large cells in one row
  it('paints each cell in its colour, gaps transparent, and the stale band darker', () => {
    const px = new HeatPixels(layout, 1, 3);
    expect(px.paint(Uint16Array.from([0, 1000, UNKNOWN]), Uint8Array.from([0, 1, 0]))).toBe(3);
    const pal = heatPalette();
    const at = (x: number, y: number) => px.pixels[y * px.width + x];
    const [x0, y0, x1, y1] = cellBox(layout, 1, 1);
    expect(at(1, 1)).toBe(pal[0]);
    expect(at(x0 + 1, y0 + 1)).toBe(pal[1000]);
    expect(rgba(at(x0 + 1, y1 - 1))).toEqual(rgba(pal[1000]).map((c, i) => (i < 3 ? Math.round(c * 0.55) : c)));
    expect(at(x1, y0)).toBe(0); // the gap after cell 1
  });
  it('repaints only cells whose colour changed', () => {
    const px = new HeatPixels(layout, 1, 3);
    px.paint(Uint16Array.from([0, 500, 1000]), new Uint8Array(3));
    expect(px.paint(Uint16Array.from([0, 500, 1000]), new Uint8Array(3))).toBe(0);
    expect(px.paint(Uint16Array.from([0, 600, 1000]), new Uint8Array(3))).toBe(1);
    expect(px.fits(layout, 1, 3)).toBe(true);
    expect(px.fits(layout, 2, 3)).toBe(false);
  });
});
