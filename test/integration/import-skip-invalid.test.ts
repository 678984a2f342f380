/**
 * `recourse import --skip-invalid [--rejects FILE]`: the valid lines are imported (exit 0) and the
 * rejects file gets one NDJSON line per rejected input line, `{line, errors: [{field, message}], raw}`,
 * in line order, including lines rejected only because a line they refer to was rejected.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestRuntime, tableSnapshot } from '../support/database.ts';
import { runCli } from '../support/cli.ts';

type TestRuntime = Awaited<ReturnType<typeof createTestRuntime>>;

const dir = mkdtempSync(join(tmpdir(), 'recourse-import-skip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
const text = (l: unknown) => (typeof l === 'string' ? l : JSON.stringify(l));
function feedFile(lines: unknown[], prefix = ''): string {
  const file = join(dir, `feed-${++fileNo}.ndjson`);
  writeFileSync(file, prefix + lines.map(text).join('\n') + '\n');
  return file;
}
const rejectsFile = () => join(dir, `rejects-${++fileNo}.ndjson`);
const readRejects = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));


const ids = async (rt: TestRuntime, sql: string) => (await rt.pool.query<{ id: string }>(sql)).rows.map((r) => r.id);

const C1 = { type: 'customer', id: 'C1', name: 'Li Na' };
const A1 = { type: 'account', id: 'A1', customerId: 'C1', currency: 'CNY', creditLimit: '50000.00', openedOn: '2021-03-01' };
const P1 = { type: 'payment', id: 'P1', accountId: 'A1', postedOn: '2026-05-20', amount: '500.00' };

/** The mixed feed: line number → content; rejected lines are marked in EXPECTED_REJECTS below. */
const MIXED: unknown[] = [
  /* 1 */ C1,
  /* 2 */ { type: 'customer', id: 'C5', name: 'Bad Language', language: 'fr' },
  /* 3 */ { type: 'account', id: 'A5', customerId: 'C5', currency: 'CNY', creditLimit: '1.00', openedOn: '2026-01-01' },
  /* 4 */ { type: 'payment', id: 'P5', accountId: 'A5', postedOn: '2026-05-20', amount: '1.00' },
  /* 5 */ A1,
  /* 6 */ '{"type":"statement",',
  /* 7 */ { type: 'account', id: 'A7', customerId: 'C404', currency: 'CNY', creditLimit: '1.00', openedOn: '2026-01-01' },
  /* 8 */ { type: 'statement', accountId: 'A7', statementDate: '2026-05-05', dueDate: '2026-05-25', minimumDue: '1', closingBalance: '1' },
  /* 9 */ { type: 'delinquency', accountId: 'A7', asOf: '2026-05-31', cyclesDelinquent: 1 },
  /* 10 */ P1,
  /* 11 */ { ...P1, amount: '600.00' },
  /* 12 */ { type: 'statement', accountId: 'A1', statementDate: '2026-05-05', dueDate: '2026-05-25', minimumDue: '12.345', closingBalance: '1' },
  /* 13 */ { type: 'statement', accountId: 'A1', statementDate: '2026-06-05', dueDate: '2026-06-25', minimumDue: '100.00', closingBalance: '1000.00' },
  /* 14 */ { type: 'customer', id: 'C6', name: 'Repeated' },
  /* 15 */ { type: 'customer', id: 'C6', name: 'Repeated again' },
  /* 16 */ { type: 'account', id: 'A6', customerId: 'C6', currency: 'JPY', creditLimit: '1000', openedOn: '2026-01-01' },
];

const EXPECTED_REJECTS = [
  { line: 2, errors: [{ field: 'language', message: '"fr" is not one of zh-CN, en' }] },
  { line: 3, errors: [{ field: 'customerId', message: 'unknown customer C5 (neither in this file nor stored)' }] },
  { line: 4, errors: [{ field: 'accountId', message: 'unknown account A5 (neither in this file nor stored)' }] },
  { line: 6, errors: [{ field: 'json', message: expect.stringMatching(/^bad JSON: /) }] },
  { line: 7, errors: [{ field: 'customerId', message: 'unknown customer C404 (neither in this file nor stored)' }] },
  { line: 8, errors: [{ field: 'accountId', message: 'unknown account A7 (neither in this file nor stored)' }] },
  { line: 9, errors: [{ field: 'accountId', message: 'unknown account A7 (neither in this file nor stored)' }] },
  { line: 11, errors: [{ field: 'id', message: 'payment P1 repeated in this file (first on line 10)' }] },
  { line: 12, errors: [{ field: 'minimumDue', message: '12.345 has 3 decimals; CNY allows 2' }] },
  { line: 15, errors: [{ field: 'id', message: 'customer C6 repeated in this file (first on line 14)' }] },
].map((r) => ({ ...r, raw: text(MIXED[r.line - 1]) }));

describe('import --skip-invalid', () => {
  let rt: TestRuntime;
  beforeEach(async () => {
    rt = await createTestRuntime();
  });
  afterEach(async () => rt?.close());

  it('imports the valid lines and writes every rejected line, cascades included, in line order', async () => {
    const file = feedFile(MIXED);
    const out = rejectsFile();
    const r = await runCli(rt, ['import', file, '--skip-invalid', '--rejects', out, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({
      lines: 16, records: 14, rejectedLines: 10,
      counts: {
        customer: { inserted: 2, updated: 0, unchanged: 0 },
        account: { inserted: 2, updated: 0, unchanged: 0 },
        statement: { inserted: 1, updated: 0, unchanged: 0 },
        payment: { inserted: 1, updated: 0, unchanged: 0 },
        delinquency: { inserted: 0, updated: 0, unchanged: 0 },
      },
    });
    const rejects = readRejects(out);
    expect(rejects).toEqual(EXPECTED_REJECTS);
    // Each line of the rejects file is exactly {line, errors, raw}.
    for (const rej of rejects) expect(Object.keys(rej)).toEqual(['line', 'errors', 'raw']);

    expect(await ids(rt, 'select customer_id as id from customers order by 1')).toEqual(['C1', 'C6']);
    expect((await rt.pool.query(`select name from customers where customer_id = 'C6'`)).rows).toEqual([{ name: 'Repeated' }]);
    expect(await ids(rt, 'select account_id as id from card_accounts order by 1')).toEqual(['A1', 'A6']);
    expect(await ids(rt, `select account_id || ' ' || statement_date as id from statements`)).toEqual(['A1 2026-06-05']);
    expect((await rt.pool.query(`select payment_id, amount_minor from payments`)).rows).toEqual([{ payment_id: 'P1', amount_minor: 50_000n }]);
    expect(await ids(rt, 'select account_id as id from host_delinquency_snapshots')).toEqual([]);
    expect((await rt.pool.query(`select lines, rejected from imports`)).rows).toEqual([{ lines: 16, rejected: 10 }]);

    // Importing the same file again changes nothing and rejects the same lines.
    const before = await tableSnapshot(rt, ['imports']);
    const out2 = rejectsFile();
    const again = await runCli(rt, ['import', file, '--skip-invalid', '--rejects', out2, '--json']);
    expect(again.code).toBe(0);
    expect(again.json()).toMatchObject({
      rejectedLines: 10,
      counts: { customer: { inserted: 0, updated: 0, unchanged: 2 }, account: { inserted: 0, updated: 0, unchanged: 2 }, payment: { inserted: 0, unchanged: 1 } },
    });
    expect(await tableSnapshot(rt, ['imports'])).toEqual(before);
    // The same lines are rejected; line 11 now also conflicts with the P1 stored by the first import.
    expect(readRejects(out2)).toEqual(EXPECTED_REJECTS.map((r) => (r.line !== 11 ? r : {
      ...r,
      errors: [...r.errors, { field: 'id', message: 'payment P1 is already recorded with different content (account A1, posted 2026-05-20, amount 500.00); payments are append-only: send a correction as a new payment' }],
    })));
  });

  it('fails the same feed as a whole without --skip-invalid, reporting every line but not the cascades', async () => {
    const file = feedFile(MIXED);
    const before = await tableSnapshot(rt);
    const r = await runCli(rt, ['import', file]);
    expect(r.code).toBe(2);
    const reported = r.stderr.trimEnd().split('\n').map((l) => Number(l.slice(file.length + 1).split(':')[0]));
    // Lines 4, 8 and 9 refer to an account whose line is itself rejected: without cascading only the cause is reported.
    expect(reported.slice(0, -1)).toEqual([2, 3, 6, 7, 11, 12, 15]);
    expect(await tableSnapshot(rt)).toEqual(before);
  });

  it('rejects against stored data: an account moving customer keeps the stored one for its children', async () => {
    expect((await runCli(rt, ['import', feedFile([C1, { ...C1, id: 'C2' }, A1])])).code).toBe(0);
    const out = rejectsFile();
    const lines = [
      { ...A1, customerId: 'C2', creditLimit: '1.00' },
      { ...P1, id: 'P2' },
      { ...P1, id: 'P3', accountId: 'A404' },
    ];
    const r = await runCli(rt, ['import', feedFile(lines), '--skip-invalid', '--rejects', out, '--json']);
    expect(r.code).toBe(0);
    expect(readRejects(out)).toEqual([
      { line: 1, errors: [{ field: 'customerId', message: 'account A1 belongs to customer C1; a feed cannot move an account to another customer' }], raw: text(lines[0]) },
      { line: 3, errors: [{ field: 'accountId', message: 'unknown account A404 (neither in this file nor stored)' }], raw: text(lines[2]) },
    ]);
    expect((await rt.pool.query(`select customer_id, credit_limit_minor from card_accounts`)).rows).toEqual([{ customer_id: 'C1', credit_limit_minor: 5_000_000n }]);
    expect((await rt.pool.query(`select payment_id, customer_id from payments`)).rows).toEqual([{ payment_id: 'P2', customer_id: 'C1' }]);
  });

  it('writes a stored payment conflict, a too-long line and a BOM line as rejects with their raw text', async () => {
    expect((await runCli(rt, ['import', feedFile([C1, A1, P1])])).code).toBe(0);
    const long = JSON.stringify({ type: 'customer', id: 'C9', name: 'x'.repeat(1_000_001) });
    const lines = [{ type: 'customer', id: 'C2', name: 'X', timeZone: 'Nowhere/City' }, { ...P1, postedOn: '2026-05-21' }, long, { ...C1, id: 'C3' }];
    const file = feedFile(lines, '\uFEFF');
    const out = rejectsFile();
    const r = await runCli(rt, ['import', file, '--skip-invalid', '--rejects', out, '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ lines: 4, records: 2, rejectedLines: 3 });
    expect(readRejects(out)).toEqual([
      { line: 1, errors: [{ field: 'timeZone', message: '"Nowhere/City" is not an IANA time zone such as Asia/Shanghai' }], raw: text(lines[0]) },
      { line: 2, errors: [{ field: 'id', message: 'payment P1 is already recorded with different content (account A1, posted 2026-05-20, amount 500.00); payments are append-only: send a correction as a new payment' }], raw: text(lines[1]) },
      { line: 3, errors: [{ field: 'line', message: 'is longer than 1000000 bytes' }], raw: '' },
    ]);
    expect(await ids(rt, 'select customer_id as id from customers order by 1')).toEqual(['C1', 'C3']);
    expect((await rt.pool.query(`select posted_on from payments`)).rows).toEqual([{ posted_on: '2026-05-20' }]);
  });

  it('writes an empty rejects file when every line is valid; --skip-invalid works without --rejects', async () => {
    const out = rejectsFile();
    const r = await runCli(rt, ['import', feedFile([C1, A1]), '--skip-invalid', '--rejects', out]);
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('');

    const r2 = await runCli(rt, ['import', feedFile([{ ...C1, id: 'C2' }, { type: 'customer', id: 'C3' }]), '--skip-invalid', '--json']);
    expect(r2.code).toBe(0);
    expect(r2.json()).toMatchObject({ rejectedLines: 1, counts: { customer: { inserted: 1 } } });
    expect(await ids(rt, 'select customer_id as id from customers order by 1')).toEqual(['C1', 'C2']);
  });

  it('imports nothing and exits 0 when every line is rejected', async () => {
    const out = rejectsFile();
    const before = await tableSnapshot(rt, ['imports']);
    const r = await runCli(rt, ['import', feedFile([{ type: 'customer', id: 'C1' }, 'oops']), '--skip-invalid', '--rejects', out, '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ lines: 2, records: 0, rejectedLines: 2 });
    expect(readRejects(out).map((x) => x.line)).toEqual([1, 2]);
    expect(await tableSnapshot(rt, ['imports'])).toEqual(before);
  });
});
