/** Reading encrypted PII back in tests: phones are sealed at rest; these helpers open them and check the seal. */
import { expect } from 'vitest';
import type { Runtime } from '../../src/runtime.ts';
import { maskPhone } from '../../src/modules/portfolio/index.ts';

/**
 * Runs a `select … value … from contact_points …` and returns its rows with each phone's clear number in
 * `value`, after checking that the stored phone row holds no clear text, and that its blind index and
 * masked form match the number.
 */
export async function clearContactPoints(rt: Runtime, sql: string): Promise<Record<string, unknown>[]> {
  const withSeal = sql.replace(/\bvalue\b/, 'value, kind as seal_kind, value_encrypted as seal_e, value_hmac as seal_h, value_masked as seal_m');
  const { rows } = await rt.pool.query(withSeal);
  return rows.map((row) => {
    const { seal_kind: kind, seal_e: e, seal_h: h, seal_m: m, ...rest } = row;
    if (kind === 'phone') {
      expect(rest.value, 'a phone is never stored in clear').toBeNull();
      const number = rt.cipher.decrypt(e);
      expect((h as Buffer).equals(rt.cipher.hmac(number))).toBe(true);
      expect(m).toBe(maskPhone(number));
      return { ...rest, value: number };
    }
    expect(e).toBeNull();
    return rest;
  });
}
