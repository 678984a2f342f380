/** Test helpers: check lines built from a readable base, checked against the shipped packs. */
import { checkLine, parseCheckLine } from './check-line.service.ts';
import type { Verdict } from './domain/check.ts';
import type { PackSet } from './pack-loader.service.ts';

export const DEBTOR_PHONE = '13800138000';
export const DEBTOR_PHONE_2 = '13900139002';
export const CONTACT_PHONE = '13700137003';
export const DEBTOR_EMAIL = 'zhang.wei@example.com';

export function baseLine(overrides: Record<string, unknown> = {}, debtor: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'c1', at: '2026-06-30T02:00:00Z', channel: 'voice_agent', actor: 'bank', party: 'debtor', destination: DEBTOR_PHONE,
    ...overrides,
    debtor: {
      timeZone: 'Asia/Shanghai',
      destinations: [
        { value: DEBTOR_PHONE, role: 'debtor', verified: true, source: 'application_form' },
        { value: DEBTOR_PHONE_2, role: 'debtor', verified: true, source: 'bank_record' },
        { value: CONTACT_PHONE, role: 'contact', verified: true, source: 'application_form' },
        { value: DEBTOR_EMAIL, role: 'debtor', verified: true, source: 'application_form' },
        { value: '北京市朝阳区建国路1号', role: 'debtor', verified: true, source: 'application_form' },
      ],
      ...debtor,
    },
  };
}

export function attempts(n: number, template: Record<string, unknown>, atOf: (i: number) => string): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({ channel: 'voice_agent', destination: DEBTOR_PHONE, party: 'debtor', actor: 'bank', outcome: 'no_answer', ...template, at: atOf(i) }));
}

export function run(packs: PackSet, packId: string, line: Record<string, unknown>): Verdict {
  const parsed = parseCheckLine(line);
  if (!parsed.ok) throw new Error(`test line invalid: ${parsed.message}`);
  return checkLine(packs, packId, parsed.value);
}

export const codes = (v: Verdict) => v.rules.map((r) => r.code);
export const ids = (v: Verdict) => [...new Set(v.rules.map((r) => r.ruleId))];
export const until = (v: Verdict) => (v.until === null ? null : new Date(v.until).toISOString());
