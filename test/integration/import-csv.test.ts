/**
 * `recourse import` of CSV feeds: one file per record type with the type inferred from the header,
 * or a `type` column; JSON cells for contact points; empty cells as absent fields; CRLF, BOM, quoted
 * cells across lines; row errors with their line numbers; files the parser cannot read.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestRuntime, tableSnapshot } from '../support/database.ts';
import { clearContactPoints } from '../support/pii.ts';
import { runCli } from '../support/cli.ts';

type TestRuntime = Awaited<ReturnType<typeof createTestRuntime>>;

const dir = mkdtempSync(join(tmpdir(), 'recourse-import-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
function csvFile(rows: string[], options: { eol?: string; bom?: boolean; name?: string } = {}): string {
  const file = join(dir, options.name ?? `feed-${++fileNo}.csv`);
  const eol = options.eol ?? '\n';
  writeFileSync(file, (options.bom ? '\uFEFF' : '') + rows.join(eol) + eol);
  return file;
}
const rejectsFile = () => join(dir, `rejects-${++fileNo}.ndjson`);
const readRejects = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));


/** A JSON value as a quoted CSV cell. */
const jsonCell = (value: unknown) => `"${JSON.stringify(value).replace(/"/g, '""')}"`;

const CUSTOMERS = [
  'id,name,nationalId,phones,emails,addresses,timeZone,language',
  `C1,张伟,11010519491231002X,${jsonCell([{ number: '13800138000', verified: true, source: 'application_form' }, { number: '139 0013 9000', role: 'guarantor' }])},${jsonCell([{ address: 'zw@example.com' }])},,,`,
  `C2,"Sato, Ken",,,,${jsonCell([{ line: '1-1 Chiyoda', city: 'Tokyo', country: 'JP' }])},Asia/Tokyo,en`,
];
const ACCOUNTS = [
  'id,customerId,currency,creditLimit,openedOn,status',
  'A1,C1,CNY,50000.00,2021-03-01,',
  'A2,C2,JPY,300000,2022-01-15,frozen',
];
const STATEMENTS = [
  'accountId,statementDate,dueDate,minimumDue,closingBalance,principal,interest,fees',
  'A1,2026-05-05,2026-05-25,1234.50,-5000.00,4900.00,,0.5',
  'A2,2026-05-10,2026-05-30,3000,150000,,,',
];
const PAYMENTS = [
  'id,accountId,postedOn,amount,channel',
  'P1,A1,2026-05-20,500.00,alipay',
  'P2,A2,2026-05-21,1000,',
];
const DELINQUENCY = [
  'accountId,asOf,cyclesDelinquent,amountDue,balance',
  'A1,2026-05-31,0,,5000.00',
  'A2,2026-05-31,2,3000,',
];

describe('import of CSV feeds', () => {
  let rt: TestRuntime;
  beforeEach(async () => {
    rt = await createTestRuntime();
  });
  afterEach(async () => rt?.close());

  async function importOk(file: string, ...args: string[]) {
    const r = await runCli(rt, ['import', file, '--json', ...args]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return r.json();
  }

  it('imports one file per record type, the type inferred from the header', async () => {
    expect(await importOk(csvFile(CUSTOMERS))).toMatchObject({
      format: 'csv', lines: 3, records: 2, counts: { customer: { inserted: 2 }, contactPoint: { inserted: 4 } },
    });
    // CRLF line ends and a BOM.
    expect(await importOk(csvFile(ACCOUNTS, { eol: '\r\n', bom: true }))).toMatchObject({ lines: 3, records: 2, counts: { account: { inserted: 2 } } });
    expect(await importOk(csvFile(STATEMENTS, { eol: '\r\n' }))).toMatchObject({ records: 2, counts: { statement: { inserted: 2 } } });
    expect(await importOk(csvFile(PAYMENTS, { bom: true }))).toMatchObject({ records: 2, counts: { payment: { inserted: 2 } } });
    expect(await importOk(csvFile(DELINQUENCY))).toMatchObject({ records: 2, counts: { delinquency: { inserted: 2 } } });

    expect((await rt.pool.query(`select customer_id, name, national_id_last4, time_zone, language from customers order by 1`)).rows).toEqual([
      { customer_id: 'C1', name: '张伟', national_id_last4: '002X', time_zone: 'Asia/Shanghai', language: 'zh-CN' },
      { customer_id: 'C2', name: 'Sato, Ken', national_id_last4: null, time_zone: 'Asia/Tokyo', language: 'en' },
    ]);
    const { rows: [c1] } = await rt.pool.query(`select national_id_encrypted as e from customers where customer_id = 'C1'`);
    expect(rt.cipher.decrypt(c1.e)).toBe('11010519491231002X');
    expect(await clearContactPoints(rt, `select customer_id, kind, position, value, details, party_role, verified, source from contact_points order by 1, 2, 3`)).toEqual([
      { customer_id: 'C1', kind: 'email', position: 0, value: 'zw@example.com', details: null, party_role: 'debtor', verified: false, source: null },
      { customer_id: 'C1', kind: 'phone', position: 0, value: '13800138000', details: null, party_role: 'debtor', verified: true, source: 'application_form' },
      { customer_id: 'C1', kind: 'phone', position: 1, value: '13900139000', details: null, party_role: 'guarantor', verified: false, source: null },
      { customer_id: 'C2', kind: 'address', position: 0, value: '1-1 Chiyoda', details: { city: 'Tokyo', country: 'JP' }, party_role: 'debtor', verified: false, source: null },
    ]);
    expect((await rt.pool.query(`select account_id, customer_id, currency, credit_limit_minor, opened_on, status from card_accounts order by 1`)).rows).toEqual([
      { account_id: 'A1', customer_id: 'C1', currency: 'CNY', credit_limit_minor: 5_000_000n, opened_on: '2021-03-01', status: 'open' },
      { account_id: 'A2', customer_id: 'C2', currency: 'JPY', credit_limit_minor: 300_000n, opened_on: '2022-01-15', status: 'frozen' },
    ]);
    expect((await rt.pool.query(`select account_id, statement_date, due_date, minimum_due_minor, closing_balance_minor, principal_minor, interest_minor, fees_minor from statements order by 1`)).rows).toEqual([
      { account_id: 'A1', statement_date: '2026-05-05', due_date: '2026-05-25', minimum_due_minor: 123_450n, closing_balance_minor: -500_000n, principal_minor: 490_000n, interest_minor: null, fees_minor: 50n },
      { account_id: 'A2', statement_date: '2026-05-10', due_date: '2026-05-30', minimum_due_minor: 3_000n, closing_balance_minor: 150_000n, principal_minor: null, interest_minor: null, fees_minor: null },
    ]);
    expect((await rt.pool.query(`select payment_id, account_id, posted_on, amount_minor, channel from payments order by 1`)).rows).toEqual([
      { payment_id: 'P1', account_id: 'A1', posted_on: '2026-05-20', amount_minor: 50_000n, channel: 'alipay' },
      { payment_id: 'P2', account_id: 'A2', posted_on: '2026-05-21', amount_minor: 1_000n, channel: null },
    ]);
    expect((await rt.pool.query(`select account_id, as_of, cycles_delinquent, amount_due_minor, balance_minor from host_delinquency_snapshots order by 1`)).rows).toEqual([
      { account_id: 'A1', as_of: '2026-05-31', cycles_delinquent: 0, amount_due_minor: null, balance_minor: 500_000n },
      { account_id: 'A2', as_of: '2026-05-31', cycles_delinquent: 2, amount_due_minor: 3_000n, balance_minor: null },
    ]);

    // Re-importing every file changes nothing.
    const before = await tableSnapshot(rt, ['imports']);
    for (const rows of [CUSTOMERS, ACCOUNTS, STATEMENTS, PAYMENTS, DELINQUENCY]) {
      const again = await importOk(csvFile(rows, { eol: '\r\n' }));
      for (const c of Object.values(again.counts) as { inserted: number; updated: number }[]) expect(c).toMatchObject({ inserted: 0, updated: 0 });
    }
    expect(await tableSnapshot(rt, ['imports'])).toEqual(before);
  });

  it('reads the record type from a type column, one type or several per file', async () => {
    const file = csvFile([
      'type,id,name,customerId,currency,creditLimit,openedOn',
      'customer,C3,Wang Fang,,,,',
      'account,A3,,C3,CNY,100.00,2024-02-29',
    ]);
    expect(await importOk(file)).toMatchObject({ records: 2, counts: { customer: { inserted: 1 }, account: { inserted: 1 } } });
    expect((await rt.pool.query(`select account_id, customer_id, credit_limit_minor from card_accounts`)).rows).toEqual([
      { account_id: 'A3', customer_id: 'C3', credit_limit_minor: 10_000n },
    ]);
    // A customers-only file with a type column (the header alone would say customer too).
    expect(await importOk(csvFile(['type,id,name', 'customer,C4,Zhao Lei']))).toMatchObject({ counts: { customer: { inserted: 1 } } });
  });

  it('uses --format csv for a file not named .csv, and ndjson by default otherwise', async () => {
    const file = csvFile(CUSTOMERS, { name: 'customers.txt' });
    expect(await importOk(file, '--format', 'csv')).toMatchObject({ format: 'csv', records: 2 });
    const r = await runCli(rt, ['import', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1: json: bad JSON: `));
  });

  it('reports row errors with their line numbers, exit 2 and nothing written', async () => {
    expect((await runCli(rt, ['import', csvFile(CUSTOMERS)])).code).toBe(0);
    const before = await tableSnapshot(rt);
    const file = csvFile([
      'id,name,phones,foo',
      'C5,Five,,',
      '',
      'C6,,,',
      'C7,Seven,[{number:1}],',
      'C8,Eight,,bar',
      'C9,Nine',
      'C10,Ten,,,extra',
      '"C11","Eleven,\nsecond line",,',
      'C12,Twelve,"[{""number"":""abc""}]",',
      'C5,Five again,,',
    ], { eol: '\r\n' });
    const r = await runCli(rt, ['import', file]);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe([
      `${file}:4: name: is required`,
      `${file}:5: phones: must be a JSON array in the cell, e.g. [{"number":"13800138000"}]`,
      `${file}:6: foo: is not a known field`,
      `${file}:7: row: has 2 columns; the header has 4`,
      `${file}:8: row: has 5 columns; the header has 4`,
      `${file}:9: name: must not have leading or trailing spaces or control characters`,
      `${file}:11: phones[0].number: "abc" is not a valid phone number`,
      `${file}:12: id: customer C5 repeated in this file (first on line 2)`,
      `${file}: 8 errors; nothing was imported`,
      '',
    ].join('\n'));
    expect(r.code).toBe(2);
    expect(await tableSnapshot(rt)).toEqual(before);
  });

  it('writes CSV rejects with the record text and the line it starts on', async () => {
    const out = rejectsFile();
    const file = csvFile([
      'id,customerId,currency,creditLimit,openedOn,status',
      'A1,C404,CNY,1.00,2026-01-01,',
      '',
      'A2,C1,CNY,1.00,2026-02-30,',
      '"A3","C1","CNY","1.00","2026-01-01","open',
      'closed"',
      'A4,C1,CNY,1.005,2026-01-01,',
      'A5,C1,CNY,2.00,2026-01-01,open',
    ], { eol: '\r\n', bom: true });
    expect((await runCli(rt, ['import', csvFile(['id,name', 'C1,Li'])])).code).toBe(0);
    expect(await importOk(file, '--skip-invalid', '--rejects', out)).toMatchObject({ records: 2, rejectedLines: 4, counts: { account: { inserted: 1 } } });
    expect(readRejects(out)).toEqual([
      { line: 2, errors: [{ field: 'customerId', message: 'unknown customer C404 (neither in this file nor stored)' }], raw: 'A1,C404,CNY,1.00,2026-01-01,' },
      { line: 4, errors: [{ field: 'openedOn', message: '"2026-02-30" is not a real date (YYYY-MM-DD)' }], raw: 'A2,C1,CNY,1.00,2026-02-30,' },
      { line: 5, errors: [{ field: 'status', message: '"open\\r\\nclosed" is not one of open, frozen, restricted, closed, charged_off' }], raw: '"A3","C1","CNY","1.00","2026-01-01","open\r\nclosed"' },
      { line: 7, errors: [{ field: 'creditLimit', message: '1.005 has 3 decimals; CNY allows 2' }], raw: 'A4,C1,CNY,1.005,2026-01-01,' },
    ]);
    expect((await rt.pool.query(`select account_id from card_accounts`)).rows).toEqual([{ account_id: 'A5' }]);
  });

  it('counts lines right across read chunks, a CRLF split between two chunks included', async () => {
    // createReadStream reads 64 KiB chunks: pad the rows so that a CRLF straddles the first boundary.
    const rows = ['id,name'];
    let bytes = 'id,name\r\n'.length;
    let i = 0;
    for (; bytes < 65_536 - 200; i++) {
      const row = `C${i},Customer ${i}`;
      rows.push(row);
      bytes += row.length + 2;
    }
    const pad = 65_536 - 1 - bytes - `C${i},`.length; // this row's \r is the chunk's last byte
    expect(pad).toBeLessThanOrEqual(200);
    rows.push(`C${i},${'p'.repeat(pad)}`);
    expect(rows.join('\r\n').length + 2).toBe(65_537); // \r is byte 65,535 (the first chunk's last), \n byte 65,536
    rows.push(`C${i + 1},"multi\r\nline"`, '', `C${i + 2},${'q'.repeat(201)}`);
    for (let j = 0; j < 2000; j++) rows.push(`D${j},Customer ${j}`);
    rows.push('D0,Again');
    const file = csvFile(rows, { eol: '\r\n' });
    const r = await runCli(rt, ['import', file]);
    const n = rows.length;
    expect(r.stderr).toBe([
      `${file}:${i + 3}: name: must not have leading or trailing spaces or control characters`,
      `${file}:${i + 6}: name: is longer than 200 characters`,
      `${file}:${n + 1}: id: customer D0 repeated in this file (first on line ${i + 7})`,
      `${file}: 3 errors; nothing was imported`,
      '',
    ].join('\n'));
    expect(r.code).toBe(2);
  });

  it('fails the whole file on an unclosed quote, even with --skip-invalid', async () => {
    const before = await tableSnapshot(rt);
    const file = csvFile(['id,name', 'C1,One', 'C2,"Two', 'C3,Three']);
    for (const args of [[], ['--skip-invalid']]) {
      const r = await runCli(rt, ['import', file, ...args]);
      expect(r.stderr).toBe(`${file}:3: csv: a quoted cell is not closed before the end of the file\n${file}: 1 errors; nothing was imported\n`);
      expect(r.code).toBe(2);
      expect(await tableSnapshot(rt)).toEqual(before);
    }
    // Errors on earlier rows are reported too.
    const file2 = csvFile(['id,name', 'C1,', '', 'C2,"Two', 'C3,Three']);
    const r2 = await runCli(rt, ['import', file2]);
    expect(r2.stderr).toBe(`${file2}:2: name: is required\n${file2}:4: csv: a quoted cell is not closed before the end of the file\n${file2}: 2 errors; nothing was imported\n`);
    expect(r2.code).toBe(2);
  });

  it('fails the whole file on a record longer than 1,000,000 bytes, even with --skip-invalid', async () => {
    const before = await tableSnapshot(rt);
    const file = csvFile(['id,name', 'C1,One', '', `C2,${'x'.repeat(1_000_001)}`, 'C3,Three']);
    for (const args of [[], ['--skip-invalid']]) {
      const r = await runCli(rt, ['import', file, ...args]);
      expect(r.stderr).toBe(`${file}:4: line: is longer than 1000000 bytes; the rest of the file cannot be read\n${file}: 1 errors; nothing was imported\n`);
      expect(r.code).toBe(2);
    }
    expect(await tableSnapshot(rt)).toEqual(before);
  });

  it('fails the whole file when the header names no record type or repeats a column, even with --skip-invalid', async () => {
    const before = await tableSnapshot(rt);
    const file = csvFile(['foo,bar', '1,2']);
    for (const args of [[], ['--skip-invalid']]) {
      const r = await runCli(rt, ['import', file, ...args]);
      expect(r.stderr).toBe(`${file}:1: header: cannot tell the record type: add a "type" column or use the field names of docs/feed-format.md\n${file}: 1 errors; nothing was imported\n`);
      expect(r.code).toBe(2);
    }
    expect(await tableSnapshot(rt)).toEqual(before);
    const dup = csvFile(['id,name,name', 'C1,One,Two']);
    const r = await runCli(rt, ['import', dup, '--skip-invalid']);
    expect(r.stderr).toBe(`${dup}:1: header: column "name" appears more than once\n${dup}: 1 errors; nothing was imported\n`);
    expect(r.code).toBe(2);
    expect(await tableSnapshot(rt)).toEqual(before);
  });

  it('rejects a row whose type column is empty or unknown', async () => {
    const file = csvFile(['type,id,name', ',C1,One', 'loan,C2,Two', 'customer,C3,Three']);
    const r = await runCli(rt, ['import', file]);
    expect(r.stderr).toBe([
      `${file}:2: type: is required (one of customer, account, statement, payment, delinquency)`,
      `${file}:3: type: unknown record type "loan" (one of customer, account, statement, payment, delinquency)`,
      `${file}: 2 errors; nothing was imported`,
      '',
    ].join('\n'));
    expect(r.code).toBe(2);
  });

  it('imports a header-only file as an empty feed', async () => {
    expect(await importOk(csvFile(['id,name']))).toMatchObject({ records: 0, rejectedLines: 0 });
  });
});
