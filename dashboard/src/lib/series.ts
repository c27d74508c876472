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
