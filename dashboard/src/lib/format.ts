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
