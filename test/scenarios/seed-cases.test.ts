/**
 * The seeds' four cases (DOMAIN.md §2, §4) under the shipped default strategy, day by day on a fake
 * clock: every morning the daily cycle runs (`recourse cycle --as-of D`), during the day collectors and
 * debtors act (payments, promises, flags, call outcomes, plans) through the CLI.
 *
 *  - the occasional forgetter: one gentle SMS, pays, cured — nothing more;
 *  - the hospitalised young professional: hardship → forbearance → a plan offer with an interest
 *    reduction → a plan, monitored;
 *  - the freelancer with irregular income: soft reminders → a visit → a tailored plan;
 *  - the deliberate evader: firm reminders, robot and agent calls, two broken promises, unreachable →
 *    a freeze recommendation → a legal placement.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonths, formatPlainDate, parsePlainDate } from '../../src/kernel/dates.ts';
import type { Clock } from '../../src/kernel/clock.ts';
import type { FeedRecord } from '../../src/modules/portfolio/index.ts';
import { createTestRuntime } from '../support/database.ts';
import { runCli } from '../support/cli.ts';
import { importRecords } from '../support/portfolio.ts';
import type { Runtime } from '../../src/runtime.ts';

let now = 0;
const clock: Clock = { now: () => new Date(now) };
let rt: Runtime;

const PERSONAS = {
  forgetter: { id: 'forgetter', phone: '13900000001', balance: 3_000, minimum: 500, latePaidMonths: [] as number[] },
  hospitalised: { id: 'hospital', phone: '13900000002', balance: 24_000, minimum: 2_400, latePaidMonths: [] as number[] },
  freelancer: { id: 'freelance', phone: '13900000003', balance: 15_000, minimum: 1_500, latePaidMonths: [3] },
  evader: { id: 'evader', phone: '13900000004', balance: 80_000, minimum: 8_000, latePaidMonths: [2, 3, 4, 5] },
} as const;
type Persona = keyof typeof PERSONAS;
const account = (p: Persona) => `a-${PERSONAS[p].id}`;
const customer = (p: Persona) => `c-${PERSONAS[p].id}`;

/** Six monthly statements (statement on the 10th, due on the 1st of the next month), the last one (due 2026-07-01) unpaid. */
function history(p: Persona): FeedRecord[] {
  const x = PERSONAS[p];
  const records: FeedRecord[] = [
    {
      type: 'customer', id: customer(p), name: `Persona ${x.id}`, language: 'zh-CN', timeZone: 'Asia/Shanghai',
      phones: [{ number: x.phone, role: 'debtor', verified: true, source: 'application_form' }],
      addresses: [{ line: `${x.id} Lane 1, Pudong`, city: 'Shanghai', role: 'debtor', verified: true, source: 'application_form' }],
    },
    { type: 'account', id: account(p), customerId: customer(p), currency: 'CNY', creditLimit: '100000.00', openedOn: '2024-01-01' },
  ];
  for (let k = 1; k <= 6; k++) {
    const statement = parsePlainDate(`2026-0${k}-10`)!;
    const due = addMonths(parsePlainDate('2026-01-01')!, k);
    records.push({ type: 'statement', accountId: account(p), statementDate: formatPlainDate(statement), dueDate: formatPlainDate(due), minimumDue: `${x.minimum}.00`, closingBalance: `${x.balance}.00` });
    if (k < 6) records.push({ type: 'payment', id: `${x.id}-m${k}`, accountId: account(p), postedOn: formatPlainDate(due + ((x.latePaidMonths as readonly number[]).includes(k) ? 9 : 0)), amount: `${x.minimum}.00` });
  }
  return records;
}

const cli = async (...argv: string[]) => {
  const r = await runCli(rt, argv);
  expect(r.code, `${argv.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
};
const pay = (p: Persona, id: string, postedOn: string, amount: string) => importRecords(rt, [{ type: 'payment', id, accountId: account(p), postedOn, amount }]);
const call = (p: Persona, day: string, outcome: string) =>
  cli('contact', 'record', '--customer', customer(p), '--account', account(p), '--channel', 'voice_agent', '--actor', 'bank:li.na', '--party', 'debtor',
    '--destination', PERSONAS[p].phone, '--outcome', outcome, '--at', `${day}T15:00:00+08:00`);

/** What happens during each day, after that morning's cycle. */
const DURING: Record<string, () => Promise<unknown>> = {
  // The forgetter notices the SMS and pays the minimum two days later.
  '2026-07-03': async () => {
    await pay('forgetter', 'forgetter-late', '2026-07-03', '500.00');
    // The hospitalised customer's family calls: hospital; a collector records the hardship and why.
    await cli('compliance', 'flag', 'set', customer('hospitalised'), 'hardship', '--note', 'in hospital after an accident at work', '--by', 'li.na');
    await cli('strategy', 'mark', account('hospitalised'), '--reason', 'illness', '--note', 'hospitalised', '--by', 'li.na');
  },
  // The evader answers the first agent call and promises 8,000 by 07-10.
  '2026-07-07': async () => {
    await call('evader', '2026-07-07', 'connected_right_party');
    await cli('promise', 'record', '--account', account('evader'), '--amount', '8000.00', '--promised-on', '2026-07-10', '--on', '2026-07-07', '--channel', 'voice_agent', '--by', 'li.na');
  },
  // The hospitalised customer accepts the offer: 12 instalments with half the interest.
  '2026-07-09': () => cli('plan', 'record', '--account', account('hospitalised'), '--total', '24000.00', '--instalments', '12', '--first-due', '2026-08-01', '--on', '2026-07-09', '--interest-reduction', '50', '--by', 'li.na'),
  // After the first promise broke, the evader promises again online, for 07-15.
  '2026-07-13': () => cli('promise', 'record', '--account', account('evader'), '--amount', '8000.00', '--promised-on', '2026-07-15', '--on', '2026-07-13', '--channel', 'portal', '--by', 'portal'),
  // The freelancer, visited on the 12th and offered a plan on the 15th, agrees one sized to their income.
  '2026-07-16': () => cli('plan', 'record', '--account', account('freelancer'), '--total', '15000.00', '--instalments', '10', '--first-due', '2026-08-05', '--on', '2026-07-16', '--by', 'wang.fang'),
  '2026-08-01': () => pay('hospitalised', 'hospital-i1', '2026-08-01', '2000.00'),
};
// From the 14th the evader no longer answers, however often the collectors call.
for (let day = parsePlainDate('2026-07-14')!; day <= parsePlainDate('2026-08-10')!; day++) {
  const d = formatPlainDate(day);
  const before = DURING[d];
  DURING[d] = async () => {
    await before?.();
    await call('evader', d, 'no_answer');
  };
}

const FIRST = '2026-07-02';
const LAST = '2026-08-10';
const summaries = new Map<string, { accounts: number; actionsCreated: number }>();

beforeAll(async () => {
  now = Date.parse('2026-07-01T18:00:00Z');
  rt = await createTestRuntime({ clock });
  await importRecords(rt, (Object.keys(PERSONAS) as Persona[]).flatMap(history));
  // The freelancer's reason was learnt in an earlier delinquency.
  await cli('strategy', 'mark', account('freelancer'), '--reason', 'unstable_income', '--by', 'wang.fang');
  for (let day = parsePlainDate(FIRST)!; day <= parsePlainDate(LAST)!; day++) {
    const d = formatPlainDate(day);
    now = Date.parse(`${d}T02:00:00+08:00`);
    const r = await cli('cycle', '--as-of', d, '--json');
    summaries.set(d, r.json());
    now = Date.parse(`${d}T14:00:00+08:00`);
    await DURING[d]?.();
  }
}, 240_000);
afterAll(async () => rt?.close());

/** Every action for a persona, in order: [date, what]. */
async function timeline(p: Persona): Promise<[string, string][]> {
  const { rows } = await rt.pool.query<{ on: string; what: string }>(
    `select split_part(idempotency_key, ':', 2) as on, channel || ':' || template_id as what from outbox_messages where account_id = $1
     union all select split_part(idempotency_key, ':', 2), kind || ':' || reason from work_items where account_id = $1
     union all select proposed_on::text, 'placement:' || kind || coalesce(':' || legal_stage, '') from placement_proposals where account_id = $1
     union all select requested_on::text, 'account_action:' || action from account_action_requests where account_id = $1
     order by 1, 2`, [account(p)]);
  return rows.map((r) => [r.on, r.what]);
}

const stateOf = async (p: Persona) => (await rt.pool.query('select status, segment, stage from strategy_account_states where account_id = $1', [account(p)])).rows[0];
const eventsOf = async (p: Persona) => (await rt.pool.query('select occurred_on, kind, segment, stage from strategy_account_events where account_id = $1 order by occurred_on, seq', [account(p)])).rows
  .map((e) => `${e.occurred_on} ${e.kind} ${e.segment ?? '-'}/${e.stage ?? '-'}`);

describe('the occasional forgetter', () => {
  it('gets one gentle SMS, pays, is cured, and hears nothing more', async () => {
    expect(await timeline('forgetter')).toEqual([['2026-07-02', 'sms:cn-sms-reminder-gentle']]);
    expect(await eventsOf('forgetter')).toEqual(['2026-07-04 cured occasional-forgetter/-']);
    expect(await stateOf('forgetter')).toEqual({ status: 'current', segment: 'occasional-forgetter', stage: null });
    const sms = (await rt.pool.query(`select tone, language, destination_ref, not_before from outbox_messages where account_id = $1`, [account('forgetter')])).rows[0];
    expect(sms).toMatchObject({ tone: 'gentle', language: 'zh-CN', destination_ref: 'phone:0' });
    expect(sms.not_before.toISOString()).toBe('2026-07-02T02:00:00.000Z'); // 10:00 in Shanghai
  });
});

describe('the hospitalised young professional', () => {
  it('hardship → forbearance (no collection contact) → a plan offer with an interest reduction → a plan under monitoring', async () => {
    expect(await timeline('hospitalised')).toEqual([
      ['2026-07-02', 'sms:cn-sms-reminder-gentle'],
      ['2026-07-09', 'agent_call:hardship-plan-offer'],
    ]);
    expect(await eventsOf('hospitalised')).toEqual([
      '2026-07-04 segment_changed hardship/forbearance',
      '2026-07-09 escalated hardship/hardship-plan-offer',
      '2026-07-10 plan_monitoring hardship/hardship-plan-offer',
    ]);
    const offer = (await rt.pool.query(`select decision, priority from work_items where account_id = $1`, [account('hospitalised')])).rows[0];
    expect(offer.decision).toMatchObject({ purpose: 'forbearance', verdict: 'allow', offer: { type: 'installments', monthsMax: 36, interestReductionPercent: 50 } });
    expect(await stateOf('hospitalised')).toEqual({ status: 'plan', segment: 'hardship', stage: 'hardship-plan-offer' });
    const plan = await cli('arrangements', 'show', account('hospitalised'));
    expect(plan.stdout).toMatch(/plan #\d+: 24000\.00 CNY from 2026-07-09 active, interest −50\.00%/);
    expect(plan.stdout).toMatch(/1\. 2026-08-01 2000\.00 met/);
  });
});

describe('the freelancer with irregular income', () => {
  it('soft reminders → a visit to understand the finances → a tailored plan', async () => {
    expect(await timeline('freelancer')).toEqual([
      ['2026-07-02', 'sms:cn-sms-reminder-gentle'],
      ['2026-07-07', 'sms:cn-sms-reminder-gentle'],
      ['2026-07-12', 'field_visit:understand-finances-visit'],
      ['2026-07-15', 'agent_call:tailored-plan-call'],
    ]);
    const offer = (await rt.pool.query(`select decision from work_items where account_id = $1 and kind = 'agent_call'`, [account('freelancer')])).rows[0];
    expect(offer.decision).toMatchObject({ segment: 'irregular-income', offer: { type: 'installments', monthsMax: 24, tailored: true } });
    const visit = (await rt.pool.query(`select decision, due_by, not_before from work_items where account_id = $1 and kind = 'field_visit'`, [account('freelancer')])).rows[0];
    expect(visit.decision).toMatchObject({ destinationRef: 'address:0', verdict: 'allow' });
    expect(visit.due_by.getTime() - visit.not_before.getTime()).toBe(7 * 86_400_000);
    expect(await stateOf('freelancer')).toEqual({ status: 'plan', segment: 'irregular-income', stage: 'soft-tailored-plan' });
  });
});

describe('the deliberate evader', () => {
  it('firm reminders and calls, two broken promises, unreachable → a freeze recommendation → legal', async () => {
    const t = await timeline('evader');
    expect(t.slice(0, 3)).toEqual([
      ['2026-07-02', 'sms:cn-sms-reminder-firm'],
      ['2026-07-04', 'voice_robot:cn-voice-reminder-firm'],
      ['2026-07-07', 'agent_call:firm-collection-call'],
    ]);
    // Paused while each promise was open (07-08 … 07-12 and 07-14 … 07-17): nothing then.
    for (const [on] of t) expect(on >= '2026-07-08' && on <= '2026-07-12', on).toBe(false);
    for (const [on] of t) expect(on >= '2026-07-14' && on <= '2026-07-17', on).toBe(false);
    const events = await eventsOf('evader');
    expect(events).toEqual(expect.arrayContaining([
      '2026-07-08 paused chronic-large-balance/firm-call', '2026-07-13 resumed chronic-large-balance/firm-call',
      '2026-07-14 paused chronic-large-balance/firm-call', '2026-07-18 resumed chronic-large-balance/firm-call',
    ]));
    const measures = t.find(([, what]) => what === 'account_action:freeze');
    const legal = t.find(([, what]) => what === 'placement:legal:litigation');
    expect(measures, JSON.stringify(t)).toBeDefined();
    expect(legal, JSON.stringify(t)).toBeDefined();
    expect(legal![0] > measures![0]).toBe(true);
    expect(t).toContainEqual([measures![0], 'letter:cn-collection-letter']);
    expect(events).toContain(`${measures![0]} segment_changed evasion/account-measures`);
    const explained = (await cli('strategy', 'explain', account('evader'), '--as-of', measures![0], '--json')).json();
    expect(explained.facts).toMatchObject({ brokenPromises: 2, reachability: 'unreachable' });
    expect(explained.segments[0]).toMatchObject({ segment: 'evasion', matched: true });
    // Recommendations wait for approval.
    const recommendations = (await cli('strategy', 'recommendations', '--account', account('evader'), '--json')).json().recommendations;
    expect(recommendations.map((r: { what: string; status: string }) => [r.what, r.status])).toEqual([['freeze', 'proposed'], ['legal:litigation', 'proposed']]);
    expect(await stateOf('evader')).toEqual({ status: 'active', segment: 'evasion', stage: 'evasion-legal' });
  });
});

it('ran the cycle every day over the four accounts', () => {
  expect(summaries.size).toBe(40);
  expect(summaries.get(FIRST)).toMatchObject({ accounts: 4, actionsCreated: 4 });
});
