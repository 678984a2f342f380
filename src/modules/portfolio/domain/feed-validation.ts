/**
 * Validation of one bank-feed record (docs/feed-format.md). Pure: takes the parsed JSON value of a
 * line and returns either the normalised record or every error found, each naming its field.
 * Checks that need other lines or the database (repeated ids, unknown customers or accounts, decimals
 * allowed by an account's currency) run later, set-based, in the import's staging step.
 */
import { limits } from '../../../kernel/limits.ts';
import { currencyMinorDigits, parseAmount, plainDecimal } from '../../../kernel/money.ts';
import { formatPlainDate, parsePlainDate } from '../../../kernel/dates.ts';
import {
  ACCOUNT_STATUSES, FEED_RECORD_TYPES, LANGUAGES, PARTY_ROLES,
  type AccountStatus, type FeedRecordType, type Language, type PartyRole,
} from './feed-records.ts';

export interface FieldError { field: string; message: string }

export interface ContactPoint {
  kind: 'phone' | 'email' | 'address';
  value: string;
  details: Record<string, string> | null;
  partyRole: PartyRole;
  verified: boolean;
  source: string | null;
}

export type ValidRecord =
  | { type: 'customer'; id: string; name: string; nationalId: string | null; contacts: ContactPoint[]; timeZone: string; language: Language }
  | { type: 'account'; id: string; customerId: string; currency: string; creditLimitMinor: bigint; openedOn: string; status: AccountStatus }
  | { type: 'statement'; accountId: string; statementDate: string; dueDate: string; minimumDue: string; closingBalance: string; principal: string | null; interest: string | null; fees: string | null }
  | { type: 'payment'; id: string; accountId: string; postedOn: string; amount: string; channel: string | null }
  | { type: 'delinquency'; accountId: string; asOf: string; cyclesDelinquent: number; amountDue: string | null; balance: string | null };

export type ValidationOutcome = { ok: true; record: ValidRecord } | { ok: false; type: string | null; errors: FieldError[] };

const FIELDS: Record<FeedRecordType, readonly string[]> = {
  customer: ['type', 'id', 'name', 'nationalId', 'phones', 'emails', 'addresses', 'timeZone', 'language'],
  account: ['type', 'id', 'customerId', 'currency', 'creditLimit', 'openedOn', 'status'],
  statement: ['type', 'accountId', 'statementDate', 'dueDate', 'minimumDue', 'closingBalance', 'principal', 'interest', 'fees'],
  payment: ['type', 'id', 'accountId', 'postedOn', 'amount', 'channel'],
  delinquency: ['type', 'accountId', 'asOf', 'cyclesDelinquent', 'amountDue', 'balance'],
};

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
const ID = /^[A-Za-z0-9][A-Za-z0-9._:\-/]*$/;
const DECIMAL = /^-?\d{1,18}(?:\.\d{1,6})?$/;
/**
 * Digits allowed before the decimal point: with up to 4 minor digits (the most any ISO 4217 currency
 * has), 14 whole digits still fit a bigint of minor units; more would overflow when stored.
 */
export const AMOUNT_WHOLE_DIGITS_MAX = 14;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?\d{5,20}$/;
const NATIONAL_ID = /^[0-9A-Za-z]{6,32}$/;

const timeZoneCache = new Map<string, boolean>();
export function isTimeZone(name: string): boolean {
  let known = timeZoneCache.get(name);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: name });
      known = name.includes('/') || name === 'UTC';
    } catch {
      known = false;
    }
    timeZoneCache.set(name, known);
  }
  return known;
}

/** Collects errors for one record while reading its fields. */
class Reader {
  readonly errors: FieldError[] = [];
  constructor(readonly obj: Record<string, unknown>) {}

  fail(field: string, message: string): void {
    this.errors.push({ field, message });
  }

  text(field: string, required: boolean, maxLength: number, from: Record<string, unknown> = this.obj, path = field, secret = false): string | null {
    const v = from[field];
    if (v === undefined || v === null || v === '') {
      if (required) this.fail(path, 'is required');
      return null;
    }
    if (typeof v !== 'string') {
      // A secret (national id) is never echoed into error output.
      this.fail(path, `must be a string, got ${secret ? describeType(v) : describe(v)}`);
      return null;
    }
    if (v.length > maxLength) {
      this.fail(path, `is longer than ${maxLength} characters`);
      return null;
    }
    if (v.trim() !== v || /[\u0000-\u001f]/.test(v)) {
      this.fail(path, 'must not have leading or trailing spaces or control characters');
      return null;
    }
    return v;
  }

  id(field: string, required = true): string | null {
    const v = this.text(field, required, limits.idLengthMax);
    if (v !== null && !ID.test(v)) {
      this.fail(field, `${JSON.stringify(v)} is not a valid id (letters, digits and . _ : - / only)`);
      return null;
    }
    return v;
  }

  date(field: string, required = true): string | null {
    const v = this.text(field, required, 10);
    if (v === null) return null;
    const day = parsePlainDate(v);
    if (day === null) {
      this.fail(field, `${JSON.stringify(v)} is not a real date (YYYY-MM-DD)`);
      return null;
    }
    return formatPlainDate(day);
  }

  /** An exact decimal string; decimals allowed by the currency are checked where the currency is known. */
  amount(field: string, required: boolean, allowNegative: boolean): string | null {
    const raw = this.obj[field];
    if (typeof raw === 'number') {
      this.fail(field, `must be a decimal string such as "1234.50", not a JSON number (${raw}) which loses precision`);
      return null;
    }
    const v = this.text(field, required, 40);
    if (v === null) return null;
    let plain = plainDecimal(v);
    if (plain === null || !DECIMAL.test(plain)) {
      this.fail(field, `${JSON.stringify(v)} is not a decimal amount such as "1234.50"`);
      return null;
    }
    // Negative zero is zero: "-0.00" must not slip past the "greater than zero" and "not negative" rules.
    if (/^-0+(\.0+)?$/.test(plain)) plain = plain.slice(1);
    if (!allowNegative && plain.startsWith('-')) {
      this.fail(field, `${v} must not be negative`);
      return null;
    }
    if (plain.replace(/^-/, '').split('.')[0]!.replace(/^0+(?=\d)/, '').length > AMOUNT_WHOLE_DIGITS_MAX) {
      this.fail(field, `${v} is too large (at most ${AMOUNT_WHOLE_DIGITS_MAX} digits before the decimal point)`);
      return null;
    }
    return plain;
  }

  oneOf<T extends string>(field: string, values: readonly T[], fallback: T, from: Record<string, unknown> = this.obj, path = field): T {
    const v = from[field];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'string' || !values.includes(v as T)) {
      this.fail(path, `${JSON.stringify(v)} is not one of ${values.join(', ')}`);
      return fallback;
    }
    return v as T;
  }

  bool(field: string, fallback: boolean, from: Record<string, unknown>, path: string): boolean {
    const v = from[field];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') {
      this.fail(path, `must be true or false, got ${describe(v)}`);
      return fallback;
    }
    return v;
  }

  unknownFields(allowed: readonly string[], from: Record<string, unknown> = this.obj, prefix = ''): void {
    for (const key of Object.keys(from)) {
      if (!allowed.includes(key)) this.fail(prefix + key, 'is not a known field');
    }
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function validateFeedRecord(value: unknown, forcedType?: FeedRecordType): ValidationOutcome {
  if (!isPlainObject(value)) return { ok: false, type: null, errors: [{ field: 'record', message: `must be a JSON object, got ${describe(value)}` }] };
  const type = forcedType ?? value.type;
  if (type === undefined) return { ok: false, type: null, errors: [{ field: 'type', message: `is required (one of ${FEED_RECORD_TYPES.join(', ')})` }] };
  if (typeof type !== 'string' || !FEED_RECORD_TYPES.includes(type as FeedRecordType)) {
    return { ok: false, type: null, errors: [{ field: 'type', message: `unknown record type ${JSON.stringify(type)} (one of ${FEED_RECORD_TYPES.join(', ')})` }] };
  }
  const r = new Reader(value);
  r.unknownFields(FIELDS[type as FeedRecordType]);
  const record = READERS[type as FeedRecordType](r);
  return r.errors.length === 0 && record ? { ok: true, record } : { ok: false, type, errors: r.errors };
}

const READERS: Record<FeedRecordType, (r: Reader) => ValidRecord | null> = {
  customer: readCustomer,
  account: readAccount,
  statement: readStatement,
  payment: readPayment,
  delinquency: readDelinquency,
};

function readCustomer(r: Reader): ValidRecord | null {
  const id = r.id('id');
  const name = r.text('name', true, limits.nameLengthMax);
  const nationalId = r.text('nationalId', false, 32, r.obj, 'nationalId', true);
  if (nationalId !== null && !NATIONAL_ID.test(nationalId)) r.fail('nationalId', 'must be 6–32 letters or digits');
  const timeZone = r.text('timeZone', false, 64) ?? DEFAULT_TIME_ZONE;
  if (!isTimeZone(timeZone)) r.fail('timeZone', `${JSON.stringify(timeZone)} is not an IANA time zone such as Asia/Shanghai`);
  const language = r.oneOf('language', LANGUAGES, 'zh-CN');
  const contacts = [...readContacts(r, 'phone'), ...readContacts(r, 'email'), ...readContacts(r, 'address')];
  if (id === null || name === null) return null;
  return { type: 'customer', id, name, nationalId, contacts, timeZone, language };
}

const CONTACT_LIST = { phone: 'phones', email: 'emails', address: 'addresses' } as const;
const CONTACT_FIELDS = {
  phone: ['number', 'role', 'verified', 'source'],
  email: ['address', 'role', 'verified', 'source'],
  address: ['line', 'city', 'region', 'postalCode', 'country', 'role', 'verified', 'source'],
} as const;

function readContacts(r: Reader, kind: ContactPoint['kind']): ContactPoint[] {
  const list = CONTACT_LIST[kind];
  const items = r.obj[list];
  if (items === undefined || items === null) return [];
  if (!Array.isArray(items)) {
    r.fail(list, `must be an array, got ${describe(items)}`);
    return [];
  }
  if (items.length > limits.contactPointsPerKindMax) {
    r.fail(list, `has ${items.length} entries; at most ${limits.contactPointsPerKindMax} are allowed`);
    return [];
  }
  const out: ContactPoint[] = [];
  items.forEach((item, i) => {
    const path = `${list}[${i}]`;
    if (!isPlainObject(item)) return r.fail(path, `must be an object, got ${describe(item)}`);
    r.unknownFields(CONTACT_FIELDS[kind], item, `${path}.`);
    const point = readContact(r, kind, item, path);
    if (point) out.push(point);
  });
  return out;
}

function readContact(r: Reader, kind: ContactPoint['kind'], item: Record<string, unknown>, path: string): ContactPoint | null {
  const partyRole = r.oneOf('role', PARTY_ROLES, 'debtor', item, `${path}.role`);
  const verified = r.bool('verified', false, item, `${path}.verified`);
  const source = r.text('source', false, 64, item, `${path}.source`);
  if (kind === 'address') {
    const line = r.text('line', true, 300, item, `${path}.line`);
    const details: Record<string, string> = {};
    for (const f of ['city', 'region', 'postalCode', 'country'] as const) {
      const v = r.text(f, false, 100, item, `${path}.${f}`);
      if (v !== null) details[f] = v;
    }
    return line === null ? null : { kind, value: line, details, partyRole, verified, source };
  }
  const field = kind === 'phone' ? 'number' : 'address';
  const raw = r.text(field, true, 64, item, `${path}.${field}`);
  if (raw === null) return null;
  const value = kind === 'phone' ? raw.replace(/[\s-]/g, '') : raw;
  if (!(kind === 'phone' ? PHONE : EMAIL).test(value)) {
    r.fail(`${path}.${field}`, `${JSON.stringify(raw)} is not a valid ${kind === 'phone' ? 'phone number' : 'email address'}`);
    return null;
  }
  return { kind, value, details: null, partyRole, verified, source };
}

function readAccount(r: Reader): ValidRecord | null {
  const id = r.id('id');
  const customerId = r.id('customerId');
  const currency = r.text('currency', true, 3);
  const creditLimit = r.amount('creditLimit', true, false);
  const openedOn = r.date('openedOn');
  const status = r.oneOf('status', ACCOUNT_STATUSES, 'open');
  let creditLimitMinor: bigint | null = null;
  if (currency !== null) {
    if (currencyMinorDigits(currency) === null) r.fail('currency', `${JSON.stringify(currency)} is not an ISO 4217 currency code`);
    else if (creditLimit !== null) {
      const parsed = parseAmount(creditLimit, currency);
      if (parsed.ok) creditLimitMinor = parsed.value;
      else r.fail('creditLimit', parsed.message);
    }
  }
  if (id === null || customerId === null || currency === null || creditLimitMinor === null || openedOn === null) return null;
  return { type: 'account', id, customerId, currency, creditLimitMinor, openedOn, status };
}

function readStatement(r: Reader): ValidRecord | null {
  const accountId = r.id('accountId');
  const statementDate = r.date('statementDate');
  const dueDate = r.date('dueDate');
  const minimumDue = r.amount('minimumDue', true, false);
  const closingBalance = r.amount('closingBalance', true, true);
  const principal = r.amount('principal', false, true);
  const interest = r.amount('interest', false, false);
  const fees = r.amount('fees', false, false);
  if (statementDate !== null && dueDate !== null && dueDate < statementDate) {
    r.fail('dueDate', `${dueDate} is before the statement date ${statementDate}`);
  }
  if (accountId === null || statementDate === null || dueDate === null || minimumDue === null || closingBalance === null) return null;
  return { type: 'statement', accountId, statementDate, dueDate, minimumDue, closingBalance, principal, interest, fees };
}

function readPayment(r: Reader): ValidRecord | null {
  const id = r.id('id');
  const accountId = r.id('accountId');
  const postedOn = r.date('postedOn');
  const amount = r.amount('amount', true, false);
  if (amount !== null && /^0+(\.0+)?$/.test(amount)) r.fail('amount', 'must be greater than zero');
  const channel = r.text('channel', false, 32);
  if (id === null || accountId === null || postedOn === null || amount === null) return null;
  return { type: 'payment', id, accountId, postedOn, amount, channel };
}

function readDelinquency(r: Reader): ValidRecord | null {
  const accountId = r.id('accountId');
  const asOf = r.date('asOf');
  const raw = r.obj.cyclesDelinquent;
  let cyclesDelinquent: number | null = null;
  if (raw === undefined || raw === null || raw === '') r.fail('cyclesDelinquent', 'is required');
  else if (typeof raw === 'number' && Number.isInteger(raw) && raw >= -2 && raw <= 99) cyclesDelinquent = raw;
  else if (typeof raw === 'string' && /^-?\d{1,2}$/.test(raw) && Number(raw) >= -2) cyclesDelinquent = Number(raw);
  else r.fail('cyclesDelinquent', `${JSON.stringify(raw)} is not a whole number of cycles between -2 and 99`);
  const amountDue = r.amount('amountDue', false, false);
  const balance = r.amount('balance', false, true);
  if (accountId === null || asOf === null || cyclesDelinquent === null) return null;
  return { type: 'delinquency', accountId, asOf, cyclesDelinquent, amountDue, balance };
}
