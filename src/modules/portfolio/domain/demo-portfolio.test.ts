import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { civilOf, epochDayOf, parsePlainDate, type EpochDay } from '../../../kernel/dates.ts';
import { limits } from '../../../kernel/limits.ts';
import { parseAmount } from '../../../kernel/money.ts';
import { DISTRICTS, PAYMENT_CHANNELS } from './demo-names.ts';
import { demoAccountRecords, demoPortfolio, residentIdCheckDigit } from './demo-portfolio.ts';
import {
  LANGUAGES, PARTY_ROLES,
  type FeedAccount, type FeedCustomer, type FeedPayment, type FeedRecord, type FeedStatement,
} from './feed-records.ts';

const AS_OF = epochDayOf(2026, 3, 15);
const SEED = 20260315;
const collect = (accounts: number, seed = SEED, asOf = AS_OF): FeedRecord[] => [...demoPortfolio({ accounts, seed, asOf })];
const PORTFOLIO = collect(2_000);

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const AMOUNT = /^\d+\.\d{2}$/;
const SIGNED_AMOUNT = /^-?\d+\.\d{2}$/;
const MOBILE = /^1(3\d|5[0-35-9]|66|7[0-8]|8\d|9[89])\d{8}$/;
const RESIDENT_ID = /^(\d{6})(\d{4})(\d{2})(\d{2})\d{3}[\dX]$/;
const CHINESE_NAME = /^[\u4e00-\u9fff]{2,4}$/;
const EMAIL = /^[a-z0-9]+@[a-z0-9]+(\.[a-z]+)+$/;
const REGION_CODES = new Set(DISTRICTS.map((d) => d.code));

/** Strict date check: the format and a real calendar day (parsePlainDate rejects 2026-02-30). */
function day(text: string): EpochDay {
  expect(text).toMatch(DATE);
  const parsed = parsePlainDate(text);
  expect(parsed, text).not.toBeNull();
  return parsed!;
}

function fen(text: string, signed = false): bigint {
  expect(text).toMatch(signed ? SIGNED_AMOUNT : AMOUNT);
  const parsed = parseAmount(text, 'CNY', { allowNegative: signed });
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

/** Completed years between two dates, the way birthdays count. */
function ageOn(birth: EpochDay, on: EpochDay): number {
  const b = civilOf(birth);
  const d = civilOf(on);
  return d.year - b.year - (d.month * 100 + d.day < b.month * 100 + b.day ? 1 : 0);
}

/** Splits the stream into accounts, asserting the customer → account → statements → payments order. */
function byAccount(records: readonly FeedRecord[]): { customer: FeedCustomer; account: FeedAccount; statements: FeedStatement[]; payments: FeedPayment[] }[] {
  const groups: ReturnType<typeof byAccount> = [];
  for (let i = 0; i < records.length; ) {
    const customer = records[i++]!;
    const account = records[i++]!;
    expect(customer.type).toBe('customer');
    expect(account.type).toBe('account');
    const statements: FeedStatement[] = [];
    const payments: FeedPayment[] = [];
    while (records[i]?.type === 'statement') statements.push(records[i++] as FeedStatement);
    while (records[i]?.type === 'payment') payments.push(records[i++] as FeedPayment);
    groups.push({ customer: customer as FeedCustomer, account: account as FeedAccount, statements, payments });
  }
  return groups;
}

describe('residentIdCheckDigit', () => {
  it('matches published valid ids', () => {
    // GB 11643-1999's own example and the example of the Wikipedia article on the id number.
    for (const id of ['11010519491231002X', '440524188001010014']) expect(residentIdCheckDigit(id.slice(0, 17)), id).toBe(id[17]);
  });

  it('detects a changed digit', () => {
    expect(residentIdCheckDigit('11010519491231003')).not.toBe('X');
    expect(residentIdCheckDigit('44052418800101002')).not.toBe('4');
  });

  it('satisfies ISO 7064 MOD 11-2: sum of digit × 2^(17-i) over all 18 places is 1 mod 11', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{17}$/), (body) => {
        const check = residentIdCheckDigit(body);
        const digits = [...body].map(Number).concat(check === 'X' ? 10 : Number(check));
        const sum = digits.reduce((acc, d, i) => (acc + d * 2 ** (17 - i)) % 11, 0);
        expect(sum).toBe(1);
      }),
    );
  });

  it('rejects anything but 17 digits', () => {
    for (const bad of ['', '1101051949123100', '110105194912310021', '1101051949123100X', '１１０１０５１９４９１２３１００２'])
      expect(() => residentIdCheckDigit(bad), bad).toThrow(RangeError);
  });
});

describe('demoPortfolio', () => {
  it('is deterministic: the same options give the same records', () => {
    const first = collect(200);
    expect(first).toEqual(PORTFOLIO.slice(0, first.length));
    expect(collect(50, 7)).toEqual(collect(50, 7));
  });

  it('gives a different portfolio for a different seed, account by account', () => {
    const a = byAccount(collect(100, 1));
    const b = byAccount(collect(100, 2));
    const sameCustomer = a.filter((g, i) => g.customer.nationalId === b[i]!.customer.nationalId).length;
    expect(sameCustomer).toBe(0);
    expect(a.map((g) => g.statements)).not.toEqual(b.map((g) => g.statements));
  });

  it('makes account i depend on (seed, i, asOf) only: 10 accounts are the first 10 of 2,000', () => {
    const prefix: FeedRecord[] = [];
    for (const record of demoPortfolio({ accounts: 2_000, seed: SEED, asOf: AS_OF })) {
      if (record.type === 'customer' && record.id === 'demo-c-000011') break; // the generator is lazy: stop early
      prefix.push(record);
    }
    expect(collect(10)).toEqual(prefix);
    const seventh = byAccount(prefix)[6]!;
    expect(demoAccountRecords(SEED, 7, AS_OF)).toEqual([seventh.customer, seventh.account, ...seventh.statements, ...seventh.payments]);
  });

  it('emits every reference after what it references', () => {
    const customers = new Set<string>();
    const accounts = new Set<string>();
    const dangling: FeedRecord[] = [];
    for (const record of PORTFOLIO) {
      if (record.type === 'customer') customers.add(record.id);
      else if (record.type === 'account') {
        if (!customers.has(record.customerId)) dangling.push(record);
        accounts.add(record.id);
      } else if (!accounts.has(record.accountId)) dangling.push(record);
    }
    expect(dangling).toEqual([]);
    const groups = byAccount(PORTFOLIO); // asserts the per-account order
    expect(groups).toHaveLength(2_000);
    groups.forEach((g, i) => {
      const n = String(i + 1).padStart(6, '0');
      expect([g.customer.id, g.account.id, g.account.customerId]).toEqual([`demo-c-${n}`, `demo-a-${n}`, `demo-c-${n}`]);
    });
  });

  describe.each([
    ['2026-03-15', 2_000],
    ['2024-02-29', 300], // leap day: birth dates and cycles around February
    ['2025-12-31', 300], // year end
    ['2026-01-01', 300],
  ])('as of %s, every field of %i accounts is valid', (asOfText, count) => {
    const asOf = parsePlainDate(asOfText)!;
    const groups = byAccount(asOfText === '2026-03-15' ? PORTFOLIO : collect(count, SEED, asOf));

    it('customers', () => {
      const p = new Problems();
      for (const { customer } of groups) checkCustomer(customer, asOf, p);
      expect(p.list).toEqual([]);
    });

    it('accounts', () => {
      const p = new Problems();
      for (const { account, statements } of groups) checkAccount(account, asOf, day(statements[0]!.statementDate), p);
      expect(p.list).toEqual([]);
    });

    it('statements', () => {
      const p = new Problems();
      for (const { account, statements } of groups) checkStatements(account, statements, asOf, p);
      expect(p.list).toEqual([]);
    });

    it('payments, with ids unique across the portfolio', () => {
      const p = new Problems();
      const ids = new Set<string>();
      for (const { account, payments } of groups) {
        checkPayments(account, payments, asOf, p);
        for (const x of payments) ids.add(x.id);
      }
      expect(p.list).toEqual([]);
      expect(ids.size).toBe(groups.reduce((n, g) => n + g.payments.length, 0));
    });
  });

  it('has a realistic behaviour mix: 8–25% of accounts paid nothing in the last 40 days', () => {
    const groups = byAccount(PORTFOLIO);
    const silent = groups.filter(({ payments }) => {
      const last = payments.at(-1);
      return last === undefined || AS_OF - day(last.postedOn) > 40;
    });
    expect(silent.length / groups.length).toBeGreaterThanOrEqual(0.08);
    expect(silent.length / groups.length).toBeLessThanOrEqual(0.25);
    // Banks block some cards in deep arrears, and only those: their minimum carries the unpaid
    // minimums of earlier months, so it is well above the usual 10% of the balance.
    const blocked = groups.filter(({ account }) => account.status !== 'open');
    expect(blocked.length).toBeGreaterThan(0);
    expect(blocked.length).toBeLessThan(groups.length * 0.05);
    for (const { statements } of blocked) {
      const last = statements.at(-1)!;
      expect(fen(last.minimumDue) * 5n > fen(last.closingBalance, true), JSON.stringify(last)).toBe(true);
    }
  });

  it('has the intended delinquency buckets, read back from statements and payments alone', () => {
    const groups = byAccount(PORTFOLIO);
    const buckets = [0, 0, 0, 0, 0]; // M0, M1, M2, M3, M4+
    let delinquent = 0;
    let partialPayers = 0;
    for (const { statements, payments } of groups) {
      const { missed, partial } = missedMinimums(statements, payments, AS_OF);
      buckets[Math.min(missed, 4)]!++;
      if (missed > 0) delinquent++;
      if (partial) partialPayers++;
    }
    const share = buckets.map((n) => n / groups.length);
    // Intended: 85% current or cured, 6% M1, 3% M2, 2% M3, 4% M4+; bounds are about ±3 standard deviations.
    expect(share[0]).toBeGreaterThan(0.8);
    expect(share[0]).toBeLessThan(0.9);
    expect(share[1]).toBeGreaterThan(0.04);
    expect(share[1]).toBeLessThan(0.085);
    expect(share[2]).toBeGreaterThan(0.015);
    expect(share[2]).toBeLessThan(0.05);
    expect(share[3]).toBeGreaterThan(0.008);
    expect(share[3]).toBeLessThan(0.035);
    expect(share[4]).toBeGreaterThan(0.025);
    expect(share[4]).toBeLessThan(0.06);
    // Some debtors in arrears still send sums below the minimum.
    expect(partialPayers / delinquent).toBeGreaterThan(0.08);
    expect(partialPayers / delinquent).toBeLessThan(0.5);
  });

  it('checks its options where it is called', () => {
    for (const bad of [
      { accounts: -1, seed: 1, asOf: AS_OF },
      { accounts: 1.5, seed: 1, asOf: AS_OF },
      { accounts: 1, seed: Number.NaN, asOf: AS_OF },
      { accounts: 1, seed: 1, asOf: 0 }, // 1970: birth dates would fall before 1900
      { accounts: 1, seed: 1, asOf: AS_OF + 0.5 },
    ]) expect(() => demoPortfolio(bad), JSON.stringify(bad)).toThrow(RangeError);
    expect(collect(0)).toEqual([]);
  });
});

/**
 * Consecutive most recent statements (whose due date has passed) not paid down by their minimum
 * before the next statement, and whether anything at all was paid on them. Payments for a
 * statement post between it and the next one, so the window identifies them.
 */
function missedMinimums(statements: readonly FeedStatement[], payments: readonly FeedPayment[], asOf: EpochDay): { missed: number; partial: boolean } {
  let missed = 0;
  let partial = false;
  for (let t = statements.length - 1; t >= 0; t--) {
    const s = statements[t]!;
    if (day(s.dueDate) > asOf) continue;
    const from = day(s.statementDate);
    const until = t + 1 < statements.length ? day(statements[t + 1]!.statementDate) : asOf;
    const paid = payments
      .filter((p) => day(p.postedOn) > from && day(p.postedOn) <= until)
      .reduce((sum, p) => sum + fen(p.amount), 0n);
    if (paid >= fen(s.minimumDue)) break;
    missed++;
    partial ||= paid > 0n;
  }
  return { missed, partial };
}

/**
 * Collects failed checks rather than throwing at the first, so that one run lists every kind of bad
 * field, and so that checking a few hundred thousand fields stays fast (expect() per field is not).
 */
class Problems {
  readonly list: string[] = [];
  check(ok: boolean, what: string, value: unknown): void {
    if (!ok && this.list.length < 50) this.list.push(`${what}: ${JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))}`);
  }
  /** A real calendar day in strict ISO form, or NaN (which fails every later comparison). */
  day(text: string, what: string): EpochDay {
    const parsed = DATE.test(text) ? parsePlainDate(text) : null;
    this.check(parsed !== null, `${what} is not a real ISO date`, text);
    return parsed ?? Number.NaN;
  }
  /** Fen of a decimal string with exactly two decimals; -1n when malformed (and reported). */
  fen(text: string, what: string, signed = false): bigint {
    const parsed = (signed ? SIGNED_AMOUNT : AMOUNT).test(text) ? parseAmount(text, 'CNY', { allowNegative: signed }) : null;
    this.check(parsed?.ok === true, `${what} is not an amount`, text);
    return parsed?.ok ? parsed.value : -1n;
  }
}

function checkCustomer(c: FeedCustomer, asOf: EpochDay, p: Problems): void {
  p.check(/^demo-c-\d{6,}$/.test(c.id), 'customer id', c.id);
  p.check(CHINESE_NAME.test(c.name), 'name', c.name);
  const id = RESIDENT_ID.exec(c.nationalId ?? '');
  p.check(id !== null, 'national id format', c.nationalId);
  if (id) {
    const [, region = '', year, month, dayOfMonth] = id;
    p.check(REGION_CODES.has(region), 'national id region', c.nationalId);
    const age = ageOn(p.day(`${year}-${month}-${dayOfMonth}`, 'national id birth date'), asOf);
    p.check(age >= 20 && age <= 65, 'age 20-65', c.nationalId);
    p.check(residentIdCheckDigit(c.nationalId!.slice(0, 17)) === c.nationalId![17], 'national id check digit', c.nationalId);
  }
  const phones = c.phones ?? [];
  const debtorPhones = phones.filter((x) => x.role === 'debtor').length;
  p.check(debtorPhones >= 1 && debtorPhones <= 2, '1-2 debtor phones', phones);
  for (const phone of phones) {
    p.check(MOBILE.test(phone.number), 'mobile number', phone.number);
    p.check(PARTY_ROLES.includes(phone.role!), 'phone role', phone);
    p.check(typeof phone.verified === 'boolean' && ['application_form', 'bank_record'].includes(phone.source!), 'phone verified/source', phone);
  }
  for (const e of c.emails ?? []) p.check(EMAIL.test(e.address), 'email', e.address);
  p.check(c.addresses?.length === 1, 'one address', c.addresses);
  for (const a of c.addresses ?? []) {
    p.check(a.line.length > 0 && a.line.length <= limits.textLengthMax, 'address line', a.line);
    p.check(!!a.city && !!a.region && /^\d{6}$/.test(a.postalCode ?? '') && a.country === 'CN', 'address fields', a);
  }
  p.check(['Asia/Shanghai', 'Asia/Urumqi'].includes(c.timeZone!), 'time zone', c.timeZone);
  p.check(LANGUAGES.includes(c.language!), 'language', c.language);
}

function checkAccount(a: FeedAccount, asOf: EpochDay, firstStatement: EpochDay, p: Problems): void {
  p.check(a.currency === 'CNY', 'currency', a.currency);
  const limit = p.fen(a.creditLimit, 'credit limit');
  p.check(a.creditLimit.endsWith('.00') && limit >= 5_000_00n && limit <= 200_000_00n, 'credit limit 5,000-200,000 whole yuan', a.creditLimit);
  const opened = p.day(a.openedOn, 'openedOn');
  p.check(asOf - opened >= 365 && asOf - opened <= 3_653, 'opened 1-10 years before asOf', a.openedOn);
  p.check(opened < firstStatement, 'opened before the first statement', a);
  p.check(['open', 'frozen', 'restricted'].includes(a.status!), 'status', a.status);
}

function checkStatements(a: FeedAccount, statements: readonly FeedStatement[], asOf: EpochDay, p: Problems): void {
  p.check(statements.length === 12, '12 statements', a.id);
  const dates = statements.map((s) => p.day(s.statementDate, 'statementDate'));
  const last = dates.at(-1)!;
  p.check(last <= asOf && asOf - last < 31, 'last statement in the month up to asOf', statements.at(-1));
  p.check(new Set(dates.map((d) => civilOf(d).day)).size === 1, 'one cycle day per account', dates);
  dates.slice(1).forEach((d, i) => p.check(d - dates[i]! >= 28 && d - dates[i]! <= 31, 'monthly, oldest first', dates));
  for (const s of statements) {
    p.check(s.accountId === a.id, 'statement account', s);
    p.check(p.day(s.dueDate, 'dueDate') - p.day(s.statementDate, 'statementDate') === 20, 'due 20 days after the statement', s);
    const closing = p.fen(s.closingBalance, 'closingBalance', true);
    const minimum = p.fen(s.minimumDue, 'minimumDue');
    p.check(closing > 0n ? minimum > 0n && minimum <= closing : minimum === 0n, 'minimumDue within the balance', s);
    const parts = [s.principal, s.interest, s.fees];
    p.check(parts.every((x) => x === undefined) || parts.every((x) => x !== undefined), 'breakdown all or nothing', s);
    if (s.principal !== undefined) {
      const sum = p.fen(s.principal, 'principal') + p.fen(s.interest!, 'interest') + p.fen(s.fees!, 'fees');
      p.check(sum === closing, 'principal + interest + fees = closingBalance', s);
    }
  }
}

function checkPayments(a: FeedAccount, payments: readonly FeedPayment[], asOf: EpochDay, p: Problems): void {
  const number = a.id.slice('demo-a-'.length);
  let previous = p.day(a.openedOn, 'openedOn');
  payments.forEach((x, i) => {
    p.check(x.id === `demo-p-${number}-${String(i + 1).padStart(2, '0')}` && x.accountId === a.id, 'payment id/account', x);
    const posted = p.day(x.postedOn, 'postedOn');
    p.check(posted >= previous && posted <= asOf, 'oldest first, after opening, not after asOf', x);
    previous = posted;
    p.check(p.fen(x.amount, 'payment amount') > 0n, 'positive payment', x);
    p.check((PAYMENT_CHANNELS as readonly string[]).includes(x.channel!), 'channel', x);
  });
}
