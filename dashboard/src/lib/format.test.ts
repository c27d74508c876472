import { describe, expect, it } from 'vitest';
import i18n from '../i18n';
import { formatBytesPerSec, formatPercent, formatRelativeTime, relativeTime } from './format';

describe('formatBytesPerSec', () => {
  it.each([
    [0, '0 B/s'],
    [999, '999 B/s'],
    [1024, '1.0 KiB/s'],
    [1536, '1.5 KiB/s'],
    [1234.5, '1.2 KiB/s'],
    [150 * 1024, '150 KiB/s'],
    [5 * 1024 * 1024, '5.0 MiB/s'],
    [3.25 * 1024 ** 3, '3.3 GiB/s'],
    [-2048, '-2.0 KiB/s'],
  ])('%s -> %s', (v, expected) => {
    expect(formatBytesPerSec(v)).toBe(expected);
  });

  it('shows a dash for missing values', () => {
    expect(formatBytesPerSec(null)).toBe('–');
    expect(formatBytesPerSec(undefined)).toBe('–');
    expect(formatBytesPerSec(Number.NaN)).toBe('–');
  });
});

describe('formatPercent', () => {
  it('rounds to one decimal', () => {
    expect(formatPercent(12.345)).toBe('12.3%');
    expect(formatPercent(100)).toBe('100.0%');
    expect(formatPercent(null)).toBe('–');
  });
});

describe('relativeTime', () => {
  const now = 1_763_800_000_000;
  it.each([
    [0, 'second', 0],
    [5_400, 'second', 5],
    [59_999, 'second', 59],
    [60_000, 'minute', 1],
    [3_599_000, 'minute', 59],
    [3_600_000, 'hour', 1],
    [86_399_000, 'hour', 23],
    [3 * 86_400_000, 'day', 3],
    [-10_000, 'second', 0],
  ])('%s ms ago -> %s %s', (ago, unit, count) => {
    expect(relativeTime(now, now - ago)).toEqual({ unit, count });
  });
});

describe('formatRelativeTime', () => {
  const now = 1_763_800_000_000;
  it('formats in the current language', async () => {
    await i18n.changeLanguage('en');
    const t = i18n.t.bind(i18n);
    expect(formatRelativeTime(t, now, now - 5_000)).toBe('5 s ago');
    expect(formatRelativeTime(t, now, now - 125_000)).toBe('2 min ago');
    expect(formatRelativeTime(t, now, now - 7_200_000)).toBe('2 h ago');
    expect(formatRelativeTime(t, now, null)).toBe('Never');
    await i18n.changeLanguage('ja-JP');
    expect(formatRelativeTime(i18n.t.bind(i18n), now, now - 125_000)).toBe('2 分前');
    await i18n.changeLanguage('zh-CN');
    expect(formatRelativeTime(i18n.t.bind(i18n), now, now - 3 * 86_400_000)).toBe('3 天前');
    await i18n.changeLanguage('en');
  });
});
