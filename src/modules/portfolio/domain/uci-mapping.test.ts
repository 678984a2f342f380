import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FeedAccount, FeedDelinquency, FeedPayment, FeedRecord, FeedStatement } from './feed-records.ts';
import { validateFeedRecord } from './feed-validation.ts';
import { UCI_HEADER, UCI_MONTHS, expectedUciStatusCounts, mapUciRow, uciMinimumDue, validateUciHeader } from './uci-mapping.ts';
import { uciDatasetPath } from '../../../../test/support/datasets.ts';

const CSV_PATH = uciDatasetPath();
const HEADER: readonly string[] = UCI_HEADER;

/** A valid row (ID 2 of the file) to derive bad rows from. */
const ROW_2 = '2,120000,2,2,2,26,-1,2,0,0,0,2,2682,1725,2682,3272,3455,3261,0,1000,1000,1000,0,2000,1'.split(',');
function withCell(column: string, value: string, base: readonly string[] = ROW_2): string[] {
  const row = [...base];
  const at = HEADER.indexOf(column);
  if (at < 0) throw new Error(`no column ${column}`);
  row[at] = value;
  return row;
}
function errorsOf(row: readonly string[], header: readonly string[] = HEADER) {
  const result = mapUciRow(row, header);
  if (result.ok) throw new Error(`expected errors, got ${result.records.length} records`);
  return result.errors;
}
function recordsOf(row: readonly string[]): FeedRecord[] {
  const result = mapUciRow(row, HEADER);
  if (!result.ok) throw new Error(`unexpected errors: ${JSON.stringify(result.errors)}`);
  return result.records;
}

describe('mapUciRow on hand-written rows', () => {
  it('maps ID 2 to exactly these records, in reference order', () => {
    const S = (month: string, closingBalance: string, minimumDue: string) => ({
      type: 'statement', accountId: 'uci-2', statementDate: `2005-${month}-05`, dueDate: `2005-${month}-25`, minimumDue, closingBalance,
    });
    const P = (month: string, amount: string) => ({
      type: 'payment', id: `uci-2-pay-2005-${month}`, accountId: 'uci-2', postedOn: `2005-${month}-15`, amount, channel: 'unknown',
    });
    const D = (asOf: string, cyclesDelinquent: number, balance: string) => ({ type: 'delinquency', accountId: 'uci-2', asOf, cyclesDelinquent, balance });
    expect(recordsOf(ROW_2)).toEqual([
      { type: 'customer', id: 'uci-2', name: 'UCI client 2', timeZone: 'Asia/Taipei', language: 'en' },
      { type: 'account', id: 'uci-2', customerId: 'uci-2', currency: 'TWD', creditLimit: '120000', openedOn: '2005-01-01', status: 'open' },
      // Bills: X17 Apr 3261, X16 May 3455, X15 Jun 3272, X14 Jul 2682, X13 Aug 1725, X12 Sep 2682.
      S('04', '3261', '327'), S('05', '3455', '346'), S('06', '3272', '328'), S('07', '2682', '269'), S('08', '1725', '173'), S('09', '2682', '269'),
      // Paid: X23 Apr 2000, X22 May 0, X21 Jun 1000, X20 Jul 1000, X19 Aug 1000, X18 Sep 0 — zero amounts give no payment.
      P('04', '2000'), P('06', '1000'), P('07', '1000'), P('08', '1000'),
      // Status: X11 Apr 2, X10 May 0, X9 Jun 0, X8 Jul 0, X7 Aug 2, X6 Sep -1 (→ 0).
      D('2005-04-30', 2, '3261'), D('2005-05-31', 0, '3455'), D('2005-06-30', 0, '3272'), D('2005-07-31', 0, '2682'), D('2005-08-31', 2, '1725'), D('2005-09-30', 0, '2682'),
    ]);
  });

  it('converts E notation exactly and accepts whole numbers written with zero decimals', () => {
    const records = recordsOf(withCell('X1', '2.00E+05', withCell('X12', '1.2345E+04', withCell('X18', '25.00'))));
    expect(records.find((r): r is FeedAccount => r.type === 'account')?.creditLimit).toBe('200000');
    const sep = records.find((r): r is FeedStatement => r.type === 'statement' && r.statementDate === '2005-09-05');
    expect(sep).toMatchObject({ closingBalance: '12345', minimumDue: '1235' });
    expect(records.find((r): r is FeedPayment => r.type === 'payment' && r.id === 'uci-2-pay-2005-09')?.amount).toBe('25');
  });

  it('keeps a negative bill as a negative closing balance with minimum due 0', () => {
    const records = recordsOf(withCell('X16', '-159'));
    expect(records.find((r) => r.type === 'statement' && r.statementDate === '2005-05-05')).toMatchObject({ closingBalance: '-159', minimumDue: '0' });
    expect(records.find((r) => r.type === 'delinquency' && r.asOf === '2005-05-31')).toMatchObject({ balance: '-159' });
  });

  it('minimum due is 10% rounded up to a whole dollar, never more than the bill, 0 for bills ≤ 0', () => {
    const cases: [bigint, bigint][] = [[-5n, 0n], [0n, 0n], [1n, 1n], [9n, 1n], [10n, 1n], [11n, 2n], [100n, 10n], [101n, 11n], [3913n, 392n], [999_999_999_999_999n, 100_000_000_000_000n]];
    for (const [bill, expected] of cases) expect(uciMinimumDue(bill), `bill ${bill}`).toBe(expected);
    for (let bill = 1n; bill <= 2000n; bill++) {
      const due = uciMinimumDue(bill);
      expect(due <= bill && due * 10n >= bill && (due - 1n) * 10n < bill, `bill ${bill} → ${due}`).toBe(true);
    }
  });

  it('canonicalises the ID', () => {
    expect(recordsOf(withCell('ID', '007'))[0]).toMatchObject({ id: 'uci-7', name: 'UCI client 7' });
  });

  it('too few columns: names the columns without a value', () => {
    const errors = errorsOf(ROW_2.slice(0, 24));
    expect(errors).toEqual([{ field: 'Y', message: expect.stringMatching(/24 values.*25 columns/) }]);
    expect(errorsOf(ROW_2.slice(0, 22)).map((e) => e.field)).toEqual(['X22', 'X23', 'Y']);
  });

  it('too many columns is an error', () => {
    expect(errorsOf([...ROW_2, '7'])).toEqual([{ field: 'row', message: expect.stringMatching(/26 values.*25 columns/) }]);
  });

  it.each([
    ['X5', 'abc', /"abc" is not a number/],
    ['X5', '', /empty/],
    ['X6', '12', /status 12 is outside -2\.\.9/],
    ['X11', '-3', /status -3 is outside/],
    ['X12', '2.5E+00', /"2\.5E\+00" is not a whole number \(it is 2\.5\)/],
    ['X13', '12.5', /not a whole number/],
    ['X1', '-1', /credit limit -1 must not be negative/],
    ['X1', '-1.00E+05', /credit limit -100000 must not be negative/],
    ['X18', '-5', /amount paid -5 must not be negative/],
    ['X14', '1E+20', /implausibly large/],
    ['ID', '0', /0 is not a positive integer/],
    ['ID', '-4', /-4 is not a positive integer/],
    ['ID', 'x1', /not a number/],
    ['Y', '1\r', /not a number/],
  ])('%s = %j is an error naming %s', (column, value, message) => {
    const errors = errorsOf(withCell(column, value));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.field).toBe(column);
    expect(errors[0]!.message).toMatch(message);
  });

  it('returns every error of a row', () => {
    const row = withCell('X1', '-1', withCell('X5', 'abc', withCell('X6', '12', withCell('X12', '2.5E+00'))));
    expect(errorsOf(row).map((e) => e.field)).toEqual(['X1', 'X5', 'X6', 'X12']);
  });

  it('accepts status bounds -2 and 9', () => {
    const records = recordsOf(withCell('X6', '9', withCell('X11', '-2')));
    const snapshots = records.filter((r): r is FeedDelinquency => r.type === 'delinquency');
    expect(snapshots.map((s) => s.cyclesDelinquent)).toEqual([0, 0, 0, 0, 2, 9]);
  });
});

describe('validateUciHeader', () => {
  it('accepts the dataset header, a leading byte-order mark and another column order', () => {
    expect(validateUciHeader(UCI_HEADER)).toEqual([]);
    expect(validateUciHeader(['\uFEFFID', ...UCI_HEADER.slice(1)])).toEqual([]);
    const reversed = [...UCI_HEADER].reverse();
    expect(validateUciHeader(reversed)).toEqual([]);
    expect(recordsOf(ROW_2)).toEqual((mapUciRow([...ROW_2].reverse(), reversed) as { records: FeedRecord[] }).records);
  });

  it('names missing, repeated and unknown columns', () => {
    const header = [...UCI_HEADER.filter((c) => c !== 'X7'), 'X6', 'LIMIT_BAL'];
    expect(validateUciHeader(header)).toEqual([
      { field: 'X6', message: expect.stringMatching(/appears 2 times/) },
      { field: 'X7', message: 'is missing from the header' },
      { field: 'LIMIT_BAL', message: expect.stringMatching(/not a column/) },
    ]);
    expect(validateUciHeader([...UCI_HEADER.slice(0, 24), 'Y\r']).map((e) => e.field)).toEqual(['Y', 'Y\r']);
  });

  it('mapUciRow refuses rows under a bad header', () => {
    expect(errorsOf(ROW_2, [...UCI_HEADER.slice(0, 24), 'Z'])).toHaveLength(2);
  });
});

describe('the real dataset (30,000 rows)', () => {
  let rows: string[][];
  const byId = new Map<string, FeedRecord[]>();
  const all: FeedRecord[] = [];
  const errors: { id: string | undefined; errors: unknown }[] = [];

  beforeAll(() => {
    const table = parse(readFileSync(CSV_PATH, 'utf8'), { relax_column_count: true }) as string[][];
    expect(table[0]).toEqual([...UCI_HEADER]);
    rows = table.slice(1);
    for (const row of rows) {
      const result = mapUciRow(row, table[0]!);
      if (!result.ok) errors.push({ id: row[0], errors: result.errors });
      else {
        byId.set(row[0]!, result.records);
        for (const r of result.records) all.push(r);
      }
    }
  });

  const raw = (row: readonly string[], column: string): string => row[HEADER.indexOf(column)]!;
  const ofType = <T extends FeedRecord['type']>(type: T) => all.filter((r): r is Extract<FeedRecord, { type: T }> => r.type === type);

  it('parses cleanly: 30,000 rows of 25 cells, no stray carriage returns', () => {
    expect(rows).toHaveLength(30_000);
    expect(rows.filter((r) => r.length !== 25)).toEqual([]);
    expect(rows.filter((r) => r.some((c) => /[\r\n]/.test(c)))).toEqual([]);
  });

  it('maps every row without errors', () => {
    expect(errors.slice(0, 5)).toEqual([]);
    expect(errors).toHaveLength(0);
  });

  it('yields 30,000 customers and accounts, 180,000 statements and snapshots, one payment per positive amount', () => {
    expect(ofType('customer')).toHaveLength(30_000);
    expect(ofType('account')).toHaveLength(30_000);
    expect(ofType('statement')).toHaveLength(180_000);
    expect(ofType('delinquency')).toHaveLength(180_000);
    let positivePayments = 0;
    for (const row of rows) for (const c of ['X18', 'X19', 'X20', 'X21', 'X22', 'X23']) if (Number(raw(row, c)) > 0) positivePayments++;
    expect(positivePayments).toBe(143_103);
    expect(ofType('payment')).toHaveLength(positivePayments);
    expect(new Set(ofType('customer').map((r) => r.id)).size).toBe(30_000);
    expect(new Set(ofType('payment').map((r) => r.id)).size).toBe(positivePayments);
    expect(new Set(ofType('statement').map((r) => `${r.accountId} ${r.statementDate}`)).size).toBe(180_000);
    expect(new Set(ofType('delinquency').map((r) => `${r.accountId} ${r.asOf}`)).size).toBe(180_000);
  });

  it('emits each row in reference order: customer, account, statements, payments, snapshots', () => {
    const rank = { customer: 0, account: 1, statement: 2, payment: 3, delinquency: 4 } as const;
    for (const [id, records] of byId) {
      const ranks = records.map((r) => rank[r.type]);
      const sorted = ranks.every((v, i) => i === 0 || ranks[i - 1]! <= v);
      if (!sorted || records[0]!.type !== 'customer' || records[1]!.type !== 'account') throw new Error(`row ${id} out of order: ${records.map((r) => r.type)}`);
    }
    expect(byId.size).toBe(30_000);
  });

  it('every mapped record passes feed validation', () => {
    const rejected: unknown[] = [];
    for (const record of all) {
      const outcome = validateFeedRecord(record);
      if (!outcome.ok && rejected.push({ record, errors: outcome.errors }) >= 5) break;
    }
    expect(rejected).toEqual([]);
  });

  it('per month, cycles-delinquent counts of the snapshots equal counts taken straight from the raw status columns', () => {
    // Independent of the module: status columns per snapshot date, written out here.
    const statusColumnOf: Record<string, string> = {
      '2005-04-30': 'X11', '2005-05-31': 'X10', '2005-06-30': 'X9', '2005-07-31': 'X8', '2005-08-31': 'X7', '2005-09-30': 'X6',
    };
    const count = (pairs: Iterable<[string, number]>) => {
      const table: Record<string, Record<number, number>> = {};
      for (const [asOf, cycles] of pairs) {
        const month = (table[asOf] ??= {});
        month[cycles] = (month[cycles] ?? 0) + 1;
      }
      return table;
    };
    const fromRaw = count(rows.flatMap((row) => Object.entries(statusColumnOf).map(([asOf, column]): [string, number] => {
      const status = parseInt(raw(row, column), 10);
      return [asOf, status >= 1 ? status : 0];
    })));
    const fromSnapshots = count(ofType('delinquency').map((s): [string, number] => [s.asOf, s.cyclesDelinquent]));
    expect(Object.keys(fromSnapshots).sort()).toEqual(Object.keys(statusColumnOf));
    expect(fromSnapshots).toEqual(fromRaw);
    // A fixed known value, so that a mistake shared by both counts above still fails.
    expect(fromSnapshots['2005-09-30']).toEqual({ 0: 23182, 1: 3688, 2: 2667, 3: 322, 4: 76, 5: 26, 6: 11, 7: 9, 8: 19 });

    const helper = expectedUciStatusCounts([[...UCI_HEADER], ...rows]);
    expect([...helper.keys()]).toEqual(Object.keys(statusColumnOf));
    const helperAsRecord = Object.fromEntries([...helper].map(([asOf, counts]) => [asOf, Object.fromEntries(counts)]));
    expect(helperAsRecord).toEqual(fromRaw);
    for (const counts of helper.values()) {
      const keys = [...counts.keys()];
      expect(keys).toEqual([...keys].sort((a, b) => a - b));
      expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(30_000);
    }
  });

  it('snapshot balances are the bills and statement dates follow the documented calendar', () => {
    const row = rows[0]!; // ID 1
    const records = byId.get('1')!;
    const snapshots = records.filter((r): r is FeedDelinquency => r.type === 'delinquency');
    expect(snapshots.map((s) => [s.asOf, s.balance])).toEqual([
      ['2005-04-30', raw(row, 'X17')], ['2005-05-31', raw(row, 'X16')], ['2005-06-30', raw(row, 'X15')],
      ['2005-07-31', raw(row, 'X14')], ['2005-08-31', raw(row, 'X13')], ['2005-09-30', raw(row, 'X12')],
    ]);
    expect(records.filter((r): r is FeedStatement => r.type === 'statement').map((s) => [s.statementDate, s.dueDate])).toEqual(
      UCI_MONTHS.map((m) => [`${m.month}-05`, `${m.month}-25`]),
    );
  });

  it('converts every E-notation cell exactly (4,262 of them, 4,150 in X1)', () => {
    const where: Record<string, (records: FeedRecord[]) => string | undefined> = { X1: (rs) => rs.find((r): r is FeedAccount => r.type === 'account')?.creditLimit };
    const months = ['09', '08', '07', '06', '05', '04'];
    months.forEach((mm, i) => {
      where[`X${12 + i}`] = (rs) => rs.find((r): r is FeedStatement => r.type === 'statement' && r.statementDate === `2005-${mm}-05`)?.closingBalance;
      where[`X${18 + i}`] = (rs) => rs.find((r): r is FeedPayment => r.type === 'payment' && r.postedOn === `2005-${mm}-15`)?.amount;
    });
    let converted = 0;
    let inX1 = 0;
    for (const row of rows) {
      for (const [column, lookUp] of Object.entries(where)) {
        const cell = raw(row, column);
        if (!/e/i.test(cell)) continue;
        // These cells are small multiples of 10^5, which Number() reads exactly.
        expect(lookUp(byId.get(row[0]!)!), `ID ${row[0]} ${column} ${cell}`).toBe(String(Number(cell)));
        converted++;
        if (column === 'X1') inX1++;
      }
    }
    expect(converted).toBe(4262);
    expect(inX1).toBe(4150);
    // Known rows: ID 7 has X1 = 5.00E+05; ID 463 has X14 (July bill) = 1.00E+05; ID 154 has X21 (June paid) = 1.00E+05.
    expect(raw(rows[6]!, 'X1')).toBe('5.00E+05');
    expect(byId.get('7')!.find((r) => r.type === 'account')).toMatchObject({ creditLimit: '500000' });
    expect(raw(rows[462]!, 'X14')).toBe('1.00E+05');
    expect(byId.get('463')!.find((r) => r.type === 'statement' && r.statementDate === '2005-07-05')).toMatchObject({ closingBalance: '100000', minimumDue: '10000' });
    expect(raw(rows[153]!, 'X21')).toBe('1.00E+05');
    expect(byId.get('154')!.find((r) => r.type === 'payment' && r.id === 'uci-154-pay-2005-06')).toMatchObject({ amount: '100000' });
  });

  it('negative bills: ID 8 May bill -159 gives closing balance "-159" and minimum due "0"; all 3,932 negative bills likewise', () => {
    expect(raw(rows[7]!, 'X16')).toBe('-159');
    expect(byId.get('8')!.find((r) => r.type === 'statement' && r.statementDate === '2005-05-05')).toMatchObject({ closingBalance: '-159', minimumDue: '0' });
    const negative = ofType('statement').filter((s) => s.closingBalance.startsWith('-'));
    expect(negative).toHaveLength(3932);
    expect(negative.filter((s) => s.minimumDue !== '0')).toEqual([]);
  });
});
