/**
 * Exact money and plain dates for the desk's forms, without floats: an amount is a decimal string with
 * at most the currency's minor digits (CNY 2, JPY 0), compared as a whole number of minor units.
 */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

export type AmountProblem = 'format' | 'digits' | 'zero';

/** The amount in minor units, or why it is not one: "1,000" and "1e3" are not amounts; "0.001" CNY has too many digits. */
export function parseAmount(text: string, currency: string): { ok: true; minor: bigint; text: string } | { ok: false; problem: AmountProblem; digits: number } {
  const digits = minorDigits(currency);
  const t = text.trim();
  const m = /^(\d{1,15})(?:\.(\d+))?$/.exec(t);
  if (!m) return { ok: false, problem: 'format', digits };
  const fraction = m[2] ?? '';
  if (fraction.length > digits) return { ok: false, problem: 'digits', digits };
  const minor = BigInt(m[1]!) * 10n ** BigInt(digits) + BigInt((fraction + '0'.repeat(digits)).slice(0, digits) || '0');
  if (minor === 0n) return { ok: false, problem: 'zero', digits };
  return { ok: true, minor, text: t };
}

/** A plain date YYYY-MM-DD plus days, as YYYY-MM-DD (calendar arithmetic in UTC, no time zone). */
export function addDays(plainDate: string, days: number): string {
  const [y, m, d] = plainDate.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export function isPlainDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const at = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return at.toISOString().slice(0, 10) === text;
}
