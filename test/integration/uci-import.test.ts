/**
 * The real UCI "default of credit card clients" dataset through `recourse import --format uci` and the
 * reports. Every expected value is computed here straight from the raw CSV cells (parsed with
 * csv-parse), never from the mapping code under test. The file is imported once and shared.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime } from '../support/database.ts';
import { runCli } from '../support/cli.ts';
import type { Runtime } from '../../src/runtime.ts';
import { expectedUciStatusCounts } from '../../src/modules/portfolio/domain/uci-mapping.ts';
import { uciDatasetPath } from '../support/datasets.ts';

const UCI_PATH = uciDatasetPath();

type Row = Record<string, string>;

/** Exact whole number of a cell, E notation included ("5.00E+05" → 500000n), without floats. */
function wholeNumber(cell: string): bigint {
  const m = /^([+-]?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(cell);
  if (!m) throw new Error(`not a number: ${JSON.stringify(cell)}`);
  const [, sign, int, frac = '', exp = '0'] = m;
  let digits = int! + frac;
  let scale = frac.length - Number(exp);
  while (scale > 0 && digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    scale--;
  }
  if (scale > 0) throw new Error(`not a whole number: ${cell}`);
  const value = BigInt(digits) * 10n ** BigInt(-scale);
  return sign === '-' ? -value : value;
}

/** Raw repayment status → bucket of the default scheme: k ≥ 1 → Mk (M7+ from 7), −2/−1/0 → M0. */
const BUCKETS = ['M0', 'M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7+'];
function bucketOfStatus(cell: string): string {
  const k = Number(wholeNumber(cell));
  return k <= 0 ? 'M0' : BUCKETS[Math.min(k, 7)]!;
}

/** Snapshot date and raw columns of each month (the dataset lists months newest first: X6 = September). */
const MONTHS = [
  { asOf: '2005-04-30', status: 'X11', bill: 'X17', paid: 'X23', month: '04' },
  { asOf: '2005-05-31', status: 'X10', bill: 'X16', paid: 'X22', month: '05' },
  { asOf: '2005-06-30', status: 'X9', bill: 'X15', paid: 'X21', month: '06' },
  { asOf: '2005-07-31', status: 'X8', bill: 'X14', paid: 'X20', month: '07' },
  { asOf: '2005-08-31', status: 'X7', bill: 'X13', paid: 'X19', month: '08' },
  { asOf: '2005-09-30', status: 'X6', bill: 'X12', paid: 'X18', month: '09' },
] as const;

/** Whole TWD → minor units text with two decimals ("1234" → "1234.00"). */
const twd = (dollars: bigint) => `${dollars}.00`;

describe('UCI credit-card dataset import', () => {
  let rt: Runtime & { close(): Promise<void> };
  let rows: Row[];
  let firstImport: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    // A missing dataset must fail the suite, never skip it.
    if (!existsSync(UCI_PATH)) throw new Error(`the UCI dataset is missing: ${UCI_PATH}`);
    rows = parse(readFileSync(UCI_PATH, 'utf8'), { columns: true, skip_empty_lines: true }) as Row[];
    rt = await createTestRuntime();
    firstImport = await runCli(rt, ['import', UCI_PATH, '--format', 'uci', '--json']);
  }, 120_000);
  afterAll(async () => rt?.close());

  it('imports the 30,000 accounts with their statements, payments and host snapshots', async () => {
    expect(firstImport.stderr).toBe('');
    expect(firstImport.code).toBe(0);
    expect(rows).toHaveLength(30_000);
    const payments = rows.reduce((n, r) => n + MONTHS.filter((m) => wholeNumber(r[m.paid]!) > 0n).length, 0);
    const summary = JSON.parse(firstImport.stdout);
    expect(summary).toMatchObject({
      format: 'uci', lines: 30_001, rejectedLines: 0,
      counts: {
        customer: { inserted: 30_000, updated: 0, unchanged: 0 },
        account: { inserted: 30_000, updated: 0, unchanged: 0 },
        statement: { inserted: 180_000, updated: 0, unchanged: 0 },
        payment: { inserted: payments, updated: 0, unchanged: 0 },
        delinquency: { inserted: 180_000, updated: 0, unchanged: 0 },
      },
    });
    const { rows: [counts] } = await rt.pool.query(`select
      (select count(*) from customers)::int as customers,
      (select count(*) from card_accounts where currency = 'TWD' and opened_on = '2005-01-01' and status = 'open')::int as accounts,
      (select count(*) from statements)::int as statements,
      (select count(*) from payments)::int as payments,
      (select count(*) from host_delinquency_snapshots)::int as snapshots,
      (select count(*) from contact_points)::int as contacts`);
    expect(counts).toEqual({ customers: 30_000, accounts: 30_000, statements: 180_000, payments, snapshots: 180_000, contacts: 0 });
    expect(payments).toBe(143_103); // as docs/uci-mapping.md states
  });

  it('reproduces the dataset’s own repayment status counts for every month', async () => {
    const expected = new Map<string, Map<number, number>>();
    for (const m of MONTHS) {
      const counts = new Map<number, number>();
      for (const r of rows) {
        const status = Number(wholeNumber(r[m.status]!));
        if (status < -2 || status > 9) throw new Error(`ID ${r.ID}: ${m.status} ${status} is not a repayment status`);
        const cycles = status >= 1 ? status : 0;
        counts.set(cycles, (counts.get(cycles) ?? 0) + 1);
      }
      expected.set(m.asOf, counts);
    }
    const { rows: stored } = await rt.pool.query<{ as_of: string; cycles: number; n: number }>(
      `select as_of, cycles_delinquent as cycles, count(*)::int as n from host_delinquency_snapshots group by 1, 2 order by 1, 2`,
    );
    const actual = new Map<string, Map<number, number>>();
    for (const s of stored) {
      if (!actual.has(s.as_of)) actual.set(s.as_of, new Map());
      actual.get(s.as_of)!.set(s.cycles, s.n);
    }
    expect([...actual.keys()]).toEqual(MONTHS.map((m) => m.asOf));
    for (const m of MONTHS) expect(Object.fromEntries(actual.get(m.asOf)!)).toEqual(Object.fromEntries(expected.get(m.asOf)!));
    // The mapping module's own helper agrees (it reads rows as cell arrays in file order).
    const helper = expectedUciStatusCounts(parse(readFileSync(UCI_PATH, 'utf8'), { skip_empty_lines: true }) as string[][]);
    for (const m of MONTHS) expect(Object.fromEntries(helper.get(m.asOf)!)).toEqual(Object.fromEntries(expected.get(m.asOf)!));
    // Spot values from the table in docs/uci-mapping.md.
    expect(actual.get('2005-09-30')!.get(0)).toBe(23_182);
    expect(actual.get('2005-04-30')!.get(2)).toBe(2_766);
  });

  it('stores exact values, E notation included', async () => {
    const raw7 = rows.find((r) => r.ID === '7')!;
    expect(raw7.X1).toBe('5.00E+05');
    const accounts = await rt.pool.query(
      `select account_id, customer_id, currency, credit_limit_minor, opened_on, status from card_accounts where account_id in ('uci-1', 'uci-7') order by account_id`,
    );
    expect(accounts.rows).toEqual([
      { account_id: 'uci-1', customer_id: 'uci-1', currency: 'TWD', credit_limit_minor: 2_000_000n, opened_on: '2005-01-01', status: 'open' },
      { account_id: 'uci-7', customer_id: 'uci-7', currency: 'TWD', credit_limit_minor: 50_000_000n, opened_on: '2005-01-01', status: 'open' },
    ]);
    const customer = await rt.pool.query(`select name, time_zone, language, national_id_encrypted from customers where customer_id = 'uci-7'`);
    expect(customer.rows).toEqual([{ name: 'UCI client 7', time_zone: 'Asia/Taipei', language: 'en', national_id_encrypted: null }]);

    // ID 1: bills 0,0,0,689,3102,3913 (Apr..Sep), one payment of 689 in August, statuses -2,-2,-1,-1,2,2.
    const statements = await rt.pool.query(
      `select statement_date, due_date, minimum_due_minor, closing_balance_minor from statements where account_id = 'uci-1' order by statement_date`,
    );
    expect(statements.rows).toEqual([
      { statement_date: '2005-04-05', due_date: '2005-04-25', minimum_due_minor: 0n, closing_balance_minor: 0n },
      { statement_date: '2005-05-05', due_date: '2005-05-25', minimum_due_minor: 0n, closing_balance_minor: 0n },
      { statement_date: '2005-06-05', due_date: '2005-06-25', minimum_due_minor: 0n, closing_balance_minor: 0n },
      { statement_date: '2005-07-05', due_date: '2005-07-25', minimum_due_minor: 6_900n, closing_balance_minor: 68_900n },
      { statement_date: '2005-08-05', due_date: '2005-08-25', minimum_due_minor: 31_100n, closing_balance_minor: 310_200n },
      { statement_date: '2005-09-05', due_date: '2005-09-25', minimum_due_minor: 39_200n, closing_balance_minor: 391_300n },
    ]);
    const payments = await rt.pool.query(`select payment_id, posted_on, amount_minor, channel from payments where account_id = 'uci-1'`);
    expect(payments.rows).toEqual([{ payment_id: 'uci-1-pay-2005-08', posted_on: '2005-08-15', amount_minor: 68_900n, channel: 'unknown' }]);
    const snapshots = await rt.pool.query(
      `select as_of, cycles_delinquent, amount_due_minor, balance_minor from host_delinquency_snapshots where account_id = 'uci-1' order by as_of`,
    );
    expect(snapshots.rows.map((s) => [s.as_of, s.cycles_delinquent, s.amount_due_minor, s.balance_minor])).toEqual([
      ['2005-04-30', 0, null, 0n], ['2005-05-31', 0, null, 0n], ['2005-06-30', 0, null, 0n],
      ['2005-07-31', 0, null, 68_900n], ['2005-08-31', 2, null, 310_200n], ['2005-09-30', 2, null, 391_300n],
    ]);

    // ID 7: every amount of every month, from the raw cells.
    const stored7 = await rt.pool.query(`select statement_date, closing_balance_minor from statements where account_id = 'uci-7' order by statement_date`);
    expect(stored7.rows.map((s) => s.closing_balance_minor)).toEqual(MONTHS.map((m) => wholeNumber(raw7[m.bill]!) * 100n));
    const paid7 = await rt.pool.query(`select payment_id, amount_minor from payments where account_id = 'uci-7' order by posted_on`);
    expect(paid7.rows).toEqual(MONTHS.map((m) => ({ payment_id: `uci-7-pay-2005-${m.month}`, amount_minor: wholeNumber(raw7[m.paid]!) * 100n })));
  });

  it('reports the September bucket distribution from the host snapshots', async () => {
    const expected = new Map(BUCKETS.map((b) => [b, { accounts: 0, balance: 0n }]));
    for (const r of rows) {
      const e = expected.get(bucketOfStatus(r.X6!))!;
      e.accounts++;
      // Balance: the September bill less the September payment (posted after the statement).
      e.balance += wholeNumber(r.X12!) - wholeNumber(r.X18!);
    }
    const run = await runCli(rt, ['report', 'buckets', '--as-of', '2005-09-30', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = run.json();
    expect(report.asOf).toBe('2005-09-30');
    expect(report.accounts).toBe(30_000);
    expect(report.fromHostSnapshots).toBe(30_000);
    expect(report.buckets).toEqual(BUCKETS.map((b) => ({ bucket: b, accounts: expected.get(b)!.accounts, balance: { TWD: twd(expected.get(b)!.balance) } })));
    expect(report.buckets[0]).toEqual({ bucket: 'M0', accounts: 23_182, balance: { TWD: '1089959746.00' } }); // docs/cli.md
  });

  it('reports August → September roll rates equal to the raw status cross-tab', async () => {
    const cells = new Map<string, { accounts: number; balance: bigint }>();
    const totals = new Map<string, { accounts: number; balance: bigint }>();
    for (const r of rows) {
      const from = bucketOfStatus(r.X7!);
      const to = bucketOfStatus(r.X6!);
      const balance = wholeNumber(r.X12!) - wholeNumber(r.X18!);
      const cell = cells.get(`${from}>${to}`) ?? { accounts: 0, balance: 0n };
      cell.accounts++;
      cell.balance += balance;
      cells.set(`${from}>${to}`, cell);
      const total = totals.get(from) ?? { accounts: 0, balance: 0n };
      total.accounts++;
      total.balance += balance;
      totals.set(from, total);
    }
    const run = await runCli(rt, ['report', 'roll-rates', '--from', '2005-08-31', '--to', '2005-09-30', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = run.json();
    expect(report).toMatchObject({ from: '2005-08-31', to: '2005-09-30', accounts: 30_000, buckets: BUCKETS });
    expect(report.rows).toEqual(BUCKETS.map((from) => {
      const total = totals.get(from) ?? { accounts: 0, balance: 0n };
      return {
        from,
        accounts: total.accounts,
        balance: { TWD: twd(total.balance) },
        cells: BUCKETS.map((to) => {
          const cell = cells.get(`${from}>${to}`) ?? { accounts: 0, balance: 0n };
          return { to, accounts: cell.accounts, balance: { TWD: twd(cell.balance) }, rate: total.accounts === 0 ? 0 : Math.round((cell.accounts / total.accounts) * 10_000) / 10_000 };
        }),
      };
    }));
    // 22,735 of the 25,562 accounts current in August stayed current in September (the example in
    // docs/cli.md, 22,717 and 0.8887, does not match the file).
    expect(report.rows[0]).toMatchObject({ from: 'M0', accounts: 25_562 });
    expect(report.rows[0].cells[0]).toMatchObject({ accounts: 22_735, rate: 0.8894 });
  });

  it('changes nothing when the file is imported again', async () => {
    const before = await rt.pool.query(`select
      (select count(*) from statements)::int as statements, (select count(*) from payments)::int as payments,
      (select count(*) from host_delinquency_snapshots)::int as snapshots,
      (select max(updated_at) from customers) as customers_updated, (select max(updated_at) from card_accounts) as accounts_updated`);
    const run = await runCli(rt, ['import', UCI_PATH, '--format', 'uci', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { counts } = run.json();
    const payments = before.rows[0].payments;
    expect(counts).toMatchObject({
      customer: { inserted: 0, updated: 0, unchanged: 30_000 },
      account: { inserted: 0, updated: 0, unchanged: 30_000 },
      statement: { inserted: 0, updated: 0, unchanged: 180_000 },
      payment: { inserted: 0, updated: 0, unchanged: payments },
      delinquency: { inserted: 0, updated: 0, unchanged: 180_000 },
    });
    const after = await rt.pool.query(`select
      (select count(*) from statements)::int as statements, (select count(*) from payments)::int as payments,
      (select count(*) from host_delinquency_snapshots)::int as snapshots,
      (select max(updated_at) from customers) as customers_updated, (select max(updated_at) from card_accounts) as accounts_updated`);
    expect(after.rows).toEqual(before.rows);
  }, 60_000);

  it('ages the 30,000 accounts in one run, and a second run of the same date changes nothing', async () => {
    const first = await runCli(rt, ['age', '--as-of', '2005-09-30', '--json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.json()).toMatchObject({ asOf: '2005-09-30', accounts: 30_000, changed: 30_000 });
    const { rows: [stored] } = await rt.pool.query(`select count(*)::int as n, count(*) filter (where bucket <> 'M0')::int as delinquent from account_delinquency`);
    expect(stored.n).toBe(30_000);
    const { rows: [ev] } = await rt.pool.query(`select count(*)::int as n from account_events where kind = 'roll_forward'`);
    expect(ev.n).toBe(stored.delinquent);
    expect(first.json().bucketMoves).toEqual({ rollForward: stored.delinquent, rollBack: 0, cure: 0 });
    const again = await runCli(rt, ['age', '--as-of', '2005-09-30', '--json']);
    expect(again.json()).toMatchObject({ accounts: 30_000, changed: 0, bucketMoves: { rollForward: 0, rollBack: 0, cure: 0 } });
  }, 60_000);
});
