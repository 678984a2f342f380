/**
 * The pure decision, table by table: exits (cured, plan, promise), entering a ladder, escalation on
 * stage facts and cascades on days past due, cadences, treatment conditions, segment precedence and
 * changes, variants, and the explain trace.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileStrategy } from './compile.ts';
import { decide } from './decide.ts';
import type { StrategyDocument } from './document.ts';
import type { AccountSnapshot } from './facts.ts';
import { packState, unpackState, withTreatments, type StrategyState } from './state.ts';
import { assignmentPoint } from './variant.ts';
import { diffDocuments } from './diff.ts';

const sms = (id: string, every = 7, max = 1, after = 0) => ({
  id, type: 'message' as const, channel: 'sms', tone: 'gentle' as const, templates: { 'zh-CN': 'cn-sms-reminder-gentle', en: 'en-sms-reminder-gentle' },
  cadence: { everyDays: every, maxPerStage: max, afterDays: after },
});
const call = (id: string, every = 2) => ({ id, type: 'work' as const, kind: 'agent_call' as const, priority: 50, cadence: { everyDays: every, maxPerStage: 3 } });

const DOC: StrategyDocument = {
  id: 'unit', version: 1, effectiveFrom: '2026-01-01', compliancePack: 'cn', settings: { sendAt: '10:00', deferDaysMax: 3 },
  segments: [
    { id: 'hardship', priority: 10, when: { fact: 'hardship', op: 'eq', value: true }, ladder: 'care' },
    { id: 'big', priority: 20, when: { fact: 'balance', op: 'gte', value: '50000.00' }, ladder: 'firm' },
    { id: 'rest', priority: 30, ladder: 'main' },
  ],
  ladders: [
    { id: 'main', stages: [
      { id: 'remind', entry: { fact: 'daysPastDue', op: 'gte', value: 1 }, treatments: [sms('first'), sms('second', 7, 1, 3)] },
      { id: 'calls', entry: { all: [{ fact: 'stageDays', op: 'gte', value: 7 }, { fact: 'paidInStage', op: 'eq', value: false }] }, treatments: [call('call')] },
    ] },
    { id: 'main-b', stages: [{ id: 'b-remind', entry: { fact: 'daysPastDue', op: 'gte', value: 1 }, treatments: [sms('first')] }] },
    { id: 'firm', stages: [
      { id: 'f-1', entry: { fact: 'daysPastDue', op: 'gte', value: 1 }, treatments: [sms('first')] },
      { id: 'f-31', entry: { fact: 'daysPastDue', op: 'gte', value: 31 }, treatments: [call('call')] },
      { id: 'f-61', entry: { fact: 'daysPastDue', op: 'gte', value: 61 }, treatments: [
        { id: 'freeze', type: 'account_action', action: 'freeze', when: { fact: 'balance', op: 'gte', value: '80000.00' }, cadence: { everyDays: 30, maxPerStage: 1 } },
        { id: 'restrict', type: 'account_action', action: 'restrict', when: { fact: 'balance', op: 'lt', value: '80000.00' }, cadence: { everyDays: 30, maxPerStage: 1 } },
      ] },
    ] },
    { id: 'care', stages: [{ id: 'pause', treatments: [] }, { id: 'offer', entry: { fact: 'stageDays', op: 'gte', value: 5 }, treatments: [call('offer', 7)] }] },
  ],
  variants: [{ id: 'champion', percent: 50 }, { id: 'challenger', percent: 50, ladders: { main: 'main-b' } }],
};
const strategy = compileStrategy(DOC);
const champion = Array.from({ length: 50 }, (_, i) => `acc-${i}`).find((id) => strategy.variantOf(id).variant.id === 'champion')!;
const challenger = Array.from({ length: 50 }, (_, i) => `acc-${i}`).find((id) => strategy.variantOf(id).variant.id === 'challenger')!;

const DAY = 20_635; // 2026-07-01
function snap(over: Partial<AccountSnapshot> = {}): AccountSnapshot {
  return {
    accountId: champion, customerId: 'c1', currency: 'CNY', asOf: DAY, daysPastDue: 5, bucket: 'M1', balanceMinor: 1_000_000n, overdueMinor: 100_000n,
    creditLimitMinor: 5_000_000n, lateCountCumulative: 1, lateCountConsecutive: 1, accountStatus: 'open', language: 'zh-CN', timeZone: 'Asia/Shanghai',
    lastPaymentOn: null, activePromise: null, activePlan: null, promisesKept: 0, promisesBroken: 0, plansBroken: 0, flags: [], unreachable: false,
    failedContactAttempts: 0, delinquencyReason: null, suspectedEvasion: false, riskScore: null, teamId: null, agencyId: null, legalStage: null, ...over,
  };
}

/** Runs the strategy day by day from `from`, carrying out every due treatment; returns each day's decision. */
function walk(days: number, snapshotOf: (day: number, i: number) => AccountSnapshot) {
  let state: StrategyState | null = null;
  const out = [];
  for (let i = 0; i < days; i++) {
    const s = snapshotOf(DAY + i, i);
    const d = decide(strategy, s, state);
    state = d.base ? withTreatments(d.base, d.actions.map((a) => a.id), s.asOf) : state;
    out.push(d);
  }
  return out;
}

describe('decide', () => {
  it('enters the ladder in its first stage and sends the first reminder the same day, the second after three days', () => {
    const days = walk(5, (day, i) => snap({ asOf: day, daysPastDue: 1 + i }));
    expect(days[0]!.transitions).toEqual([{ kind: 'entered', segment: 'rest', stage: 'remind' }]);
    expect(days.map((d) => d.actions.map((a) => a.id))).toEqual([['first'], [], [], ['second'], []]);
    expect(days[4]!.base).toMatchObject({ status: 'active', segment: 'rest', ladder: 'main', stage: 'remind', stageEnteredOn: DAY, collectionsSince: DAY });
  });

  it('escalates when the next stage’s entry holds on the stage being left: seven days without a payment', () => {
    const unpaid = walk(9, (day, i) => snap({ asOf: day, daysPastDue: 1 + i }));
    expect(unpaid.map((d) => d.stage)).toEqual(['remind', 'remind', 'remind', 'remind', 'remind', 'remind', 'remind', 'calls', 'calls']);
    expect(unpaid[7]!.transitions).toEqual([{ kind: 'escalated', segment: 'rest', stage: 'calls' }]);
    expect(unpaid[7]!.actions.map((a) => a.id)).toEqual(['call']);
    expect(unpaid[7]!.base!.treatments).toEqual([]);
    // A partial payment in the stage holds it back.
    const paid = walk(9, (day, i) => snap({ asOf: day, daysPastDue: 1 + i, lastPaymentOn: DAY + 2 }));
    expect(paid.every((d) => d.stage === 'remind')).toBe(true);
  });

  it('cascades through stages entered on days past due alone, acting only in the last one', () => {
    const d = decide(strategy, snap({ balanceMinor: 6_000_000n, daysPastDue: 70 }), null);
    expect(d.segment).toBe('big');
    expect(d.stage).toBe('f-61');
    expect(d.transitions).toEqual([{ kind: 'entered', segment: 'big', stage: 'f-1' }, { kind: 'escalated', segment: 'big', stage: 'f-31' }, { kind: 'escalated', segment: 'big', stage: 'f-61' }]);
    expect(d.actions.map((a) => [a.id, a.handover, a.action])).toEqual([['restrict', 'account_action', 'restrict']]);
    expect(decide(strategy, snap({ balanceMinor: 9_000_000n, daysPastDue: 70 }), null).actions.map((a) => a.id)).toEqual(['freeze']);
  });

  it('exits: cured → current (counted), an open plan → plan monitoring, an open promise → paused; then resumes where it was', () => {
    const start = decide(strategy, snap(), null);
    const inStage = withTreatments(start.base!, ['first'], DAY);
    const cured = decide(strategy, snap({ asOf: DAY + 1, daysPastDue: 0 }), inStage);
    expect(cured).toMatchObject({ status: 'current', actions: [], transitions: [{ kind: 'cured', segment: 'rest', stage: null }] });
    expect(cured.base).toMatchObject({ status: 'current', cures: 1, stage: null });
    expect(decide(strategy, snap({ daysPastDue: 0 }), null).base).toBeNull();
    const plan = decide(strategy, snap({ asOf: DAY + 1, activePlan: { planId: 1, nextDueOn: DAY + 20 } }), inStage);
    expect(plan).toMatchObject({ status: 'plan', actions: [], transitions: [{ kind: 'plan_monitoring' }] });
    const promise = decide(strategy, snap({ asOf: DAY + 1, activePromise: { promisedOn: DAY + 5, amountMinor: 10_000n } }), inStage);
    expect(promise).toMatchObject({ status: 'paused', actions: [], transitions: [{ kind: 'paused' }] });
    expect(decide(strategy, snap({ asOf: DAY + 2, activePromise: { promisedOn: DAY + 5, amountMinor: 10_000n } }), promise.base).transitions).toEqual([]);
    const resumed = decide(strategy, snap({ asOf: DAY + 6, promisesBroken: 1 }), promise.base);
    expect(resumed.transitions[0]).toEqual({ kind: 'resumed', segment: 'rest', stage: 'remind' });
    expect(resumed.stage).toBe('remind');
    expect(resumed.actions.map((a) => a.id)).toEqual(['second']);
    // A new delinquency after a cure is a new episode.
    const again = decide(strategy, snap({ asOf: DAY + 40, daysPastDue: 1 }), cured.base);
    expect(again.transitions).toEqual([{ kind: 'entered', segment: 'rest', stage: 'remind' }]);
    expect(again.base).toMatchObject({ collectionsSince: DAY + 40, cures: 1 });
  });

  it('changes segment when a higher-priority one matches, starting its ladder', () => {
    const first = decide(strategy, snap(), null);
    const d = decide(strategy, snap({ asOf: DAY + 1, flags: ['hardship'] }), withTreatments(first.base!, ['first'], DAY));
    expect(d.segment).toBe('hardship');
    expect(d.transitions).toEqual([{ kind: 'segment_changed', segment: 'hardship', stage: 'pause' }]);
    expect(d.actions).toEqual([]);
    const offer = walk(7, (day) => snap({ asOf: day, flags: ['hardship'] }));
    expect(offer.map((x) => x.actions.map((a) => a.id).join())).toEqual(['', '', '', '', '', 'offer', '']);
  });

  it('runs the ladder of the account’s variant', () => {
    expect(decide(strategy, snap({ accountId: challenger }), null).stage).toBe('b-remind');
    expect(decide(strategy, snap({ accountId: champion }), null).stage).toBe('remind');
    expect(decide(strategy, snap({ accountId: challenger }), null).variant).toBe('challenger');
  });

  it('explains: every fact, each segment until the match, stage entries with the stage left, treatment checks', () => {
    const start = withTreatments(decide(strategy, snap(), null).base!, ['first'], DAY);
    const d = decide(strategy, snap({ asOf: DAY + 3, daysPastDue: 8 }), start, { explain: true });
    const t = d.trace!;
    expect(t.facts).toMatchObject({ daysPastDue: 8, balance: '10000.00', stageDays: 3, stageTreatments: 1, hardship: false });
    expect(t.segments.map((s) => [s.segment, s.matched])).toEqual([['hardship', false], ['big', false], ['rest', true]]);
    expect(t.segments[1]!.condition).toEqual({ kind: 'leaf', fact: 'balance', op: 'gte', expected: '50000.00', observed: '10000.00', held: false });
    expect(t.stages).toEqual([{
      stage: 'calls', held: false, factsOfStage: { stageDays: 3, stageTreatments: 1, paidInStage: false },
      entry: { kind: 'all', held: false, children: [
        { kind: 'leaf', fact: 'stageDays', op: 'gte', expected: 7, observed: 3, held: false },
        { kind: 'leaf', fact: 'paidInStage', op: 'eq', expected: false, observed: false, held: true },
      ] },
    }]);
    expect(t.treatments.map((x) => [x.treatment, x.due])).toEqual([['first', false], ['second', true]]);
    expect(t.treatments[0]!.checks).toEqual([
      { check: 'maxPerStage', expected: 1, observed: 1, held: false },
      { check: 'everyDays', expected: 7, observed: 3, held: false },
      { check: 'afterDays', expected: 0, observed: 3, held: true },
    ]);
    // The same decision as without the trace.
    const plain = decide(strategy, snap({ asOf: DAY + 3, daysPastDue: 8 }), start);
    expect(plain.actions.map((a) => a.id)).toEqual(d.actions.map((a) => a.id));
    expect(plain.trace).toBeNull();
  });
});

describe('strategy state', () => {
  it('packs and unpacks every state', () => {
    const id = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,10}$/);
    fc.assert(fc.property(fc.record({
      status: fc.constantFrom('active' as const, 'paused' as const, 'plan' as const, 'current' as const), segment: fc.option(id, { nil: null }), ladder: fc.option(id, { nil: null }),
      stage: fc.option(id, { nil: null }), stageEnteredOn: fc.integer({ min: 0, max: 40_000 }), collectionsSince: fc.integer({ min: 0, max: 40_000 }), cures: fc.nat(50),
      treatments: fc.uniqueArray(fc.record({ id, count: fc.integer({ min: 1, max: 100 }), lastOn: fc.integer({ min: 0, max: 40_000 }) }), { selector: (t) => t.id, maxLength: 5 })
        .map((l) => [...l].sort((a, b) => (a.id < b.id ? -1 : 1))),
    }), (s) => {
      expect(unpackState(packState(s))).toEqual(s);
    }));
    expect(() => unpackState('2|a')).toThrow(/not a packed strategy state/);
  });
});

describe('variants', () => {
  it('split accounts by share, the same way every time', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `A${i}`);
    const challengers = ids.filter((id) => strategy.variantOf(id).variant.id === 'challenger').length;
    expect(challengers / ids.length).toBeGreaterThan(0.47);
    expect(challengers / ids.length).toBeLessThan(0.53);
    expect(ids.map((id) => strategy.variantOf(id).variant.id)).toEqual(ids.map((id) => compileStrategy({ ...DOC, version: 2 }).variantOf(id).variant.id));
  });

  it('moving 10 points of share moves only the accounts in those points', () => {
    const before = compileStrategy({ ...DOC, variants: [{ id: 'champion', percent: 90 }, { id: 'challenger', percent: 10, ladders: { main: 'main-b' } }] });
    const after = compileStrategy({ ...DOC, variants: [{ id: 'champion', percent: 80 }, { id: 'challenger', percent: 20, ladders: { main: 'main-b' } }] });
    for (let i = 0; i < 5_000; i++) {
      const id = `A${i}`;
      const point = assignmentPoint('unit', id);
      const expected = point < 8_000 ? 'champion' : 'challenger';
      expect(after.variantOf(id).variant.id).toBe(expected);
      if (before.variantOf(id).variant.id === 'challenger') expect(after.variantOf(id).variant.id).toBe('challenger');
    }
    const salted = compileStrategy({ ...DOC, settings: { ...DOC.settings, assignmentSalt: 'other' } });
    expect(Array.from({ length: 200 }, (_, i) => salted.variantOf(`A${i}`).variant.id)).not.toEqual(Array.from({ length: 200 }, (_, i) => strategy.variantOf(`A${i}`).variant.id));
  });
});

describe('diffDocuments', () => {
  it('names changes by id, with moves, additions and removals', () => {
    const after = structuredClone(DOC) as StrategyDocument;
    after.version = 2;
    after.segments = [after.segments[1]!, after.segments[0]!, after.segments[2]!];
    after.segments[0]!.when = { fact: 'balance', op: 'gte', value: '60000.00' };
    after.ladders[0]!.stages[1]!.treatments.push(sms('late'));
    after.ladders = after.ladders.filter((l) => l.id !== 'main-b');
    after.variants = [{ id: 'champion', percent: 100 }];
    const changes = diffDocuments(DOC, after);
    expect(changes).toEqual(expect.arrayContaining([
      { path: '$.version', kind: 'changed', from: 1, to: 2 },
      { path: '$.segments[id=hardship]', kind: 'moved', from: 0, to: 1 },
      { path: '$.segments[id=big].when.value', kind: 'changed', from: '50000.00', to: '60000.00' },
      expect.objectContaining({ path: '$.ladders[id=main].stages[id=calls].treatments[id=late]', kind: 'added' }),
      expect.objectContaining({ path: '$.ladders[id=main-b]', kind: 'removed' }),
      expect.objectContaining({ path: '$.variants[id=challenger]', kind: 'removed' }),
      { path: '$.variants[id=champion].percent', kind: 'changed', from: 50, to: 100 },
    ]));
    expect(diffDocuments(DOC, structuredClone(DOC))).toEqual([]);
  });
});
