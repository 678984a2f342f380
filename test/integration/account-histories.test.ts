/**
 * account_histories (migration 0005): the packed statements and payments per account that the daily
 * aging pass reads. Kept by statement-level triggers, so it must equal a fresh aggregation of the
 * statements and payments tables after any mix of inserts, updates (a re-sent statement with new
 * values), deletes, and writes that bypass the importer.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime } from '../support/database.ts';
import { runCli } from '../support/cli.ts';
import type { Runtime } from '../../src/runtime.ts';
import { agingInputs, refreshAccountHistories } from '../../src/modules/portfolio/index.ts';
import { parsePlainDate } from '../../src/kernel/dates.ts';

const dir = mkdtempSync(join(tmpdir(), 'recourse-histories-'));
function feedFile(name: string, records: object[]): string {
  const path = join(dir, name);
  writeFileSync(path, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return path;
}

const FRESH = `
  select a.account_id,
    (select string_agg(concat_ws(',', statement_date - date '1970-01-01', due_date - date '1970-01-01', minimum_due_minor, closing_balance_minor), ';' order by statement_date)
       from statements s where s.account_id = a.account_id) as statements,
    (select string_agg(concat_ws(',', posted_on - date '1970-01-01', amount_minor), ';' order by posted_on, payment_id)
       from payments p where p.account_id = a.account_id) as payments
  from card_accounts a order by a.account_id`;

async function histories(rt: Runtime) {
  const { rows } = await rt.pool.query(`select a.account_id, h.statements, h.payments from card_accounts a
    left join account_histories h on h.account_id = a.account_id order by a.account_id`);
  return rows;
}

const account = (id: string) => [
  { type: 'customer', id: `C${id}`, name: `Customer ${id}` },
  { type: 'account', id: `A${id}`, customerId: `C${id}`, currency: 'CNY', creditLimit: '10000.00', openedOn: '2026-01-01' },
];
const statement = (id: string, month: number, minimumDue: string) => ({
  type: 'statement', accountId: `A${id}`, statementDate: `2026-0${month}-05`, dueDate: `2026-0${month}-25`, minimumDue, closingBalance: '1000.00',
});
const payment = (id: string, pid: string, postedOn: string, amount: string) => ({ type: 'payment', id: pid, accountId: `A${id}`, postedOn, amount });

describe('account histories', () => {
  let rt: Runtime & { close(): Promise<void> };
  beforeAll(async () => {
    rt = await createTestRuntime();
  });
  afterAll(async () => rt?.close());

  it('equal a fresh aggregation after imports that insert and update, in any order of dates', async () => {
    // (The importer refreshes before it commits, so nothing is left noted.)
    const first = await runCli(rt, ['import', feedFile('1.ndjson', [
      ...account('1'), statement('1', 3, '100.00'), statement('1', 1, '100.00'), payment('1', 'P2', '2026-02-20', '50.00'), payment('1', 'P1', '2026-01-20', '100.00'),
      ...account('2'), ...account('3'), statement('3', 1, '20.00'),
    ])]);
    expect(first.code, first.stderr).toBe(0);
    expect(await histories(rt)).toEqual((await rt.pool.query(FRESH)).rows);
    expect((await rt.pool.query('select count(*)::int as n from account_history_changes')).rows[0].n).toBe(0);
    // Account 2 has nothing yet; account 1's statements and payments are packed in date order.
    const rows = await histories(rt);
    expect(rows[1]).toEqual({ account_id: 'A2', statements: null, payments: null });
    const jan5 = parsePlainDate('2026-01-05')!;
    expect(rows[0].statements.split(';')[0]).toBe(`${jan5},${jan5 + 20},10000,100000`);

    // A re-sent statement with a new minimum due updates the history; a new payment appends to it.
    const second = await runCli(rt, ['import', feedFile('2.ndjson', [statement('1', 3, '150.00'), statement('2', 2, '30.00'), payment('3', 'P3', '2026-01-24', '20.00')])]);
    expect(second.code, second.stderr).toBe(0);
    expect(await histories(rt)).toEqual((await rt.pool.query(FRESH)).rows);
    expect((await histories(rt))[0].statements).toContain(',15000,');
  });

  it('follow writes that bypass the importer, deletes included', async () => {
    await rt.pool.query(`insert into statements (account_id, statement_date, customer_id, due_date, minimum_due_minor, closing_balance_minor)
      values ('A2', '2026-04-05', 'C2', '2026-04-25', 7000, 70000)`);
    await rt.pool.query(`update statements set minimum_due_minor = minimum_due_minor + 1 where account_id = 'A1'`);
    await rt.pool.query(`delete from statements where account_id = 'A3'`);
    // The triggers noted the three accounts; the refresh every reader runs first rewrites exactly those.
    const noted = await rt.pool.query('select account_id from account_history_changes order by account_id');
    expect(noted.rows.map((r) => r.account_id)).toEqual(['A1', 'A2', 'A3']);
    expect(await refreshAccountHistories(rt.pool)).toBe(3);
    expect(await histories(rt)).toEqual((await rt.pool.query(FRESH)).rows);
    expect((await rt.pool.query('select count(*)::int as n from account_history_changes')).rows[0].n).toBe(0);
    expect((await histories(rt))[2].statements).toBeNull();
  });

  it('feed agingInputs with only what exists as of the date, after a refresh of their own', async () => {
    await rt.pool.query(`insert into payments (payment_id, account_id, customer_id, posted_on, amount_minor) values ('P0', 'A1', 'C1', '2026-01-02', 1)`);
    const inputs = [];
    const client = await rt.pool.connect();
    try {
      for await (const input of agingInputs(client, '2026-02-28')) inputs.push(input);
    } finally {
      client.release();
    }
    const a1 = inputs.find((i) => i.accountId === 'A1')!;
    expect(a1.statements.map((s) => s.statementDate)).toEqual([parsePlainDate('2026-01-05')]);
    expect(a1.payments.map((p) => p.amountMinor)).toEqual([1n, 10000n, 5000n]);
    // A2's April statement (written directly above) is not issued yet on 02-28.
    expect(inputs.find((i) => i.accountId === 'A2')!.statements.map((s) => s.statementDate)).toEqual([parsePlainDate('2026-02-05')]);
  });
});
