import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { addMonths, civilOf, epochDayOf, formatPlainDate, parsePlainDate } from './dates.ts';

describe('plain dates', () => {
  it('parses strictly', () => {
    expect(parsePlainDate('1970-01-01')).toBe(0);
    expect(parsePlainDate('2024-02-29')).toBe(epochDayOf(2024, 2, 29));
    for (const bad of ['2026-02-30', '2025-02-29', '2026-13-01', '2026-00-10', '2026-1-1', '26-01-01', '2026-01-01T00:00', '', '2026-04-31', '1900-02-29'])
      expect(parsePlainDate(bad), bad).toBeNull();
  });

  it('agrees with Temporal for every day in four centuries', () => {
    fc.assert(
      fc.property(fc.integer({ min: epochDayOf(1900, 1, 1), max: epochDayOf(2299, 12, 31) }), (day) => {
        const expected = Temporal.PlainDate.from('1970-01-01').add({ days: day }).toString();
        expect(formatPlainDate(day)).toBe(expected);
        expect(parsePlainDate(expected)).toBe(day);
        const { year, month, day: d } = civilOf(day);
        expect(epochDayOf(year, month, d)).toBe(day);
      }),
    );
  });

  it('adds months clamping to the month end', () => {
    expect(formatPlainDate(addMonths(parsePlainDate('2026-01-31')!, 1))).toBe('2026-02-28');
    expect(formatPlainDate(addMonths(parsePlainDate('2024-01-31')!, 1))).toBe('2024-02-29');
    expect(formatPlainDate(addMonths(parsePlainDate('2026-11-15')!, 3))).toBe('2027-02-15');
    expect(formatPlainDate(addMonths(parsePlainDate('2026-03-15')!, -3))).toBe('2025-12-15');
  });
});
