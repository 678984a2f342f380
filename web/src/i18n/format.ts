/**
 * Numbers, money, dates and times per locale, with the platform's Intl. Money arrives from the API as
 * exact decimal strings ("1234.50"); Intl.NumberFormat formats such a string exactly (no float on the way).
 */
import type { Locale } from './catalog.ts';

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
  let f = cache.get(key) as T | undefined;
  if (!f) cache.set(key, (f = make()));
  return f;
}

export interface Formats {
  number(value: number): string;
  /** An exact decimal string in a currency: "1234.5" CNY → "¥1,234.50" (zh-CN) / "CN¥1,234.50" (en). */
  money(amount: string | null | undefined, currency: string): string;
  percent(ratio: number): string;
  /** A business date "YYYY-MM-DD" (no time zone): 2026年6月30日 / Jun 30, 2026. */
  date(plainDate: string | null | undefined): string;
  /** An instant (ISO 8601) in the given zone, default the viewer's. */
  dateTime(iso: string | null | undefined, timeZone?: string): string;
}

const DASH = '—';

export function formatsFor(locale: Locale): Formats {
  return {
    number: (value) => cached(`${locale}|n`, () => new Intl.NumberFormat(locale)).format(value),
    money: (amount, currency) => {
      if (amount === null || amount === undefined) return DASH;
      if (!/^-?\d+(\.\d+)?$/.test(amount)) return amount;
      const f = cached(`${locale}|m|${currency}`, () => new Intl.NumberFormat(locale, { style: 'currency', currency }));
      return f.format(amount as Intl.StringNumericLiteral);
    },
    percent: (ratio) => cached(`${locale}|p`, () => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 })).format(ratio),
    date: (plainDate) => {
      const m = plainDate ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(plainDate) : null;
      if (!m) return plainDate ?? DASH;
      const f = cached(`${locale}|d`, () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }));
      return f.format(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    },
    dateTime: (iso, timeZone) => {
      if (!iso) return DASH;
      const at = new Date(iso);
      if (Number.isNaN(at.getTime())) return iso;
      const f = cached(`${locale}|t|${timeZone ?? ''}`, () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', ...(timeZone ? { timeZone } : {}) }));
      return f.format(at);
    },
  };
}
