/**
 * `recourse import` of invalid NDJSON feeds: every kind of bad input gives its exact
 * `FILE:LINE: field: message` line on stderr, exit code 2, and nothing at all is written (every table,
 * the import audit included, is compared in full before and after), wherever the bad line is.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime, tableSnapshot } from '../support/database.ts';
import { runCli } from '../support/cli.ts';

type TestRuntime = Awaited<ReturnType<typeof createTestRuntime>>;

const dir = mkdtempSync(join(tmpdir(), 'recourse-import-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
function feedFile(lines: unknown[]): string {
  const file = join(dir, `feed-${++fileNo}.ndjson`);
  writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return file;
}

/** Row count and md5 of the ordered row texts of every table. */

function jsonParseError(text: string): string {
  try {
    JSON.parse(text);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`${text} is valid JSON`);
}

const C1 = { type: 'customer', id: 'C1', name: 'Li Na', nationalId: '110105194912310021', phones: [{ number: '13800138000' }] };
const A1 = { type: 'account', id: 'A1', customerId: 'C1', currency: 'CNY', creditLimit: '50000.00', openedOn: '2021-03-01' };
const AJ = { type: 'account', id: 'AJ', customerId: 'C1', currency: 'JPY', creditLimit: '300000', openedOn: '2022-01-15' };
const S1 = { type: 'statement', accountId: 'A1', statementDate: '2026-05-05', dueDate: '2026-05-25', minimumDue: '500.00', closingBalance: '5000.00' };
const P1 = { type: 'payment', id: 'P1', accountId: 'A1', postedOn: '2026-05-20', amount: '500.00', channel: 'alipay' };
const D1 = { type: 'delinquency', accountId: 'A1', asOf: '2026-05-31', cyclesDelinquent: 1 };

/** Valid lines that would insert and update rows: none of their effects may survive a bad line. */
const GOOD = [
  { ...C1, name: 'Li Na (renamed)', phones: [] },
  { type: 'customer', id: 'C9', name: 'New Customer' },
  { type: 'account', id: 'A9', customerId: 'C9', currency: 'CNY', creditLimit: '1000', openedOn: '2026-01-01' },
  { type: 'statement', accountId: 'A9', statementDate: '2026-05-05', dueDate: '2026-05-25', minimumDue: '10', closingBalance: '100' },
  { ...S1, minimumDue: '600.00' },
  { type: 'payment', id: 'P9', accountId: 'A1', postedOn: '2026-05-21', amount: '1.00' },
  { type: 'delinquency', accountId: 'A9', asOf: '2026-05-31', cyclesDelinquent: 0 },
];

describe('import of an invalid NDJSON feed', () => {
  let rt: TestRuntime;
  let stored: Awaited<ReturnType<typeof tableSnapshot>>;

  beforeAll(async () => {
    rt = await createTestRuntime();
    const base = await runCli(rt, ['import', feedFile([C1, A1, AJ, S1, P1, D1])]);
    if (base.code !== 0) throw new Error(base.stderr);
    stored = await tableSnapshot(rt);
  });
  afterAll(async () => rt?.close());

  /** Imports `lines`; expects exit 2, exactly these errors (line, field, message) and no change at all. */
  async function expectRejected(lines: unknown[], errors: [number, string, string][], args: string[] = []) {
    const file = feedFile(lines);
    const r = await runCli(rt, ['import', file, ...args]);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(errors.map(([line, field, message]) => `${file}:${line}: ${field}: ${message}\n`).join('') + `${file}: ${errors.length} errors; nothing was imported\n`);
    expect(r.code).toBe(2);
    expect(await tableSnapshot(rt)).toEqual(stored);
  }

  const last = GOOD.length + 1;
  const cases: { name: string; bad: unknown; errors: [string, string][] }[] = [
    { name: 'bad JSON', bad: '{"type":"customer","id":"C5",', errors: [['json', `bad JSON: ${jsonParseError('{"type":"customer","id":"C5",')}`]] },
    { name: 'a JSON value that is not an object', bad: '["customer"]', errors: [['record', 'must be a JSON object, got an array']] },
    { name: 'a missing type', bad: { id: 'C5', name: 'X' }, errors: [['type', 'is required (one of customer, account, statement, payment, delinquency)']] },
    { name: 'an unknown type', bad: { type: 'loan', id: 'L1' }, errors: [['type', 'unknown record type "loan" (one of customer, account, statement, payment, delinquency)']] },
    { name: 'a missing field', bad: { type: 'account', id: 'A5', customerId: 'C1', creditLimit: '1.00', openedOn: '2026-01-01' }, errors: [['currency', 'is required']] },
    { name: 'an empty required field', bad: { type: 'customer', id: 'C5', name: '' }, errors: [['name', 'is required']] },
    { name: 'an unknown field', bad: { ...S1, statementDate: '2026-06-05', dueDate: '2026-06-25', minimumDu: '1.00' }, errors: [['minimumDu', 'is not a known field']] },
    { name: 'an impossible date', bad: { ...S1, statementDate: '2026-02-30' }, errors: [['statementDate', '"2026-02-30" is not a real date (YYYY-MM-DD)']] },
    { name: 'a 29 February outside a leap year', bad: { ...D1, asOf: '2025-02-29' }, errors: [['asOf', '"2025-02-29" is not a real date (YYYY-MM-DD)']] },
    { name: 'a due date before the statement date', bad: { ...S1, statementDate: '2026-06-05', dueDate: '2026-06-04' }, errors: [['dueDate', '2026-06-04 is before the statement date 2026-06-05']] },
    { name: 'a negative amount', bad: { ...S1, statementDate: '2026-06-05', dueDate: '2026-06-25', minimumDue: '-5.00' }, errors: [['minimumDue', '-5.00 must not be negative']] },
    { name: 'a negative payment', bad: { ...P1, id: 'P5', amount: '-1' }, errors: [['amount', '-1 must not be negative']] },
    { name: 'a zero payment', bad: { ...P1, id: 'P5', amount: '0.00' }, errors: [['amount', 'must be greater than zero']] },
    { name: 'a negative zero payment', bad: { ...P1, id: 'P5', amount: '-0.0' }, errors: [['amount', 'must be greater than zero']] },
    { name: 'a malformed amount', bad: { ...P1, id: 'P5', amount: '12,50' }, errors: [['amount', '"12,50" is not a decimal amount such as "1234.50"']] },
    { name: 'an amount as a JSON number', bad: { ...A1, id: 'A5', creditLimit: 1234.5 }, errors: [['creditLimit', 'must be a decimal string such as "1234.50", not a JSON number (1234.5) which loses precision']] },
    { name: 'an amount too large for minor units', bad: { ...A1, id: 'A5', creditLimit: '999999999999999999' }, errors: [['creditLimit', '999999999999999999 is too large (at most 14 digits before the decimal point)']] },
    { name: 'a statement amount too large for minor units', bad: { ...S1, statementDate: '2026-06-05', dueDate: '2026-06-25', closingBalance: '-123456789012345.5' }, errors: [['closingBalance', '-123456789012345.5 is too large (at most 14 digits before the decimal point)']] },
    { name: 'more decimals than CNY allows (statement)', bad: { ...S1, statementDate: '2026-06-05', dueDate: '2026-06-25', minimumDue: '12.345' }, errors: [['minimumDue', '12.345 has 3 decimals; CNY allows 2']] },
    { name: 'more decimals than JPY allows (payment)', bad: { ...P1, id: 'P5', accountId: 'AJ', amount: '10.5' }, errors: [['amount', '10.5 has 1 decimals; JPY allows 0']] },
    { name: 'more decimals than JPY allows (credit limit)', bad: { ...AJ, id: 'A5', creditLimit: '100.5' }, errors: [['creditLimit', '100.5 has 1 decimals; JPY allows 0']] },
    { name: 'more decimals than the currency of an account in the same file', bad: { type: 'delinquency', accountId: 'A9', asOf: '2026-06-30', cyclesDelinquent: 0, balance: '1.001' }, errors: [['balance', '1.001 has 3 decimals; CNY allows 2']] },
    { name: 'an unknown currency', bad: { ...A1, id: 'A5', currency: 'XYZ' }, errors: [['currency', '"XYZ" is not an ISO 4217 currency code']] },
    { name: 'an unknown customer', bad: { ...A1, id: 'A5', customerId: 'C404' }, errors: [['customerId', 'unknown customer C404 (neither in this file nor stored)']] },
    { name: 'an unknown account (statement)', bad: { ...S1, accountId: 'A404' }, errors: [['accountId', 'unknown account A404 (neither in this file nor stored)']] },
    { name: 'an unknown account (payment)', bad: { ...P1, id: 'P5', accountId: 'A404' }, errors: [['accountId', 'unknown account A404 (neither in this file nor stored)']] },
    { name: 'an unknown account (delinquency)', bad: { ...D1, accountId: 'A404' }, errors: [['accountId', 'unknown account A404 (neither in this file nor stored)']] },
    { name: 'an account moved to another customer', bad: { ...A1, customerId: 'C9' }, errors: [['customerId', 'account A1 belongs to customer C1; a feed cannot move an account to another customer']] },
    { name: 'an account changing currency', bad: { ...A1, currency: 'USD' }, errors: [['currency', 'account A1 is kept in CNY; its currency cannot change']] },
    {
      name: 'a stored payment sent with a different amount', bad: { ...P1, amount: '501.00' },
      errors: [['id', 'payment P1 is already recorded with different content (account A1, posted 2026-05-20, amount 500.00); payments are append-only: send a correction as a new payment']],
    },
    {
      name: 'a stored payment sent with a different channel', bad: { ...P1, channel: undefined },
      errors: [['id', 'payment P1 is already recorded with different content (account A1, posted 2026-05-20, amount 500.00); payments are append-only: send a correction as a new payment']],
    },
    { name: 'an invalid id', bad: { type: 'customer', id: '-C5', name: 'X' }, errors: [['id', '"-C5" is not a valid id (letters, digits and . _ : - / only)']] },
    { name: 'a national id as a JSON number (not echoed)', bad: { type: 'customer', id: 'C5', name: 'X', nationalId: 110105194912310021 }, errors: [['nationalId', 'must be a string, got a number']] },
  ];

  for (const c of cases) {
    it(`rejects ${c.name} as the last line after valid ones`, async () => {
      await expectRejected([...GOOD, c.bad], c.errors.map(([field, message]) => [last, field, message]));
    });
  }

  it('rejects a bad first line followed by valid ones', async () => {
    await expectRejected([{ ...S1, statementDate: '2026-02-30' }, ...GOOD], [[1, 'statementDate', '"2026-02-30" is not a real date (YYYY-MM-DD)']]);
  });

  it('rejects a bad last line after thousands of valid lines', async () => {
    const many: unknown[] = [];
    for (let i = 0; i < 2500; i++) {
      many.push({ type: 'customer', id: `BULK-C${i}`, name: `Bulk ${i}`, nationalId: `ID${String(i).padStart(8, '0')}`, phones: [{ number: `1390000${String(i).padStart(4, '0')}` }] });
      many.push({ type: 'account', id: `BULK-A${i}`, customerId: `BULK-C${i}`, currency: 'CNY', creditLimit: '1000.00', openedOn: '2024-01-01' });
    }
    await expectRejected([...many, { ...P1, id: 'P5', amount: '12.345' }], [[5001, 'amount', '12.345 has 3 decimals; CNY allows 2']]);
    // The same when the last line is only found wrong by the set-based checks.
    await expectRejected([...many, { ...P1, id: 'P5', accountId: 'BULK-A9999' }], [[5001, 'accountId', 'unknown account BULK-A9999 (neither in this file nor stored)']]);
    // And with the last line too long to read at all.
    await expectRejected([...many, JSON.stringify({ type: 'customer', id: 'C5', name: 'x'.repeat(1_000_001) })], [[5001, 'line', 'is longer than 1000000 bytes']]);
  });

  it('rejects a line longer than 1,000,000 bytes but reads the lines after it', async () => {
    const long = JSON.stringify({ type: 'customer', id: 'C5', name: 'x'.repeat(999_990) });
    expect(Buffer.byteLength(long)).toBeGreaterThan(1_000_000);
    // Exactly at the limit the line is read (and then fails validation for its long name).
    const empty = JSON.stringify({ type: 'customer', id: 'C6', name: '' });
    const atLimit = empty.replace('""', `"${'y'.repeat(1_000_000 - empty.length)}"`);
    expect(Buffer.byteLength(atLimit)).toBe(1_000_000);
    await expectRejected([long, C1, atLimit, { ...P1, id: 'P5', amount: 'x' }], [
      [1, 'line', 'is longer than 1000000 bytes'],
      [3, 'name', 'is longer than 200 characters'],
      [4, 'amount', '"x" is not a decimal amount such as "1234.50"'],
    ]);
  });

  it('reports every error of every line, in line order', async () => {
    await expectRejected([
      { type: 'customer', id: 'C5', name: ' padded', phones: [{ number: 'abc', role: 'boss', verified: 'yes' }], timeZone: 'Mars/Olympus', language: 'fr' },
      C1,
      { type: 'account', id: 'A5', customerId: 'C5', currency: 'CNY', creditLimit: '-1', openedOn: '2026-04-31', status: 'sleeping' },
      'not json',
      { type: 'statement', accountId: 'A404', statementDate: '2026-05-05', dueDate: '2026-05-25', minimumDue: '1', closingBalance: '1' },
      { ...A1, id: 'A6', customerId: 'C404' },
    ], [
      [1, 'name', 'must not have leading or trailing spaces or control characters'],
      [1, 'timeZone', '"Mars/Olympus" is not an IANA time zone such as Asia/Shanghai'],
      [1, 'language', '"fr" is not one of zh-CN, en'],
      [1, 'phones[0].role', '"boss" is not one of debtor, guarantor, contact'],
      [1, 'phones[0].verified', 'must be true or false, got string "yes"'],
      [1, 'phones[0].number', '"abc" is not a valid phone number'],
      [3, 'creditLimit', '-1 must not be negative'],
      [3, 'openedOn', '"2026-04-31" is not a real date (YYYY-MM-DD)'],
      [3, 'status', '"sleeping" is not one of open, frozen, restricted, closed, charged_off'],
      [4, 'json', `bad JSON: ${jsonParseError('not json')}`],
      [5, 'accountId', 'unknown account A404 (neither in this file nor stored)'],
      [6, 'customerId', 'unknown customer C404 (neither in this file nor stored)'],
    ]);
  });

  it('reports an account of an invalid customer line as referring to an unknown customer', async () => {
    await expectRejected([
      { type: 'customer', id: 'C5', name: 'X', language: 'fr' },
      { ...A1, id: 'A5', customerId: 'C5' },
      { ...P1, id: 'P5', accountId: 'A5' },
    ], [
      [1, 'language', '"fr" is not one of zh-CN, en'],
      [2, 'customerId', 'unknown customer C5 (neither in this file nor stored)'],
    ]);
  });

  it('rejects ids repeated within the file, on every repeat after the first', async () => {
    await expectRejected([
      { type: 'customer', id: 'C5', name: 'X' },
      { type: 'customer', id: 'C5', name: 'X' },
      { ...A1, id: 'A5', customerId: 'C5' },
      { ...A1, id: 'A5', customerId: 'C5', creditLimit: '1.00' },
      { ...S1, statementDate: '2026-06-05', dueDate: '2026-06-25' },
      { ...S1, statementDate: '2026-06-05', dueDate: '2026-06-26' },
      { ...S1, accountId: 'A5', statementDate: '2026-06-05', dueDate: '2026-06-25' }, // another account: a different key
      { ...P1, id: 'P5' },
      { ...P1, id: 'P5' }, // identical content is still a repeat
      { ...D1, asOf: '2026-06-30' },
      { ...D1, asOf: '2026-06-30', cyclesDelinquent: 2 },
      { type: 'customer', id: 'C5', name: 'Y' },
      { ...C1 }, // stored, but once in this file: an update, not a repeat
    ], [
      [2, 'id', 'customer C5 repeated in this file (first on line 1)'],
      [4, 'id', 'account A5 repeated in this file (first on line 3)'],
      [6, 'statementDate', 'statement A1 on 2026-06-05 repeated in this file (first on line 5)'],
      [9, 'id', 'payment P5 repeated in this file (first on line 8)'],
      [11, 'asOf', 'delinquency A1 as of 2026-06-30 repeated in this file (first on line 10)'],
      [12, 'id', 'customer C5 repeated in this file (first on line 1)'],
    ]);
  });

  it('reports a line once even when the account it refers to is repeated in the file', async () => {
    await expectRejected([
      { ...A1, id: 'A5' },
      { ...A1, id: 'A5' },
      { ...S1, accountId: 'A5', minimumDue: '1.234' },
      { ...P1, id: 'P5', accountId: 'A5', amount: '0.001' },
    ], [
      [2, 'id', 'account A5 repeated in this file (first on line 1)'],
      [3, 'minimumDue', '1.234 has 3 decimals; CNY allows 2'],
      [4, 'amount', '0.001 has 3 decimals; CNY allows 2'],
    ]);
  });

  it('prints at most 1,000 errors, then a count', async () => {
    const bad = Array.from({ length: 1003 }, (_, i) => ({ type: 'customer', id: `C-${i}` }));
    const file = feedFile(bad);
    const r = await runCli(rt, ['import', file]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1002);
    expect(lines[0]).toBe(`${file}:1: name: is required`);
    expect(lines[999]).toBe(`${file}:1000: name: is required`);
    expect(lines.slice(1000)).toEqual(['… and 3 more errors', `${file}: 1003 errors; nothing was imported`]);
    expect(await tableSnapshot(rt)).toEqual(stored);
  });

  it('exits 2 for a missing file and for --rejects without --skip-invalid', async () => {
    const missing = join(dir, 'no-such-feed.ndjson');
    const r = await runCli(rt, ['import', missing]);
    expect(r).toMatchObject({ code: 2, stdout: '', stderr: `recourse: cannot read ${missing}: no such file\n` });

    const file = feedFile(GOOD);
    const out = join(dir, 'rejects-without-skip.ndjson');
    const r2 = await runCli(rt, ['import', file, '--rejects', out]);
    expect(r2).toMatchObject({ code: 2, stdout: '', stderr: 'recourse: --rejects needs --skip-invalid\n' });
    expect(await tableSnapshot(rt)).toEqual(stored);

    const r3 = await runCli(rt, ['import', file, '--format', 'xml']);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain("argument 'xml' is invalid");
    expect(await tableSnapshot(rt)).toEqual(stored);
  });

  it('imports the valid lines used above once the bad line is gone (so the cases above prove atomicity)', async () => {
    const r = await runCli(rt, ['import', feedFile(GOOD), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json().counts).toMatchObject({
      customer: { inserted: 1, updated: 1 }, account: { inserted: 1 }, statement: { inserted: 1, updated: 1 },
      payment: { inserted: 1 }, delinquency: { inserted: 1 },
    });
    expect(await tableSnapshot(rt)).not.toEqual(stored);
  });
});
