import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { allocatePayments, DEFAULT_WATERFALL, type PaymentInput, type StatementInput, type Waterfall } from './allocation.ts';

const st = (day: number, p: bigint | null, i: bigint | null, f: bigint | null, closing?: bigint): StatementInput => ({
  statementDate: day, principalMinor: p, interestMinor: i, feesMinor: f, closingBalanceMinor: closing ?? (p ?? 0n) + (i ?? 0n) + (f ?? 0n),
});
const pay = (id: string, day: number, amount: bigint, reverses: string | null = null): PaymentInput => ({ paymentId: id, postedOn: day, amountMinor: amount, reverses });
const sum = (lines: readonly { amountMinor: bigint }[]) => lines.reduce((s, l) => s + l.amountMinor, 0n);

describe('allocation waterfall', () => {
  it('pays fees, then interest, then principal, oldest statement first', () => {
    // Statement 1: 1000 principal, 20 interest, 5 fees. Statement 2 adds 500 principal, 10 interest, 50 fees.
    const r = allocatePayments([st(10, 1000n, 20n, 5n), st(40, 1500n, 30n, 55n)], [pay('P1', 45, 100n)]);
    expect(r.payments[0]!.lines).toEqual([
      { target: 'fees', statementDate: 10, amountMinor: 5n },
      { target: 'fees', statementDate: 40, amountMinor: 50n },
      { target: 'interest', statementDate: 10, amountMinor: 20n },
      { target: 'interest', statementDate: 40, amountMinor: 10n },
      { target: 'principal', statementDate: 10, amountMinor: 15n },
    ]);
    expect(r.open).toMatchObject({ fees: 0n, interest: 0n, principal: 1485n });
  });

  it('follows another order and grouping when the setting says so', () => {
    const w: Waterfall = { order: ['principal', 'interest', 'fees'], statements: 'newest_first', grouping: 'by_statement' };
    const r = allocatePayments([st(10, 100n, 20n, 5n), st(40, 150n, 30n, 55n)], [pay('P1', 45, 60n)], w);
    // Newest statement first; its principal (50 new), then its interest (10 new) …
    expect(r.payments[0]!.lines).toEqual([
      { target: 'principal', statementDate: 40, amountMinor: 50n },
      { target: 'interest', statementDate: 40, amountMinor: 10n },
    ]);
  });

  it('counts a payment on the statement date in that statement, and what finds nothing open as an overpayment', () => {
    // P1 on day 10 is in statement 10's closing balance (which already shows it paid): it pays nothing open then.
    const r = allocatePayments([st(10, 300n, 0n, 0n)], [pay('P0', 5, 100n), pay('P1', 10, 50n)]);
    expect(r.payments[0]!.lines).toEqual([{ target: 'overpayment', statementDate: null, amountMinor: 100n }]);
    expect(r.payments[1]!.lines).toEqual([{ target: 'overpayment', statementDate: null, amountMinor: 50n }]);
  });

  it('allocates a balance without breakdown as unclassified', () => {
    const r = allocatePayments([st(10, null, null, null, 800n)], [pay('P1', 12, 1000n)]);
    expect(r.payments[0]!.lines).toEqual([
      { target: 'unclassified', statementDate: 10, amountMinor: 800n },
      { target: 'overpayment', statementDate: null, amountMinor: 200n },
    ]);
  });

  it('undoes a reversed payment exactly and re-opens what it paid', () => {
    const r = allocatePayments([st(10, 1000n, 20n, 5n)], [pay('P1', 12, 100n), pay('P1-R', 13, -100n, 'P1'), pay('P2', 14, 30n)]);
    const [p1, rev, p2] = r.payments;
    expect(rev!.lines).toEqual(p1!.lines.map((l) => ({ ...l, amountMinor: -l.amountMinor })));
    // P2 finds the fees and interest open again.
    expect(p2!.lines).toEqual([{ target: 'fees', statementDate: 10, amountMinor: 5n }, { target: 'interest', statementDate: 10, amountMinor: 20n }, { target: 'principal', statementDate: 10, amountMinor: 5n }]);
  });

  it('refuses a waterfall that does not order every component once', () => {
    expect(() => allocatePayments([], [], { ...DEFAULT_WATERFALL, order: ['fees', 'fees', 'principal'] })).toThrow(/exactly once/);
  });
});

describe('allocation never creates or loses money (fast-check)', () => {
  const money = fc.bigInt({ min: 0n, max: 10n ** 9n });
  const statements = fc.array(fc.record({
    statementDate: fc.integer({ min: 0, max: 400 }),
    principalMinor: fc.option(fc.bigInt({ min: -(10n ** 6n), max: 10n ** 9n }), { nil: null }),
    interestMinor: fc.option(money, { nil: null }),
    feesMinor: fc.option(money, { nil: null }),
    closingBalanceMinor: fc.bigInt({ min: -(10n ** 6n), max: 3n * 10n ** 9n }),
  }), { maxLength: 12 });
  const payments = fc.array(fc.record({ day: fc.integer({ min: 0, max: 400 }), amount: fc.bigInt({ min: 1n, max: 10n ** 9n }), reverse: fc.boolean() }), { maxLength: 25 })
    .map((list) => {
      const out: PaymentInput[] = [];
      list.forEach((p, i) => {
        out.push(pay(`P${i}`, p.day, p.amount));
        if (p.reverse) out.push(pay(`R${i}`, p.day + 3, -p.amount, `P${i}`));
      });
      return out;
    });
  const waterfall = fc.record({
    order: fc.constantFrom<Waterfall['order']>(['fees', 'interest', 'principal'], ['principal', 'interest', 'fees'], ['interest', 'fees', 'principal']),
    statements: fc.constantFrom<Waterfall['statements']>('oldest_first', 'newest_first'),
    grouping: fc.constantFrom<Waterfall['grouping']>('by_component', 'by_statement'),
  });

  it('every payment is allocated exactly, sum in = sum allocated, and no line has the wrong sign', () => {
    fc.assert(fc.property(statements, payments, waterfall, (s, p, w) => {
      const r = allocatePayments(s, p, w);
      expect(r.payments).toHaveLength(p.length);
      for (const a of r.payments) {
        expect(sum(a.lines)).toBe(a.amountMinor);
        for (const l of a.lines) expect(a.amountMinor > 0n ? l.amountMinor > 0n : l.amountMinor < 0n).toBe(true);
      }
      expect(r.payments.reduce((t, a) => t + sum(a.lines), 0n)).toBe(p.reduce((t, x) => t + x.amountMinor, 0n));
      for (const [k, v] of Object.entries(r.open)) expect(v >= 0n, k).toBe(true);
    }), { numRuns: 500 });
  });

  it('lines follow the waterfall: fees before interest before principal, overpayment last', () => {
    fc.assert(fc.property(statements, payments.map((p) => p.filter((x) => x.amountMinor > 0n)), (s, p) => {
      const r = allocatePayments(s, p, DEFAULT_WATERFALL);
      for (const a of r.payments) {
        // By component: fees lines come before interest lines before principal lines.
        const rank = a.lines.map((l) => ['fees', 'interest', 'principal', 'unclassified', 'overpayment'].indexOf(l.target));
        expect([...rank].sort((x, y) => x - y)).toEqual(rank);
      }
    }), { numRuns: 300 });
  });
});
