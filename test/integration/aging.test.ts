/**
 * `recourse age`: the bulk aging run on a hand-written feed (bucket moves as account events, re-runs,
 * refusing to go back in time, the run record), agreement with the pure `ageAccount` on a demo
 * portfolio, and that the run issues a fixed number of queries whatever the number of accounts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestRuntime } from '../support/database.ts';
import { runCli } from '../support/cli.ts';
import type { Runtime } from '../../src/runtime.ts';
import { parsePlainDate, formatPlainDate } from '../../src/kernel/dates.ts';
import { ageAccount, compileAgingPolicy, loadDefaultAgingPolicy, type AgingPolicy, type Obligation, type Posting } from '../../src/modules/delinquency/index.ts';
import { ageAllAccounts, bucketReport } from '../../src/workflows/aging.workflow.ts';

type TestRuntime = Runtime & { close(): Promise<void> };

const dir = mkdtempSync(join(tmpdir(), 'recourse-aging-'));
function feedFile(name: string, records: object[]): string {
  const path = join(dir, name);
  writeFileSync(path, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return path;
}

const day = (text: string) => parsePlainDate(text)!;

function customerAndAccount(id: string, openedOn = '2026-01-01') {
  return [
    { type: 'customer', id: `C${id}`, name: `Customer ${id}` },
    { type: 'account', id: `A${id}`, customerId: `C${id}`, currency: 'CNY', creditLimit: '10000.00', openedOn },
  ];
}
function monthlyStatements(id: string, months: number[], minimumDue: string, closingBalance: string) {
  return months.map((m) => ({
    type: 'statement', accountId: `A${id}`, statementDate: `2026-0${m}-05`, dueDate: `2026-0${m}-25`, minimumDue, closingBalance,
  }));
}

/**
 * A1 pays every month; A2, A3, A4 pay nothing until April; A5 opens in April and misses its first due date.
 * The April payments (A2 pays everything, A3 half) arrive in a second feed.
 */
const FEED_1 = [
  ...customerAndAccount('1'), ...monthlyStatements('1', [1, 2, 3, 4], '100.00', '1000.00'),
  ...[1, 2, 3, 4].map((m) => ({ type: 'payment', id: `P1-${m}`, accountId: 'A1', postedOn: `2026-0${m}-20`, amount: '100.00' })),
  ...customerAndAccount('2'), ...monthlyStatements('2', [1, 2, 3, 4], '100.00', '2000.00'),
  ...customerAndAccount('3'), ...monthlyStatements('3', [1, 2, 3, 4], '100.00', '2000.00'),
  ...customerAndAccount('4'), ...monthlyStatements('4', [1, 2, 3, 4], '100.00', '2000.00'),
  ...customerAndAccount('5', '2026-04-01'), ...monthlyStatements('5', [4], '50.00', '500.00'),
];
const FEED_2 = [
  { type: 'payment', id: 'P2-apr', accountId: 'A2', postedOn: '2026-04-10', amount: '400.00' },
  { type: 'payment', id: 'P3-apr', accountId: 'A3', postedOn: '2026-04-10', amount: '200.00' },
];

/** Events by date, then account (a first run writes its parts at the same time, so event ids interleave across accounts). */
async function events(rt: Runtime) {
  const { rows } = await rt.pool.query(`select account_id, occurred_on, kind, data from account_events order by occurred_on, account_id, event_id`);
  return rows;
}
async function delinquencyRows(rt: Runtime) {
  const { rows } = await rt.pool.query(`select * from account_delinquency order by account_id`);
  return rows;
}

describe('recourse age on a hand-written feed', () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await createTestRuntime();
    const imported = await runCli(rt, ['import', feedFile('feed1.ndjson', FEED_1)]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
  });
  afterAll(async () => rt?.close());

  it('first run: stores every open account and records roll_forward events for the delinquent ones', async () => {
    const run = await runCli(rt, ['age', '--as-of', '2026-03-31', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.json()).toEqual({
      asOf: '2026-03-31', accounts: 4, changed: 4,
      bucketMoves: { rollForward: 3, rollBack: 0, cure: 0 }, policy: { id: 'default-aging', version: 1 },
    });
    // 2026-03-31 − 2026-01-25 = 65 days → M3. A5 is not open yet.
    expect(await events(rt)).toEqual(['A2', 'A3', 'A4'].map((account_id) => ({
      account_id, occurred_on: '2026-03-31', kind: 'roll_forward', data: { from: 'M0', to: 'M3', daysPastDue: 65 },
    })));
    const stored = await delinquencyRows(rt);
    expect(stored.map((r) => [r.account_id, r.as_of, r.bucket, r.days_past_due])).toEqual([
      ['A1', '2026-03-31', 'M0', 0], ['A2', '2026-03-31', 'M3', 65], ['A3', '2026-03-31', 'M3', 65], ['A4', '2026-03-31', 'M3', 65],
    ]);
  });

  it('a later date with payments records cure, roll_back and roll_forward with {from, to, daysPastDue}', async () => {
    const imported = await runCli(rt, ['import', feedFile('feed2.ndjson', FEED_2)]);
    expect(imported.code).toBe(0);
    const before = (await events(rt)).length;
    const run = await runCli(rt, ['age', '--as-of', '2026-04-30', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // A1 is still current with the same balance, so its row does not change.
    expect(run.json()).toMatchObject({ asOf: '2026-04-30', accounts: 5, changed: 4, bucketMoves: { rollForward: 2, rollBack: 1, cure: 1 } });
    const added = (await events(rt)).slice(before);
    expect(added).toEqual([
      { account_id: 'A2', occurred_on: '2026-04-30', kind: 'cure', data: { from: 'M3', to: 'M0', daysPastDue: 0 } },
      // Paid January and February; March (due 03-25) is the oldest unpaid: 36 days → M2.
      { account_id: 'A3', occurred_on: '2026-04-30', kind: 'roll_back', data: { from: 'M3', to: 'M2', daysPastDue: 36 } },
      { account_id: 'A4', occurred_on: '2026-04-30', kind: 'roll_forward', data: { from: 'M3', to: 'M4', daysPastDue: 95 } },
      // Never aged before: counts as coming from M0.
      { account_id: 'A5', occurred_on: '2026-04-30', kind: 'roll_forward', data: { from: 'M0', to: 'M1', daysPastDue: 5 } },
    ]);
    const stored = await delinquencyRows(rt);
    expect(stored).toEqual([
      { account_id: 'A1', customer_id: 'C1', as_of: '2026-03-31', days_past_due: 0, bucket: 'M0', overdue_minor: 0n, balance_minor: 90_000n, late_count_cumulative: 0, late_count_consecutive: 0, oldest_unpaid_due_on: null },
      { account_id: 'A2', customer_id: 'C2', as_of: '2026-04-30', days_past_due: 0, bucket: 'M0', overdue_minor: 0n, balance_minor: 160_000n, late_count_cumulative: 3, late_count_consecutive: 0, oldest_unpaid_due_on: null },
      { account_id: 'A3', customer_id: 'C3', as_of: '2026-04-30', days_past_due: 36, bucket: 'M2', overdue_minor: 20_000n, balance_minor: 180_000n, late_count_cumulative: 4, late_count_consecutive: 4, oldest_unpaid_due_on: '2026-03-25' },
      { account_id: 'A4', customer_id: 'C4', as_of: '2026-04-30', days_past_due: 95, bucket: 'M4', overdue_minor: 40_000n, balance_minor: 200_000n, late_count_cumulative: 4, late_count_consecutive: 4, oldest_unpaid_due_on: '2026-01-25' },
      { account_id: 'A5', customer_id: 'C5', as_of: '2026-04-30', days_past_due: 5, bucket: 'M1', overdue_minor: 5_000n, balance_minor: 50_000n, late_count_cumulative: 1, late_count_consecutive: 1, oldest_unpaid_due_on: '2026-04-25' },
    ]);
    // The same values as the pure function.
    const policy = compileAgingPolicy(await loadDefaultAgingPolicy(), 'CNY');
    for (const row of stored) {
      const r = ageAccount(...(await inputsOf(rt, row.account_id)), day('2026-04-30'), policy);
      expect(row).toMatchObject({ days_past_due: r.daysPastDue, bucket: r.bucket, overdue_minor: r.overdueMinor, balance_minor: r.balanceMinor });
    }
  });

  it('re-running the same date changes nothing and records no events', async () => {
    const eventsBefore = await events(rt);
    const rowsBefore = await delinquencyRows(rt);
    const run = await runCli(rt, ['age', '--as-of', '2026-04-30', '--json']);
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ accounts: 5, changed: 0, bucketMoves: { rollForward: 0, rollBack: 0, cure: 0 } });
    expect(await events(rt)).toEqual(eventsBefore);
    expect(await delinquencyRows(rt)).toEqual(rowsBefore);
  });

  it('refuses a date before the last run (exit 2) and writes nothing', async () => {
    const eventsBefore = await events(rt);
    const rowsBefore = await delinquencyRows(rt);
    const runsBefore = (await rt.pool.query('select * from aging_runs order by run_id')).rows;
    const run = await runCli(rt, ['age', '--as-of', '2026-03-31']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/2026-03-31 is before the last aging run \(2026-04-30\)/);
    const bad = await runCli(rt, ['age', '--as-of', '2026-02-30']);
    expect(bad.code).toBe(2);
    expect(await events(rt)).toEqual(eventsBefore);
    expect(await delinquencyRows(rt)).toEqual(rowsBefore);
    expect((await rt.pool.query('select * from aging_runs order by run_id')).rows).toEqual(runsBefore);
  });

  it('records each run with its policy and counts', async () => {
    const { rows } = await rt.pool.query(`select as_of, policy_id, policy_version, accounts, changed, bucket_moves, started_at from aging_runs order by run_id`);
    const started = rt.clock.now();
    expect(rows).toEqual([
      { as_of: '2026-03-31', policy_id: 'default-aging', policy_version: 1, accounts: 4, changed: 4, bucket_moves: 3, started_at: started },
      { as_of: '2026-04-30', policy_id: 'default-aging', policy_version: 1, accounts: 5, changed: 4, bucket_moves: 4, started_at: started },
      { as_of: '2026-04-30', policy_id: 'default-aging', policy_version: 1, accounts: 5, changed: 0, bucket_moves: 0, started_at: started },
    ]);
  });

  it('stores each run\'s totals per bucket and currency, and the moves since the previous run', async () => {
    const totals = await rt.pool.query(`select as_of, bucket, currency, accounts, balance_minor, overdue_minor from aging_run_totals order by as_of, bucket`);
    expect(totals.rows).toEqual([
      { as_of: '2026-03-31', bucket: 'M0', currency: 'CNY', accounts: 1, balance_minor: 90_000n, overdue_minor: 0n },
      { as_of: '2026-03-31', bucket: 'M3', currency: 'CNY', accounts: 3, balance_minor: 600_000n, overdue_minor: 90_000n },
      { as_of: '2026-04-30', bucket: 'M0', currency: 'CNY', accounts: 2, balance_minor: 250_000n, overdue_minor: 0n },
      { as_of: '2026-04-30', bucket: 'M1', currency: 'CNY', accounts: 1, balance_minor: 50_000n, overdue_minor: 5_000n },
      { as_of: '2026-04-30', bucket: 'M2', currency: 'CNY', accounts: 1, balance_minor: 180_000n, overdue_minor: 20_000n },
      { as_of: '2026-04-30', bucket: 'M4', currency: 'CNY', accounts: 1, balance_minor: 200_000n, overdue_minor: 40_000n },
    ]);
    // A5 was not aged at 03-31, so it is in no move; the re-run of 04-30 kept the moves from 03-31.
    const moves = await rt.pool.query(`select from_as_of, to_as_of, from_bucket, to_bucket, accounts, balance_minor from aging_run_moves order by from_bucket, to_bucket`);
    expect(moves.rows).toEqual([
      { from_as_of: '2026-03-31', to_as_of: '2026-04-30', from_bucket: 'M0', to_bucket: 'M0', accounts: 1, balance_minor: 90_000n },
      { from_as_of: '2026-03-31', to_as_of: '2026-04-30', from_bucket: 'M3', to_bucket: 'M0', accounts: 1, balance_minor: 160_000n },
      { from_as_of: '2026-03-31', to_as_of: '2026-04-30', from_bucket: 'M3', to_bucket: 'M2', accounts: 1, balance_minor: 180_000n },
      { from_as_of: '2026-03-31', to_as_of: '2026-04-30', from_bucket: 'M3', to_bucket: 'M4', accounts: 1, balance_minor: 200_000n },
    ]);
  });
});

/** Statements and payments of one account by plain SQL, as the pure function takes them. */
async function inputsOf(rt: Runtime, accountId: string): Promise<[Obligation[], Posting[]]> {
  const s = await rt.pool.query(`select statement_date, due_date, minimum_due_minor, closing_balance_minor from statements where account_id = $1`, [accountId]);
  const p = await rt.pool.query(`select posted_on, amount_minor from payments where account_id = $1`, [accountId]);
  return [
    s.rows.map((r) => ({ statementDate: day(r.statement_date), dueDate: day(r.due_date), minimumDueMinor: r.minimum_due_minor, closingBalanceMinor: r.closing_balance_minor })),
    p.rows.map((r) => ({ postedOn: day(r.posted_on), amountMinor: r.amount_minor })),
  ];
}

/** Every account's inputs in two queries, grouped here. */
async function allInputs(rt: Runtime) {
  const accounts = await rt.pool.query<{ account_id: string; currency: string }>('select account_id, currency from card_accounts order by account_id');
  const byAccount = new Map(accounts.rows.map((a) => [a.account_id, { currency: a.currency, statements: [] as Obligation[], payments: [] as Posting[] }]));
  for (const r of (await rt.pool.query('select account_id, statement_date, due_date, minimum_due_minor, closing_balance_minor from statements')).rows) {
    byAccount.get(r.account_id)!.statements.push({ statementDate: day(r.statement_date), dueDate: day(r.due_date), minimumDueMinor: r.minimum_due_minor, closingBalanceMinor: r.closing_balance_minor });
  }
  for (const r of (await rt.pool.query('select account_id, posted_on, amount_minor from payments')).rows) {
    byAccount.get(r.account_id)!.payments.push({ postedOn: day(r.posted_on), amountMinor: r.amount_minor });
  }
  return byAccount;
}

/** Counts every query any pool client sends while `work` runs (COPY streams included). */
async function countQueries(work: () => Promise<unknown>): Promise<number> {
  const spy = vi.spyOn(pg.Client.prototype, 'query');
  try {
    await work();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

describe('recourse age on a demo portfolio', () => {
  let big: TestRuntime;
  let small: TestRuntime;
  beforeAll(async () => {
    [big, small] = await Promise.all([createTestRuntime(), createTestRuntime()]);
    const [b, s] = await Promise.all([
      runCli(big, ['demo', '--accounts', '300', '--seed', '5', '--as-of', '2026-06-30', '--json']),
      runCli(small, ['demo', '--accounts', '50', '--seed', '5', '--as-of', '2026-06-30', '--json']),
    ]);
    expect(b.stderr + s.stderr).toBe('');
    expect([b.code, s.code]).toEqual([0, 0]);
  });
  afterAll(async () => Promise.all([big?.close(), small?.close()]));

  it('stores for every account exactly what the pure ageAccount gives', async () => {
    const doc = await loadDefaultAgingPolicy();
    const policies = new Map<string, AgingPolicy>();
    const inputs = await allInputs(big);
    expect(inputs.size).toBe(300);
    const stored = new Map((await delinquencyRows(big)).map((r) => [r.account_id, r]));
    expect(stored.size).toBe(300);
    const asOf = day('2026-06-30');
    const buckets = new Map<string, number>();
    for (const [accountId, input] of inputs) {
      if (!policies.has(input.currency)) policies.set(input.currency, compileAgingPolicy(doc, input.currency));
      const r = ageAccount(input.statements, input.payments, asOf, policies.get(input.currency)!);
      buckets.set(r.bucket, (buckets.get(r.bucket) ?? 0) + 1);
      expect(stored.get(accountId), accountId).toEqual({
        account_id: accountId, customer_id: expect.any(String), as_of: '2026-06-30',
        days_past_due: r.daysPastDue, bucket: r.bucket, overdue_minor: r.overdueMinor, balance_minor: r.balanceMinor,
        late_count_cumulative: r.lateCountCumulative, late_count_consecutive: r.lateCountConsecutive,
        oldest_unpaid_due_on: r.oldestUnpaidDueOn === null ? null : formatPlainDate(r.oldestUnpaidDueOn),
      });
    }
    // The demo has delinquent accounts, and each one got a roll_forward event from M0 on its first run.
    const delinquent = 300 - (buckets.get('M0') ?? 0);
    expect(delinquent).toBeGreaterThan(10);
    const { rows } = await big.pool.query(`select kind, count(*)::int as n from account_events group by kind`);
    expect(rows).toEqual([{ kind: 'roll_forward', n: delinquent }]);
  });

  it('issues the same few queries for 50 and for 300 accounts (never one per account)', async () => {
    const doc = await loadDefaultAgingPolicy();
    const queries: number[] = [];
    for (const rt of [small, big]) {
      queries.push(await countQueries(async () => {
        const r = await ageAllAccounts(rt.pool, '2026-07-31', doc, rt.clock.now());
        expect(r.ok).toBe(true);
      }));
    }
    expect(queries[0]).toBe(queries[1]);
    expect(queries[1]).toBeGreaterThan(3); // the spy sees the run's queries
    expect(queries[1]).toBeLessThan(20);
  });

  it('a run or report that fails mid-stream writes nothing and leaves the pool usable', async () => {
    const doc = await loadDefaultAgingPolicy();
    const before = await Promise.all([events(big), delinquencyRows(big), big.pool.query('select * from aging_runs order by run_id')]);
    // A tolerance CNY cannot express fails on the first account, while the COPY out is still streaming.
    await expect(ageAllAccounts(big.pool, '2026-08-31', { ...doc, tolerance: '0.001' }, big.clock.now())).rejects.toThrow(/tolerance 0.001/);
    const after = await Promise.all([events(big), delinquencyRows(big), big.pool.query('select * from aging_runs order by run_id')]);
    expect(after[0]).toEqual(before[0]);
    expect(after[1]).toEqual(before[1]);
    expect(after[2].rows).toEqual(before[2].rows);
    // The reports stream the same way.
    await expect(bucketReport(big.pool, day('2026-08-31'), { ...doc, tolerance: '0.001' })).rejects.toThrow(/tolerance 0.001/);
    const run = await ageAllAccounts(big.pool, '2026-08-31', doc, big.clock.now());
    expect(run.ok && run.value.accounts).toBe(300);
    const report = await runCli(big, ['report', 'buckets', '--as-of', '2026-08-31', '--json']);
    expect(report.json().accounts).toBe(300);
  });
});

describe('the first run into an empty store, written in parts', () => {
  // 60 accounts (both parts get some): every third pays each month, the others stop paying after month 1 or 2.
  const feed = Array.from({ length: 60 }, (_, i) => String(100 + i)).flatMap((id, i) => [
    ...customerAndAccount(id), ...monthlyStatements(id, [1, 2, 3, 4], '100.00', '1500.00'),
    ...[1, 2, 3, 4].filter((m) => i % 3 === 0 || m <= 1 + (i % 2)).map((m) => ({ type: 'payment', id: `P${id}-${m}`, accountId: `A${id}`, postedOn: `2026-0${m}-20`, amount: '100.00' })),
  ]);
  let whole: TestRuntime;
  let resumed: TestRuntime;
  beforeAll(async () => {
    [whole, resumed] = await Promise.all([createTestRuntime(), createTestRuntime()]);
    const file = feedFile('parts.ndjson', feed);
    for (const rt of [whole, resumed]) expect((await runCli(rt, ['import', file])).code).toBe(0);
  });
  afterAll(async () => Promise.all([whole?.close(), resumed?.close()]));

  const stored = async (rt: Runtime) => Promise.all([
    delinquencyRows(rt), events(rt),
    rt.pool.query('select account_id, customer_id, currency, delinquent_since, entered_on, balance_at_entry_minor from delinquency_vintages order by account_id').then((r) => r.rows),
    rt.pool.query('select as_of, bucket, currency, accounts, balance_minor, overdue_minor from aging_run_totals order by bucket, currency').then((r) => r.rows),
    rt.pool.query('select as_of, accounts from aging_runs order by run_id').then((r) => r.rows),
  ]);

  it('killed after one part committed, run again, stores exactly what an uninterrupted run stores', async () => {
    const doc = await loadDefaultAgingPolicy();
    const first = await ageAllAccounts(whole.pool, '2026-04-30', doc, whole.clock.now());
    expect(first.ok && first.value.accounts).toBe(60);
    // A first run that fails in every part while they stream writes nothing and leaves the pool usable.
    await expect(ageAllAccounts(resumed.pool, '2026-04-30', { ...doc, tolerance: '0.001' }, resumed.clock.now())).rejects.toThrow(/tolerance 0.001/);
    expect((await resumed.pool.query('select (select count(*) from account_delinquency) + (select count(*) from account_events) + (select count(*) from delinquency_vintages) as n')).rows[0].n).toBe(0n);
    await expect(ageAllAccounts(resumed.pool, '2026-04-30', doc, resumed.clock.now(), { afterPartCommitted: () => { throw new Error('killed between the commits'); } }))
      .rejects.toThrow('killed between the commits');
    // One part is stored, the coordinator's is not, and the run is not recorded.
    const half = (await resumed.pool.query('select count(*)::int as n from account_delinquency')).rows[0].n as number;
    expect(half).toBeGreaterThan(0);
    expect(half).toBeLessThan(60);
    expect((await resumed.pool.query('select count(*)::int as n from aging_runs')).rows[0].n).toBe(0);
    const again = await ageAllAccounts(resumed.pool, '2026-04-30', doc, resumed.clock.now());
    expect(again.ok && again.value.accounts).toBe(60);
    const [expected, actual] = await Promise.all([stored(whole), stored(resumed)]);
    expect(expected[0].length).toBe(60);
    expect(expected[1].length).toBeGreaterThan(20); // the delinquent accounts' roll_forward events
    expect(actual).toEqual(expected);
  });
});
