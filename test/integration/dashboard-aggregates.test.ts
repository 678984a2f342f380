/**
 * The dashboards' portfolio-wide reports (GET /reports/bucket-history, run-roll-rates, recovery-curves,
 * promises, contacts, collections, compliance-blocks, leaderboard) on a real database: every number
 * checked against an independent computation — the CLI's on-the-fly aging for buckets and roll rates,
 * plain TypeScript over the fixture rows (or the gate's own answers) for the rest — plus paging, access
 * and bad input by field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestRuntime } from '../support/database.ts';
import { clearContactPoints } from '../support/pii.ts';
import { runCli } from '../support/cli.ts';
import { injectAs, sessionFor, type Credentials } from '../support/auth.ts';
import { buildServer } from '../../src/server.ts';
import { fixedClock } from '../../src/kernel/clock.ts';
import { formatAmount } from '../../src/kernel/money.ts';
import type { Runtime } from '../../src/runtime.ts';

let rt: Runtime;
let app: FastifyInstance;
let admin: Credentials;
let auditor: Credentials;
let collector: Credentials;
const D1 = '2026-05-31';
const D2 = '2026-06-30';
const TODAY = '2026-12-01';

interface Bucketed { bucket: string; accounts: number; balance: Record<string, string> }

beforeAll(async () => {
  rt = await createTestRuntime({ clock: fixedClock(new Date(`${TODAY}T04:00:00Z`)) });
  app = await buildServer(rt);
  admin = await sessionFor(app, rt, { role: 'admin' });
  auditor = await sessionFor(app, rt, { role: 'auditor' });
  collector = await sessionFor(app, rt, { role: 'collector', teamId: 'team-a' });
  expect((await runCli(rt, ['demo', '--accounts', '80', '--seed', '11', '--as-of', D1])).code).toBe(0);
}, 60_000);
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

const get = (who: Credentials, url: string) => injectAs(app, who)(url);

describe('bucket distribution over time and run-over-run roll rates', () => {
  let afterFirstRun: { account_id: string; bucket: string; oldest_unpaid_due_on: string | null; balance_minor: string }[];

  it('one run per aging date, equal to the CLI aging each date on the fly; paged back by nextBefore', async () => {
    afterFirstRun = (await rt.pool.query(`select account_id, bucket, oldest_unpaid_due_on::text, balance_minor::text from account_delinquency`)).rows;
    expect((await runCli(rt, ['age', '--as-of', D2])).code).toBe(0);
    const r = await get(admin, '/reports/bucket-history');
    expect(r.statusCode, r.body).toBe(200);
    const history = r.json<{ buckets: string[]; runs: { asOf: string; accounts: number; buckets: Bucketed[] }[]; nextBefore: string | null }>();
    expect(history.runs.map((x) => x.asOf)).toEqual([D1, D2]);
    expect(history.nextBefore).toBeNull();
    for (const run of history.runs) {
      const cli = (await runCli(rt, ['report', 'buckets', '--as-of', run.asOf, '--json'])).json<{ accounts: number; buckets: Bucketed[] }>();
      expect(run.accounts).toBe(cli.accounts);
      expect(run.buckets).toEqual(cli.buckets);
    }
    expect(history.runs[1]!.buckets.filter((b) => b.accounts > 0).length).toBeGreaterThan(1);

    // Pages walk back from the latest run.
    const first = (await get(admin, '/reports/bucket-history?limit=1')).json<typeof history>();
    expect(first.runs.map((x) => x.asOf)).toEqual([D2]);
    expect(first.nextBefore).toBe(D2);
    const second = (await get(admin, `/reports/bucket-history?limit=1&before=${first.nextBefore}`)).json<typeof history>();
    expect(second.runs.map((x) => x.asOf)).toEqual([D1]);
    expect(second.nextBefore).toBeNull();
    expect((await get(admin, `/reports/bucket-history?from=${D2}`)).json<typeof history>().runs.map((x) => x.asOf)).toEqual([D2]);
    expect((await get(admin, `/reports/bucket-history?to=${D1}`)).json<typeof history>().runs.map((x) => x.asOf)).toEqual([D1]);
  });

  it('the moves the second run recorded equal the CLI roll-rate matrix between the two dates', async () => {
    const r = await get(admin, '/reports/run-roll-rates');
    expect(r.statusCode, r.body).toBe(200);
    type Matrix = { from: string; to: string; accounts: number; rows: { from: string; accounts: number; cells: { to: string; accounts: number; rate: number }[] }[] };
    const stored = r.json<Matrix>();
    expect(stored).toMatchObject({ from: D1, to: D2, accounts: 80 });
    const cli = (await runCli(rt, ['report', 'roll-rates', '--from', D1, '--to', D2, '--json'])).json<Matrix>();
    const cells = (m: Matrix) => m.rows.flatMap((row) => row.cells.filter((c) => c.accounts > 0).map((c) => `${row.from}>${c.to}:${c.accounts}`)).sort();
    expect(cells(stored)).toEqual(cells(cli));
    for (const row of stored.rows) for (const c of row.cells) expect(c.rate).toBeCloseTo(row.accounts === 0 ? 0 : c.accounts / row.accounts, 4);
    expect((await get(admin, `/reports/run-roll-rates?to=${D2}`)).json<Matrix>().to).toBe(D2);
    const none = await get(admin, `/reports/run-roll-rates?to=${D1}`);
    expect(none.statusCode).toBe(404);
  });

  it('recovery curves: first delinquency per account as its vintage, payments within k months of it over the balance then', async () => {
    // Independent: the vintages from what the two runs stored (first delinquent run wins), payments in TypeScript.
    const afterSecond = (await rt.pool.query<{ account_id: string; bucket: string; oldest_unpaid_due_on: string | null; balance_minor: string }>(
      `select account_id, bucket, oldest_unpaid_due_on::text, balance_minor::text from account_delinquency`)).rows;
    const vintage = new Map<string, { since: string; balance: bigint }>();
    for (const row of [...afterFirstRun, ...afterSecond]) {
      if (row.bucket !== 'M0' && row.oldest_unpaid_due_on && !vintage.has(row.account_id)) vintage.set(row.account_id, { since: row.oldest_unpaid_due_on, balance: BigInt(row.balance_minor) });
    }
    expect(vintage.size).toBeGreaterThan(2);
    // Payments of our own after the vintages began, so every cohort has something to recover.
    const ids = [...vintage.keys()].sort();
    for (const [i, id] of ids.entries()) {
      const since = vintage.get(id)!.since;
      await rt.pool.query(`insert into payments (payment_id, account_id, customer_id, posted_on, amount_minor, channel)
        select $1, account_id, customer_id, $2::date + $3::int, $4, $5 from card_accounts where account_id = $6`, [`dash-${i}`, since, 10 + (i % 3) * 35, 1000 + i * 100, i % 2 ? 'wechat' : 'bank_transfer', id]);
    }
    const payments = (await rt.pool.query<{ account_id: string; posted_on: string; amount_minor: string }>('select account_id, posted_on::text, amount_minor::text from payments')).rows;
    const addMonths = (d: string, k: number) => {
      const [y, m, day] = d.split('-').map(Number) as [number, number, number];
      const last = new Date(Date.UTC(y, m - 1 + k + 1, 0)).getUTCDate();
      return new Date(Date.UTC(y, m - 1 + k, Math.min(day, last))).toISOString().slice(0, 10);
    };
    const MONTHS = 4;
    const r = await get(admin, `/reports/recovery-curves?from=2025-01-01&to=${D2}&months=${MONTHS}`);
    expect(r.statusCode, r.body).toBe(200);
    const curves = r.json<{ vintages: { vintage: string; accounts: number; balanceAtEntry: string; points: { month: number; recovered: string; rate: number }[] }[] }>();
    const cohorts = new Map<string, string[]>();
    for (const [id, v] of vintage) cohorts.set(v.since.slice(0, 7), [...(cohorts.get(v.since.slice(0, 7)) ?? []), id]);
    expect(curves.vintages.map((v) => v.vintage)).toEqual([...cohorts.keys()].sort());
    for (const v of curves.vintages) {
      const members = cohorts.get(v.vintage)!;
      const balance = members.reduce((s, id) => s + vintage.get(id)!.balance, 0n);
      expect(v.accounts).toBe(members.length);
      expect(v.balanceAtEntry).toBe(formatAmount(balance, 'CNY'));
      const [y, m] = v.vintage.split('-').map(Number) as [number, number];
      const lastDay = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
      let elapsed = 0;
      while (elapsed < MONTHS && addMonths(lastDay, elapsed + 1) <= TODAY) elapsed++;
      expect(v.points.map((p) => p.month)).toEqual(Array.from({ length: elapsed }, (_, i) => i + 1));
      for (const p of v.points) {
        const paid = payments.filter((x) => members.includes(x.account_id) && x.posted_on >= vintage.get(x.account_id)!.since && x.posted_on < addMonths(vintage.get(x.account_id)!.since, p.month))
          .reduce((s, x) => s + BigInt(x.amount_minor), 0n);
        expect(p.recovered, `${v.vintage} month ${p.month}`).toBe(formatAmount(paid, 'CNY'));
        expect(p.rate).toBeCloseTo(Number(paid) / Number(balance), 3);
      }
    }
    expect(curves.vintages.some((v) => v.points.some((p) => p.rate > 0))).toBe(true);
  });
});

describe('period reports', () => {
  const FROM = '2026-06-01';
  const TO = '2026-06-30';
  let accounts: { account_id: string; customer_id: string }[];

  beforeAll(async () => {
    accounts = (await rt.pool.query('select account_id, customer_id from card_accounts order by account_id limit 12')).rows;
    const insertAttempt = (a: { account_id: string; customer_id: string }, at: string, channel: string, actor: string, kind: string, outcome: string, corrects: number | null = null) =>
      rt.pool.query<{ attempt_id: string }>(`insert into contact_attempts (customer_id, account_id, attempted_at, channel, actor, actor_kind, party, destination, outcome, corrects)
        values ($1, $2, $3, $4, $5, $6, 'debtor', '13800138000', $7, $8) returning attempt_id`, [a.customer_id, a.account_id, at, channel, actor, kind, outcome, corrects]);
    for (const [i, a] of accounts.entries()) {
      // Two collectors and an agency; a quarter of the calls reach the debtor, some a third party.
      const actor = i % 3 === 0 ? 'bank:li.na' : i % 3 === 1 ? 'bank:wang.wei' : 'agency:acme:agent-1';
      await insertAttempt(a, '2026-06-10T02:00:00Z', 'voice_agent', actor, actor.split(':')[0]!, i % 4 === 0 ? 'connected_right_party' : i % 4 === 1 ? 'connected_third_party' : 'no_answer');
      await insertAttempt(a, '2026-06-11T02:00:00Z', 'sms', 'bank', 'bank', 'delivered');
    }
    // Outside the period (Shanghai time): 2026-06-30T16:30Z is 07-01 00:30 local.
    await insertAttempt(accounts[0]!, '2026-06-30T16:30:00Z', 'voice_agent', 'bank:li.na', 'bank', 'connected_right_party');
    // A correction: an attempt first recorded as no answer was in fact a right-party contact.
    const wrong = await insertAttempt(accounts[2]!, '2026-06-12T02:00:00Z', 'voice_agent', 'bank:li.na', 'bank', 'no_answer');
    await insertAttempt(accounts[2]!, '2026-06-12T02:00:00Z', 'voice_agent', 'bank:li.na', 'bank', 'connected_right_party', Number(wrong.rows[0]!.attempt_id));

    // Promises: made in June, judged in June (kept / broken), one still active, one made in May.
    const promise = (a: { account_id: string; customer_id: string }, created: string, status: string, paid: number | null, by: string) =>
      rt.pool.query(`insert into promises_to_pay (account_id, customer_id, currency, amount_minor, created_on, promised_on, status, resolved_on, paid_minor, recorded_by)
        values ($1, $2, 'CNY', 50000, $3::date, $3::date + 5, $4, case when $4 = 'active' then null else $3::date + 6 end, $5, $6)`, [a.account_id, a.customer_id, created, status, paid, by]);
    await promise(accounts[0]!, '2026-06-02', 'kept', 50000, 'li.na');
    await promise(accounts[3]!, '2026-06-09', 'kept', 60000, 'li.na');
    await promise(accounts[6]!, '2026-06-16', 'broken', 10000, 'li.na');
    await promise(accounts[1]!, '2026-06-03', 'broken', 0, 'wang.wei');
    await promise(accounts[4]!, '2026-06-20', 'kept', 200000, 'wang.wei');
    await promise(accounts[7]!, '2026-06-21', 'broken', 5000, 'wang.wei');
    await promise(accounts[10]!, '2026-06-22', 'broken', 0, 'wang.wei');
    await promise(accounts[9]!, '2026-06-25', 'active', null, 'li.na');
    await promise(accounts[11]!, '2026-05-20', 'kept', 50000, 'li.na');
    // A complaint from a debtor li.na reached.
    await rt.pool.query(`insert into compliance_flag_events (customer_id, account_id, kind, action, recorded_by, recorded_at) values ($1, $2, 'complaint_open', 'set', 'test', '2026-06-15T03:00:00Z')`,
      [accounts[0]!.customer_id, accounts[0]!.account_id]);
    // The cycle's drops (what the daily cycle writes when the gate blocks or defers too far).
    for (const [i, rule] of ['CN-03', 'CN-03', 'CN-01'].entries()) {
      await rt.pool.query(`insert into strategy_dropped_actions (idempotency_key, as_of, account_id, customer_id, stage, treatment, channel, strategy_id, strategy_version, strategy_variant, reason, rules)
        values ($1, '2026-06-15', $2, $3, 'early', 'sms-1', 'sms', 'default', 1, 'champion', $4, $5)`,
      [`drop-${i}`, accounts[i]!.account_id, accounts[i]!.customer_id, rule === 'CN-01' ? 'deferred_too_far' : 'compliance_block', JSON.stringify([{ rule, code: rule === 'CN-01' ? 'outside_window' : 'hold_flag' }])]);
    }
  });

  it('promises: by status, kept rate = kept / judged, per week', async () => {
    const r = await get(admin, `/reports/promises?from=${FROM}&to=${TO}`);
    expect(r.statusCode, r.body).toBe(200);
    const rows = (await rt.pool.query<{ status: string; created_on: string; amount_minor: string; paid_minor: string | null }>(
      `select status, created_on::text, amount_minor::text, paid_minor::text from promises_to_pay`)).rows.filter((p) => p.created_on >= FROM && p.created_on <= TO);
    const n = (s: string) => rows.filter((p) => p.status === s).length;
    const report = r.json<{ made: number; kept: number; broken: number; active: number; keptRate: number; promised: Record<string, string>; paid: Record<string, string>; weeks: { week: string; made: number }[] }>();
    expect(report).toMatchObject({ made: rows.length, kept: n('kept'), broken: n('broken'), active: n('active') });
    expect(report.keptRate).toBeCloseTo(n('kept') / (n('kept') + n('broken')), 4);
    expect(report.promised.CNY).toBe(formatAmount(rows.reduce((s, p) => s + BigInt(p.amount_minor), 0n), 'CNY'));
    expect(report.paid.CNY).toBe(formatAmount(rows.reduce((s, p) => s + BigInt(p.paid_minor ?? 0), 0n), 'CNY'));
    // ISO weeks start on Monday: 2026-06-01 is a Monday.
    expect(report.weeks.map((w) => w.week)).toEqual(['2026-06-01', '2026-06-08', '2026-06-15', '2026-06-22']);
    expect(report.weeks.reduce((s, w) => s + w.made, 0)).toBe(rows.length);
  });

  it('contacts: contact and right-party rates per channel, corrections applied, local days', async () => {
    const r = await get(admin, `/reports/contacts?from=${FROM}&to=${TO}`);
    expect(r.statusCode, r.body).toBe(200);
    const report = r.json<{ channels: { channel: string; attempts: number; connected: number; rightParty: number; contactRate: number; rightPartyRate: number }[]; total: { attempts: number } }>();
    // Independent: the fixture's own arithmetic.
    const calls = accounts.map((_, i) => (i % 4 === 0 ? 'rpc' : i % 4 === 1 ? 'tp' : 'none'));
    const voice = { attempts: accounts.length + 1, connected: calls.filter((c) => c !== 'none').length + 1, rightParty: calls.filter((c) => c === 'rpc').length + 1 };
    expect(report.channels).toEqual([
      { channel: 'sms', attempts: accounts.length, connected: 0, rightParty: 0, contactRate: 0, rightPartyRate: 0 },
      { channel: 'voice_agent', ...voice, contactRate: Math.round((voice.connected / voice.attempts) * 10_000) / 10_000, rightPartyRate: Math.round((voice.rightParty / voice.attempts) * 10_000) / 10_000 },
    ]);
    expect(report.total.attempts).toBe(accounts.length * 2 + 1);
  });

  it('collections: payments per channel and the contacts at the strategy in effect\'s channel costs', async () => {
    const r = await get(admin, `/reports/collections?from=2025-01-01&to=${TODAY}`);
    expect(r.statusCode, r.body).toBe(200);
    const report = r.json<{ collected: { channel: string; payments: number; amount: Record<string, string> }[]; costCurrency: string | null; contacts: { channel: string; contacts: number; unitCost: string | null; cost: string | null }[]; costTotal: string | null; strategy: { id: string } | null }>();
    const payments = (await rt.pool.query<{ channel: string | null; amount_minor: string; posted_on: string }>('select channel, amount_minor::text, posted_on::text from payments')).rows
      .filter((p) => p.posted_on >= '2025-01-01' && p.posted_on <= TODAY);
    const byChannel = new Map<string, bigint[]>();
    for (const p of payments) byChannel.set(p.channel ?? 'unknown', [...(byChannel.get(p.channel ?? 'unknown') ?? []), BigInt(p.amount_minor)]);
    expect(report.collected.map((c) => c.channel)).toEqual([...byChannel.keys()].sort());
    for (const c of report.collected) {
      expect(c.payments).toBe(byChannel.get(c.channel)!.length);
      expect(c.amount.CNY).toBe(formatAmount(byChannel.get(c.channel)!.reduce((s, x) => s + x, 0n), 'CNY'));
    }
    expect(report.collected.map((c) => c.channel)).toEqual(expect.arrayContaining(['bank_transfer', 'wechat']));
    // The shipped default strategy is in effect (policies/strategy/default.json): its channelCosts.
    expect(report.strategy?.id).toBe('default-strategy');
    const doc = (await import('../../policies/strategy/default.json', { with: { type: 'json' } })).default as { costCurrency: string; channelCosts: Record<string, string> };
    expect(report.costCurrency).toBe(doc.costCurrency);
    const sms = report.contacts.find((c) => c.channel === 'sms')!;
    expect(sms.contacts).toBe(accounts.length);
    expect(sms.unitCost).toBe(formatAmount(BigInt(Math.round(Number(doc.channelCosts.sms) * 100)), 'CNY'));
    expect(sms.cost).toBe(formatAmount(BigInt(Math.round(Number(doc.channelCosts.sms) * 100)) * BigInt(accounts.length), 'CNY'));
    // A collector's call costs what the strategy names agent_call.
    const calls = report.contacts.find((c) => c.channel === 'voice_agent')!;
    expect(calls.unitCost).toBe(doc.channelCosts.agent_call);
    const unit = (ch: string) => BigInt(Math.round(Number(doc.channelCosts[ch === 'voice_agent' ? 'agent_call' : ch] ?? 0) * 100));
    expect(report.costTotal).toBe(formatAmount(report.contacts.reduce((s, c) => s + unit(c.channel) * BigInt(c.contacts), 0n), 'CNY'));
  });

  it('compliance blocks per rule: the cycle\'s drops and the gate\'s verdicts', async () => {
    // The real gate: a cease flag blocks, a call at 23:30 local is deferred.
    const c = accounts[5]!;
    const night = accounts[8]!;
    const phones = await clearContactPoints(rt, `select customer_id, value from contact_points where kind = 'phone' and party_role = 'debtor' and position = 0
      and customer_id in ('${c.customer_id}', '${night.customer_id}')`);
    const phoneOf = (customer: string) => String(phones.find((p) => p.customer_id === customer)!.value);
    expect((await injectAs(app, admin)({ method: 'POST', url: '/compliance/flags', payload: { customerId: c.customer_id, kind: 'cease' } })).statusCode).toBeLessThan(300);
    const check = await injectAs(app, admin)({
      method: 'POST', url: '/compliance/check', payload: { contacts: [
        { id: 'a', customerId: c.customer_id, at: `${TODAY}T06:00:00Z`, channel: 'voice_agent', actor: 'bank:li.na', party: 'debtor', destination: phoneOf(c.customer_id) },
        { id: 'b', customerId: night.customer_id, at: `${TODAY}T15:30:00Z`, channel: 'voice_agent', actor: 'bank:wang.wei', party: 'debtor', destination: phoneOf(night.customer_id) },
      ] },
    });
    expect(check.statusCode, check.body).toBe(200);
    const verdicts = check.json<{ verdicts: { decision: string; rules: { ruleId?: string; rule?: string; code: string; effect: string }[] }[] }>().verdicts;
    expect(verdicts.map((v) => v.decision).sort()).toEqual(['block', 'defer']);
    const expected = verdicts.map((v) => {
      const r = v.rules.find((x) => x.effect === v.decision)!;
      return { rule: r.ruleId ?? r.rule!, code: r.code, decision: v.decision, count: 1 };
    });
    const r = await get(admin, `/reports/compliance-blocks?from=${FROM}&to=${TODAY}`);
    expect(r.statusCode, r.body).toBe(200);
    const report = r.json<{ cycleDrops: { rule: string; code: string; reason: string; count: number }[]; gateVerdicts: unknown[]; totals: { cycleDrops: number; gateVerdicts: number } }>();
    expect(report.cycleDrops).toEqual([
      { rule: 'CN-03', code: 'hold_flag', reason: 'compliance_block', count: 2 },
      { rule: 'CN-01', code: 'outside_window', reason: 'deferred_too_far', count: 1 },
    ]);
    expect(report.gateVerdicts).toEqual(expect.arrayContaining(expected));
    expect(report.totals).toEqual({ cycleDrops: 3, gateVerdicts: 2 });
    // A period without verdicts.
    expect((await get(admin, `/reports/compliance-blocks?from=${FROM}&to=${TO}`)).json<typeof report>().totals.gateVerdicts).toBe(0);
  });

  it('leaderboards: the blended score (never recovery alone), ranked and paged', async () => {
    const r = await get(admin, `/reports/leaderboard?from=${FROM}&to=${TODAY}&kind=collector`);
    expect(r.statusCode, r.body).toBe(200);
    type Entry = { rank: number; id: string; score: number; keptRate: number; rightPartyRate: number; recoveryIndex: number; recovered: string; complaints: number; complianceBlocks: number; incidentRate: number; attempts: number };
    const board = r.json<{ entries: Entry[]; total: number }>();
    // Independent arithmetic from the fixture: li.na called accounts 0, 3, 6, 9 (right party: 0), the corrected call on 2 (right
    // party, counted once) and the 07-01 call (right party); wang.wei called 1, 4, 7, 10 (right party: 4). Promises judged in the
    // period: li.na kept 2 of 3 (paid 500 + 600 + 100), wang.wei kept 1 of 4 (paid 0 + 2000 + 50 + 0). li.na: one complaint from a
    // debtor she reached, one blocked verdict (the cease flag); wang.wei's night call was deferred, not blocked.
    const lina = { attempts: 6, rpc: 3, judged: 3, kept: 2, recovered: 120000n, incidents: 2 };
    const wang = { attempts: 4, rpc: 1, judged: 4, kept: 1, recovered: 205000n, incidents: 0 };
    const best = 205000n;
    const score = (x: typeof lina) => {
      const incidentRate = Math.round(((x.incidents * 100) / x.attempts) * 100) / 100;
      const raw = 0.35 * (Math.round((x.kept / x.judged) * 10_000) / 10_000) + 0.25 * (Math.round((x.rpc / x.attempts) * 10_000) / 10_000)
        + 0.25 * (Number((x.recovered * 10_000n) / best) / 10_000) + 0.15 * (1 - Math.min(1, incidentRate / 5));
      return Math.round(100 * raw * 100) / 100;
    };
    expect(board.total).toBe(2);
    expect(board.entries.map((e) => [e.id, e.rank, e.attempts])).toEqual(
      score(lina) >= score(wang) ? [['li.na', 1, 6], ['wang.wei', 2, 4]] : [['wang.wei', 1, 4], ['li.na', 2, 6]]);
    const byId = Object.fromEntries(board.entries.map((e) => [e.id, e]));
    expect(byId['li.na']).toMatchObject({ score: score(lina), recovered: '1200.00', complaints: 1, complianceBlocks: 1 });
    expect(byId['wang.wei']).toMatchObject({ score: score(wang), recovered: '2050.00', recoveryIndex: 1, complaints: 0, complianceBlocks: 0 });
    // The most recovered does not win by recovery alone: wang.wei recovered more but ranks by the blend.
    expect(board.entries[0]!.id).toBe(score(lina) >= score(wang) ? 'li.na' : 'wang.wei');
    const page2 = (await get(admin, `/reports/leaderboard?from=${FROM}&to=${TODAY}&kind=collector&offset=1&limit=1`)).json<{ entries: Entry[]; total: number }>();
    expect(page2.entries.map((e) => e.rank)).toEqual([2]);
    expect(page2.total).toBe(2);

    const agencies = (await get(admin, `/reports/leaderboard?from=${FROM}&to=${TO}&kind=agency`)).json<{ entries: Entry[] }>();
    expect(agencies.entries.map((e) => [e.id, e.attempts])).toEqual([['acme', accounts.filter((_, i) => i % 3 === 2).length]]);
  });

  it('access and bad input: reports:read, periods refused by field', async () => {
    expect((await get(auditor, `/reports/promises?from=${FROM}&to=${TO}`)).statusCode).toBe(200);
    expect((await get(collector, `/reports/promises?from=${FROM}&to=${TO}`)).statusCode).toBe(403);
    const backwards = await get(admin, `/reports/contacts?from=${TO}&to=${FROM}`);
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json()).toMatchObject({ code: 'invalid_request', errors: [{ field: 'querystring.from' }] });
    const notADate = await get(admin, '/reports/leaderboard?from=2026-02-30&to=2026-03-01');
    expect(notADate.statusCode).toBe(400);
    expect(JSON.stringify(notADate.json())).toContain('from');
    expect((await get(admin, `/reports/recovery-curves?from=${FROM}&to=${TO}&currency=XYZ`)).statusCode).toBe(400);
    expect((await get(admin, '/reports/promises?from=2020-01-01&to=2026-01-01')).statusCode).toBe(400);
  });
});
