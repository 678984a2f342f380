import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { allocateToInstalments } from './instalment-allocation.ts';

describe('allocateToInstalments', () => {
  it('fills the instalments in order', () => {
    expect(allocateToInstalments(250n, [100n, 100n, 101n])).toEqual({ paidMinor: [100n, 100n, 50n], beyondMinor: 0n });
    expect(allocateToInstalments(0n, [100n])).toEqual({ paidMinor: [0n], beyondMinor: 0n });
    expect(allocateToInstalments(-30n, [100n]), 'a net reversal pays nothing').toEqual({ paidMinor: [0n], beyondMinor: 0n });
    expect(allocateToInstalments(350n, [100n, 200n])).toEqual({ paidMinor: [100n, 200n], beyondMinor: 50n });
  });

  it('never creates or loses money: allocated + beyond = what was paid; no instalment gets more than its amount (fast-check)', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.array(fc.bigInt({ min: 1n, max: 10n ** 9n }), { minLength: 1, maxLength: 60 }), (paid, amounts) => {
      const a = allocateToInstalments(paid, amounts);
      expect(a.paidMinor.reduce((s, x) => s + x, 0n) + a.beyondMinor).toBe(paid);
      a.paidMinor.forEach((x, i) => expect(x >= 0n && x <= amounts[i]!).toBe(true));
      // Filled in order: once one is short, every later one is empty.
      const short = a.paidMinor.findIndex((x, i) => x < amounts[i]!);
      if (short >= 0) expect(a.paidMinor.slice(short + 1).every((x) => x === 0n)).toBe(true);
      if (a.beyondMinor > 0n) expect(short).toBe(-1);
    }), { numRuns: 500 });
  });
});
