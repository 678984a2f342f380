import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { currencyMinorDigits, formatAmount, parseAmount, plainDecimal, wholeUnitsToMinor } from './money.ts';

describe('parseAmount', () => {
  it.each([
    ['1234.50', 'CNY', 123450n],
    ['0', 'CNY', 0n],
    ['7', 'CNY', 700n],
    ['0.01', 'USD', 1n],
    ['500', 'JPY', 500n],
    ['1.234', 'BHD', 1234n],
    ['99999999999999999.99', 'CNY', 9999999999999999999n],
  ])('%s %s → %s', (text, currency, minor) => {
    expect(parseAmount(text, currency)).toEqual({ ok: true, value: minor });
  });

  it.each([
    ['1.234', 'CNY', 'too_many_decimals'],
    ['1.5', 'JPY', 'too_many_decimals'],
    ['-5.00', 'CNY', 'negative_amount'],
    ['1,000.00', 'CNY', 'malformed_amount'],
    ['1e3', 'CNY', 'malformed_amount'],
    ['', 'CNY', 'malformed_amount'],
    [' 1', 'CNY', 'malformed_amount'],
    ['1.', 'CNY', 'malformed_amount'],
    ['.5', 'CNY', 'malformed_amount'],
    ['NaN', 'CNY', 'malformed_amount'],
    ['1.00', 'XYZ', 'unknown_currency'],
    ['1.00', 'cny', 'unknown_currency'],
  ])('%s %s → %s', (text, currency, code) => {
    const result = parseAmount(text, currency);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.code).toBe(code);
  });

  it('accepts negatives only when asked', () => {
    expect(parseAmount('-159', 'TWD', { allowNegative: true })).toEqual({ ok: true, value: -15900n });
    expect(parseAmount('-0.00', 'TWD', { allowNegative: true })).toEqual({ ok: true, value: 0n });
  });

  it('round-trips through formatAmount for every minor amount', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.constantFrom('CNY', 'JPY', 'BHD', 'TWD'), (minor, currency) => {
        const parsed = parseAmount(formatAmount(minor, currency), currency, { allowNegative: true });
        expect(parsed).toEqual({ ok: true, value: minor });
      }),
    );
  });
});

describe('currencies', () => {
  it('knows ISO 4217 minor digits', () => {
    expect(currencyMinorDigits('CNY')).toBe(2);
    expect(currencyMinorDigits('TWD')).toBe(2);
    expect(currencyMinorDigits('JPY')).toBe(0);
    expect(currencyMinorDigits('KWD')).toBe(3);
    expect(currencyMinorDigits('ABC')).toBeNull();
    expect(wholeUnitsToMinor(10n, 'CNY')).toBe(1000n);
    expect(wholeUnitsToMinor(10n, 'JPY')).toBe(10n);
  });
  it('formats exactly', () => {
    expect(formatAmount(5n, 'CNY')).toBe('0.05');
    expect(formatAmount(-123450n, 'CNY')).toBe('-1234.50');
    expect(formatAmount(500n, 'JPY')).toBe('500');
  });
});

describe('plainDecimal', () => {
  it.each([
    ['2.00E+05', '200000'],
    ['1.00E+06', '1000000'],
    ['5E3', '5000'],
    ['1.5e-2', '0.015'],
    ['-3.25E+01', '-32.5'],
    ['0.00E+00', '0'],
    ['12345', '12345'],
    ['12.50', '12.50'],
  ])('%s → %s', (text, plain) => {
    expect(plainDecimal(text)).toBe(plain);
  });
  it.each(['abc', '1.2.3', 'E5', '1E', '', '1e999999'])('rejects %s', (text) => {
    expect(plainDecimal(text)).toBeNull();
  });
});
