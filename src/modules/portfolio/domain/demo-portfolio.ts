/**
 * A synthetic portfolio of Chinese credit cards for demos, benchmarks and tests. It produces ordinary
 * FeedRecords, so it goes through the same validation and import path as a bank's file.
 *
 * Pure and deterministic: account i depends only on (seed, i, asOf), through its own seeded rng, so
 * a 10-account run is exactly the start of a 2,000-account run. Records stream one account at a
 * time (customer, account, statements oldest first, payments oldest first), so memory stays
 * constant however many accounts are asked for. Money is bigint fen throughout; randomness only
 * ever picks integers (per mille, days), never float amounts.
 *
 * Behaviour mix (MIX below): 78% current (55% of them pay in full, the rest the minimum or more),
 * 7% forgetters (one payment 1–7 days late, late fee, then on time again), and 15% who stopped
 * paying: 6% M1, 3% M2, 2% M3, 4% M4–M11. Those who stop pay only the minimum for two months while
 * spending hard, then nothing (or, for 30% of them, now and then a sum below the minimum); their
 * balances grow by 0.05%/day interest and 5% late fees, and some of the deepest cards are frozen
 * or restricted.
 */
import { addMonths, civilOf, epochDayOf, formatPlainDate, type EpochDay } from '../../../kernel/dates.ts';
import { formatAmount } from '../../../kernel/money.ts';
import { seededRng, type Rng } from '../../../kernel/rng.ts';
import {
  COMPOUNDS, CREDIT_LIMIT_TIERS, DISTRICTS, EMAIL_DOMAINS, GIVEN_FEMALE, GIVEN_MALE, GIVEN_NEUTRAL, MANUAL_CHANNELS,
  MOBILE_PREFIXES, STREETS, SURNAMES, type District, type NamePart, type PaymentChannel,
} from './demo-names.ts';
import type {
  AccountStatus, FeedAccount, FeedAddress, FeedCustomer, FeedEmail, FeedPayment, FeedPhone, FeedRecord, FeedStatement,
} from './feed-records.ts';

export interface DemoPortfolioOptions {
  /** Number of accounts; each has its own customer. */
  accounts: number;
  /** Any safe integer; the same seed gives the same portfolio. */
  seed: number;
  /** The portfolio's "today": the last statement is on or before it and no payment is after it. */
  asOf: EpochDay;
}

const CURRENCY = 'CNY';
const STATEMENTS = 12;
/** Days from statement date to due date (免息还款期 after the bill). */
const GRACE_DAYS = 20;
const YUAN = 100n;
/** Minimum payment floor: nobody is asked for less than 100 yuan unless the balance is smaller. */
const MINIMUM_DUE_FLOOR = 100n * YUAN;
/** asOf must leave room for 66-year-old birth dates and 10-year-old accounts inside the 1900–2999 date range. */
const AS_OF_MIN = epochDayOf(1990, 1, 1);
const AS_OF_MAX = epochDayOf(2900, 12, 31);

// ---------------------------------------------------------------------------------------------
// Entry points

/**
 * Streams the records of `accounts` synthetic accounts. Options are checked at once (not on the
 * first `next()`), so a bad call fails where it is made.
 */
export function demoPortfolio(options: DemoPortfolioOptions): Generator<FeedRecord> {
  checkOptions(options);
  return accountsFrom(options);
}

function* accountsFrom({ accounts, seed, asOf }: DemoPortfolioOptions): Generator<FeedRecord> {
  for (let index = 1; index <= accounts; index++) yield* accountRecords(seed, index, asOf);
}

/**
 * The records of account `index` (1-based) alone: what demoPortfolio yields for it. Lets a caller
 * regenerate or shard any account without generating the ones before it.
 */
export function demoAccountRecords(seed: number, index: number, asOf: EpochDay): FeedRecord[] {
  checkOptions({ accounts: index, seed, asOf });
  if (index < 1) throw new RangeError(`account index starts at 1, got ${index}`);
  return accountRecords(seed, index, asOf);
}

function accountRecords(seed: number, index: number, asOf: EpochDay): FeedRecord[] {
  const rng = seededRng(accountSeed(seed, index));
  const person = buildCustomer(rng, index, asOf);
  const profile = accountProfile(rng);
  const dates = statementDates(asOf, profile.cycleDay);
  const account = buildAccount(rng, index, profile, person, asOf, dates[0]!);
  const { statements, payments } = simulate(rng, profile, dates, asOf);
  return [
    person.customer,
    account,
    ...statements.map((s) => statementRecord(account.id, s, profile.breakdown)),
    ...payments.map((p, n) => paymentRecord(index, account.id, p, n + 1)),
  ];
}

/**
 * The 18th character of a PRC resident id (GB 11643): ISO 7064 MOD 11-2 over the first 17 digits,
 * weights 2^(17-i) mod 11, with 10 written as "X".
 */
export function residentIdCheckDigit(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError(`resident id body must be 17 digits, got ${JSON.stringify(first17)}`);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += ID_WEIGHTS[i]! * (first17.charCodeAt(i) - 48);
  return ID_CHECK_CHARS[sum % 11]!;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARS = '10X98765432';

function checkOptions({ accounts, seed, asOf }: DemoPortfolioOptions): void {
  if (!Number.isSafeInteger(accounts) || accounts < 0) throw new RangeError(`accounts must be a non-negative integer, got ${accounts}`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  if (!Number.isSafeInteger(asOf) || asOf < AS_OF_MIN || asOf > AS_OF_MAX) {
    throw new RangeError(`asOf must be an epoch day between 1990-01-01 and 2900-12-31, got ${asOf}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Seeding and picking

/** murmur3's finaliser: every input bit flips about half the output bits, so neighbouring accounts get unrelated streams. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The rng seed of one account: a function of (seed, index) alone, which is what gives the prefix property. */
function accountSeed(seed: number, index: number): number {
  const high = (n: number): number => Math.floor(n / 0x1_0000_0000) >>> 0; // seeds and indices beyond 32 bits still count
  let h = fmix32((seed >>> 0) ^ 0x2545f491);
  h = fmix32(h ^ high(seed));
  h = fmix32((h + Math.imul(index >>> 0, 0x9e3779b1)) >>> 0);
  return fmix32(h ^ high(index));
}

const weightTotals = new WeakMap<readonly { weight: number }[], number>();

/** An item with probability proportional to its weight (totals are cached per list: this runs millions of times). */
function pickWeighted<T extends { weight: number }>(rng: Rng, items: readonly T[]): T {
  let total = weightTotals.get(items);
  if (total === undefined) {
    total = items.reduce((sum, item) => sum + item.weight, 0);
    weightTotals.set(items, total);
  }
  let r = rng.next() * total;
  for (const item of items) {
    r -= item.weight;
    if (r < 0) return item;
  }
  return items[items.length - 1]!;
}

const pad6 = (n: number): string => String(n).padStart(6, '0');
const money = (fen: bigint): string => formatAmount(fen, CURRENCY);
const minBig = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const maxBig = (a: bigint, b: bigint): bigint => (a > b ? a : b);
/** a / b rounded half up, for non-negative a and positive b. */
const divRound = (a: bigint, b: bigint): bigint => (2n * a + b) / (2n * b);
/** Rounds a non-negative amount up to a multiple of `unit` fen. */
const ceilTo = (amount: bigint, unit: bigint): bigint => ((amount + unit - 1n) / unit) * unit;
const sumAmounts = (payments: readonly Payment[]): bigint => payments.reduce((sum, p) => sum + p.amount, 0n);

// ---------------------------------------------------------------------------------------------
// Customers

interface Person { customer: FeedCustomer; birth: EpochDay }

/** Age bands of card holders: mostly 25–44, a tail up to 65. */
const AGE_BANDS: readonly { from: number; to: number; weight: number }[] = [
  { from: 20, to: 24, weight: 8 }, { from: 25, to: 34, weight: 30 }, { from: 35, to: 44, weight: 30 },
  { from: 45, to: 54, weight: 20 }, { from: 55, to: 65, weight: 12 },
];

function buildCustomer(rng: Rng, index: number, asOf: EpochDay): Person {
  const male = rng.chance(0.52);
  const surname = pickWeighted(rng, SURNAMES);
  const given = givenName(rng, male);
  const home = pickWeighted(rng, DISTRICTS);
  // Most people live where they were registered at birth; the rest moved (the id keeps the birth place).
  const origin = rng.chance(0.65) ? home : pickWeighted(rng, DISTRICTS);
  const birth = birthDate(rng, asOf);
  const customer: FeedCustomer = {
    type: 'customer',
    id: `demo-c-${pad6(index)}`,
    name: surname.hanzi + given.map((g) => g.hanzi).join(''),
    nationalId: residentId(rng, origin, birth, male),
    phones: phones(rng),
    addresses: [address(rng, home)],
    timeZone: home.timeZone,
    language: rng.chance(0.03) ? 'en' : 'zh-CN',
  };
  if (rng.chance(0.35)) customer.emails = [email(rng, [surname, ...given], birth)];
  return { customer, birth };
}

/** One or two characters, mostly from the lists for the person's sex, sometimes a neutral one. */
function givenName(rng: Rng, male: boolean): NamePart[] {
  const count = rng.chance(0.3) ? 1 : 2;
  return Array.from({ length: count }, () => pickWeighted(rng, rng.chance(0.2) ? GIVEN_NEUTRAL : male ? GIVEN_MALE : GIVEN_FEMALE));
}

/** A birth date giving the picked age on asOf: after the day age+1 years before, up to the day age years before. */
function birthDate(rng: Rng, asOf: EpochDay): EpochDay {
  const band = pickWeighted(rng, AGE_BANDS);
  const age = rng.int(band.from, band.to);
  return rng.int(addMonths(asOf, -12 * (age + 1)) + 1, addMonths(asOf, -12 * age));
}

/** Region code + birth date + sequence (odd for men, even for women) + check digit. */
function residentId(rng: Rng, origin: District, birth: EpochDay, male: boolean): string {
  const sequence = rng.int(1, 499) * 2 + (male ? 1 : 0);
  const body = origin.code + formatPlainDate(birth).replaceAll('-', '') + String(sequence).padStart(3, '0');
  return body + residentIdCheckDigit(body);
}

function mobile(rng: Rng): string {
  return rng.pick(MOBILE_PREFIXES) + String(rng.int(0, 99_999_999)).padStart(8, '0');
}

/** The debtor's own number(s), and sometimes a guarantor's or an emergency contact's from the application. */
function phones(rng: Rng): FeedPhone[] {
  const list: FeedPhone[] = [{ number: mobile(rng), role: 'debtor', verified: rng.chance(0.92), source: 'application_form' }];
  if (rng.chance(0.3)) list.push({ number: mobile(rng), role: 'debtor', verified: rng.chance(0.7), source: 'bank_record' });
  if (rng.chance(0.08)) list.push({ number: mobile(rng), role: 'guarantor', verified: rng.chance(0.5), source: 'application_form' });
  if (rng.chance(0.25)) list.push({ number: mobile(rng), role: 'contact', verified: false, source: 'application_form' });
  return list;
}

/** QQ mail is the QQ number; other providers get pinyin of the name plus digits, often the birth year. */
function email(rng: Rng, name: readonly NamePart[], birth: EpochDay): FeedEmail {
  const domain = rng.pick(EMAIL_DOMAINS);
  const suffix = rng.chance(0.5) ? String(civilOf(birth).year) : rng.chance(0.6) ? String(rng.int(1, 999)) : '';
  const local = domain === 'qq.com' ? String(rng.int(10_000, 3_999_999_999)) : name.map((n) => n.pinyin).join('') + suffix;
  return { address: `${local}@${domain}`, role: 'debtor', verified: rng.chance(0.5), source: 'application_form' };
}

function address(rng: Rng, home: District): FeedAddress {
  const room = `${rng.int(1, 33)}${String(rng.int(1, 4)).padStart(2, '0')}`;
  const line = `${home.district}${rng.pick(STREETS)}${rng.int(1, 999)}号${rng.pick(COMPOUNDS)}${rng.int(1, 30)}栋${rng.int(1, 6)}单元${room}室`;
  return {
    line, city: home.city, region: home.province, postalCode: home.postalCode, country: 'CN',
    role: 'debtor', verified: rng.chance(0.7), source: rng.chance(0.6) ? 'application_form' : 'bank_record',
  };
}

// ---------------------------------------------------------------------------------------------
// Accounts and behaviour

type Kind = 'current' | 'forgetter' | 'delinquent';

interface Profile {
  limit: bigint;
  cycleDay: number;
  kind: Kind;
  /** Consecutive missed minimum payments at asOf (the M bucket); 0 unless delinquent. */
  missed: number;
  /** Pays the statement balance in full; otherwise pays between the minimum and the balance. */
  payInFull: boolean;
  /** After stopping, still sends small sums below the minimum now and then. */
  partialPayer: boolean;
  autoDebit: boolean;
  channel: PaymentChannel;
  /** Usual spend per cycle, per mille of the limit. */
  spendPermille: number;
  /** Whether this bank's feed carries principal/interest/fees on statements. */
  breakdown: boolean;
}

/** The behaviour mix, per thousand accounts (described in the file's header; the tests read it back from the feed). */
const MIX: readonly { kind: Kind; weight: number; missed: readonly [number, number] }[] = [
  { kind: 'current', weight: 780, missed: [0, 0] },
  { kind: 'forgetter', weight: 70, missed: [0, 0] }, // one late payment, cured
  { kind: 'delinquent', weight: 60, missed: [1, 1] }, // M1
  { kind: 'delinquent', weight: 30, missed: [2, 2] }, // M2
  { kind: 'delinquent', weight: 20, missed: [3, 3] }, // M3
  { kind: 'delinquent', weight: 40, missed: [4, 11] }, // M4..M11: stopped paying 4–11 months ago
];

function accountProfile(rng: Rng): Profile {
  const mix = pickWeighted(rng, MIX);
  return {
    limit: BigInt(pickWeighted(rng, CREDIT_LIMIT_TIERS).yuan) * YUAN,
    cycleDay: rng.int(1, 28), // 1–28 so that every month has the day
    kind: mix.kind,
    missed: rng.int(mix.missed[0], mix.missed[1]),
    payInFull: mix.kind !== 'delinquent' && rng.chance(0.55),
    partialPayer: mix.kind === 'delinquent' && rng.chance(0.3),
    autoDebit: rng.chance(0.15),
    channel: pickWeighted(rng, MANUAL_CHANNELS).channel,
    spendPermille: rng.int(30, 350),
    breakdown: rng.chance(0.75),
  };
}

/**
 * Opened 1–10 years before asOf, before the first simulated statement and after the holder turned 18
 * (age >= 20 leaves at least a year for that).
 */
function buildAccount(rng: Rng, index: number, p: Profile, person: Person, asOf: EpochDay, firstStatement: EpochDay): FeedAccount {
  const earliest = Math.max(addMonths(asOf, -12 * 10), addMonths(person.birth, 12 * 18));
  return {
    type: 'account',
    id: `demo-a-${pad6(index)}`,
    customerId: person.customer.id,
    currency: CURRENCY,
    creditLimit: money(p.limit),
    openedOn: formatPlainDate(rng.int(earliest, firstStatement - 1)),
    status: accountStatus(rng, p.missed),
  };
}

/** Banks freeze or restrict some badly delinquent cards; everything else is open. */
function accountStatus(rng: Rng, missed: number): AccountStatus {
  const r = rng.next();
  if (missed >= 4) return r < 0.4 ? 'frozen' : r < 0.6 ? 'restricted' : 'open';
  if (missed === 3) return r < 0.1 ? 'restricted' : 'open';
  return 'open';
}

/**
 * STATEMENTS + 1 statement dates on the account's cycle day, the last on or before asOf. Index 0
 * is the opening statement: simulated so the first emitted one has a history, but not emitted.
 */
function statementDates(asOf: EpochDay, cycleDay: number): EpochDay[] {
  const { year, month } = civilOf(asOf);
  const thisMonth = epochDayOf(year, month, cycleDay);
  const last = thisMonth <= asOf ? thisMonth : addMonths(thisMonth, -1);
  return Array.from({ length: STATEMENTS + 1 }, (_, j) => addMonths(last, j - STATEMENTS));
}

// ---------------------------------------------------------------------------------------------
// Statement cycle simulation

/** What is owed, by kind; the parts always add up to the balance. Only principal goes negative (overpaid card). */
interface Ledger { principal: bigint; interest: bigint; fees: bigint }
interface Statement { date: EpochDay; due: EpochDay; closing: bigint; minimumDue: bigint; ledger: Ledger }
interface Payment { postedOn: EpochDay; amount: bigint; channel: PaymentChannel }

/**
 * Runs the card cycle by cycle: the holder pays (or not) the previous statement, then spend,
 * interest and late fees make the next one. Payments for statement t always post before statement
 * t+1 (at most 27 days after a statement; cycles are at least 28 days), so each cycle sees them all.
 */
function simulate(rng: Rng, p: Profile, dates: readonly EpochDay[], asOf: EpochDay): { statements: Statement[]; payments: Payment[] } {
  // The last statement whose due date has passed: missing it and the ones before makes the M bucket.
  const lastDue = dates[STATEMENTS]! + GRACE_DAYS <= asOf ? STATEMENTS : STATEMENTS - 1;
  const stopAt = p.kind === 'delinquent' ? lastDue - p.missed + 1 : Number.POSITIVE_INFINITY;
  // The forgetter's late month is early enough for the cure (paying on time again) to be visible.
  const lateAt = p.kind === 'forgetter' ? rng.int(1, lastDue - 1) : -1;
  const payments: Payment[] = [];
  let previous = openingStatement(rng, p, dates[0]!);
  const statements: Statement[] = [];
  for (let t = 0; t <= STATEMENTS; t++) {
    const phase: PayPhase = t >= stopAt ? 'stopped' : t >= stopAt - 2 ? 'strained' : t === lateAt ? 'late' : 'usual';
    const paid = paymentsFor(rng, p, previous, phase).filter((x) => x.postedOn <= asOf);
    payments.push(...paid);
    if (t === STATEMENTS) break; // the last statement's payments so far are all we can know
    previous = nextStatement(rng, p, previous, paid, dates[t + 1]!, spendMode(t + 1, stopAt));
    statements.push(previous);
  }
  return { statements, payments };
}

type SpendMode = 'none' | 'usual' | 'distressed';

/** Spending runs high in the two cycles before a debtor stops paying, and stops once the card is in arrears. */
function spendMode(statement: number, stopAt: number): SpendMode {
  if (statement > stopAt) return 'none';
  return statement >= stopAt - 1 ? 'distressed' : 'usual';
}

/** The balance carried into the simulated year: a usual month's spend for full payers, a revolving balance for the rest. */
function openingStatement(rng: Rng, p: Profile, date: EpochDay): Statement {
  const permille = p.payInFull ? BigInt(p.spendPermille) : BigInt(rng.int(100, 600));
  const principal = (p.limit * permille) / 1000n;
  return { date, due: date + GRACE_DAYS, closing: principal, minimumDue: minimumDue(principal, 0n), ledger: { principal, interest: 0n, fees: 0n } };
}

function nextStatement(rng: Rng, p: Profile, prev: Statement, paid: readonly Payment[], date: EpochDay, mode: SpendMode): Statement {
  const paidTotal = sumAmounts(paid);
  const paidByDue = sumAmounts(paid.filter((x) => x.postedOn <= prev.due));
  const ledger = applyPayment(prev.ledger, paidTotal);
  const carried = prev.closing - paidTotal;
  // Not paying in full loses the interest-free period: 0.05% a day, simplified to the carried balance.
  if (carried > 0n) ledger.interest += divRound(carried * 5n * BigInt(date - prev.date), 10_000n);
  // 违约金: 5% of the part of the minimum still unpaid at the due date.
  if (paidByDue < prev.minimumDue) ledger.fees += divRound((prev.minimumDue - paidByDue) * 5n, 100n);
  ledger.principal += spend(rng, p, ledger.principal + ledger.interest + ledger.fees, mode);
  const closing = ledger.principal + ledger.interest + ledger.fees;
  const arrears = maxBig(0n, prev.minimumDue - paidTotal);
  return { date, due: date + GRACE_DAYS, closing, minimumDue: minimumDue(closing, arrears), ledger };
}

/** Payments clear fees first, then interest, then principal; an overpayment leaves principal negative. */
function applyPayment(l: Ledger, amount: bigint): Ledger {
  const toFees = minBig(amount, l.fees);
  const toInterest = minBig(amount - toFees, l.interest);
  return { fees: l.fees - toFees, interest: l.interest - toInterest, principal: l.principal - (amount - toFees - toInterest) };
}

/** Purchases in one cycle, never taking the balance over the limit. */
function spend(rng: Rng, p: Profile, balance: bigint, mode: SpendMode): bigint {
  if (mode === 'none') return 0n;
  const wanted = mode === 'distressed'
    ? (p.limit * BigInt(rng.int(250, 600))) / 1000n
    : (p.limit * BigInt(p.spendPermille * rng.int(50, 150))) / 100_000n;
  return minBig(wanted, maxBig(0n, p.limit - balance));
}

/**
 * Simplified Chinese rule: 10% of what is not yet overdue (at least 100 yuan) plus everything
 * overdue from the previous minimum, never more than the balance; nothing when nothing is owed.
 */
function minimumDue(closing: bigint, arrears: bigint): bigint {
  if (closing <= 0n) return 0n;
  const current = maxBig(MINIMUM_DUE_FLOOR, ceilTo(maxBig(0n, closing - arrears), 10n) / 10n);
  return minBig(closing, arrears + current);
}

// ---------------------------------------------------------------------------------------------
// Payments

/**
 * How the holder treats one statement: as usual; the forgetter's one late month; the two months
 * before a debtor stops, when only the minimum gets paid; and after stopping.
 */
type PayPhase = 'usual' | 'late' | 'strained' | 'stopped';

/** What the holder pays against one statement, by behaviour. */
function paymentsFor(rng: Rng, p: Profile, s: Statement, phase: PayPhase): Payment[] {
  if (s.closing <= 0n) return [];
  if (phase === 'stopped') return partialPayment(rng, p, s);
  const amount = phase === 'strained' ? s.minimumDue : p.payInFull ? fullAmount(rng, s) : revolvingAmount(rng, s);
  // The forgetter's one slip: paid 1–7 days after the due date (late fee charged, then back on time).
  if (phase === 'late') return [{ postedOn: s.due + rng.int(1, 7), amount, channel: manualChannel(rng, p) }];
  if (p.autoDebit) return [{ postedOn: s.due, amount, channel: 'auto_debit' }];
  return onTime(rng, p, s, amount);
}

/** Full payers clear the balance; a few round up to the next hundred yuan and overpay. */
function fullAmount(rng: Rng, s: Statement): bigint {
  return rng.chance(0.04) ? ceilTo(s.closing, 100n * YUAN) : s.closing;
}

/** Revolvers pay the minimum, or a round sum between the minimum and the balance. */
function revolvingAmount(rng: Rng, s: Statement): bigint {
  if (rng.chance(0.45)) return s.minimumDue;
  const extra = ((s.closing - s.minimumDue) * BigInt(rng.int(5, 95))) / 100n;
  return minBig(s.closing, ceilTo(s.minimumDue + extra, YUAN));
}

/** Paid 2–20 days after the statement; sometimes in two instalments, both by the due date. */
function onTime(rng: Rng, p: Profile, s: Statement, amount: bigint): Payment[] {
  if (amount < 400n * YUAN || !rng.chance(0.1)) {
    return [{ postedOn: s.date + rng.int(2, GRACE_DAYS), amount, channel: manualChannel(rng, p) }];
  }
  const first = s.date + rng.int(2, GRACE_DAYS - 8);
  const part = ((amount * BigInt(rng.int(30, 70))) / 100n / YUAN) * YUAN;
  return [
    { postedOn: first, amount: part, channel: manualChannel(rng, p) },
    { postedOn: first + rng.int(1, 8), amount: amount - part, channel: manualChannel(rng, p) },
  ];
}

/** A debtor in arrears who still pays something: now and then 10–50% of the minimum, in whole yuan. */
function partialPayment(rng: Rng, p: Profile, s: Statement): Payment[] {
  if (!p.partialPayer || !rng.chance(0.6)) return [];
  const amount = ((s.minimumDue * BigInt(rng.int(10, 50))) / 100n / YUAN) * YUAN;
  return amount > 0n ? [{ postedOn: s.date + rng.int(5, 27), amount, channel: manualChannel(rng, p) }] : [];
}

/** People mostly stick to one app or bank; now and then they use another. */
function manualChannel(rng: Rng, p: Profile): PaymentChannel {
  return rng.chance(0.85) ? p.channel : pickWeighted(rng, MANUAL_CHANNELS).channel;
}

// ---------------------------------------------------------------------------------------------
// Records

function statementRecord(accountId: string, s: Statement, breakdown: boolean): FeedStatement {
  const record: FeedStatement = {
    type: 'statement',
    accountId,
    statementDate: formatPlainDate(s.date),
    dueDate: formatPlainDate(s.due),
    minimumDue: money(s.minimumDue),
    closingBalance: money(s.closing),
  };
  // The breakdown must be non-negative, so an overpaid (credit) statement goes without it.
  if (breakdown && s.ledger.principal >= 0n) {
    record.principal = money(s.ledger.principal);
    record.interest = money(s.ledger.interest);
    record.fees = money(s.ledger.fees);
  }
  return record;
}

function paymentRecord(index: number, accountId: string, p: Payment, n: number): FeedPayment {
  return {
    type: 'payment',
    id: `demo-p-${pad6(index)}-${String(n).padStart(2, '0')}`,
    accountId,
    postedOn: formatPlainDate(p.postedOn),
    amount: money(p.amount),
    channel: p.channel,
  };
}
