import { describe, expect, it } from 'vitest';
import i18n, { pickLanguage } from './index';
import { resources, SUPPORTED_LANGUAGES } from './resources';

function keyPaths(obj: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null ? keyPaths(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
  ).sort();
}

function leaves(obj: Record<string, unknown>): [string, unknown][] {
  return keyPaths(obj).map((p) => [p, p.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], obj)]);
}

const placeholders = (s: string) => (s.match(/\{\{\w+\}\}/g) ?? []).sort();

describe('i18n resources', () => {
  const enKeys = keyPaths(resources.en);

  it.each(SUPPORTED_LANGUAGES.filter((l) => l !== 'en'))('%s has exactly the English keys', (lang) => {
    expect(keyPaths(resources[lang])).toEqual(enKeys);
  });

  it.each(SUPPORTED_LANGUAGES)('%s has a non-empty string for every key', (lang) => {
    for (const [path, value] of leaves(resources[lang])) {
      expect(typeof value, path).toBe('string');
      expect((value as string).trim(), path).not.toBe('');
    }
  });

  it.each(SUPPORTED_LANGUAGES.filter((l) => l !== 'en'))('%s keeps the English placeholders', (lang) => {
    const en = Object.fromEntries(leaves(resources.en));
    for (const [path, value] of leaves(resources[lang])) {
      expect(placeholders(value as string), path).toEqual(placeholders(en[path] as string));
    }
  });

  it.each(['zh-CN', 'ja-JP'] as const)('%s is really translated (most strings differ from English)', (lang) => {
    const en = Object.fromEntries(leaves(resources.en));
    const translated = leaves(resources[lang]).filter(([p, v]) => v !== en[p]).length;
    expect(translated / enKeys.length).toBeGreaterThan(0.85);
  });

  it('translates through i18next in each language', async () => {
    await i18n.changeLanguage('ja-JP');
    expect(i18n.t('header.logout')).toBe('ログアウト');
    await i18n.changeLanguage('zh-CN');
    expect(i18n.t('time.secondsAgo', { count: 5 })).toBe('5 秒前');
    await i18n.changeLanguage('en');
    expect(i18n.t('time.secondsAgo', { count: 5 })).toBe('5 s ago');
  });
});

describe('pickLanguage', () => {
  it.each([
    ['zh-CN', 'zh-CN'], ['zh-TW', 'zh-CN'], ['zh', 'zh-CN'], ['ja', 'ja-JP'], ['ja-JP', 'ja-JP'],
    ['en-US', 'en'], ['de-DE', 'en'], ['', 'en'], [null, 'en'],
  ])('maps %s to %s', (tag, expected) => {
    expect(pickLanguage(tag)).toBe(expected);
  });
});

describe('alerts strings (i18n/alerts.ts)', () => {
  it.each(SUPPORTED_LANGUAGES)('%s has the alerts area with the English keys', (lang) => {
    expect(keyPaths(resources[lang].alerts).length).toBeGreaterThan(150);
    expect(keyPaths(resources[lang].alerts)).toEqual(keyPaths(resources.en.alerts));
  });

  it('translates an alerts heading through i18next', async () => {
    await i18n.changeLanguage('ja-JP');
    expect(i18n.t('alerts.tabs.firing')).toBe('発生中のアラート');
    await i18n.changeLanguage('zh-CN');
    expect(i18n.t('alerts.firing.ackedBy', { user: 'li' })).toBe('已由 li 确认');
    await i18n.changeLanguage('en');
    expect(i18n.t('alerts.builder.templateHelp', { example: '{{ $value }}' })).toBe('Templates: {{ $value }}');
  });
});
