import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatPlainDate, parsePlainDate } from '../../../kernel/dates.ts';
import { instalmentSchedule } from './schedule.ts';

describe('instalmentSchedule', () => {
  it('splits exactly, the remainder on the last instalment, month ends clamped', () => {
    const s = instalmentSchedule(100_00n, 3, parsePlainDate('2026-01-31')!, 1);
    expect(s.map((i) => [i.seq, formatPlainDate(i.dueOn), i.amountMinor])).toEqual([
      [1, '2026-01-31', 33_33n], [2, '2026-02-28', 33_33n], [3, '2026-03-31', 33_34n],
    ]);
  });

  it('sums to the total for any total and count', () => {
    fc.assert(fc.property(fc.bigInt({ min: 1n, max: 10n ** 15n }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 3 }), (total, count, every) => {
      fc.pre(total >= BigInt(count));
      const s = instalmentSchedule(total, count, parsePlainDate('2026-07-15')!, every);
      expect(s.reduce((sum, i) => sum + i.amountMinor, 0n)).toBe(total);
      expect(s).toHaveLength(count);
      for (let i = 1; i < s.length; i++) expect(s[i]!.dueOn).toBeGreaterThan(s[i - 1]!.dueOn);
      expect(Math.max(...s.map((i) => Number(i.amountMinor))) - Math.min(...s.map((i) => Number(i.amountMinor)))).toBeLessThan(count);
    }));
  });

  it('refuses schedules that cannot exist', () => {
    expect(() => instalmentSchedule(0n, 1, 0, 1)).toThrow(/positive total/);
    expect(() => instalmentSchedule(2n, 3, 0, 1)).toThrow(/one minor unit/);
    expect(() => instalmentSchedule(100n, 0, 0, 1)).toThrow(/at least one/);
  });
});
