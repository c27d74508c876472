/**
 * Time ranges of the history views: relative (`now-7d` .. `now`) or absolute (epoch ms), kept in
 * the hash route's query (`#/nodes/<id>?from=now-7d&to=now&cmp=1w`) so back/forward and shared
 * links restore a view; the query step chosen from the range so a series has at most
 * {@link MAX_POINTS} points and long ranges read the storage's 5-minute and 1-hour tiers.
 */

/** Relative presets offered by the picker, shortest first. */
export const PRESETS = ['5m', '15m', '30m', '1h', '3h', '6h', '12h', '24h', '2d', '7d', '30d', '90d', '180d', '1y', '2y'] as const;

/** Comparison offsets: a fixed earlier period, or `prev` (the period just before, as long as the range). */
export const COMPARE_OFFSETS = ['1d', '1w', '30d', 'prev'] as const;
export type CompareOffset = (typeof COMPARE_OFFSETS)[number];

/** At most this many points per series (a 2-year range at one point a day is 730). */
export const MAX_POINTS = 1000;

/** Steps a query may use, in seconds: round values that are whole multiples of the storage tiers from 30 min on. */
export const STEPS = [15, 30, 60, 120, 300, 600, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400] as const;

/** The shortest range the picker or a zoom accepts. */
export const MIN_RANGE_MS = 60_000;
/** The longest: a little over the 1-hour tier's default retention (2 years). */
export const MAX_RANGE_MS = 3 * 366 * 86400_000;

export const DEFAULT_FROM = 'now-1h';

/** The range as written in the URL: `from`/`to` are `now`, `now-<duration>` or epoch milliseconds. */
export interface RangeState {
  from: string;
  to: string;
  cmp: CompareOffset | null;
}

export const DEFAULT_RANGE: RangeState = { from: DEFAULT_FROM, to: 'now', cmp: null };

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000, y: 365 * 86_400_000 };

/** Milliseconds of a duration such as `90s`, `15m`, `7d`, `2y`; null when it is not one. */
export function parseDuration(text: string): number | null {
  const m = /^(\d{1,6})([smhdwy])$/.exec(text);
  if (!m) return null;
  const ms = Number(m[1]) * UNIT_MS[m[2]];
  return ms > 0 ? ms : null;
}

/** Epoch ms of a `from`/`to` value at `now`, or null when it is not a valid one. */
export function resolveTime(text: string, now: number): number | null {
  if (text === 'now') return now;
  if (text.startsWith('now-')) {
    const d = parseDuration(text.slice(4));
    return d === null ? null : now - d;
  }
  if (/^\d{10,15}$/.test(text)) return Number(text);
  return null;
}

export interface ResolvedRange {
  start: number;
  end: number;
  /** True when the range ends now: live samples extend it and it slides with the clock. */
  live: boolean;
}

/** The range as absolute times; an invalid state resolves as the default (last hour). */
export function resolveRange(r: RangeState, now: number): ResolvedRange {
  const start = resolveTime(r.from, now);
  const end = resolveTime(r.to, now);
  if (start === null || end === null || end - start < MIN_RANGE_MS || end - start > MAX_RANGE_MS) {
    return { start: now - 3_600_000, end: now, live: true };
  }
  return { start, end, live: r.to === 'now' };
}

/** True when from/to are valid and make a range of an accepted length. */
export function validRange(r: RangeState, now: number): boolean {
  const start = resolveTime(r.from, now);
  const end = resolveTime(r.to, now);
  return start !== null && end !== null && end - start >= MIN_RANGE_MS && end - start <= MAX_RANGE_MS;
}

/** Reads `from`, `to` and `cmp` from a route query; anything missing or invalid falls back to the default. */
export function parseRangeQuery(query: string): RangeState {
  const p = new URLSearchParams(query);
  const from = p.get('from') ?? DEFAULT_FROM;
  const to = p.get('to') ?? 'now';
  const cmpText = p.get('cmp');
  const cmp = (COMPARE_OFFSETS as readonly string[]).includes(cmpText ?? '') ? (cmpText as CompareOffset) : null;
  // Checked at a fixed instant: validity does not depend on the clock for either form.
  if (!validRange({ from, to, cmp }, 4_000_000_000_000)) return { ...DEFAULT_RANGE, cmp };
  return { from, to, cmp };
}

/** The route query for a range; the default range writes nothing. */
export function rangeQuery(r: RangeState): string {
  const p = new URLSearchParams();
  if (r.from !== DEFAULT_FROM || r.to !== 'now') {
    p.set('from', r.from);
    p.set('to', r.to);
  }
  if (r.cmp) p.set('cmp', r.cmp);
  return p.toString();
}

/** The preset a relative range corresponds to (`now-7d`..`now` is `7d`), or null for a custom range. */
export function presetOf(r: RangeState): string | null {
  if (r.to !== 'now' || !r.from.startsWith('now-')) return null;
  const p = r.from.slice(4);
  return (PRESETS as readonly string[]).includes(p) ? p : null;
}

/** The step in seconds for a range: the smallest of {@link STEPS} giving at most {@link MAX_POINTS} points. */
export function chooseStep(rangeMs: number): number {
  const seconds = Math.max(1, rangeMs / 1000);
  for (const s of STEPS) if (seconds / s <= MAX_POINTS) return s;
  return STEPS[STEPS.length - 1];
}

/**
 * The window of range functions (`rate(x[w])`, `avg_over_time(x[w])`) at a step: one step, at
 * least one minute (four agent samples). A window of 30 min or more reads the 5-minute tier and
 * one of 6 h or more the 1-hour tier (the TSDB picks the coarsest tier with 5 intervals per window).
 */
export function rateWindow(stepSeconds: number): string {
  const s = Math.max(60, stepSeconds);
  if (s % 86400 === 0) return `${s / 86400}d`;
  if (s % 3600 === 0) return `${s / 3600}h`;
  return `${Math.round(s / 60)}m`;
}

/** The storage tier a window reads: `raw`, `5m` or `1h` (5 intervals per window, as the TSDB chooses). */
export function tierFor(stepSeconds: number): 'raw' | '5m' | '1h' {
  const w = Math.max(60, stepSeconds);
  if (w >= 5 * 3600) return '1h';
  if (w >= 5 * 300) return '5m';
  return 'raw';
}

/** The query times for a resolved range: start aligned down to the step, so rollup windows hold whole intervals. */
export function queryWindow(r: ResolvedRange): { start: number; end: number; step: number } {
  const step = chooseStep(r.end - r.start);
  const stepMs = step * 1000;
  return { start: Math.floor(r.start / stepMs) * stepMs, end: r.end, step };
}

/**
 * A live window moved to end at {@code now}: same width and step, start aligned to the step. A
 * re-query of a range that ends now must use it, or it asks again for the window as it was when
 * the page opened and never sees what arrived since.
 */
export function slideWindow(win: { start: number; end: number; step: number }, now: number): { start: number; end: number; step: number } {
  if (now <= win.end) return win;
  const stepMs = win.step * 1000;
  return { start: Math.floor((now - (win.end - win.start)) / stepMs) * stepMs, end: now, step: win.step };
}

/** Milliseconds an earlier period is shifted by, for a comparison. */
export function compareOffsetMs(cmp: CompareOffset, r: ResolvedRange): number {
  return cmp === 'prev' ? r.end - r.start : parseDuration(cmp)!;
}

/**
 * The absolute range selected by a zoom (a drag across a chart): ordered, at least
 * {@link MIN_RANGE_MS} wide (widened around its centre), whole milliseconds.
 */
export function zoomRange(a: number, b: number, cmp: CompareOffset | null = null): RangeState {
  let start = Math.min(a, b);
  let end = Math.max(a, b);
  if (end - start < MIN_RANGE_MS) {
    const mid = (start + end) / 2;
    start = mid - MIN_RANGE_MS / 2;
    end = mid + MIN_RANGE_MS / 2;
  }
  return { from: String(Math.round(start)), to: String(Math.round(end)), cmp };
}

/** A relative preset as a range. */
export function presetRange(preset: string, cmp: CompareOffset | null): RangeState {
  return { from: `now-${preset}`, to: 'now', cmp };
}

/**
 * Twice as wide: a range ending now becomes the next longer preset; an absolute range doubles
 * around its centre, not past now, at most {@link MAX_RANGE_MS}.
 */
export function zoomOutRange(r: RangeState, now: number): RangeState {
  const res = resolveRange(r, now);
  const span = res.end - res.start;
  if (res.live) {
    const next = PRESETS.find((p) => parseDuration(p)! >= span * 1.5) ?? PRESETS[PRESETS.length - 1];
    return presetRange(next, r.cmp);
  }
  const width = Math.min(span * 2, MAX_RANGE_MS);
  const end = Math.min(now, res.end + (width - span) / 2);
  return { from: String(Math.round(end - width)), to: String(Math.round(end)), cmp: r.cmp };
}
