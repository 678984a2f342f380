/**
 * validateFeedRecord, table by table: every field error path with its exact message, and the
 * normalised record of valid input. Expected values are written out by hand.
 */
import { describe, expect, it } from 'vitest';
import { validateFeedRecord, isTimeZone, type ValidRecord } from './feed-validation.ts';
import type { FeedRecordType } from './feed-records.ts';

const TYPES = 'one of customer, account, statement, payment, delinquency';

const CUSTOMER = { type: 'customer', id: 'C1', name: '张伟' };
const ACCOUNT = { type: 'account', id: 'A1', customerId: 'C1', currency: 'CNY', creditLimit: '50000.00', openedOn: '2021-03-01' };
const STATEMENT = { type: 'statement', accountId: 'A1', statementDate: '2026-05-05', dueDate: '2026-05-25', minimumDue: '500.00', closingBalance: '5000.00' };
const PAYMENT = { type: 'payment', id: 'P1', accountId: 'A1', postedOn: '2026-05-20', amount: '500.00' };
const DELINQUENCY = { type: 'delinquency', accountId: 'A1', asOf: '2026-05-31', cyclesDelinquent: 1 };

/** The errors of an invalid value as `field: message` lines. */
function errorsOf(value: unknown, forcedType?: FeedRecordType): string[] {
  const outcome = validateFeedRecord(value, forcedType);
  if (outcome.ok) throw new Error(`expected errors, got ${JSON.stringify(outcome.record, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`);
  return outcome.errors.map((e) => `${e.field}: ${e.message}`);
}

function recordOf(value: unknown, forcedType?: FeedRecordType): ValidRecord {
  const outcome = validateFeedRecord(value, forcedType);
  if (!outcome.ok) throw new Error(`unexpected errors: ${JSON.stringify(outcome.errors)}`);
  return outcome.record;
}

type Case = [string, unknown, string[]];

describe('validateFeedRecord: the record and its type', () => {
  it.each<Case>([
    ['null', null, ['record: must be a JSON object, got null']],
    ['an array', [CUSTOMER], ['record: must be a JSON object, got an array']],
    ['a string', 'customer', ['record: must be a JSON object, got string "customer"']],
    ['a number', 42, ['record: must be a JSON object, got number 42']],
    ['no type', { id: 'C1', name: 'X' }, [`type: is required (${TYPES})`]],
    ['an unknown type', { type: 'loan' }, [`type: unknown record type "loan" (${TYPES})`]],
    ['a type in the wrong case', { ...CUSTOMER, type: 'Customer' }, [`type: unknown record type "Customer" (${TYPES})`]],
    ['a type that is not a string', { type: 1 }, [`type: unknown record type 1 (${TYPES})`]],
    ['a null type', { type: null }, [`type: unknown record type null (${TYPES})`]],
    ['unknown fields, each reported', { ...CUSTOMER, nickname: 'Wei', Name: 'x' }, ['nickname: is not a known field', 'Name: is not a known field']],
    ['a field of another record type', { ...PAYMENT, customerId: 'C1' }, ['customerId: is not a known field']],
  ])('rejects %s', (_name, value, errors) => {
    expect(errorsOf(value)).toEqual(errors);
  });

  it('reports the type of an invalid record when it is known', () => {
    expect(validateFeedRecord({ type: 'payment' })).toMatchObject({ ok: false, type: 'payment' });
    expect(validateFeedRecord({ type: 'loan' })).toMatchObject({ ok: false, type: null });
    expect(validateFeedRecord('x')).toMatchObject({ ok: false, type: null });
  });

  it('uses a forced type (CSV files) and still accepts a matching type field', () => {
    expect(recordOf({ id: 'C1', name: 'X' }, 'customer')).toMatchObject({ type: 'customer', id: 'C1' });
    expect(recordOf({ type: 'customer', id: 'C1', name: 'X' }, 'customer')).toMatchObject({ type: 'customer' });
    expect(errorsOf({ id: 'C1', name: 'X' }, 'payment')).toEqual([
      'name: is not a known field', 'accountId: is required', 'postedOn: is required', 'amount: is required',
    ]);
  });
});

describe('validateFeedRecord: text, ids and dates', () => {
  it.each<Case>([
    ['a missing required field', { type: 'customer', id: 'C1' }, ['name: is required']],
    ['a null required field', { ...CUSTOMER, name: null }, ['name: is required']],
    ['an empty required field', { ...CUSTOMER, name: '' }, ['name: is required']],
    ['a number for text', { ...CUSTOMER, name: 5 }, ['name: must be a string, got number 5']],
    ['a boolean for text', { ...CUSTOMER, name: true }, ['name: must be a string, got boolean true']],
    ['an object for text', { ...CUSTOMER, name: { zh: 'x' } }, ['name: must be a string, got an object']],
    ['an array for text', { ...CUSTOMER, name: ['x'] }, ['name: must be a string, got an array']],
    ['text too long', { ...CUSTOMER, name: 'x'.repeat(201) }, ['name: is longer than 200 characters']],
    ['a leading space', { ...CUSTOMER, name: ' Li' }, ['name: must not have leading or trailing spaces or control characters']],
    ['a trailing space', { ...CUSTOMER, name: 'Li ' }, ['name: must not have leading or trailing spaces or control characters']],
    ['a control character', { ...CUSTOMER, name: 'Li\u0000Na' }, ['name: must not have leading or trailing spaces or control characters']],
    ['a line break', { ...CUSTOMER, name: 'Li\nNa' }, ['name: must not have leading or trailing spaces or control characters']],
    ['an id starting with a dash', { ...CUSTOMER, id: '-C1' }, ['id: "-C1" is not a valid id (letters, digits and . _ : - / only)']],
    ['an id with a space', { ...CUSTOMER, id: 'C 1' }, ['id: "C 1" is not a valid id (letters, digits and . _ : - / only)']],
    ['an id with other characters', { ...CUSTOMER, id: 'C#1' }, ['id: "C#1" is not a valid id (letters, digits and . _ : - / only)']],
    ['an id too long', { ...CUSTOMER, id: 'C'.repeat(65) }, ['id: is longer than 64 characters']],
    ['a numeric id', { ...CUSTOMER, id: 1 }, ['id: must be a string, got number 1']],
    ['an invalid reference id', { ...ACCOUNT, customerId: 'C 1' }, ['customerId: "C 1" is not a valid id (letters, digits and . _ : - / only)']],
    ['30 February', { ...STATEMENT, statementDate: '2026-02-30' }, ['statementDate: "2026-02-30" is not a real date (YYYY-MM-DD)']],
    ['29 February of a common year', { ...DELINQUENCY, asOf: '2025-02-29' }, ['asOf: "2025-02-29" is not a real date (YYYY-MM-DD)']],
    ['29 February 1900', { ...ACCOUNT, openedOn: '1900-02-29' }, ['openedOn: "1900-02-29" is not a real date (YYYY-MM-DD)']],
    ['month 13', { ...PAYMENT, postedOn: '2026-13-01' }, ['postedOn: "2026-13-01" is not a real date (YYYY-MM-DD)']],
    ['day 0', { ...PAYMENT, postedOn: '2026-01-00' }, ['postedOn: "2026-01-00" is not a real date (YYYY-MM-DD)']],
    ['a year before 1900', { ...ACCOUNT, openedOn: '1899-12-31' }, ['openedOn: "1899-12-31" is not a real date (YYYY-MM-DD)']],
    ['a year after 2999', { ...ACCOUNT, openedOn: '3000-01-01' }, ['openedOn: "3000-01-01" is not a real date (YYYY-MM-DD)']],
    ['a date without leading zeros', { ...ACCOUNT, openedOn: '2026-1-5' }, ['openedOn: "2026-1-5" is not a real date (YYYY-MM-DD)']],
    ['a date in another format', { ...ACCOUNT, openedOn: '05/01/2026' }, ['openedOn: "05/01/2026" is not a real date (YYYY-MM-DD)']],
    ['a timestamp for a date', { ...ACCOUNT, openedOn: '2026-01-05T00:00:00Z' }, ['openedOn: is longer than 10 characters']],
    ['a date as a number', { ...ACCOUNT, openedOn: 20260105 }, ['openedOn: must be a string, got number 20260105']],
    ['a missing date', { ...STATEMENT, dueDate: undefined }, ['dueDate: is required']],
  ])('rejects %s', (_name, value, errors) => {
    expect(errorsOf(value)).toEqual(errors);
  });

  it('accepts 29 February of a leap year, 2000 included, and ids with every allowed character', () => {
    expect(recordOf({ ...ACCOUNT, openedOn: '2000-02-29' })).toMatchObject({ openedOn: '2000-02-29' });
    expect(recordOf({ ...ACCOUNT, openedOn: '2024-02-29' })).toMatchObject({ openedOn: '2024-02-29' });
    expect(recordOf({ ...CUSTOMER, id: '9a.b_c:d-e/f' })).toMatchObject({ id: '9a.b_c:d-e/f' });
    expect(recordOf({ ...CUSTOMER, id: 'C'.repeat(64) })).toMatchObject({ id: 'C'.repeat(64) });
    expect(recordOf({ ...CUSTOMER, name: 'x'.repeat(200) })).toMatchObject({ name: 'x'.repeat(200) });
  });
});

describe('validateFeedRecord: amounts', () => {
  it.each<Case>([
    ['a JSON number', { ...PAYMENT, amount: 500 }, ['amount: must be a decimal string such as "1234.50", not a JSON number (500) which loses precision']],
    ['a fractional JSON number', { ...ACCOUNT, creditLimit: 1234.5 }, ['creditLimit: must be a decimal string such as "1234.50", not a JSON number (1234.5) which loses precision']],
    ['a boolean', { ...PAYMENT, amount: true }, ['amount: must be a string, got boolean true']],
    ['a comma as decimal separator', { ...PAYMENT, amount: '12,50' }, ['amount: "12,50" is not a decimal amount such as "1234.50"']],
    ['thousands separators', { ...PAYMENT, amount: '1,234.50' }, ['amount: "1,234.50" is not a decimal amount such as "1234.50"']],
    ['a currency sign', { ...PAYMENT, amount: '¥12' }, ['amount: "¥12" is not a decimal amount such as "1234.50"']],
    ['a plus sign', { ...PAYMENT, amount: '+12' }, ['amount: "+12" is not a decimal amount such as "1234.50"']],
    ['a trailing point', { ...PAYMENT, amount: '12.' }, ['amount: "12." is not a decimal amount such as "1234.50"']],
    ['a leading point', { ...PAYMENT, amount: '.5' }, ['amount: ".5" is not a decimal amount such as "1234.50"']],
    ['words', { ...PAYMENT, amount: 'ten' }, ['amount: "ten" is not a decimal amount such as "1234.50"']],
    ['NaN', { ...PAYMENT, amount: 'NaN' }, ['amount: "NaN" is not a decimal amount such as "1234.50"']],
    ['more than 6 decimals', { ...PAYMENT, amount: '1.1234567' }, ['amount: "1.1234567" is not a decimal amount such as "1234.50"']],
    ['more than 18 digits', { ...STATEMENT, closingBalance: '1234567890123456789' }, ['closingBalance: "1234567890123456789" is not a decimal amount such as "1234.50"']],
    ['15 whole digits', { ...STATEMENT, closingBalance: '-123456789012345' }, ['closingBalance: -123456789012345 is too large (at most 14 digits before the decimal point)']],
    ['15 whole digits in E notation', { ...PAYMENT, amount: '1E+14' }, ['amount: 1E+14 is too large (at most 14 digits before the decimal point)']],
    ['surrounding spaces', { ...PAYMENT, amount: ' 12' }, ['amount: must not have leading or trailing spaces or control characters']],
    ['a negative payment', { ...PAYMENT, amount: '-500.00' }, ['amount: -500.00 must not be negative']],
    ['a zero payment', { ...PAYMENT, amount: '0.00' }, ['amount: must be greater than zero']],
    ['a negative zero payment', { ...PAYMENT, amount: '-0.00' }, ['amount: must be greater than zero']],
    ['a zero payment in E notation', { ...PAYMENT, amount: '0E+5' }, ['amount: must be greater than zero']],
    ['a negative credit limit', { ...ACCOUNT, creditLimit: '-1' }, ['creditLimit: -1 must not be negative']],
    ['a negative minimum due', { ...STATEMENT, minimumDue: '-0.01' }, ['minimumDue: -0.01 must not be negative']],
    ['negative interest', { ...STATEMENT, interest: '-1' }, ['interest: -1 must not be negative']],
    ['negative fees', { ...STATEMENT, fees: '-1' }, ['fees: -1 must not be negative']],
    ['a negative amount due', { ...DELINQUENCY, amountDue: '-1' }, ['amountDue: -1 must not be negative']],
    ['a missing required amount', { ...STATEMENT, minimumDue: undefined }, ['minimumDue: is required']],
    ['an empty required amount', { ...PAYMENT, amount: '' }, ['amount: is required']],
    ['more decimals than the currency of the account', { ...ACCOUNT, creditLimit: '12.345' }, ['creditLimit: 12.345 has 3 decimals; CNY allows 2']],
    ['decimals in a currency without minor units', { ...ACCOUNT, currency: 'JPY', creditLimit: '100.0' }, ['creditLimit: 100.0 has 1 decimals; JPY allows 0']],
  ])('rejects %s', (_name, value, errors) => {
    expect(errorsOf(value)).toEqual(errors);
  });

  it('normalises amounts: E notation to plain decimals, negative zero to zero, signs where allowed', () => {
    expect(recordOf({ ...STATEMENT, minimumDue: '5.0E+2', closingBalance: '-12.3', principal: '-100', interest: '0', fees: '1.5e-1' })).toEqual({
      type: 'statement', accountId: 'A1', statementDate: '2026-05-05', dueDate: '2026-05-25',
      minimumDue: '500', closingBalance: '-12.3', principal: '-100', interest: '0', fees: '0.15',
    });
    expect(recordOf({ ...STATEMENT, minimumDue: '-0', closingBalance: '-0.00' })).toMatchObject({ minimumDue: '0', closingBalance: '0.00' });
    expect(recordOf({ ...PAYMENT, amount: '99999999999999.99' })).toMatchObject({ amount: '99999999999999.99' });
    expect(recordOf({ ...PAYMENT, amount: '000000000000000001' })).toMatchObject({ amount: '000000000000000001' });
    expect(recordOf({ ...DELINQUENCY, amountDue: '0', balance: '-5' })).toMatchObject({ amountDue: '0', balance: '-5' });
  });

  it('converts the credit limit to minor units of the currency', () => {
    expect(recordOf(ACCOUNT)).toEqual({ type: 'account', id: 'A1', customerId: 'C1', currency: 'CNY', creditLimitMinor: 5_000_000n, openedOn: '2021-03-01', status: 'open' });
    expect(recordOf({ ...ACCOUNT, currency: 'JPY', creditLimit: '300000' })).toMatchObject({ creditLimitMinor: 300_000n });
    expect(recordOf({ ...ACCOUNT, currency: 'BHD', creditLimit: '1.005' })).toMatchObject({ creditLimitMinor: 1_005n });
    expect(recordOf({ ...ACCOUNT, creditLimit: '2.00E+05' })).toMatchObject({ creditLimitMinor: 20_000_000n });
    expect(recordOf({ ...ACCOUNT, creditLimit: '-0.00' })).toMatchObject({ creditLimitMinor: 0n });
    expect(recordOf({ ...ACCOUNT, creditLimit: '99999999999999.99' })).toMatchObject({ creditLimitMinor: 9_999_999_999_999_999n });
  });
});

describe('validateFeedRecord: customer', () => {
  it.each<Case>([
    ['a national id with a dash', { ...CUSTOMER, nationalId: '110105-1949' }, ['nationalId: must be 6–32 letters or digits']],
    ['a national id too short', { ...CUSTOMER, nationalId: '12345' }, ['nationalId: must be 6–32 letters or digits']],
    ['a national id too long', { ...CUSTOMER, nationalId: '1'.repeat(33) }, ['nationalId: is longer than 32 characters']],
    // The value of a national id is never echoed into an error message.
    ['a national id as a number', { ...CUSTOMER, nationalId: 110105194912310021 }, ['nationalId: must be a string, got a number']],
    ['a national id as an array', { ...CUSTOMER, nationalId: ['110105194912310021'] }, ['nationalId: must be a string, got an array']],
    ['an unknown time zone', { ...CUSTOMER, timeZone: 'Mars/Olympus' }, ['timeZone: "Mars/Olympus" is not an IANA time zone such as Asia/Shanghai']],
    ['a time zone abbreviation', { ...CUSTOMER, timeZone: 'CST' }, ['timeZone: "CST" is not an IANA time zone such as Asia/Shanghai']],
    ['an offset for a time zone', { ...CUSTOMER, timeZone: '+08:00' }, ['timeZone: "+08:00" is not an IANA time zone such as Asia/Shanghai']],
    ['a time zone as a number', { ...CUSTOMER, timeZone: 8 }, ['timeZone: must be a string, got number 8']],
    ['an unknown language', { ...CUSTOMER, language: 'fr' }, ['language: "fr" is not one of zh-CN, en']],
    ['a language as a number', { ...CUSTOMER, language: 1 }, ['language: 1 is not one of zh-CN, en']],
    ['phones that are not an array', { ...CUSTOMER, phones: { number: '13800138000' } }, ['phones: must be an array, got an object']],
    ['emails as a string', { ...CUSTOMER, emails: 'a@b.cn' }, ['emails: must be an array, got string "a@b.cn"']],
    ['too many phones', { ...CUSTOMER, phones: Array.from({ length: 21 }, (_, i) => ({ number: `1380013${String(i).padStart(4, '0')}` })) }, ['phones: has 21 entries; at most 20 are allowed']],
    ['a phone that is not an object', { ...CUSTOMER, phones: ['13800138000'] }, ['phones[0]: must be an object, got string "13800138000"']],
    ['a phone without a number', { ...CUSTOMER, phones: [{ verified: true }] }, ['phones[0].number: is required']],
    ['a phone number with letters', { ...CUSTOMER, phones: [{ number: '1380013800O' }] }, ['phones[0].number: "1380013800O" is not a valid phone number']],
    ['a phone number too short', { ...CUSTOMER, phones: [{ number: '1234' }] }, ['phones[0].number: "1234" is not a valid phone number']],
    ['a phone number as a number', { ...CUSTOMER, phones: [{ number: 13800138000 }] }, ['phones[0].number: must be a string, got number 13800138000']],
    ['an unknown phone field', { ...CUSTOMER, phones: [{ number: '13800138000', primary: true }] }, ['phones[0].primary: is not a known field']],
    ['an unknown role', { ...CUSTOMER, phones: [{ number: '13800138000', role: 'spouse' }] }, ['phones[0].role: "spouse" is not one of debtor, guarantor, contact']],
    ['verified as a string', { ...CUSTOMER, emails: [{ address: 'a@b.cn', verified: 'true' }] }, ['emails[0].verified: must be true or false, got string "true"']],
    ['verified as a number', { ...CUSTOMER, emails: [{ address: 'a@b.cn', verified: 1 }] }, ['emails[0].verified: must be true or false, got number 1']],
    ['a source too long', { ...CUSTOMER, emails: [{ address: 'a@b.cn', source: 's'.repeat(65) }] }, ['emails[0].source: is longer than 64 characters']],
    ['an invalid email', { ...CUSTOMER, emails: [{ address: 'zhang.example.com' }] }, ['emails[0].address: "zhang.example.com" is not a valid email address']],
    ['an email too long', { ...CUSTOMER, emails: [{ address: `${'a'.repeat(60)}@b.cn` }] }, ['emails[0].address: is longer than 64 characters']],
    ['an address without a line', { ...CUSTOMER, addresses: [{ city: 'Beijing' }] }, ['addresses[0].line: is required']],
    ['an address line too long', { ...CUSTOMER, addresses: [{ line: 'x'.repeat(301) }] }, ['addresses[0].line: is longer than 300 characters']],
    ['an address city too long', { ...CUSTOMER, addresses: [{ line: '1 Road', city: 'x'.repeat(101) }] }, ['addresses[0].city: is longer than 100 characters']],
    ['an address postal code as a number', { ...CUSTOMER, addresses: [{ line: '1 Road', postalCode: 100000 }] }, ['addresses[0].postalCode: must be a string, got number 100000']],
    ['an unknown address field', { ...CUSTOMER, addresses: [{ line: '1 Road', street: 'x' }] }, ['addresses[0].street: is not a known field']],
    ['errors in the second entry', { ...CUSTOMER, phones: [{ number: '13800138000' }, { number: 'x', role: 'x' }] }, [
      'phones[1].role: "x" is not one of debtor, guarantor, contact', 'phones[1].number: "x" is not a valid phone number',
    ]],
  ])('rejects %s', (_name, value, errors) => {
    expect(errorsOf(value)).toEqual(errors);
  });

  it('reports every error of a record, in field order', () => {
    expect(errorsOf({ type: 'customer', id: ' C1', nationalId: 'x', timeZone: 'Nowhere', language: 'de', emails: [{}], extra: 1 })).toEqual([
      'extra: is not a known field',
      'id: must not have leading or trailing spaces or control characters',
      'name: is required',
      'nationalId: must be 6–32 letters or digits',
      'timeZone: "Nowhere" is not an IANA time zone such as Asia/Shanghai',
      'language: "de" is not one of zh-CN, en',
      'emails[0].address: is required',
    ]);
  });

  it('normalises a customer: defaults, phone numbers without spaces or dashes, contact points in order', () => {
    expect(recordOf({
      ...CUSTOMER, nationalId: '11010519491231002X', timeZone: 'UTC', language: 'en',
      phones: [{ number: '138-0013 8000', verified: true, source: 'application_form' }, { number: '+8613900139000', role: 'guarantor', verified: null }],
      emails: [{ address: 'zw@example.com', role: 'contact' }],
      addresses: [{ line: '1 Road', city: 'Beijing', country: 'CN', verified: true }, { line: '2 Road' }],
    })).toEqual({
      type: 'customer', id: 'C1', name: '张伟', nationalId: '11010519491231002X', timeZone: 'UTC', language: 'en',
      contacts: [
        { kind: 'phone', value: '13800138000', details: null, partyRole: 'debtor', verified: true, source: 'application_form' },
        { kind: 'phone', value: '+8613900139000', details: null, partyRole: 'guarantor', verified: false, source: null },
        { kind: 'email', value: 'zw@example.com', details: null, partyRole: 'contact', verified: false, source: null },
        { kind: 'address', value: '1 Road', details: { city: 'Beijing', country: 'CN' }, partyRole: 'debtor', verified: true, source: null },
        { kind: 'address', value: '2 Road', details: {}, partyRole: 'debtor', verified: false, source: null },
      ],
    });
    expect(recordOf(CUSTOMER)).toEqual({ type: 'customer', id: 'C1', name: '张伟', nationalId: null, contacts: [], timeZone: 'Asia/Shanghai', language: 'zh-CN' });
    // null and empty optional fields are absent.
    expect(recordOf({ ...CUSTOMER, nationalId: '', phones: null, timeZone: null, language: null })).toMatchObject({ nationalId: null, contacts: [], timeZone: 'Asia/Shanghai', language: 'zh-CN' });
    expect(recordOf({ ...CUSTOMER, phones: Array.from({ length: 20 }, () => ({ number: '13800138000' })) })).toMatchObject({ type: 'customer' });
  });

  it('knows IANA zones only', () => {
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('America/New_York')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('EST')).toBe(false);
    expect(isTimeZone('Asia/Atlantis')).toBe(false);
  });
});

describe('validateFeedRecord: account, statement, payment, delinquency', () => {
  it.each<Case>([
    ['an account without a customer', { ...ACCOUNT, customerId: undefined }, ['customerId: is required']],
    ['an account without a currency', { ...ACCOUNT, currency: undefined }, ['currency: is required']],
    ['an unknown currency', { ...ACCOUNT, currency: 'XYZ' }, ['currency: "XYZ" is not an ISO 4217 currency code']],
    ['a lower-case currency', { ...ACCOUNT, currency: 'cny' }, ['currency: "cny" is not an ISO 4217 currency code']],
    ['a currency code too long', { ...ACCOUNT, currency: 'CNYY' }, ['currency: is longer than 3 characters']],
    ['an unknown status', { ...ACCOUNT, status: 'dormant' }, ['status: "dormant" is not one of open, frozen, restricted, closed, charged_off']],
    ['an account with every field wrong', { type: 'account', id: 1, customerId: '', currency: 'X', creditLimit: 1, openedOn: 'soon', status: 0 }, [
      'id: must be a string, got number 1',
      'customerId: is required',
      'creditLimit: must be a decimal string such as "1234.50", not a JSON number (1) which loses precision',
      'openedOn: "soon" is not a real date (YYYY-MM-DD)',
      'status: 0 is not one of open, frozen, restricted, closed, charged_off',
      'currency: "X" is not an ISO 4217 currency code',
    ]],
    ['a due date before the statement date', { ...STATEMENT, dueDate: '2026-05-04' }, ['dueDate: 2026-05-04 is before the statement date 2026-05-05']],
    ['a statement without a closing balance', { ...STATEMENT, closingBalance: undefined }, ['closingBalance: is required']],
    ['a statement without its account', { ...STATEMENT, accountId: undefined }, ['accountId: is required']],
    ['a payment without an id', { ...PAYMENT, id: undefined }, ['id: is required']],
    ['a channel too long', { ...PAYMENT, channel: 'c'.repeat(33) }, ['channel: is longer than 32 characters']],
    ['a channel as a number', { ...PAYMENT, channel: 3 }, ['channel: must be a string, got number 3']],
    ['missing cycles', { ...DELINQUENCY, cyclesDelinquent: undefined }, ['cyclesDelinquent: is required']],
    ['null cycles', { ...DELINQUENCY, cyclesDelinquent: null }, ['cyclesDelinquent: is required']],
    ['empty cycles', { ...DELINQUENCY, cyclesDelinquent: '' }, ['cyclesDelinquent: is required']],
    ['fractional cycles', { ...DELINQUENCY, cyclesDelinquent: 1.5 }, ['cyclesDelinquent: 1.5 is not a whole number of cycles between -2 and 99']],
    ['100 cycles', { ...DELINQUENCY, cyclesDelinquent: 100 }, ['cyclesDelinquent: 100 is not a whole number of cycles between -2 and 99']],
    ['-3 cycles', { ...DELINQUENCY, cyclesDelinquent: -3 }, ['cyclesDelinquent: -3 is not a whole number of cycles between -2 and 99']],
    ['"-3" cycles', { ...DELINQUENCY, cyclesDelinquent: '-3' }, ['cyclesDelinquent: "-3" is not a whole number of cycles between -2 and 99']],
    ['"100" cycles', { ...DELINQUENCY, cyclesDelinquent: '100' }, ['cyclesDelinquent: "100" is not a whole number of cycles between -2 and 99']],
    ['"1.0" cycles', { ...DELINQUENCY, cyclesDelinquent: '1.0' }, ['cyclesDelinquent: "1.0" is not a whole number of cycles between -2 and 99']],
    ['cycles as a boolean', { ...DELINQUENCY, cyclesDelinquent: true }, ['cyclesDelinquent: true is not a whole number of cycles between -2 and 99']],
  ])('rejects %s', (_name, value, errors) => {
    expect(errorsOf(value)).toEqual(errors);
  });

  it('normalises the other record types', () => {
    expect(recordOf({ ...ACCOUNT, status: 'charged_off' })).toMatchObject({ status: 'charged_off' });
    expect(recordOf(STATEMENT)).toEqual({ ...STATEMENT, principal: null, interest: null, fees: null });
    expect(recordOf({ ...STATEMENT, dueDate: '2026-05-05' })).toMatchObject({ dueDate: '2026-05-05' });
    expect(recordOf(PAYMENT)).toEqual({ ...PAYMENT, channel: null });
    expect(recordOf({ ...PAYMENT, channel: 'wechat_pay' })).toMatchObject({ channel: 'wechat_pay' });
    expect(recordOf(DELINQUENCY)).toEqual({ ...DELINQUENCY, amountDue: null, balance: null });
    expect(recordOf({ ...DELINQUENCY, cyclesDelinquent: '-2' })).toMatchObject({ cyclesDelinquent: -2 });
    expect(recordOf({ ...DELINQUENCY, cyclesDelinquent: '07' })).toMatchObject({ cyclesDelinquent: 7 });
    expect(recordOf({ ...DELINQUENCY, cyclesDelinquent: 99 })).toMatchObject({ cyclesDelinquent: 99 });
  });
});
