/**
 * `recourse import` of valid NDJSON feeds: stored values (money in minor units of each currency,
 * contact points, the national id encrypted and nowhere in clear), the JSON summary, re-imports that
 * change nothing, and updates that change exactly what differs. Every expected value is written out
 * here from the feed text, never computed by the code under test.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestRuntime, tableSnapshot } from '../support/database.ts';
import { clearContactPoints } from '../support/pii.ts';
import { runCli } from '../support/cli.ts';
import { main, type CliIo } from '../../src/cli.ts';

type TestRuntime = Awaited<ReturnType<typeof createTestRuntime>>;

const dir = mkdtempSync(join(tmpdir(), 'recourse-import-ndjson-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
function feedFile(lines: unknown[], options: { name?: string; eol?: string } = {}): string {
  const file = join(dir, options.name ?? `feed-${++fileNo}.ndjson`);
  writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join(options.eol ?? '\n') + (options.eol ?? '\n'));
  return file;
}

/** Row count and md5 of the ordered row texts of every table: equal snapshots mean equal contents. */

/** Every row of a table as text, by key. */
async function rowsByKey(rt: TestRuntime, table: string, key: string): Promise<Map<string, string>> {
  const { rows } = await rt.pool.query<{ k: string; v: string }>(`select (${key})::text as k, x::text as v from ${table} x`);
  return new Map(rows.map((r) => [r.k, r.v]));
}

function changedKeys(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k)).sort();
}

const NATIONAL_ID = '11010519491231002X';

const C1 = {
  type: 'customer', id: 'C1', name: '张伟', nationalId: NATIONAL_ID,
  phones: [
    { number: '138-0013 8000', verified: true, source: 'application_form' },
    { number: '+8613900139000', role: 'guarantor' },
  ],
  emails: [{ address: 'zhang.wei@example.com', role: 'contact', verified: true }],
  addresses: [{ line: '1 Chang’an Avenue', city: 'Beijing', region: 'BJ', postalCode: '100000', country: 'CN', source: 'bureau' }],
};
const C2 = { type: 'customer', id: 'C2', name: 'Sato Ken', timeZone: 'Asia/Tokyo', language: 'en' };
const A1 = { type: 'account', id: 'A1', customerId: 'C1', currency: 'CNY', creditLimit: '50000.00', openedOn: '2021-03-01' };
const A2 = { type: 'account', id: 'A2', customerId: 'C2', currency: 'JPY', creditLimit: '300000', openedOn: '2022-01-15', status: 'frozen' };
const A3 = { type: 'account', id: 'A3', customerId: 'C1', currency: 'BHD', creditLimit: '1000.125', openedOn: '2020-02-29', status: 'closed' };
const S1 = {
  type: 'statement', accountId: 'A1', statementDate: '2026-05-05', dueDate: '2026-05-25', minimumDue: '1234.50',
  closingBalance: '-12.3', principal: '-100', interest: '5.5', fees: '0.01',
};
const S2 = { type: 'statement', accountId: 'A2', statementDate: '2026-05-10', dueDate: '2026-05-30', minimumDue: '3000', closingBalance: '150000' };
const S3 = { type: 'statement', accountId: 'A3', statementDate: '2026-05-10', dueDate: '2026-05-10', minimumDue: '1.005', closingBalance: '2.5E+1' };
const P1 = { type: 'payment', id: 'P1', accountId: 'A1', postedOn: '2026-05-20', amount: '500.00', channel: 'alipay' };
const P2 = { type: 'payment', id: 'P2', accountId: 'A2', postedOn: '2026-05-21', amount: '1000' };
const D1 = { type: 'delinquency', accountId: 'A1', asOf: '2026-05-31', cyclesDelinquent: 0, amountDue: '0', balance: '5000.00' };
const D2 = { type: 'delinquency', accountId: 'A2', asOf: '2026-05-31', cyclesDelinquent: '2', amountDue: '3000', balance: '-5' };

/** References point forward as well as back: an account before its customer, a statement before its account. */
const FEED = [S2, A2, C2, C1, A1, A3, S1, S3, P1, P2, D1, D2];

describe('import of a valid NDJSON feed', () => {
  let rt: TestRuntime;
  beforeEach(async () => {
    rt = await createTestRuntime();
  });
  afterEach(async () => rt?.close());

  it('stores every record type with exact values and prints the JSON summary', async () => {
    const file = feedFile(FEED);
    const r = await runCli(rt, ['import', file, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json()).toEqual({
      importId: 1, source: file, format: 'ndjson', lines: 12, records: 12, rejectedLines: 0, durationMs: 0,
      counts: {
        customer: { inserted: 2, updated: 0, unchanged: 0 },
        account: { inserted: 3, updated: 0, unchanged: 0 },
        statement: { inserted: 3, updated: 0, unchanged: 0 },
        payment: { inserted: 2, updated: 0, unchanged: 0 },
        delinquency: { inserted: 2, updated: 0, unchanged: 0 },
        contactPoint: { inserted: 4, updated: 0, unchanged: 0 },
      },
    });

    const customers = await rt.pool.query(
      `select customer_id, name, national_id_last4, time_zone, language, national_id_encrypted is not null as encrypted,
              national_id_hmac is not null as hmac
       from customers order by customer_id`,
    );
    expect(customers.rows).toEqual([
      { customer_id: 'C1', name: '张伟', national_id_last4: '002X', time_zone: 'Asia/Shanghai', language: 'zh-CN', encrypted: true, hmac: true },
      { customer_id: 'C2', name: 'Sato Ken', national_id_last4: null, time_zone: 'Asia/Tokyo', language: 'en', encrypted: false, hmac: false },
    ]);

    const contacts = await clearContactPoints(rt,
      `select customer_id, kind, position, value, details, party_role, verified, source from contact_points order by customer_id, kind, position`,
    );
    expect(contacts).toEqual([
      { customer_id: 'C1', kind: 'address', position: 0, value: '1 Chang’an Avenue', details: { city: 'Beijing', region: 'BJ', postalCode: '100000', country: 'CN' }, party_role: 'debtor', verified: false, source: 'bureau' },
      { customer_id: 'C1', kind: 'email', position: 0, value: 'zhang.wei@example.com', details: null, party_role: 'contact', verified: true, source: null },
      { customer_id: 'C1', kind: 'phone', position: 0, value: '13800138000', details: null, party_role: 'debtor', verified: true, source: 'application_form' },
      { customer_id: 'C1', kind: 'phone', position: 1, value: '+8613900139000', details: null, party_role: 'guarantor', verified: false, source: null },
    ]);

    const accounts = await rt.pool.query(`select account_id, customer_id, currency, credit_limit_minor, opened_on, status from card_accounts order by account_id`);
    expect(accounts.rows).toEqual([
      { account_id: 'A1', customer_id: 'C1', currency: 'CNY', credit_limit_minor: 5_000_000n, opened_on: '2021-03-01', status: 'open' },
      { account_id: 'A2', customer_id: 'C2', currency: 'JPY', credit_limit_minor: 300_000n, opened_on: '2022-01-15', status: 'frozen' },
      { account_id: 'A3', customer_id: 'C1', currency: 'BHD', credit_limit_minor: 1_000_125n, opened_on: '2020-02-29', status: 'closed' },
    ]);

    const statements = await rt.pool.query(
      `select account_id, statement_date, customer_id, due_date, minimum_due_minor, closing_balance_minor, principal_minor, interest_minor, fees_minor
       from statements order by account_id, statement_date`,
    );
    expect(statements.rows).toEqual([
      { account_id: 'A1', statement_date: '2026-05-05', customer_id: 'C1', due_date: '2026-05-25', minimum_due_minor: 123_450n, closing_balance_minor: -1_230n, principal_minor: -10_000n, interest_minor: 550n, fees_minor: 1n },
      { account_id: 'A2', statement_date: '2026-05-10', customer_id: 'C2', due_date: '2026-05-30', minimum_due_minor: 3_000n, closing_balance_minor: 150_000n, principal_minor: null, interest_minor: null, fees_minor: null },
      { account_id: 'A3', statement_date: '2026-05-10', customer_id: 'C1', due_date: '2026-05-10', minimum_due_minor: 1_005n, closing_balance_minor: 25_000n, principal_minor: null, interest_minor: null, fees_minor: null },
    ]);

    const payments = await rt.pool.query(`select payment_id, account_id, customer_id, posted_on, amount_minor, channel from payments order by payment_id`);
    expect(payments.rows).toEqual([
      { payment_id: 'P1', account_id: 'A1', customer_id: 'C1', posted_on: '2026-05-20', amount_minor: 50_000n, channel: 'alipay' },
      { payment_id: 'P2', account_id: 'A2', customer_id: 'C2', posted_on: '2026-05-21', amount_minor: 1_000n, channel: null },
    ]);

    const snapshots = await rt.pool.query(
      `select account_id, as_of, customer_id, cycles_delinquent, amount_due_minor, balance_minor from host_delinquency_snapshots order by account_id`,
    );
    expect(snapshots.rows).toEqual([
      { account_id: 'A1', as_of: '2026-05-31', customer_id: 'C1', cycles_delinquent: 0, amount_due_minor: 0n, balance_minor: 500_000n },
      { account_id: 'A2', as_of: '2026-05-31', customer_id: 'C2', cycles_delinquent: 2, amount_due_minor: 3_000n, balance_minor: -5n },
    ]);

    const imports = await rt.pool.query(`select import_id, source, format, lines, rejected, counts from imports`);
    expect(imports.rows).toEqual([{ import_id: 1n, source: file, format: 'ndjson', lines: 12, rejected: 0, counts: r.json().counts }]);
  });

  it('stores the national id encrypted with its HMAC and last 4, never in clear in any column of any table', async () => {
    expect((await runCli(rt, ['import', feedFile(FEED)])).code).toBe(0);
    const { rows: [c] } = await rt.pool.query<{ national_id_encrypted: Buffer; national_id_hmac: Buffer; national_id_last4: string }>(
      `select national_id_encrypted, national_id_hmac, national_id_last4 from customers where customer_id = 'C1'`,
    );
    expect(rt.cipher.decrypt(c!.national_id_encrypted)).toBe(NATIONAL_ID);
    expect(c!.national_id_hmac.equals(rt.cipher.hmac(NATIONAL_ID))).toBe(true);
    expect(c!.national_id_last4).toBe('002X');

    // Every text column of customers, one by one.
    const { rows: columns } = await rt.pool.query<{ column_name: string }>(
      `select column_name from information_schema.columns where table_schema = 'public' and table_name = 'customers'
         and data_type in ('text', 'character varying', 'jsonb', 'json')`,
    );
    expect(columns.map((c) => c.column_name).sort()).toEqual(['customer_id', 'language', 'name', 'national_id_last4', 'time_zone']);
    for (const { column_name } of columns) {
      const { rows } = await rt.pool.query(`select count(*)::int as n from customers where strpos(${column_name}::text, $1) > 0`, [NATIONAL_ID]);
      expect(rows[0], column_name).toEqual({ n: 0 });
    }
    // And the whole row text of every table, bytea (as hex) included: neither the text nor its bytes appear.
    const hex = Buffer.from(NATIONAL_ID, 'utf8').toString('hex');
    const { rows: tables } = await rt.pool.query<{ t: string }>(`select table_name as t from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`);
    for (const { t } of tables) {
      const { rows } = await rt.pool.query(
        `select count(*)::int as n from ${t} x where strpos(upper(x::text), upper($1)) > 0 or strpos(lower(x::text), $2) > 0`,
        [NATIONAL_ID, hex],
      );
      expect(rows[0], t).toEqual({ n: 0 });
    }
  });

  it('changes nothing when the same file is imported again', async () => {
    const file = feedFile(FEED);
    expect((await runCli(rt, ['import', file])).code).toBe(0);
    const before = await tableSnapshot(rt, ['imports']);
    const updatedAt = await rt.pool.query(`select 'customer ' || customer_id as k, updated_at from customers union all select 'account ' || account_id, updated_at from card_accounts order by 1`);

    const again = await runCli(rt, ['import', file, '--json']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.json()).toMatchObject({
      importId: 2, lines: 12, records: 12, rejectedLines: 0,
      counts: {
        customer: { inserted: 0, updated: 0, unchanged: 2 },
        account: { inserted: 0, updated: 0, unchanged: 3 },
        statement: { inserted: 0, updated: 0, unchanged: 3 },
        payment: { inserted: 0, updated: 0, unchanged: 2 },
        delinquency: { inserted: 0, updated: 0, unchanged: 2 },
        contactPoint: { inserted: 0, updated: 0, unchanged: 4 },
      },
    });
    expect(await tableSnapshot(rt, ['imports'])).toEqual(before);
    expect((await rt.pool.query(`select 'customer ' || customer_id as k, updated_at from customers union all select 'account ' || account_id, updated_at from card_accounts order by 1`)).rows)
      .toEqual(updatedAt.rows);
    // Only the audit of the second import is new.
    expect((await rt.pool.query(`select import_id, lines, rejected from imports order by import_id`)).rows)
      .toEqual([{ import_id: 1n, lines: 12, rejected: 0 }, { import_id: 2n, lines: 12, rejected: 0 }]);
  });

  it('prints a text summary without --json', async () => {
    const file = feedFile(FEED);
    const r = await runCli(rt, ['import', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
      `imported ${file} (ndjson): 12 lines, 12 records, 0 rejected lines in 0 ms`,
      '  customer     2 inserted, 0 updated, 0 unchanged',
      '  account      3 inserted, 0 updated, 0 unchanged',
      '  statement    3 inserted, 0 updated, 0 unchanged',
      '  payment      2 inserted, 0 updated, 0 unchanged',
      '  delinquency  2 inserted, 0 updated, 0 unchanged',
      '  contactPoint 4 inserted, 0 updated, 0 unchanged',
      '',
    ].join('\n'));
  });

  it('updates exactly the records whose stored values differ', async () => {
    expect((await runCli(rt, ['import', feedFile(FEED)])).code).toBe(0);
    const tables = {
      customers: 'customer_id', contact_points: `customer_id || ' ' || kind || ' ' || position`, card_accounts: 'account_id',
      statements: `account_id || ' ' || statement_date`, payments: 'payment_id', host_delinquency_snapshots: `account_id || ' ' || as_of`,
    } as const;
    const before: Record<string, Map<string, string>> = {};
    for (const [t, key] of Object.entries(tables)) before[t] = await rowsByKey(rt, t, key);

    const changed = [
      // C1: new name, one phone fewer, the first phone no longer verified, no email; address unchanged.
      { ...C1, name: '张伟强', phones: [{ number: '13800138000', source: 'application_form' }], emails: undefined },
      C2,
      { ...A1, creditLimit: '60000.5', status: 'restricted' },
      A2, A3,
      { ...S1, minimumDue: '1300' },
      S2, S3, P1, P2,
      { ...D2, cyclesDelinquent: 3 },
      D1,
    ];
    const r = await runCli(rt, ['import', feedFile(changed), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json().counts).toEqual({
      customer: { inserted: 0, updated: 1, unchanged: 1 },
      account: { inserted: 0, updated: 1, unchanged: 2 },
      statement: { inserted: 0, updated: 1, unchanged: 2 },
      payment: { inserted: 0, updated: 0, unchanged: 2 },
      delinquency: { inserted: 0, updated: 1, unchanged: 1 },
      contactPoint: { inserted: 0, updated: 1, unchanged: 1 },
    });

    const after: Record<string, Map<string, string>> = {};
    for (const [t, key] of Object.entries(tables)) after[t] = await rowsByKey(rt, t, key);
    expect(changedKeys(before.customers!, after.customers!)).toEqual(['C1']);
    expect(changedKeys(before.contact_points!, after.contact_points!)).toEqual(['C1 email 0', 'C1 phone 0', 'C1 phone 1']);
    expect(changedKeys(before.card_accounts!, after.card_accounts!)).toEqual(['A1']);
    expect(changedKeys(before.statements!, after.statements!)).toEqual(['A1 2026-05-05']);
    expect(changedKeys(before.payments!, after.payments!)).toEqual([]);
    expect(changedKeys(before.host_delinquency_snapshots!, after.host_delinquency_snapshots!)).toEqual(['A2 2026-05-31']);

    const { rows: customers } = await rt.pool.query(
      `select customer_id, name, national_id_last4, updated_at > created_at as touched from customers order by customer_id`,
    );
    // The runtime's transaction clock (now()) moves between imports, so an update shows in updated_at.
    expect(customers).toEqual([
      { customer_id: 'C1', name: '张伟强', national_id_last4: '002X', touched: true },
      { customer_id: 'C2', name: 'Sato Ken', national_id_last4: null, touched: false },
    ]);
    expect(await clearContactPoints(rt, `select kind, position, value, verified, source from contact_points order by kind, position`)).toEqual([
      { kind: 'address', position: 0, value: '1 Chang’an Avenue', verified: false, source: 'bureau' },
      { kind: 'phone', position: 0, value: '13800138000', verified: false, source: 'application_form' },
    ]);
    expect((await rt.pool.query(`select account_id, credit_limit_minor, status, updated_at > created_at as touched from card_accounts order by 1`)).rows).toEqual([
      { account_id: 'A1', credit_limit_minor: 6_000_050n, status: 'restricted', touched: true },
      { account_id: 'A2', credit_limit_minor: 300_000n, status: 'frozen', touched: false },
      { account_id: 'A3', credit_limit_minor: 1_000_125n, status: 'closed', touched: false },
    ]);
    expect((await rt.pool.query(`select minimum_due_minor, closing_balance_minor from statements where account_id = 'A1'`)).rows)
      .toEqual([{ minimum_due_minor: 130_000n, closing_balance_minor: -1_230n }]);
    expect((await rt.pool.query(`select cycles_delinquent from host_delinquency_snapshots where account_id = 'A2'`)).rows)
      .toEqual([{ cycles_delinquent: 3 }]);
  });

  it('re-encrypts the national id only when it changes', async () => {
    expect((await runCli(rt, ['import', feedFile([C1])])).code).toBe(0);
    const first = (await rt.pool.query(`select national_id_encrypted as e from customers`)).rows[0].e as Buffer;
    // Same id: the stored ciphertext (random IV) is kept, so the row does not change.
    const same = await runCli(rt, ['import', feedFile([C1]), '--json']);
    expect(same.json().counts.customer).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
    expect(((await rt.pool.query(`select national_id_encrypted as e from customers`)).rows[0].e as Buffer).equals(first)).toBe(true);

    const other = '310101198001011234';
    const changed = await runCli(rt, ['import', feedFile([{ ...C1, nationalId: other }]), '--json']);
    expect(changed.json().counts.customer).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    const { rows: [c] } = await rt.pool.query(`select national_id_encrypted as e, national_id_hmac as h, national_id_last4 as l from customers`);
    expect(rt.cipher.decrypt(c.e)).toBe(other);
    expect((c.h as Buffer).equals(rt.cipher.hmac(other))).toBe(true);
    expect(c.l).toBe('1234');
  });

  it('accepts references to customers and accounts stored by an earlier import', async () => {
    expect((await runCli(rt, ['import', feedFile([C1, C2, A1])])).code).toBe(0);
    const r = await runCli(rt, ['import', feedFile([A2, S1, P1, D1, S2, P2, D2]), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json().counts).toMatchObject({
      account: { inserted: 1 }, statement: { inserted: 2 }, payment: { inserted: 2 }, delinquency: { inserted: 2 },
    });
    expect((await rt.pool.query(`select payment_id, customer_id, amount_minor from payments order by 1`)).rows).toEqual([
      { payment_id: 'P1', customer_id: 'C1', amount_minor: 50_000n },
      { payment_id: 'P2', customer_id: 'C2', amount_minor: 1_000n },
    ]);
  });

  it('treats a stored payment sent again with the same content as a no-op', async () => {
    expect((await runCli(rt, ['import', feedFile([C1, A1, P1])])).code).toBe(0);
    const before = await tableSnapshot(rt, ['imports']);
    // Same content written differently: E notation and more zeros are the same amount.
    const r = await runCli(rt, ['import', feedFile([{ ...P1, amount: '5.0000E+2' }]), '--json']);
    expect(r.stderr).toBe('');
    expect(r.json().counts.payment).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
    expect(await tableSnapshot(rt, ['imports'])).toEqual(before);
  });

  it('ignores blank lines, a BOM on line 1 and CRLF line ends, keeping line numbers', async () => {
    const file = join(dir, 'bom-crlf.ndjson');
    writeFileSync(file, '\uFEFF' + JSON.stringify(C2) + '\r\n\r\n   \r\n\t\n' + JSON.stringify(A2) + '\r\n\n');
    const r = await runCli(rt, ['import', file, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ lines: 5, records: 2, counts: { customer: { inserted: 1 }, account: { inserted: 1 } } });
    expect((await rt.pool.query(`select customer_id, name from customers`)).rows).toEqual([{ customer_id: 'C2', name: 'Sato Ken' }]);

    // Line numbers still count the blank lines: an error on the last line is reported as line 5.
    const bad = join(dir, 'bom-crlf-bad.ndjson');
    writeFileSync(bad, '\uFEFF' + JSON.stringify(C2) + '\r\n\r\n   \r\n\t\n' + JSON.stringify({ ...A2, openedOn: '2022-13-01' }) + '\r\n');
    const e = await runCli(rt, ['import', bad]);
    expect(e.code).toBe(2);
    expect(e.stderr).toBe(`${bad}:5: openedOn: "2022-13-01" is not a real date (YYYY-MM-DD)\n${bad}: 1 errors; nothing was imported\n`);
  });

  it('shows a progress bar on a terminal for a file over 1 MB, and none otherwise', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => ({ type: 'customer', id: `BULK-${i}`, name: `${'x'.repeat(190)} ${i}` }));
    const file = feedFile(lines);
    const run = async (isTTY: boolean) => {
      let stdout = '';
      let stderr = '';
      const io: CliIo = {
        stdout: { write: (t: string) => (stdout += t) },
        stderr: { write: (t: string) => (stderr += t), isTTY },
        env: {},
        cwd: process.cwd(),
      };
      const code = await main(['import', file], io, { openRuntime: async () => ({ ...rt, close: async () => {} }) });
      return { code, stdout, stderr };
    };
    const tty = await run(true);
    expect(tty.code).toBe(0);
    expect(tty.stdout).toContain('5000 lines, 5000 records');
    expect(tty.stderr).toContain('importing [');
    expect(tty.stderr).toContain('100% | 2/2 MB');
    const plain = await run(false);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toBe('');
  });

  it('keeps multi-byte text intact where read chunks split a character', async () => {
    // 64 KiB chunks over lines of 3-byte characters: most chunk boundaries fall inside a character.
    const lines = Array.from({ length: 3000 }, (_, i) => ({ type: 'customer', id: `U${i}`, name: `${'张伟'.repeat(25 + (i % 7))}${i}` }));
    const r = await runCli(rt, ['import', feedFile(lines), '--json']);
    expect(r.stderr).toBe('');
    expect(r.json().counts.customer.inserted).toBe(3000);
    const { rows } = await rt.pool.query<{ customer_id: string; name: string }>(`select customer_id, name from customers`);
    const stored = new Map(rows.map((row) => [row.customer_id, row.name]));
    for (const l of lines) expect(stored.get(l.id)).toBe(l.name);
  });

  it('reads an empty file as an empty feed', async () => {
    const file = join(dir, 'empty.ndjson');
    writeFileSync(file, '');
    const r = await runCli(rt, ['import', file, '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ lines: 0, records: 0, rejectedLines: 0 });
  });
});
