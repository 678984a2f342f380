import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parsePlainDate, type EpochDay } from '../../../kernel/dates.ts';
import { parseAmount } from '../../../kernel/money.ts';
import { ageAccount, type AgingPolicy, type AgingResult, type Obligation, type Posting } from './aging.ts';
import { bucketOfDays, defaultBucketScheme } from './buckets.ts';

const day = (iso: string): EpochDay => {
  const value = parsePlainDate(iso);
  if (value === null) throw new Error(`bad date ${iso}`);
  return value;
};
const minor = (text: string, currency = 'CNY'): bigint => {
  const parsed = parseAmount(text, currency, { allowNegative: true });
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
};
const stmt = (statementDate: string, dueDate: string, minimumDue: string, closingBalance = '5000.00', currency = 'CNY'): Obligation => ({
  statementDate: day(statementDate),
  dueDate: day(dueDate),
  minimumDueMinor: minor(minimumDue, currency),
  closingBalanceMinor: minor(closingBalance, currency),
});
const pay = (postedOn: string, amount: string, currency = 'CNY'): Posting => ({ postedOn: day(postedOn), amountMinor: minor(amount, currency) });

/** Default policy in CNY: tolerance 10.00, grace 3 days. */
const cnyPolicy: AgingPolicy = { toleranceMinor: 1000n, graceDays: 3, buckets: defaultBucketScheme };
const jpyPolicy: AgingPolicy = { toleranceMinor: 10n, graceDays: 3, buckets: defaultBucketScheme };

const S1 = stmt('2024-01-05', '2024-01-25', '300.00', '6000.00');
const S2 = stmt('2024-02-05', '2024-02-25', '350.00', '7000.00');
const S3 = stmt('2024-03-05', '2024-03-25', '400.00', '8000.00');
const S4 = stmt('2024-04-05', '2024-04-25', '450.00', '9000.00');

const current = { daysPastDue: 0, bucket: 'M0', overdueMinor: 0n, oldestUnpaidDueOn: null };

interface Case {
  name: string;
  statements: Obligation[];
  payments: Posting[];
  asOf: string;
  policy?: AgingPolicy;
  expected: Partial<AgingResult>;
}

const cases: Case[] = [
  {
    name: 'no statements: current, zero balance even with payments',
    statements: [],
    payments: [pay('2024-01-10', '50.00')],
    asOf: '2024-06-01',
    expected: { ...current, balanceMinor: 0n, lateCountCumulative: 0, lateCountConsecutive: 0 },
  },
  {
    name: 'as of before the first statement: nothing exists yet',
    statements: [S1, S2],
    payments: [],
    asOf: '2024-01-04',
    expected: { ...current, balanceMinor: 0n, lateCountCumulative: 0 },
  },
  {
    name: 'as of the first statement date: balance is its closing balance',
    statements: [S1, S2],
    payments: [],
    asOf: '2024-01-05',
    expected: { ...current, balanceMinor: minor('6000.00') },
  },
  {
    name: 'as of the due date, unpaid: not yet past due',
    statements: [S1],
    payments: [],
    asOf: '2024-01-25',
    expected: { ...current, lateCountCumulative: 0 },
  },
  {
    name: 'one day after the due date, unpaid: 1 day past due, not yet judged late',
    statements: [S1],
    payments: [],
    asOf: '2024-01-26',
    expected: { daysPastDue: 1, bucket: 'M1', overdueMinor: minor('300.00'), oldestUnpaidDueOn: day('2024-01-25'), lateCountCumulative: 0, lateCountConsecutive: 0 },
  },
  {
    name: 'as of due+grace, unpaid: still within grace, not judged',
    statements: [S1],
    payments: [],
    asOf: '2024-01-28',
    expected: { daysPastDue: 3, lateCountCumulative: 0, lateCountConsecutive: 0 },
  },
  {
    name: 'as of due+grace+1, unpaid: judged late',
    statements: [S1],
    payments: [],
    asOf: '2024-01-29',
    expected: { daysPastDue: 4, lateCountCumulative: 1, lateCountConsecutive: 1 },
  },
  {
    name: 'paid on due+3: on time',
    statements: [S1],
    payments: [pay('2024-01-28', '300.00')],
    asOf: '2024-02-03',
    expected: { ...current, lateCountCumulative: 0, lateCountConsecutive: 0, balanceMinor: minor('5700.00') },
  },
  {
    name: 'paid on due+4: late, though current now',
    statements: [S1],
    payments: [pay('2024-01-29', '300.00')],
    asOf: '2024-02-03',
    expected: { ...current, lateCountCumulative: 1, lateCountConsecutive: 1 },
  },
  {
    name: 'zero grace: paid the day after the due date is late',
    statements: [S1],
    payments: [pay('2024-01-26', '300.00')],
    asOf: '2024-01-27',
    policy: { ...cnyPolicy, graceDays: 0 },
    expected: { ...current, lateCountCumulative: 1 },
  },
  {
    name: 'remainder exactly 10.00: met, but still owed',
    statements: [S1],
    payments: [pay('2024-01-20', '290.00')],
    asOf: '2024-02-03',
    expected: { ...current, overdueMinor: minor('10.00'), lateCountCumulative: 0 },
  },
  {
    name: 'remainder 10.01: not met',
    statements: [S1],
    payments: [pay('2024-01-20', '289.99')],
    asOf: '2024-02-03',
    expected: { daysPastDue: 9, bucket: 'M1', overdueMinor: minor('10.01'), oldestUnpaidDueOn: day('2024-01-25'), lateCountCumulative: 1 },
  },
  {
    name: 'JPY (0 decimals), remainder exactly 10: met, but still owed',
    statements: [stmt('2024-01-05', '2024-01-25', '5000', '90000', 'JPY')],
    payments: [pay('2024-01-25', '4990', 'JPY')],
    asOf: '2024-02-03',
    policy: jpyPolicy,
    expected: { ...current, overdueMinor: 10n, lateCountCumulative: 0, balanceMinor: 85010n },
  },
  {
    name: 'JPY (0 decimals), remainder 11: not met',
    statements: [stmt('2024-01-05', '2024-01-25', '5000', '90000', 'JPY')],
    payments: [pay('2024-01-25', '4989', 'JPY')],
    asOf: '2024-02-03',
    policy: jpyPolicy,
    expected: { daysPastDue: 9, overdueMinor: 11n, lateCountCumulative: 1 },
  },
  {
    name: 'partial payment: the rest is past due',
    statements: [S1],
    payments: [pay('2024-01-20', '100.00')],
    asOf: '2024-02-01',
    expected: { daysPastDue: 7, overdueMinor: minor('200.00'), balanceMinor: minor('5900.00') },
  },
  {
    name: 'multiple payments: met by D, but only 250.00 by the grace cut-off, so late',
    statements: [S1],
    payments: [pay('2024-01-20', '100.00'), pay('2024-01-27', '150.00'), pay('2024-01-30', '50.00')],
    asOf: '2024-02-01',
    expected: { ...current, lateCountCumulative: 1, lateCountConsecutive: 1, balanceMinor: minor('5700.00') },
  },
  {
    name: 'several open obligations: days past due from the oldest',
    statements: [S1, S2, S3],
    payments: [],
    asOf: '2024-04-01',
    expected: { daysPastDue: 67, bucket: 'M3', overdueMinor: minor('1050.00'), oldestUnpaidDueOn: day('2024-01-25'), lateCountCumulative: 3, lateCountConsecutive: 3 },
  },
  {
    name: 'a payment goes to the oldest obligation first',
    statements: [S1, S2, S3],
    payments: [pay('2024-03-30', '300.00')],
    asOf: '2024-04-01',
    expected: { daysPastDue: 36, bucket: 'M2', overdueMinor: minor('750.00'), oldestUnpaidDueOn: day('2024-02-25'), lateCountCumulative: 3, balanceMinor: minor('7700.00') },
  },
  {
    name: 'a payment spilling into the second obligation leaves it partly unpaid',
    statements: [S1, S2, S3],
    payments: [pay('2024-03-30', '500.00')],
    asOf: '2024-04-01',
    expected: { daysPastDue: 36, overdueMinor: minor('550.00'), oldestUnpaidDueOn: day('2024-02-25') },
  },
  {
    name: 'overpayment before later statements covers them',
    statements: [S1, S2, S3],
    payments: [pay('2024-01-20', '1050.00')],
    asOf: '2024-04-01',
    expected: { ...current, lateCountCumulative: 0, lateCountConsecutive: 0, balanceMinor: minor('8000.00') },
  },
  {
    name: 'overpayment short of all later minimums leaves the newest unmet',
    statements: [S1, S2, S3],
    payments: [pay('2024-01-20', '1000.00')],
    asOf: '2024-04-01',
    expected: { daysPastDue: 7, overdueMinor: minor('50.00'), oldestUnpaidDueOn: day('2024-03-25'), lateCountCumulative: 1, lateCountConsecutive: 1 },
  },
  {
    name: 'minimum dues within tolerance are always met but still absorb payments oldest first',
    statements: [stmt('2024-01-05', '2024-01-25', '8.00'), stmt('2024-02-05', '2024-02-25', '8.00'), S3],
    payments: [pay('2024-03-26', '400.00')],
    asOf: '2024-03-27',
    expected: { daysPastDue: 2, overdueMinor: minor('16.00'), oldestUnpaidDueOn: day('2024-03-25') },
  },
  {
    // Only the 10.01 is unmet, but the 0.45 and 9.56 within tolerance are still owed and absorb payments
    // first, so the amount past due is all three: 20.02.
    name: 'remainders within tolerance count in the amount past due',
    statements: [stmt('2024-01-05', '2024-01-25', '0.45'), stmt('2024-02-05', '2024-02-25', '9.56'), stmt('2024-03-05', '2024-03-25', '10.01')],
    payments: [],
    asOf: '2024-03-27',
    expected: { daysPastDue: 2, bucket: 'M1', overdueMinor: 2002n, oldestUnpaidDueOn: day('2024-03-25'), lateCountCumulative: 0, lateCountConsecutive: 0 },
  },
  {
    name: 'remainders within tolerance: paying only the unmet 10.01 goes to the older dues, so still past due',
    statements: [stmt('2024-01-05', '2024-01-25', '0.45'), stmt('2024-02-05', '2024-02-25', '9.56'), stmt('2024-03-05', '2024-03-25', '10.01')],
    payments: [pay('2024-03-27', '10.01')],
    asOf: '2024-03-27',
    expected: { daysPastDue: 2, overdueMinor: 1001n, oldestUnpaidDueOn: day('2024-03-25') },
  },
  {
    name: 'remainders within tolerance: paying the whole amount past due (20.02) makes the account current',
    statements: [stmt('2024-01-05', '2024-01-25', '0.45'), stmt('2024-02-05', '2024-02-25', '9.56'), stmt('2024-03-05', '2024-03-25', '10.01')],
    payments: [pay('2024-03-27', '20.02')],
    asOf: '2024-03-27',
    expected: { ...current, lateCountCumulative: 0, lateCountConsecutive: 0 },
  },
  {
    name: 'leap day due 2024-02-29, as of 2024-03-01',
    statements: [stmt('2024-02-09', '2024-02-29', '100.00')],
    payments: [],
    asOf: '2024-03-01',
    expected: { daysPastDue: 1, oldestUnpaidDueOn: day('2024-02-29') },
  },
  {
    name: 'leap day due 2028-02-29, as of the due date',
    statements: [stmt('2028-02-09', '2028-02-29', '100.00')],
    payments: [],
    asOf: '2028-02-29',
    expected: { ...current },
  },
  {
    name: 'leap day due 2028-02-29, as of 2028-03-01',
    statements: [stmt('2028-02-09', '2028-02-29', '100.00')],
    payments: [],
    asOf: '2028-03-01',
    expected: { daysPastDue: 1 },
  },
  {
    name: 'due 2028-02-28 in a leap year, as of 2028-03-01: two days',
    statements: [stmt('2028-02-08', '2028-02-28', '100.00')],
    payments: [],
    asOf: '2028-03-01',
    expected: { daysPastDue: 2 },
  },
  {
    name: 'due 2027-02-28 in a common year, as of 2027-03-01: one day',
    statements: [stmt('2027-02-08', '2027-02-28', '100.00')],
    payments: [],
    asOf: '2027-03-01',
    expected: { daysPastDue: 1 },
  },
  {
    name: 'late, on time, late, late: the consecutive count restarts after the on-time one',
    statements: [S1, S2, S3, S4],
    payments: [pay('2024-02-10', '300.00'), pay('2024-02-20', '350.00')],
    asOf: '2024-05-01',
    expected: { daysPastDue: 37, bucket: 'M2', overdueMinor: minor('850.00'), lateCountCumulative: 3, lateCountConsecutive: 2 },
  },
  {
    name: 'late then on time: consecutive count back to 0',
    statements: [S1, S2],
    payments: [pay('2024-02-10', '300.00'), pay('2024-02-20', '350.00')],
    asOf: '2024-03-01',
    expected: { ...current, lateCountCumulative: 1, lateCountConsecutive: 0 },
  },
  {
    name: 'statements issued after D do not exist yet',
    statements: [S1, S2],
    payments: [],
    asOf: '2024-02-04',
    expected: { daysPastDue: 10, overdueMinor: minor('300.00'), balanceMinor: minor('6000.00') },
  },
  {
    name: 'payments posted after D are ignored',
    statements: [S1],
    payments: [pay('2024-02-02', '300.00')],
    asOf: '2024-02-01',
    expected: { daysPastDue: 7, overdueMinor: minor('300.00'), balanceMinor: minor('6000.00') },
  },
  {
    name: 'balance: latest statement less payments after its statement date and through D',
    statements: [S1, S2],
    payments: [pay('2024-02-04', '1.00'), pay('2024-02-05', '2.00'), pay('2024-02-06', '40.00'), pay('2024-02-10', '500.00'), pay('2024-02-11', '9999.00')],
    asOf: '2024-02-10',
    expected: { balanceMinor: minor('6460.00') },
  },
  {
    name: 'balance: paying more than the statement balance is a credit',
    statements: [stmt('2024-01-05', '2024-01-25', '100.00', '800.00')],
    payments: [pay('2024-01-10', '1000.00')],
    asOf: '2024-01-31',
    expected: { ...current, balanceMinor: minor('-200.00') },
  },
];

describe('ageAccount', () => {
  it.each(cases)('$name', ({ statements, payments, asOf, policy, expected }) => {
    const result = ageAccount(statements, payments, day(asOf), policy ?? cnyPolicy);
    expect(result).toMatchObject(expected);
  });

  it('gives the same result for unsorted input and does not mutate it', () => {
    const statements = [S3, S1, S4, S2];
    const payments = [pay('2024-02-20', '350.00'), pay('2024-02-10', '300.00')];
    const before = structuredClone({ statements, payments });
    const unsorted = ageAccount(statements, payments, day('2024-05-01'), cnyPolicy);
    expect(unsorted).toEqual(ageAccount([S1, S2, S3, S4], [...payments].reverse(), day('2024-05-01'), cnyPolicy));
    expect(unsorted).toMatchObject({ daysPastDue: 37, lateCountCumulative: 3, lateCountConsecutive: 2, balanceMinor: minor('9000.00') });
    expect({ statements, payments }).toEqual(before);
  });

  it('orders obligations with the same due date by statement date', () => {
    // The earlier statement is the older obligation, so the payment clears it and the later one stays
    // unpaid (305.00). In the other order 300.00 + 5.00 would be owed just the same, so the amount past
    // due cannot tell the orders apart.
    const early = stmt('2024-01-01', '2024-01-25', '300.00', '6000.00');
    const later = stmt('2024-01-10', '2024-01-25', '305.00', '6500.00');
    const result = ageAccount([later, early], [pay('2024-01-20', '300.00')], day('2024-02-01'), cnyPolicy);
    expect(result).toMatchObject({ daysPastDue: 7, overdueMinor: minor('305.00'), balanceMinor: minor('6200.00') });
    // The lateness sequence can: unpaid 300.00 then 5.00 within tolerance is late then met (no trailing
    // run); in the other order it would be met then late (a trailing run of 1).
    const small = stmt('2024-01-10', '2024-01-25', '5.00', '6500.00');
    const judged = ageAccount([small, early], [], day('2024-02-01'), cnyPolicy);
    expect(judged).toMatchObject({ daysPastDue: 7, overdueMinor: minor('305.00'), lateCountCumulative: 1, lateCountConsecutive: 0 });
  });
});

// ---- properties ---------------------------------------------------------------------------------

interface Account { statements: Obligation[]; payments: Posting[]; asOf: EpochDay; policy: AgingPolicy }

const origin = day('2024-01-01');

/** Random accounts around 2024 with tolerance 10.00 (1000 minor); `minimumDue` lets a property weight the dues. */
function accountArb(minimumDue: fc.Arbitrary<bigint> = fc.bigInt({ min: 0n, max: 100_000n })): fc.Arbitrary<Account> {
  const statement = fc.record({ on: fc.integer({ min: 0, max: 400 }), dueIn: fc.integer({ min: 0, max: 30 }), minimumDue, closing: fc.bigInt({ min: -5_000n, max: 1_000_000n }) });
  const payment = fc.record({ on: fc.integer({ min: 0, max: 450 }), amount: fc.bigInt({ min: 1n, max: 150_000n }) });
  return fc.record({
    statements: fc.array(statement, { maxLength: 12 }),
    payments: fc.array(payment, { maxLength: 12 }),
    asOf: fc.integer({ min: -10, max: 480 }),
    graceDays: fc.integer({ min: 0, max: 10 }),
  }).map(({ statements, payments, asOf, graceDays }) => ({
    statements: statements.map((s) => ({ statementDate: origin + s.on, dueDate: origin + s.on + s.dueIn, minimumDueMinor: s.minimumDue, closingBalanceMinor: s.closing })),
    payments: payments.map((p) => ({ postedOn: origin + p.on, amountMinor: p.amount })),
    asOf: origin + asOf,
    policy: { toleranceMinor: 1000n, graceDays, buckets: defaultBucketScheme },
  }));
}

const age = (a: Account): AgingResult => ageAccount(a.statements, a.payments, a.asOf, a.policy);
const existing = (a: Account): Obligation[] => a.statements.filter((s) => s.statementDate <= a.asOf);

/**
 * The specification written out naively (quadratic, no pointers, no fast paths) as an oracle for the
 * optimised implementation.
 */
function referenceAge(a: Account): AgingResult {
  const obligations = existing(a).sort((x, y) => x.dueDate - y.dueDate || x.statementDate - y.statementDate);
  const remainder = (i: number, through: EpochDay): bigint => {
    const dues = obligations.slice(0, i + 1).reduce((sum, o) => sum + o.minimumDueMinor, 0n);
    const paid = a.payments.filter((p) => p.postedOn <= through).reduce((sum, p) => sum + p.amountMinor, 0n);
    const shortfall = dues - paid > 0n ? dues - paid : 0n;
    return shortfall < obligations[i]!.minimumDueMinor ? shortfall : obligations[i]!.minimumDueMinor;
  };
  const tol = a.policy.toleranceMinor;
  // Everything due before D is owed, met or not; only unmet obligations (remainder above the tolerance) age.
  const pastDue = obligations.map((o, i) => ({ o, rem: remainder(i, a.asOf) })).filter(({ o }) => o.dueDate < a.asOf);
  const unmet = pastDue.filter(({ rem }) => rem > tol);
  const judgedLate = obligations.map((o, i) => ({ o, i })).filter(({ o }) => o.dueDate + a.policy.graceDays < a.asOf).map(({ o, i }) => remainder(i, o.dueDate + a.policy.graceDays) > tol);
  const oldest = unmet.length === 0 ? null : Math.min(...unmet.map(({ o }) => o.dueDate));
  const latest = [...obligations].sort((x, y) => y.statementDate - x.statementDate || y.dueDate - x.dueDate)[0];
  const dpd = oldest === null ? 0 : a.asOf - oldest;
  const trailing = judgedLate.length - 1 - judgedLate.lastIndexOf(false);
  return {
    daysPastDue: dpd,
    bucket: bucketOfDays(dpd, a.policy.buckets),
    overdueMinor: pastDue.reduce((sum, { rem }) => sum + rem, 0n),
    balanceMinor: latest === undefined ? 0n : latest.closingBalanceMinor - a.payments.filter((p) => p.postedOn > latest.statementDate && p.postedOn <= a.asOf).reduce((s, p) => s + p.amountMinor, 0n),
    lateCountCumulative: judgedLate.filter(Boolean).length,
    lateCountConsecutive: trailing,
    oldestUnpaidDueOn: oldest,
  };
}

describe('ageAccount properties', () => {
  it('agrees with a naive reading of the specification', () => {
    fc.assert(fc.property(accountArb(), (a) => {
      expect(age(a)).toEqual(referenceAge(a));
    }), { numRuns: 500 });
  });

  it('does not depend on input order', () => {
    fc.assert(fc.property(accountArb().chain((a) => fc.tuple(fc.constant(a), fc.shuffledSubarray(a.statements, { minLength: a.statements.length }), fc.shuffledSubarray(a.payments, { minLength: a.payments.length }))), ([a, statements, payments]) => {
      expect(ageAccount(statements, payments, a.asOf, a.policy)).toEqual(age(a));
    }));
  });

  // Holds for every input: the amount past due includes remainders within the tolerance, which absorb
  // payments oldest first (see the table cases "remainders within tolerance …"). Dues are weighted
  // towards 0 and the tolerance so that several small ones ahead of an unmet one are common.
  it('(a) paying the whole overdue amount on D makes the account current', () => {
    const minimumDue = fc.oneof(fc.constantFrom(0n, 1n, 999n, 1000n, 1001n), fc.bigInt({ min: 0n, max: 1000n }), fc.bigInt({ min: 0n, max: 100_000n }));
    fc.assert(fc.property(accountArb(minimumDue), (a) => {
      const { overdueMinor } = age(a);
      const paid = age({ ...a, payments: [...a.payments, { postedOn: a.asOf, amountMinor: overdueMinor }] });
      expect(paid.daysPastDue).toBe(0);
      expect(paid.overdueMinor).toBe(0n);
    }), { numRuns: 500 });
  });

  it('(b) days past due never exceed D minus the oldest due date', () => {
    fc.assert(fc.property(accountArb(), (a) => {
      const { daysPastDue, oldestUnpaidDueOn } = age(a);
      const due = existing(a).map((s) => s.dueDate).filter((d) => d < a.asOf);
      expect(daysPastDue).toBeGreaterThanOrEqual(0);
      expect(daysPastDue).toBeLessThanOrEqual(due.length === 0 ? 0 : a.asOf - Math.min(...due));
      expect(oldestUnpaidDueOn === null ? 0 : a.asOf - oldestUnpaidDueOn).toBe(daysPastDue);
    }));
  });

  it('(c) days past due is 0 exactly when the bucket is M0', () => {
    fc.assert(fc.property(accountArb(), (a) => {
      const { daysPastDue, bucket } = age(a);
      expect(daysPastDue === 0).toBe(bucket === 'M0');
    }));
  });

  it('(d) more payments never increase days past due or late counts', () => {
    const extra = fc.record({ on: fc.integer({ min: -5, max: 480 }), amount: fc.bigInt({ min: 0n, max: 150_000n }) });
    fc.assert(fc.property(accountArb(), extra, (a, { on, amount }) => {
      const before = age(a);
      const after = age({ ...a, payments: [...a.payments, { postedOn: origin + on, amountMinor: amount }] });
      expect(after.daysPastDue).toBeLessThanOrEqual(before.daysPastDue);
      expect(after.overdueMinor <= before.overdueMinor).toBe(true);
      expect(after.lateCountCumulative).toBeLessThanOrEqual(before.lateCountCumulative);
    }));
  });

  it('(e) consecutive <= cumulative <= judged obligations', () => {
    fc.assert(fc.property(accountArb(), (a) => {
      const { lateCountConsecutive, lateCountCumulative } = age(a);
      const judged = existing(a).filter((s) => s.dueDate + a.policy.graceDays < a.asOf).length;
      expect(lateCountConsecutive).toBeLessThanOrEqual(lateCountCumulative);
      expect(lateCountCumulative).toBeLessThanOrEqual(judged);
    }));
  });
});
