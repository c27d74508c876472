/** A chart point: [epoch ms, value or null for a gap]. */
export type Point = [number, number | null];

export interface MatrixSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

/** Converts the first series of a Prometheus matrix result into chart points (seconds -> ms). */
export function matrixToPoints(result: MatrixSeries[]): Point[] {
  if (result.length === 0) return [];
  return result[0].values.map(([ts, v]) => {
    const n = Number(v);
    return [Math.round(ts * 1000), Number.isFinite(n) ? n : null];
  });
}

/**
 * Appends a live point, keeping time order and a window of `windowMs` ending at the newest point.
 * A point not newer than the last one is dropped. Returns a new array.
 */
export function appendPoint(points: Point[], point: Point, windowMs: number): Point[] {
  const last = points.length > 0 ? points[points.length - 1][0] : -Infinity;
  if (point[0] <= last) return points;
  const cutoff = point[0] - windowMs;
  let start = 0;
  while (start < points.length && points[start][0] < cutoff) start++;
  const next = points.slice(start);
  next.push(point);
  return next;
}

/**
 * Combines loaded history with live points that arrived while it loaded: the live points newer
 * than the history's last point follow it, and the result is cut to `windowMs` before the newest point.
 */
export function mergeHistory(history: Point[], live: Point[], windowMs: number): Point[] {
  const lastHistory = history.length > 0 ? history[history.length - 1][0] : -Infinity;
  const merged = history.concat(live.filter((p) => p[0] > lastHistory));
  if (merged.length === 0) return merged;
  const cutoff = merged[merged.length - 1][0] - windowMs;
  return merged.filter((p) => p[0] >= cutoff);
}

/** Points with a value (gaps not counted). */
export function countValues(points: Point[]): number {
  let n = 0;
  for (const p of points) if (p[1] != null) n++;
  return n;
}

/**
 * Adds a live point to a history series queried at `stepMs`: points newer than `historyEnd` are
 * live, one per step (a live point in the same step as the previous live point replaces it, so a
 * 30-day chart gains one moving point, not one per second); points before `startMs` drop off.
 * Returns the same array when nothing changed.
 */
export function appendLive(points: Point[], point: Point, startMs: number, stepMs: number, historyEnd: number): Point[] {
  const last = points.length > 0 ? points[points.length - 1] : null;
  if (last && point[0] <= last[0]) return points;
  let from = 0;
  while (from < points.length && points[from][0] < startMs) from++;
  const next = points.slice(from);
  const prev = next.length > 0 ? next[next.length - 1] : null;
  if (prev && prev[0] > historyEnd && Math.floor(prev[0] / stepMs) === Math.floor(point[0] / stepMs)) {
    next[next.length - 1] = point;
  } else {
    next.push(point);
  }
  return next;
}

/** Every series of a matrix as named chart points, at most `limit` of them (largest last value first). */
export function matrixToNamed(result: MatrixSeries[], name: (metric: Record<string, string>) => string, limit: number, shiftMs = 0): { name: string; points: Point[] }[] {
  const lastValue = (s: MatrixSeries) => (s.values.length ? Number(s.values[s.values.length - 1][1]) || 0 : 0);
  return [...result]
    .sort((a, b) => lastValue(b) - lastValue(a))
    .slice(0, limit)
    .map((s) => ({
      name: name(s.metric),
      points: s.values.map(([ts, v]): Point => {
        const n = Number(v);
        return [Math.round(ts * 1000) + shiftMs, Number.isFinite(n) ? n : null];
      }),
    }));
}
