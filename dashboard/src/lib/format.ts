import type { TFunction } from 'i18next';

const BYTE_UNITS = ['B/s', 'KiB/s', 'MiB/s', 'GiB/s', 'TiB/s', 'PiB/s'];

/** Formats a rate in bytes per second with binary units, e.g. 1536 -> "1.5 KiB/s". */
export function formatBytesPerSec(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return '–';
  const sign = value < 0 ? '-' : '';
  let v = Math.abs(value);
  let unit = 0;
  while (v >= 1024 && unit < BYTE_UNITS.length - 1) {
    v /= 1024;
    unit++;
  }
  const digits = unit === 0 || v >= 100 ? 0 : 1;
  return `${sign}${v.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

/** Formats a percentage with one decimal, e.g. 12.345 -> "12.3%". */
export function formatPercent(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return '–';
  return `${value.toFixed(1)}%`;
}

export type RelativeUnit = 'second' | 'minute' | 'hour' | 'day';

/** Splits the time between then and now into the largest whole unit (future times count as 0 s). */
export function relativeTime(nowMs: number, thenMs: number): { unit: RelativeUnit; count: number } {
  const seconds = Math.max(0, Math.floor((nowMs - thenMs) / 1000));
  if (seconds < 60) return { unit: 'second', count: seconds };
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return { unit: 'minute', count: minutes };
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return { unit: 'hour', count: hours };
  return { unit: 'day', count: Math.floor(hours / 24) };
}

/** Formats "5 s ago" (or its translation); `never` when the time is unknown. */
export function formatRelativeTime(t: TFunction, nowMs: number, thenMs: number | null | undefined): string {
  if (thenMs == null || !Number.isFinite(thenMs) || thenMs <= 0) return t('time.never');
  const { unit, count } = relativeTime(nowMs, thenMs);
  return t(`time.${unit}sAgo`, { count });
}

/** A step or window in seconds in compact units: 15 -> "15s", 300 -> "5m", 10800 -> "3h", 86400 -> "1d". */
export function formatDuration(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

const SIZE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** A size in bytes with binary units, e.g. 1536 -> "1.5 KiB". */
export function formatBytes(value: number | null | undefined): string {
  return formatBytesPerSec(value).replace(/\/s$/, '').replace(/^(-?[\d.]+) (\w+)$/, (_, n: string, u: string) => `${n} ${SIZE_UNITS[BYTE_UNITS.indexOf(`${u}/s`)] ?? u}`);
}

/** A value in a dashboard panel's unit; plain numbers use the locale's grouping. */
export function formatUnit(unit: string, value: number | null | undefined, locale?: string): string {
  if (value == null || !Number.isFinite(value)) return '–';
  switch (unit) {
    case 'percent': return formatPercent(value);
    case 'ratio': return formatPercent(value * 100);
    case 'bytes': return formatBytes(value);
    case 'bytes_per_second': return formatBytesPerSec(value);
    case 'seconds': return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 3 }).format(value)} s`;
    default: return new Intl.NumberFormat(locale, { maximumFractionDigits: Math.abs(value) >= 100 ? 0 : 2 }).format(value);
  }
}

/** A series name from its labels: `{a="1", b="2"}` without the metric name, or the metric name alone. */
export function seriesName(metric: Record<string, string>): string {
  const labels = Object.entries(metric).filter(([k]) => k !== '__name__');
  if (labels.length === 0) return metric.__name__ ?? '{}';
  return `{${labels.map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
}
