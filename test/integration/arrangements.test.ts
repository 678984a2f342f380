/**
 * The arrangements core: promises and plans recorded through the CLI (idempotent by key), judged
 * set-based as of a date — kept/broken with tolerance and grace, instalments met/missed and plans
 * broken after grace — and read back in bulk for strategy snapshots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlainDate } from '../../src/kernel/dates.ts';
import { arrangementStates, evaluateArrangements, loadDefaultArrangementSettings, recordPlan, recordPromise } from '../../src/modules/arrangements/index.ts';
import { createTestRuntime } from '../support/database.ts';
import { runCli } from '../support/cli.ts';
import { importRecords, loadDelinquentPortfolio } from '../support/portfolio.ts';
import type { Runtime } from '../../src/runtime.ts';

let rt: Runtime;
const A = (n: number) => `ta${String(n).padStart(4, '0')}`;
const day = (t: string) => parsePlainDate(t)!;
const pay = (accountId: string, id: string, postedOn: string, amount: string) => importRecords(rt, [{ type: 'payment', id, accountId, postedOn, amount }]);
const evaluate = async (asOf: string) => {
  const r = await evaluateArrangements(rt.pool, await loadDefaultArrangementSettings(), day(asOf));
  if (!r.ok) throw new Error(r.message);
  return r.value;
};

beforeAll(async () => {
  rt = await createTestRuntime();
  await loadDelinquentPortfolio(rt, 12, '2026-07-01');
});
afterAll(async () => rt?.close());

describe('promises to pay', () => {
  it('records through the CLI, idempotent by key; a second open promise, a date in the past or too far ahead are refused', async () => {
    const args = ['promise', 'record', '--account', A(1), '--amount', '500.00', '--promised-on', '2026-07-05', '--on', '2026-07-01', '--channel', 'voice_agent', '--idempotency-key', 'p-1', '--json'];
    const first = await runCli(rt, args);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json()).toMatchObject({ replayed: false });
    expect((await runCli(rt, args)).json()).toEqual({ ...first.json(), replayed: true });
    const reused = await runCli(rt, [...args.slice(0, 5), '600.00', ...args.slice(6)]);
    expect(reused.code).toBe(2);
    expect(reused.stderr).toMatch(/idempotency key "p-1" was used for a different promise/);
    const second = await runCli(rt, ['promise', 'record', '--account', A(1), '--amount', '100.00', '--promised-on', '2026-07-06', '--on', '2026-07-01']);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/already has an open promise/);
    expect((await runCli(rt, ['promise', 'record', '--account', A(2), '--amount', '100.00', '--promised-on', '2026-06-30', '--on', '2026-07-01'])).stderr).toMatch(/before the day the promise was made/);
    expect((await runCli(rt, ['promise', 'record', '--account', A(2), '--amount', '100.00', '--promised-on', '2026-09-30', '--on', '2026-07-01'])).stderr).toMatch(/more than 30 days/);
    expect((await runCli(rt, ['promise', 'record', '--account', A(2), '--amount', '1.005', '--promised-on', '2026-07-03', '--on', '2026-07-01'])).code).toBe(2);
    expect((await runCli(rt, ['promise', 'record', '--account', 'nope', '--amount', '1.00', '--promised-on', '2026-07-03', '--on', '2026-07-01'])).code).toBe(3);
  });

  it('is kept once payments from the day it was made reach the amount less the tolerance, up to its date + grace; else broken after the grace', async () => {
    const settings = await loadDefaultArrangementSettings();
    const record = async (n: number, amount: string, promisedOn: string) => {
      const r = await recordPromise(rt.pool, settings, { accountId: A(n), amount, promisedOn, createdOn: '2026-07-01', recordedBy: 'test' }, day('2026-07-01'));
      expect(r.ok).toBe(true);
    };
    await record(3, '1000.00', '2026-07-05'); // paid 990.00 (within the 10.00 tolerance) on its date → kept
    await record(4, '1000.00', '2026-07-05'); // paid 989.99 → broken after grace
    await record(5, '1000.00', '2026-07-05'); // paid in full two days after its date (inside the grace) → kept
    await record(6, '1000.00', '2026-07-05'); // paid in full three days after (outside the grace) → broken
    await pay(A(3), 'pay-3', '2026-07-05', '990.00');
    await pay(A(4), 'pay-4', '2026-07-05', '989.99');
    await pay(A(5), 'pay-5', '2026-07-07', '1000.00');
    await pay(A(6), 'pay-6', '2026-07-08', '1000.00');
    expect(await evaluate('2026-07-04')).toMatchObject({ promisesKept: 0, promisesBroken: 0 });
    expect(await evaluate('2026-07-05')).toMatchObject({ promisesKept: 1, promisesBroken: 0 });
    expect(await evaluate('2026-07-07')).toMatchObject({ promisesKept: 1, promisesBroken: 0 });
    expect(await evaluate('2026-07-08')).toMatchObject({ promisesKept: 0, promisesBroken: 3 }); // A4, A6, and A1 (nothing paid)
    expect(await evaluate('2026-07-08'), 'a date evaluated twice changes nothing').toMatchObject({ promisesKept: 0, promisesBroken: 0 });
    const status = (await rt.pool.query(`select account_id, status, resolved_on, paid_minor from promises_to_pay where account_id = any($1) order by account_id`, [[A(3), A(4), A(5), A(6)]])).rows;
    expect(status.map((r) => [r.account_id, r.status, r.resolved_on])).toEqual([
      [A(3), 'kept', '2026-07-05'], [A(4), 'broken', '2026-07-08'], [A(5), 'kept', '2026-07-07'], [A(6), 'broken', '2026-07-08'],
    ]);
    const states = await arrangementStates(rt.pool, [A(1), A(3), A(4), A(12)]);
    expect(states.get(A(1))).toMatchObject({ activePromise: null, promisesKept: 0, promisesBroken: 1 });
    await recordPromise(rt.pool, settings, { accountId: A(1), amount: '80.00', promisedOn: '2026-07-12', createdOn: '2026-07-09', recordedBy: 'test' }, day('2026-07-09'));
    expect((await arrangementStates(rt.pool, [A(1)])).get(A(1))).toMatchObject({ activePromise: { promisedOn: day('2026-07-12'), amountMinor: 8_000n }, promisesBroken: 1 });
    expect(states.get(A(3))).toMatchObject({ activePromise: null, promisesKept: 1, promisesBroken: 0 });
    expect(states.get(A(4))).toMatchObject({ promisesBroken: 1 });
    expect(states.has(A(12))).toBe(false);
  });
});

describe('repayment plans', () => {
  it('splits the total exactly, caps the term (CN-09), supersedes an open promise, and is idempotent by key', async () => {
    const settings = await loadDefaultArrangementSettings();
    const tooLong = await runCli(rt, ['plan', 'record', '--account', A(7), '--total', '6000.00', '--instalments', '61', '--first-due', '2026-08-01', '--on', '2026-07-08']);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toMatch(/limit is 60 \(CN-09/);
    await recordPromise(rt.pool, settings, { accountId: A(7), amount: '100.00', promisedOn: '2026-07-10', createdOn: '2026-07-08', recordedBy: 'test' }, day('2026-07-08'));
    const args = ['plan', 'record', '--account', A(7), '--total', '1000.00', '--instalments', '3', '--first-due', '2026-07-31', '--on', '2026-07-08', '--interest-reduction', '50', '--idempotency-key', 'plan-7', '--json'];
    const r = await runCli(rt, args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().instalments).toEqual([
      { seq: 1, dueOn: '2026-07-31', amountMinor: '33333', amount: '333.33' },
      { seq: 2, dueOn: '2026-08-31', amountMinor: '33333', amount: '333.33' },
      { seq: 3, dueOn: '2026-09-30', amountMinor: '33334', amount: '333.34' },
    ]);
    expect((await runCli(rt, args)).json()).toMatchObject({ planId: r.json().planId, replayed: true });
    expect((await rt.pool.query(`select status from promises_to_pay where account_id = $1`, [A(7)])).rows).toEqual([{ status: 'cancelled' }]);
    expect((await recordPlan(rt.pool, settings, { accountId: A(7), total: '10.00', instalments: 1, firstDueOn: '2026-08-01', startsOn: '2026-07-08', recordedBy: 'test' }, day('2026-07-08'))).ok).toBe(false);
    const shown = await runCli(rt, ['arrangements', 'show', A(7)]);
    expect(shown.stdout).toMatch(/plan #\d+: 1000\.00 CNY from 2026-07-08 active, interest −50\.00%/);
    expect(shown.stdout).toMatch(/promise #\d+: 100\.00 CNY by 2026-07-10 \(made 2026-07-08\) cancelled/);
  });

  it('meets instalments from payments since the start, misses one after its grace, and then breaks; a plan paid in full completes', async () => {
    const settings = await loadDefaultArrangementSettings();
    const plan = async (n: number) => {
      const r = await recordPlan(rt.pool, settings, { accountId: A(n), total: '300.00', instalments: 3, firstDueOn: '2026-08-01', startsOn: '2026-07-10', recordedBy: 'test' }, day('2026-07-10'));
      if (!r.ok) throw new Error(r.message);
      return r.value.planId;
    };
    const broken = await plan(8);
    const complete = await plan(9);
    await pay(A(8), 'p8-1', '2026-08-01', '95.00'); // within the 10.00 tolerance: met
    await pay(A(9), 'p9-1', '2026-07-20', '300.00'); // everything at once, early
    const first = await evaluate('2026-08-01');
    expect(first).toMatchObject({ instalmentsMet: 4, plansCompleted: 1 });
    // A7's plan (previous test, nothing paid) misses its first instalment (due 07-31, grace 5 days) on 08-06.
    expect(await evaluate('2026-08-06')).toMatchObject({ instalmentsMissed: 1, plansBroken: 1 });
    // A8's second instalment is due 2026-09-01: missed on the 7th, after the grace, and the plan breaks.
    expect(await evaluate('2026-09-06')).toMatchObject({ instalmentsMissed: 0, plansBroken: 0 });
    expect(await evaluate('2026-09-07')).toMatchObject({ instalmentsMissed: 1, plansBroken: 1 });
    expect(await evaluate('2026-09-07')).toMatchObject({ instalmentsMissed: 0, plansBroken: 0 });
    const rows = (await rt.pool.query(`select plan_id, status from repayment_plans where plan_id = any($1) order by plan_id`, [[broken, complete]])).rows;
    expect(rows.map((r) => r.status)).toEqual(['broken', 'completed']);
    expect((await rt.pool.query(`select seq, status from plan_instalments where plan_id = $1 order by seq`, [broken])).rows.map((r) => r.status)).toEqual(['met', 'missed', 'pending']);
    const states = await arrangementStates(rt.pool, [A(8), A(9)]);
    expect(states.get(A(8))).toMatchObject({ activePlan: null, plansBroken: 1 });
    expect(states.get(A(9))).toMatchObject({ activePlan: null, plansCompleted: 1 });
  });
});
