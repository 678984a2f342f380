import { describe, expect, it } from 'vitest';
import { formatsFor } from './format.ts';
import { interpolate, translator, LOCALES } from './catalog.ts';
import { AREAS } from '../app/registry.ts';
import { appMessages } from '../app/messages.ts';
import { authMessages } from '../areas/auth/messages.ts';

describe('formats', () => {
  it('formats money from the exact decimal string, never through a float', () => {
    const zh = formatsFor('zh-CN');
    const en = formatsFor('en');
    // 2^53 + 1 yuan and a cent: a float would round it.
    expect(zh.money('9007199254740993.01', 'CNY')).toBe('¥9,007,199,254,740,993.01');
    expect(en.money('9007199254740993.01', 'CNY')).toBe('CN¥9,007,199,254,740,993.01');
    expect(zh.money('-0.50', 'CNY')).toBe('-¥0.50');
    expect(en.money('50000', 'JPY')).toBe('¥50,000');
    expect(zh.money(null, 'CNY')).toBe('—');
  });

  it('shows business dates as the date they are, in either language, whatever the viewer\'s zone', () => {
    expect(formatsFor('zh-CN').date('2026-06-30')).toBe('2026年6月30日');
    expect(formatsFor('en').date('2026-06-30')).toBe('Jun 30, 2026');
    expect(formatsFor('en').date('2026-01-01')).toBe('Jan 1, 2026');
    expect(formatsFor('en').date(null)).toBe('—');
    expect(formatsFor('zh-CN').number(1234567)).toBe('1,234,567');
    expect(formatsFor('en').percent(0.9692)).toBe('96.9%');
    expect(formatsFor('en').dateTime('2026-06-30T04:00:00Z', 'Asia/Shanghai')).toBe('Jun 30, 2026, 12:00 PM');
  });
});

describe('message catalogs', () => {
  it('have the same keys in both languages, and no empty text, in every area', () => {
    const catalogs = [appMessages, authMessages, ...AREAS.map((a) => a.catalog)];
    for (const catalog of catalogs) {
      const keys = Object.keys(catalog.messages['zh-CN']).sort();
      for (const locale of LOCALES) {
        expect(Object.keys(catalog.messages[locale]).sort()).toEqual(keys);
        for (const [key, text] of Object.entries(catalog.messages[locale])) expect(text.trim(), `${locale} ${key}`).not.toBe('');
      }
    }
  });

  it('fills placeholders, keeps an unfilled one visible, and answers an unknown key with itself', () => {
    expect(interpolate('第 {page} 页', { page: 2 })).toBe('第 2 页');
    expect(interpolate('{count} of {total}', { count: 1 })).toBe('1 of {total}');
    const t = translator(appMessages, 'en');
    expect(t('pager.page', { page: 3 })).toBe('Page 3');
    expect(t('role.nobody' as 'pager.page')).toBe('role.nobody');
  });
});
