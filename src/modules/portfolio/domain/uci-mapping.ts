/**
 * Mapping of the UCI "default of credit card clients" dataset (Taiwan, April–September 2005; see
 * /work/shared/datasets/uci-credit-card-default/README.md) to bank-feed records. One parsed CSV row gives
 * a customer, an account, six statements, up to six payments and six host delinquency snapshots.
 * Every decision (dates, minimum due, what is dropped) is explained in docs/uci-mapping.md.
 *
 * Pure: no I/O. Numbers are read as exact decimal text (E notation such as "2.00E+05" is rewritten
 * exactly by plainDecimal) and kept as bigint whole New Taiwan dollars; they never pass through a float.
 */
import { limits } from '../../../kernel/limits.ts';
import { plainDecimal } from '../../../kernel/money.ts';
import type { FeedAccount, FeedCustomer, FeedDelinquency, FeedPayment, FeedRecord, FeedStatement } from './feed-records.ts';

/** Columns of the CSV in file order. */
export const UCI_HEADER = [
  'ID', 'X1', 'X2', 'X3', 'X4', 'X5',
  'X6', 'X7', 'X8', 'X9', 'X10', 'X11',
  'X12', 'X13', 'X14', 'X15', 'X16', 'X17',
  'X18', 'X19', 'X20', 'X21', 'X22', 'X23',
  'Y',
] as const;
export type UciColumn = (typeof UCI_HEADER)[number];

export interface UciFieldError { field: string; message: string }
export type UciRowMapping = { ok: true; records: FeedRecord[] } | { ok: false; errors: UciFieldError[] };

/** One of the six months of the dataset, with the columns holding it and the dates we give it. */
export interface UciMonth {
  /** "2005-04" … "2005-09". */
  readonly month: string;
  /** Repayment status column (−2..9). */
  readonly statusColumn: UciColumn;
  /** Bill statement amount column (may be negative). */
  readonly billColumn: UciColumn;
  /** Amount paid column. */
  readonly paidColumn: UciColumn;
  readonly statementDate: string;
  readonly dueDate: string;
  readonly paymentPostedOn: string;
  /** Last day of the month: the host snapshot date. */
  readonly asOf: string;
}

const MONTH_COLUMNS: readonly [number, UciColumn, UciColumn, UciColumn, number][] = [
  // month, status, bill, paid, last day
  [4, 'X11', 'X17', 'X23', 30],
  [5, 'X10', 'X16', 'X22', 31],
  [6, 'X9', 'X15', 'X21', 30],
  [7, 'X8', 'X14', 'X20', 31],
  [8, 'X7', 'X13', 'X19', 31],
  [9, 'X6', 'X12', 'X18', 30],
];

/** April … September 2005 in chronological order. */
export const UCI_MONTHS: readonly UciMonth[] = Object.freeze(
  MONTH_COLUMNS.map(([m, statusColumn, billColumn, paidColumn, lastDay]) => {
    const month = `2005-${String(m).padStart(2, '0')}`;
    return Object.freeze({
      month,
      statusColumn,
      billColumn,
      paidColumn,
      statementDate: `${month}-05`,
      dueDate: `${month}-25`,
      paymentPostedOn: `${month}-15`,
      asOf: `${month}-${lastDay}`,
    });
  }),
);

export const UCI_CURRENCY = 'TWD';
export const UCI_OPENED_ON = '2005-01-01';
export const UCI_TIME_ZONE = 'Asia/Taipei';
export const UCI_PAYMENT_CHANNEL = 'unknown';
/** Repayment status range documented by the dataset. */
export const UCI_STATUS_MIN = -2;
export const UCI_STATUS_MAX = 9;
/** Amounts (whole TWD) must stay below 10^15: far above any card amount, and safe as bigint minor units. */
const AMOUNT_LIMIT = 10n ** 15n;
/** Longest ID that keeps "uci-<ID>-pay-2005-MM" within the feed's id length limit. */
const ID_DIGITS_MAX = limits.idLengthMax - 'uci--pay-2005-MM'.length;

const BOM = '\uFEFF';

type HeaderIndex = { ok: true; index: Record<UciColumn, number> } | { ok: false; errors: UciFieldError[] };

function resolveHeader(header: readonly string[]): HeaderIndex {
  const errors: UciFieldError[] = [];
  const positions = new Map<string, number[]>();
  header.forEach((raw, i) => {
    const name = i === 0 && raw.startsWith(BOM) ? raw.slice(BOM.length) : raw;
    const list = positions.get(name);
    if (list) list.push(i);
    else positions.set(name, [i]);
  });
  const known = new Set<string>(UCI_HEADER);
  const index = {} as Record<UciColumn, number>;
  for (const column of UCI_HEADER) {
    const at = positions.get(column);
    if (!at) errors.push({ field: column, message: 'is missing from the header' });
    else if (at.length > 1) errors.push({ field: column, message: `appears ${at.length} times in the header (columns ${at.map((p) => p + 1).join(', ')})` });
    else index[column] = at[0]!;
  }
  for (const [name, at] of positions) {
    if (!known.has(name)) {
      errors.push({ field: name === '' ? `column ${at[0]! + 1}` : name, message: `${JSON.stringify(name)} is not a column of the UCI dataset (expected ${UCI_HEADER.join(',')})` });
    }
  }
  return errors.length === 0 ? { ok: true, index } : { ok: false, errors };
}

/**
 * Checks a CSV header: every UCI column exactly once, no other column (any order is accepted; a UTF-8
 * byte-order mark before the first name is ignored). Returns every problem; [] when the header is usable.
 */
export function validateUciHeader(header: readonly string[]): UciFieldError[] {
  const resolved = resolveHeader(header);
  return resolved.ok ? [] : resolved.errors;
}

/** Reads the cells of one row, collecting every error with the column it belongs to. */
class Cells {
  readonly errors: UciFieldError[] = [];
  constructor(private readonly fields: readonly string[], private readonly index: Record<UciColumn, number>) {}

  private fail(column: UciColumn, message: string): null {
    this.errors.push({ field: column, message });
    return null;
  }

  /** A whole number, exact: "2.00E+05" → 200000n, "12.00" → 12n; "2.5E+00" and "abc" are errors. */
  integer(column: UciColumn): bigint | null {
    const raw = this.fields[this.index[column]] ?? '';
    if (raw === '') return this.fail(column, 'is empty; a whole number is required');
    const plain = plainDecimal(raw);
    if (plain === null) return this.fail(column, `${JSON.stringify(raw)} is not a number`);
    const dot = plain.indexOf('.');
    if (dot >= 0 && !/^0*$/.test(plain.slice(dot + 1))) {
      return this.fail(column, `${JSON.stringify(raw)} is not a whole number${plain === raw ? '' : ` (it is ${plain})`}`);
    }
    return BigInt(dot >= 0 ? plain.slice(0, dot) : plain);
  }

  /** A whole amount of TWD, within ±10^15; negative only when allowed. */
  amount(column: UciColumn, what: string, allowNegative: boolean): bigint | null {
    const value = this.integer(column);
    if (value === null) return null;
    if (!allowNegative && value < 0n) return this.fail(column, `${what} ${value} must not be negative`);
    if (value >= AMOUNT_LIMIT || value <= -AMOUNT_LIMIT) return this.fail(column, `${what} ${value} is implausibly large (limit 10^15 TWD)`);
    return value;
  }

  status(column: UciColumn): number | null {
    const value = this.integer(column);
    if (value === null) return null;
    if (value < BigInt(UCI_STATUS_MIN) || value > BigInt(UCI_STATUS_MAX)) {
      return this.fail(column, `repayment status ${value} is outside ${UCI_STATUS_MIN}..${UCI_STATUS_MAX}`);
    }
    return Number(value);
  }

  id(column: UciColumn): string | null {
    const value = this.integer(column);
    if (value === null) return null;
    if (value <= 0n) return this.fail(column, `${value} is not a positive integer`);
    const text = value.toString();
    if (text.length > ID_DIGITS_MAX) return this.fail(column, `has ${text.length} digits; at most ${ID_DIGITS_MAX} fit the feed's ids`);
    return text;
  }
}

/** 10% of a positive bill rounded up to a whole dollar, never more than the bill; 0 when the bill is ≤ 0. */
export function uciMinimumDue(bill: bigint): bigint {
  if (bill <= 0n) return 0n;
  const tenth = (bill + 9n) / 10n;
  return tenth < bill ? tenth : bill;
}

/**
 * Maps one data row of the UCI CSV (cells as text, as parsed) to feed records, in reference order:
 * customer, account, statements (Apr..Sep), payments (Apr..Sep, only amounts > 0), delinquency
 * snapshots (Apr..Sep). `header` is the file's header row (see validateUciHeader). Returns every error
 * of the row, each naming its column, and no records when there is any error.
 */
export function mapUciRow(fields: readonly string[], header: readonly string[]): UciRowMapping {
  const resolved = resolveHeader(header);
  if (!resolved.ok) return { ok: false, errors: resolved.errors };
  if (fields.length !== header.length) {
    // Cells cannot be attributed to columns reliably, so the values are not checked.
    const counted = `the row has ${fields.length} values but the header has ${header.length} columns`;
    if (fields.length > header.length) return { ok: false, errors: [{ field: 'row', message: counted }] };
    return {
      ok: false,
      errors: header.slice(fields.length).map((name) => ({ field: name, message: `has no value: ${counted}` })),
    };
  }

  const cells = new Cells(fields, resolved.index);
  const id = cells.id('ID');
  const creditLimit = cells.amount('X1', 'credit limit', false);
  // Sex, education, marriage, age and the default flag are not stored, but must still be numbers.
  for (const column of ['X2', 'X3', 'X4', 'X5', 'Y'] as const) cells.integer(column);
  const months = UCI_MONTHS.map((m) => ({
    m,
    status: cells.status(m.statusColumn),
    bill: cells.amount(m.billColumn, 'bill amount', true),
    paid: cells.amount(m.paidColumn, 'amount paid', false),
  }));
  if (cells.errors.length > 0 || id === null || creditLimit === null) return { ok: false, errors: cells.errors };

  const key = `uci-${id}`;
  const customer: FeedCustomer = { type: 'customer', id: key, name: `UCI client ${id}`, timeZone: UCI_TIME_ZONE, language: 'en' };
  const account: FeedAccount = {
    type: 'account',
    id: key,
    customerId: key,
    currency: UCI_CURRENCY,
    creditLimit: creditLimit.toString(),
    openedOn: UCI_OPENED_ON,
    status: 'open',
  };
  const records: FeedRecord[] = [customer, account];
  for (const { m, bill } of months) {
    const statement: FeedStatement = {
      type: 'statement',
      accountId: key,
      statementDate: m.statementDate,
      dueDate: m.dueDate,
      minimumDue: uciMinimumDue(bill!).toString(),
      closingBalance: bill!.toString(),
    };
    records.push(statement);
  }
  for (const { m, paid } of months) {
    if (paid! <= 0n) continue;
    const payment: FeedPayment = {
      type: 'payment',
      id: `${key}-pay-${m.month}`,
      accountId: key,
      postedOn: m.paymentPostedOn,
      amount: paid!.toString(),
      channel: UCI_PAYMENT_CHANNEL,
    };
    records.push(payment);
  }
  for (const { m, status, bill } of months) {
    const snapshot: FeedDelinquency = {
      type: 'delinquency',
      accountId: key,
      asOf: m.asOf,
      cyclesDelinquent: uciCyclesDelinquent(status!),
      balance: bill!.toString(),
    };
    records.push(snapshot);
  }
  return { ok: true, records };
}

/** Repayment status → cycles delinquent: k ≥ 1 months delayed → k; −2, −1 and 0 (not late) → 0. */
export function uciCyclesDelinquent(status: number): number {
  return status >= 1 ? status : 0;
}

/**
 * Counts, per snapshot date (asOf, chronological) and cycles delinquent (ascending; only values that
 * occur), what an import of `rows` must store, computed straight from the raw status columns X6..X11.
 * Rows are data rows in UCI_HEADER column order; a header row (first cell "ID") is skipped. A status cell
 * that is not a whole number in −2..9 throws: the helper is meant for files whose rows all import.
 */
export function expectedUciStatusCounts(rows: Iterable<readonly string[]>): Map<string, Map<number, number>> {
  const tallies = UCI_MONTHS.map((m) => ({ asOf: m.asOf, position: UCI_HEADER.indexOf(m.statusColumn), counts: new Map<number, number>() }));
  let rowNumber = 0;
  for (const row of rows) {
    rowNumber++;
    if (row[0] === 'ID' || row[0] === `${BOM}ID`) continue;
    for (const tally of tallies) {
      const cell = row[tally.position];
      const status = cell !== undefined && /^[+-]?\d+(?:\.0*)?(?:[eE][+-]?\d+)?$/.test(cell) ? Number(cell) : NaN;
      if (!Number.isInteger(status) || status < UCI_STATUS_MIN || status > UCI_STATUS_MAX) {
        throw new RangeError(`row ${rowNumber}: ${UCI_HEADER[tally.position]} ${JSON.stringify(cell)} is not a repayment status in ${UCI_STATUS_MIN}..${UCI_STATUS_MAX}`);
      }
      const cycles = status >= 1 ? status : 0;
      tally.counts.set(cycles, (tally.counts.get(cycles) ?? 0) + 1);
    }
  }
  return new Map(tallies.map((t) => [t.asOf, new Map([...t.counts].sort(([a], [b]) => a - b))]));
}
