/**
 * Scenario: arrangements agreed at the collector's desk, monitored by the daily cycle on a fake clock
 * (`recourse cycle --as-of D`). Each of the four arrangement types once kept and once broken, and a
 * promise to pay kept and one broken: payments posted through `recourse payments post` are allocated
 * to the instalments and promises; a missed instalment goes through its grace, breaks the arrangement
 * and the account goes back into the strategy; a completed settlement records what was forgiven.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime } from '../support/database.ts';
import { createStaffUser } from '../support/auth.ts';
import { TestClock, seedPortfolio, type FixtureAccount } from '../support/collector.ts';
import { runCli } from '../support/cli.ts';

type Rt = Awaited<ReturnType<typeof createTestRuntime>>;
let rt: Rt;
const clock = new TestClock('2026-06-30T02:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'recourse-desk-'));
const cli = async (...args: string[]) => {
  const r = await runCli(rt, args);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
};

const CASES = ['inst-kept', 'inst-broken', 'ext-kept', 'ext-broken', 'waiver-kept', 'waiver-broken', 'settle-kept', 'settle-broken', 'promise-kept', 'promise-broken'] as const;
type Case = (typeof CASES)[number];
const acc = (c: Case) => `A-${c}`;
let collector = '';
let supervisor = '';
const proposals = new Map<Case, { proposalId: number; planId: number | null; quote: { total: string; forgiven: string; waivedFees: string; installments: { dueOn: string; amount: string }[] } }>();
let paymentSeq = 0;

async function pay(c: Case, postedOn: string, amount: string) {
  clock.set(`${postedOn}T06:00:00Z`);
  const file = join(dir, `pay-${++paymentSeq}.csv`);
  writeFileSync(file, `paymentId,accountId,postedOn,amount,channel\nP${paymentSeq},${acc(c)},${postedOn},${amount},bank_transfer\n`);
  const r = await cli('payments', 'post', file, '--json');
  return r.json().payments[0];
}

async function cycle(day: string) {
  clock.set(`${day}T01:00:00Z`);
  return (await cli('cycle', '--as-of', day, '--json')).json();
}

const planOf = async (c: Case) => (await rt.pool.query('select plan_id, kind, status, resolved_on, total_minor, forgiven_minor, waived_fees_minor from repayment_plans where account_id = $1', [acc(c)])).rows[0];
const instalments = async (c: Case) => (await rt.pool.query(
  'select i.seq, i.status, i.resolved_on from plan_instalments i join repayment_plans p on p.plan_id = i.plan_id where p.account_id = $1 order by i.seq', [acc(c)])).rows;
const statusOf = async (c: Case) => (await rt.pool.query('select status from strategy_account_states where account_id = $1', [acc(c)])).rows[0]?.status;
const events = async (c: Case) => (await rt.pool.query('select occurred_on, kind from strategy_account_events where account_id = $1 order by occurred_on, seq', [acc(c)])).rows;
const summaries: Record<string, { arrangements: Record<string, number> }> = {};

beforeAll(async () => {
  rt = await createTestRuntime({ clock });
  const accounts: FixtureAccount[] = CASES.map((c) => ({ id: acc(c), customerId: `C-${c}`, team: 'team-a', statements: [
    { statementDate: '2026-04-05', dueDate: '2026-04-25', minimumDue: '300.00', closingBalance: '3030.00', principal: '3000.00', interest: '25.00', fees: '5.00' },
    { statementDate: '2026-05-05', dueDate: '2026-05-25', minimumDue: '500.00', closingBalance: '5120.01', principal: '5000.01', interest: '100.00', fees: '20.00' },
  ] }));
  await seedPortfolio(rt, CASES.map((c) => ({ id: `C-${c}`, name: '李娜', nationalId: '110105194912310021', phones: [{ number: '13900139000' }] })), accounts);
  collector = (await createStaffUser(rt, { role: 'collector', teamId: 'team-a' })).username;
  supervisor = (await createStaffUser(rt, { role: 'supervisor', teamId: 'team-a' })).username;

  // The first morning: the accounts are delinquent and in the strategy.
  summaries['2026-06-30'] = await cycle('2026-06-30');
  clock.set('2026-06-30T03:00:00Z');
  const pdf = join(dir, 'hospital.pdf');
  writeFileSync(pdf, Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(200, 0x20), Buffer.from('%%EOF\n')]));
  const propose = async (c: Case, ...args: string[]) => {
    const r = await cli('plan', 'propose', '--account', acc(c), '--as', collector, '--income', '12000.00', '--expenses', '5000.00', '--savings', '8000.00', '--json', ...args);
    const p = r.json();
    proposals.set(c, p);
    return p;
  };
  for (const c of ['inst-kept', 'inst-broken'] as const) {
    const evidence = (await cli('evidence', 'add', acc(c), pdf, '--description', '住院证明', '--as', collector, '--json')).json().evidenceId;
    expect((await propose(c, '--type', 'installments', '--months', '3', '--evidence', String(evidence))).status).toBe('approved');
  }
  for (const c of ['ext-kept', 'ext-broken'] as const) expect((await propose(c, '--type', 'extension', '--days', '30')).status).toBe('approved');
  for (const c of ['waiver-kept', 'waiver-broken'] as const) expect((await propose(c, '--type', 'waiver', '--fees-percent', '20', '--pay-by', '2026-07-20')).status).toBe('approved');
  // A settlement at 80% of the balance needs a supervisor: it waits, then the supervisor approves.
  for (const c of ['settle-kept', 'settle-broken'] as const) {
    const p = await propose(c, '--type', 'settlement', '--amount', '4096.01', '--pay-by', '2026-07-20');
    expect(p).toMatchObject({ status: 'proposed', requiredTier: 'supervisor' });
    const inbox = (await cli('approvals', 'list', '--as', supervisor, '--json')).json().items;
    expect(inbox).toContainEqual(expect.objectContaining({ kind: 'arrangement', id: p.proposalId, mayDecide: true }));
    const decided = (await cli('approvals', 'decide', 'arrangement', String(p.proposalId), '--approve', '--as', supervisor, '--json')).json();
    expect(decided.proposal.status).toBe('approved');
    proposals.set(c, decided.proposal);
  }
  await cli('promise', 'record', '--account', acc('promise-kept'), '--amount', '800.00', '--promised-on', '2026-07-06', '--on', '2026-06-30', '--by', collector);
  await cli('promise', 'record', '--account', acc('promise-broken'), '--amount', '800.00', '--promised-on', '2026-07-06', '--on', '2026-06-30', '--by', collector);

  summaries['2026-07-01'] = await cycle('2026-07-01');
  // Payments on the days they come in; the cycle runs on the mornings in between.
  const inst = proposals.get('inst-kept')!.quote.installments;
  await pay('promise-kept', '2026-07-03', '800.00');
  await pay('ext-kept', '2026-07-03', '800.00');
  summaries['2026-07-10'] = await cycle('2026-07-10');
  await pay('waiver-kept', '2026-07-15', proposals.get('waiver-kept')!.quote.total);
  await pay('settle-kept', '2026-07-16', '4096.01');
  await pay('settle-broken', '2026-07-16', '2000.00');
  summaries['2026-07-27'] = await cycle('2026-07-27');
  await pay('inst-kept', inst[0]!.dueOn, inst[0]!.amount);
  for (const day of ['2026-08-04', '2026-08-06']) summaries[day] = await cycle(day);
  await pay('inst-kept', inst[1]!.dueOn, inst[1]!.amount);
  summaries['2026-09-01'] = await cycle('2026-09-01');
  await pay('inst-kept', inst[2]!.dueOn, inst[2]!.amount);
  summaries['2026-10-01'] = await cycle('2026-10-01');
}, 240_000);
afterAll(async () => rt?.close());

describe('arrangements agreed at the desk, through the daily cycle', () => {
  it('an instalment plan met instalment by instalment completes; the account leaves the strategy\'s plan status only when it is done', async () => {
    expect(await instalments('inst-kept')).toEqual([
      { seq: 1, status: 'met', resolved_on: '2026-08-04' },
      { seq: 2, status: 'met', resolved_on: '2026-09-01' },
      { seq: 3, status: 'met', resolved_on: '2026-10-01' },
    ]);
    expect(await planOf('inst-kept')).toMatchObject({ kind: 'installments', status: 'completed' });
    expect((await events('inst-kept')).map((e) => e.kind)).toContain('plan_monitoring');
  });

  it('a missed instalment waits out its grace, then breaks the plan and the account goes back into the strategy', async () => {
    const due = proposals.get('inst-broken')!.quote.installments[0]!.dueOn; // 2026-07-30 + 5 days' grace
    expect(due).toBe('2026-07-30');
    expect(await instalments('inst-broken')).toEqual([
      { seq: 1, status: 'missed', resolved_on: '2026-08-06' },
      { seq: 2, status: 'pending', resolved_on: null },
      { seq: 3, status: 'pending', resolved_on: null },
    ]);
    expect(await planOf('inst-broken')).toMatchObject({ status: 'broken', resolved_on: '2026-08-06' });
    const e = await events('inst-broken');
    expect(e.filter((x) => x.kind === 'plan_monitoring').map((x) => x.occurred_on)).toEqual(['2026-07-01']);
    expect(e.filter((x) => x.kind === 'resumed').map((x) => x.occurred_on)).toEqual(['2026-08-06']);
    expect(await statusOf('inst-broken')).toBe('active');
    expect(summaries['2026-08-06']!.arrangements).toMatchObject({ plansBroken: expect.any(Number), instalmentsMissed: expect.any(Number) });
    expect(summaries['2026-08-06']!.arrangements.plansBroken).toBeGreaterThanOrEqual(1);
  });

  it('an extension: the amount past due, paid by the new date, completes; unpaid, it breaks after the grace', async () => {
    expect(proposals.get('ext-kept')!.quote.installments).toEqual([{ seq: 1, dueOn: '2026-07-30', amount: '800.00' }]);
    expect(await planOf('ext-kept')).toMatchObject({ kind: 'extension', status: 'completed', resolved_on: '2026-07-10' });
    expect(await planOf('ext-broken')).toMatchObject({ kind: 'extension', status: 'broken', resolved_on: '2026-08-06' });
    expect(await statusOf('ext-broken')).toBe('active');
  });

  it('a waiver: the rest paid by the date completes it with the waived fees recorded; unpaid, it breaks', async () => {
    const q = proposals.get('waiver-kept')!.quote;
    expect(q).toMatchObject({ waivedFees: '4.00', total: '5116.01' });
    const kept = await planOf('waiver-kept');
    expect(kept).toMatchObject({ kind: 'waiver', status: 'completed', waived_fees_minor: 400n, total_minor: 511601n });
    expect(await planOf('waiver-broken')).toMatchObject({ kind: 'waiver', status: 'broken', resolved_on: '2026-07-27' });
  });

  it('a settlement: the lump sum paid completes it and the rest is forgiven; a part payment does not, and it breaks', async () => {
    expect(await planOf('settle-kept')).toMatchObject({ kind: 'settlement', status: 'completed', total_minor: 409601n, forgiven_minor: 102400n });
    const agreed = (await rt.pool.query(`select data from account_events where account_id = $1 and kind = 'arrangement_agreed'`, [acc('settle-kept')])).rows[0].data;
    expect(agreed).toMatchObject({ type: 'settlement', forgivenMinor: '102400', requiredTier: 'supervisor', proposedBy: collector, approvedBy: supervisor });
    expect(await planOf('settle-broken')).toMatchObject({ kind: 'settlement', status: 'broken', resolved_on: '2026-07-27' });
  });

  it('payments are allocated to the instalments and the promise they count toward', async () => {
    const listing = (await cli('arrangements', 'show', acc('settle-broken'), '--json')).json();
    expect(listing.plans[0].instalments).toEqual([expect.objectContaining({ seq: 1, amountMinor: '409601', paidMinor: '200000', status: 'missed' })]);
    const kept = (await cli('arrangements', 'show', acc('inst-kept'), '--json')).json();
    expect(kept.plans[0].instalments.map((i: { paidMinor: string; amountMinor: string }) => i.paidMinor === i.amountMinor)).toEqual([true, true, true]);
    const promise = (await cli('arrangements', 'show', acc('promise-kept'), '--json')).json().promises[0];
    expect(promise).toMatchObject({ status: 'kept', paidMinor: '80000' });
    // The Account 360 shows them too: the settlement, what was paid and forgiven, and the proposal with its decision.
    const view = (await cli('account', '360', acc('settle-kept'), '--as-of', '2026-10-01', '--json')).json();
    expect(view.debt.details.plans).toEqual([expect.objectContaining({ kind: 'settlement', status: 'completed', total: '4096.01', forgiven: '1024.00', paid: '4096.01',
      instalments: [expect.objectContaining({ amount: '4096.01', paid: '4096.01', status: 'met' })] })]);
    expect(view.debt.details.proposals).toEqual([expect.objectContaining({ type: 'settlement', status: 'approved', requiredTier: 'supervisor', proposedBy: collector, decidedBy: supervisor })]);
    expect((await cli('account', '360', acc('promise-broken'), '--json')).json().debt.details.promises).toEqual([expect.objectContaining({ amount: '800.00', status: 'broken', paid: '0.00' })]);
  });

  it('a promise kept by a payment in time, one broken after its grace; the kept rate per collector and team', async () => {
    const p = async (c: Case) => (await rt.pool.query('select status, resolved_on from promises_to_pay where account_id = $1', [acc(c)])).rows[0];
    expect(await p('promise-kept')).toEqual({ status: 'kept', resolved_on: '2026-07-10' });
    expect(await p('promise-broken')).toEqual({ status: 'broken', resolved_on: '2026-07-10' });
    expect(await statusOf('promise-broken')).toBe('active');
    // The promise paused the strategy for the account; broken, it resumed; kept and paid up, the other left it.
    expect((await events('promise-broken')).filter((e) => ['paused', 'resumed'].includes(e.kind))).toEqual([{ occurred_on: '2026-07-01', kind: 'paused' }, { occurred_on: '2026-07-10', kind: 'resumed' }]);
    const byCollector = (await cli('promise', 'kept-rate', '--from', '2026-06-01', '--to', '2026-06-30', '--json')).json().rows;
    expect(byCollector).toEqual([{ key: collector, made: 2, kept: 1, broken: 1, open: 0, keptRate: 0.5 }]);
    const byTeam = (await cli('promise', 'kept-rate', '--from', '2026-06-01', '--to', '2026-06-30', '--by', 'team', '--json')).json().rows;
    expect(byTeam).toEqual([{ key: 'team-a', made: 2, kept: 1, broken: 1, open: 0, keptRate: 0.5 }]);
  });
});
