/**
 * Conditions: compiled closures (operators, nulls, amounts in minor units per currency, explain with
 * observed values) and the analysis validation relies on, checked against evaluation by properties:
 * a condition analysed as impossible never holds, two analysed as disjoint never hold together, and
 * one analysed as covering another holds whenever the other does.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileCondition, covers, impliesTrue, overlaps, toDnf, validateCondition, type Condition } from './conditions.ts';
import type { AccountSnapshot, FactContext } from './facts.ts';

const BUCKETS = ['M0', 'M1', 'M2', 'M3', 'M4'];
const cctx = { buckets: BUCKETS };

function context(over: Partial<AccountSnapshot> = {}, stage: Partial<FactContext> = {}): FactContext {
  const snap: AccountSnapshot = {
    accountId: 'a1', customerId: 'c1', currency: 'CNY', asOf: 20_000, daysPastDue: 10, bucket: 'M1', balanceMinor: 1_234_500n, overdueMinor: 50_000n,
    creditLimitMinor: 2_000_000n, lateCountCumulative: 1, lateCountConsecutive: 1, accountStatus: 'open', language: 'zh-CN', timeZone: 'Asia/Shanghai',
    lastPaymentOn: null, activePromise: null, activePlan: null, promisesKept: 0, promisesBroken: 0, plansBroken: 0, flags: [], unreachable: false,
    failedContactAttempts: 0, delinquencyReason: null, suspectedEvasion: false, riskScore: null, teamId: null, agencyId: null, legalStage: null, ...over,
  };
  return { snap, stageEnteredOn: 19_995, stageTreatments: 0, collectionsSince: 19_990, cures: 0, ...stage };
}

const holds = (c: Condition, x: FactContext, currency = 'CNY') => compileCondition(c, currency).test(x);

describe('compiled conditions', () => {
  it('compare amounts exactly in minor units of the account currency', () => {
    const c: Condition = { fact: 'balance', op: 'gte', value: '12345.00' };
    expect(holds(c, context({ balanceMinor: 1_234_500n }))).toBe(true);
    expect(holds(c, context({ balanceMinor: 1_234_499n }))).toBe(false);
    expect(holds(c, context({ currency: 'JPY', balanceMinor: 12_345n }), 'JPY')).toBe(true);
    expect(() => compileCondition({ fact: 'balance', op: 'gte', value: '10.50' }, 'JPY')).toThrow(/not exact in JPY/);
  });

  it('never order a null, but compare it for (in)equality', () => {
    expect(holds({ fact: 'riskScore', op: 'lt', value: 5 }, context())).toBe(false);
    expect(holds({ fact: 'riskScore', op: 'gte', value: 5 }, context())).toBe(false);
    expect(holds({ not: { fact: 'riskScore', op: 'lt', value: 5 } }, context())).toBe(true);
    expect(holds({ fact: 'delinquencyReason', op: 'eq', value: null }, context())).toBe(true);
    expect(holds({ fact: 'delinquencyReason', op: 'ne', value: 'illness' }, context())).toBe(true);
    expect(holds({ fact: 'delinquencyReason', op: 'in', value: ['illness', null] }, context())).toBe(true);
    expect(holds({ fact: 'daysSinceLastPayment', op: 'lte', value: 30 }, context())).toBe(false);
    expect(holds({ fact: 'daysSinceLastPayment', op: 'lte', value: 30 }, context({ lastPaymentOn: 19_990 }))).toBe(true);
  });

  it('read stage facts from the stage being judged', () => {
    const c: Condition = { all: [{ fact: 'stageDays', op: 'gte', value: 5 }, { fact: 'paidInStage', op: 'eq', value: false }, { fact: 'stageTreatments', op: 'gte', value: 1 }] };
    expect(holds(c, context({}, { stageTreatments: 1 }))).toBe(true);
    expect(holds(c, context({ lastPaymentOn: 19_996 }, { stageTreatments: 1 }))).toBe(false);
    expect(holds(c, context({}, { stageTreatments: 1, stageEnteredOn: 19_996 }))).toBe(false);
  });

  it('explain every leaf with the value it saw, amounts as decimal strings', () => {
    const c: Condition = { any: [{ fact: 'balance', op: 'gte', value: '50000.00' }, { not: { fact: 'hardship', op: 'eq', value: true } }] };
    expect(compileCondition(c, 'CNY').explain(context({ flags: ['hardship'] }))).toEqual({
      kind: 'any', held: false, children: [
        { kind: 'leaf', fact: 'balance', op: 'gte', expected: '50000.00', observed: '12345.00', held: false },
        { kind: 'not', held: false, child: { kind: 'leaf', fact: 'hardship', op: 'eq', expected: true, observed: true, held: true } },
      ],
    });
  });

  it('validate leaves: fact, operator, value type, list sizes', () => {
    const codes = (c: Condition) => validateCondition(c, [], cctx).map((i) => i.code);
    expect(codes({ fact: 'nope', op: 'eq', value: 1 })).toEqual(['unknown_fact']);
    expect(codes({ fact: 'hardship', op: 'gt', value: true })).toEqual(['operator_not_allowed']);
    expect(codes({ fact: 'bucket', op: 'in', value: [] })).toEqual(['invalid_value']);
    expect(codes({ fact: 'bucket', op: 'in', value: ['M1', 'M9'] })).toEqual(['invalid_value']);
    expect(codes({ fact: 'bucket', op: 'eq', value: ['M1'] })).toEqual(['invalid_value']);
    expect(codes({ fact: 'hardship', op: 'eq', value: null })).toEqual(['invalid_value']);
    expect(codes({ all: [{ fact: 'daysPastDue', op: 'gte', value: 1 }, { fact: 'balance', op: 'gte', value: '1e5' }] })).toEqual(['invalid_value']);
  });
});

describe('analysis', () => {
  const dnf = (c: Condition | undefined) => toDnf(c, cctx);

  it('knows contradictions over whole numbers and nulls', () => {
    expect(dnf({ all: [{ fact: 'daysPastDue', op: 'gt', value: 30 }, { fact: 'daysPastDue', op: 'lt', value: 31 }] })).toEqual([]);
    expect(dnf({ fact: 'daysPastDue', op: 'lt', value: 0 })).toEqual([]);
    expect(dnf({ all: [{ fact: 'riskScore', op: 'gt', value: 0.5 }, { fact: 'riskScore', op: 'lt', value: 0.6 }] })).toHaveLength(1);
    expect(dnf({ all: [{ fact: 'delinquencyReason', op: 'eq', value: null }, { fact: 'delinquencyReason', op: 'in', value: ['illness'] }] })).toEqual([]);
    expect(dnf({ not: { any: [{ fact: 'hardship', op: 'eq', value: true }, { fact: 'hardship', op: 'eq', value: false }] } })).toEqual([]);
    expect(dnf(undefined)).toHaveLength(1);
  });

  it('tells implication of a flag', () => {
    expect(impliesTrue(dnf({ all: [{ fact: 'hardship', op: 'eq', value: true }, { fact: 'daysPastDue', op: 'gte', value: 3 }] }), 'hardship')).toBe(true);
    expect(impliesTrue(dnf({ any: [{ fact: 'hardship', op: 'eq', value: true }, { fact: 'daysPastDue', op: 'gte', value: 3 }] }), 'hardship')).toBe(false);
  });

  // Random conditions over six facts of every type, and random accounts.
  const leaf = fc.oneof(
    fc.record({ fact: fc.constant('daysPastDue'), op: fc.constantFrom('eq', 'ne', 'lt', 'lte', 'gt', 'gte'), value: fc.integer({ min: -2, max: 12 }) }),
    fc.record({ fact: fc.constant('daysPastDue'), op: fc.constantFrom('in', 'notIn'), value: fc.uniqueArray(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 4 }) }),
    fc.record({ fact: fc.constant('balance'), op: fc.constantFrom('lt', 'lte', 'gt', 'gte', 'eq', 'ne'), value: fc.integer({ min: 0, max: 20 }).map((n) => `${n}.00`) }),
    fc.record({ fact: fc.constant('bucket'), op: fc.constantFrom('eq', 'ne'), value: fc.constantFrom(...BUCKETS) }),
    fc.record({ fact: fc.constant('hardship'), op: fc.constantFrom('eq', 'ne'), value: fc.boolean() }),
    fc.record({ fact: fc.constant('riskScore'), op: fc.constantFrom('lt', 'gte', 'eq', 'ne'), value: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(null)) }).filter((l) => l.value !== null || l.op === 'eq' || l.op === 'ne'),
    fc.record({ fact: fc.constant('delinquencyReason'), op: fc.constantFrom('eq', 'ne', 'in', 'notIn'), value: fc.constantFrom<unknown>('illness', 'forgot', null) }).map((l) => (l.op === 'in' || l.op === 'notIn' ? { ...l, value: [l.value] } : l)),
  ) as fc.Arbitrary<Condition>;
  const condition: fc.Arbitrary<Condition> = fc.letrec<{ c: Condition }>((tie) => ({
    c: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.record({ all: fc.array(tie('c'), { minLength: 1, maxLength: 3 }) }), fc.record({ any: fc.array(tie('c'), { minLength: 1, maxLength: 3 }) }), fc.record({ not: tie('c') })),
  })).c;
  const account = fc.record({
    daysPastDue: fc.integer({ min: 0, max: 13 }), balance: fc.integer({ min: 0, max: 21 }), cents: fc.constantFrom(0n, 1n), bucket: fc.constantFrom(...BUCKETS),
    hardship: fc.boolean(), riskScore: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(null)), reason: fc.constantFrom('illness' as const, 'forgot' as const, 'overspending' as const, null),
  }).map((a) => context({ daysPastDue: a.daysPastDue, balanceMinor: BigInt(a.balance) * 100n + a.cents, bucket: a.bucket, flags: a.hardship ? ['hardship'] : [], riskScore: a.riskScore, delinquencyReason: a.reason }));

  it('an impossible condition never holds', () => {
    fc.assert(fc.property(condition, fc.array(account, { minLength: 20, maxLength: 20 }), (c, accounts) => {
      if (dnf(c).length === 0) for (const x of accounts) expect(holds(c, x)).toBe(false);
    }), { numRuns: 400 });
  });

  it('two conditions analysed as disjoint never hold together', () => {
    fc.assert(fc.property(condition, condition, fc.array(account, { minLength: 20, maxLength: 20 }), (a, b, accounts) => {
      if (!overlaps(dnf(a), dnf(b))) for (const x of accounts) expect(holds(a, x) && holds(b, x)).toBe(false);
    }), { numRuns: 400 });
  });

  it('a condition analysed as covering another holds whenever the other does', () => {
    fc.assert(fc.property(condition, condition, fc.array(account, { minLength: 20, maxLength: 20 }), (a, b, accounts) => {
      if (covers(dnf(b), dnf(a), cctx)) for (const x of accounts) if (holds(a, x)) expect(holds(b, x)).toBe(true);
    }), { numRuns: 400 });
  });

  it('holding on an account means the analysis says possible (and overlapping with itself)', () => {
    fc.assert(fc.property(condition, account, (c, x) => {
      if (holds(c, x)) {
        expect(dnf(c).length).toBeGreaterThan(0);
        expect(overlaps(dnf(c), dnf(c))).toBe(true);
      }
    }), { numRuns: 400 });
  });
});
