/**
 * Money is bigint minor units plus an ISO 4217 currency code. Amounts in files and APIs are exact
 * decimal strings ("1234.50"); they are parsed without ever passing through a float.
 */
import currencyCodes from 'currency-codes';
import { err, ok, type Result } from './result.ts';

export type CurrencyCode = string;
export type AmountError = 'malformed_amount' | 'negative_amount' | 'too_many_decimals' | 'unknown_currency';

const digitsCache = new Map<string, number | null>();

/** ISO 4217 minor-unit digits of a currency, or null when the code is unknown or has no minor unit defined. */
export function currencyMinorDigits(code: string): number | null {
  let digits = digitsCache.get(code);
  if (digits === undefined) {
    const entry = /^[A-Z]{3}$/.test(code) ? currencyCodes.code(code) : undefined;
    digits = entry && Number.isInteger(entry.digits) ? entry.digits : null;
    digitsCache.set(code, digits);
  }
  return digits;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;
const SCIENTIFIC = /^(-?)(\d+)(?:\.(\d*))?[eE]([+-]?\d+)$/;

/**
 * Rewrites a number written in E notation ("2.00E+05") as a plain decimal string ("200000.00" → "200000")
 * exactly; plain decimals pass through unchanged. Returns null when the text is not a number.
 */
export function plainDecimal(text: string): string | null {
  if (DECIMAL.test(text)) return text;
  const m = SCIENTIFIC.exec(text);
  if (!m) return null;
  const [, sign = '', intPart = '', fracPart = '', expText = '0'] = m;
  const exponent = Number(expText);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 400) return null;
  let digits = intPart + fracPart;
  let pointAt = intPart.length + exponent; // digits before the decimal point
  if (pointAt <= 0) {
    digits = '0'.repeat(1 - pointAt) + digits;
    pointAt = 1;
  } else if (pointAt > digits.length) {
    digits = digits + '0'.repeat(pointAt - digits.length);
  }
  const whole = digits.slice(0, pointAt).replace(/^0+(?=\d)/, '');
  const frac = digits.slice(pointAt).replace(/0+$/, '');
  return sign + whole + (frac ? '.' + frac : '');
}

/**
 * Parses an exact decimal string into minor units of `currency`.
 * More decimals than the currency allows is an error, never a rounding.
 */
export function parseAmount(
  text: string,
  currency: CurrencyCode,
  options: { allowNegative?: boolean } = {},
): Result<bigint, AmountError> {
  const digits = currencyMinorDigits(currency);
  if (digits === null) return err('unknown_currency', `unknown currency ${JSON.stringify(currency)}`);
  const m = DECIMAL.exec(text);
  if (!m) return err('malformed_amount', `${JSON.stringify(text)} is not a decimal amount such as "1234.50"`);
  const [, sign, whole = '', frac = ''] = m;
  if (sign && !options.allowNegative) return err('negative_amount', `amount ${text} must not be negative`);
  if (frac.length > digits) {
    return err('too_many_decimals', `${text} has ${frac.length} decimals; ${currency} allows ${digits}`);
  }
  const minor = BigInt(whole + frac.padEnd(digits, '0'));
  return ok(sign && minor !== 0n ? -minor : minor);
}

/** Formats minor units as the exact decimal string of `currency` ("1234.50"). */
export function formatAmount(minor: bigint, currency: CurrencyCode): string {
  const digits = currencyMinorDigits(currency);
  if (digits === null) throw new Error(`unknown currency ${currency}`);
  const negative = minor < 0n;
  const text = (negative ? -minor : minor).toString().padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  const frac = digits > 0 ? '.' + text.slice(text.length - digits) : '';
  return (negative ? '-' : '') + whole + frac;
}

/** `units` whole units of `currency` in minor units (e.g. 10 CNY → 1000n). */
export function wholeUnitsToMinor(units: bigint, currency: CurrencyCode): bigint {
  const digits = currencyMinorDigits(currency);
  if (digits === null) throw new Error(`unknown currency ${currency}`);
  return units * 10n ** BigInt(digits);
}
