import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LOCKOUT, lockAfterFailure, lockedForSeconds } from './lockout.ts';
import { mayContainPii, redactPii } from './pii-redaction.ts';
import { checkPassword } from './password-policy.ts';
import { auditReason } from './audit-reason.ts';
import { PERMISSIONS, ROLES, ROLE_PERMISSIONS, dataScopeOf } from './roles.ts';

const NOW = new Date('2026-06-30T00:00:00Z');

describe('lockout', () => {
  it('locks from the 5th failure: 1, 2, 4 … minutes, at most an hour', () => {
    const seconds = (n: number) => lockedForSeconds(lockAfterFailure(n, NOW), NOW);
    expect([1, 2, 3, 4].map(seconds)).toEqual([0, 0, 0, 0]);
    expect([5, 6, 7, 8, 9, 10, 11, 12, 100].map(seconds)).toEqual([60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
    expect(() => lockAfterFailure(0, NOW)).toThrow();
  });

  it('never shortens as failures grow, and never exceeds the maximum', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10_000 }), (n) => {
      const a = lockedForSeconds(lockAfterFailure(n, NOW), NOW);
      const b = lockedForSeconds(lockAfterFailure(n + 1, NOW), NOW);
      expect(b).toBeGreaterThanOrEqual(a);
      expect(b).toBeLessThanOrEqual(LOCKOUT.lockSecondsMax);
    }));
    expect(lockedForSeconds(new Date(NOW.getTime() - 1000), NOW)).toBe(0);
  });
});

/** A resident id with a valid check digit, and mainland mobiles in the forms people write them. */
const nationalId = fc.tuple(fc.integer({ min: 110000, max: 659999 }), fc.integer({ min: 19300101, max: 20101231 }), fc.integer({ min: 0, max: 999 })).map(([area, birth, seq]) => {
  const body = `${area}${birth}${String(seq).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, d, i) => s + Number(d) * weights[i]!, 0);
  return body + '10X98765432'[sum % 11];
});
const mobile = fc.tuple(fc.constantFrom('13', '15', '17', '18', '19'), fc.integer({ min: 0, max: 999_999_999 })).map(([p, n]) => `${p}${String(n).padStart(9, '0')}`);
const written = (m: string) => fc.constantFrom(m, `+86${m}`, `+86 ${m}`, `${m.slice(0, 3)}-${m.slice(3, 7)}-${m.slice(7)}`, `${m.slice(0, 3)} ${m.slice(3, 7)} ${m.slice(7)}`);

describe('redactPii', () => {
  it('masks every national id and phone number inside any text, keeping the last four characters', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), nationalId, mobile.chain(written), fc.string({ maxLength: 40 }), (before, id, phone, after) => {
      const text = `${before} id=${id}; phone ${phone} ${after}`;
      const redacted = redactPii(text);
      expect(redacted).not.toContain(id);
      expect(redacted.replace(/[ -]/g, '')).not.toContain(phone.replace(/[ +-]/g, '').slice(-11));
      expect(redacted).toContain(id.slice(-4));
      expect(mayContainPii(redacted)).toBe(false);
    }));
  });

  it('leaves dates, amounts, ids and short numbers alone', () => {
    const text = '{"time":"2026-06-30T04:00:00.000Z","amount":"1234567.89","account":"demo-a-000001","reqId":"req-12","port":5432}';
    expect(redactPii(text)).toBe(text);
    expect(mayContainPii(text)).toBe(false);
    expect(redactPii('card 6222021234567890123')).toBe('card ***************0123');
  });
});

describe('roles', () => {
  it('every role holds only known permissions; admin holds all; the auditor changes nothing; agency users only record their contacts', () => {
    for (const role of ROLES) for (const p of ROLE_PERMISSIONS[role]) expect(PERMISSIONS).toContain(p);
    expect([...ROLE_PERMISSIONS.admin].sort()).toEqual([...PERMISSIONS].sort());
    // Reads only: nothing the auditor holds writes anything.
    expect(ROLE_PERMISSIONS.auditor).toEqual(['accounts:read', 'audit:read', 'templates:read', 'messages:read', 'reports:read']);
    // Caps count contacts across the bank and its agencies, so agencies record theirs in the same ledger
    // (and send the platform's messages, which the dispatcher records there too).
    // They work their placed accounts through the same desk (queue, verified contacts, outcomes into that
    // ledger, proposals within a collector's authority).
    expect(ROLE_PERMISSIONS.agency_user).toEqual(['accounts:read', 'compliance:check', 'compliance:record', 'templates:read', 'messages:read', 'messages:send', 'worklist:work', 'arrangements:propose']);
    // Publishing templates and answering as a provider are not front-line work.
    for (const role of ['agency_user', 'collector', 'supervisor', 'strategy_manager'] as const) {
      expect(ROLE_PERMISSIONS[role]).not.toContain('templates:publish');
      expect(ROLE_PERMISSIONS[role]).not.toContain('messages:callback');
    }
    for (const role of ['agency_user', 'collector'] as const) {
      expect(ROLE_PERMISSIONS[role]).not.toContain('accounts:export');
      expect(ROLE_PERMISSIONS[role]).not.toContain('pii:unmask');
      expect(ROLE_PERMISSIONS[role]).not.toContain('compliance:clear');
      // Money and approvals are not front-line work; hardship evidence is read by those who assess it.
      for (const p of ['payments:post', 'payments:reverse', 'approvals:decide', 'evidence:read', 'worklist:supervise'] as const) expect(ROLE_PERMISSIONS[role]).not.toContain(p);
    }
  });

  it('data scopes follow the role, team and agency', () => {
    expect(dataScopeOf({ role: 'collector', teamId: 't1', agencyId: null })).toEqual({ kind: 'team', teamId: 't1' });
    expect(dataScopeOf({ role: 'supervisor', teamId: 't1', agencyId: null })).toEqual({ kind: 'team', teamId: 't1' });
    expect(dataScopeOf({ role: 'supervisor', teamId: null, agencyId: null })).toEqual({ kind: 'all' });
    expect(dataScopeOf({ role: 'agency_user', teamId: null, agencyId: 'ag' })).toEqual({ kind: 'agency', agencyId: 'ag' });
    expect(dataScopeOf({ role: 'legal', teamId: null, agencyId: null })).toEqual({ kind: 'legal' });
    for (const role of ['admin', 'strategy_manager', 'compliance_officer', 'auditor'] as const) expect(dataScopeOf({ role, teamId: null, agencyId: null })).toEqual({ kind: 'all' });
  });
});

describe('passwords and reasons', () => {
  it('a password has 12–256 characters, 4 distinct, and not the username', () => {
    expect(checkPassword('correct horse battery', 'ann').ok).toBe(true);
    expect(checkPassword('short', 'ann')).toMatchObject({ ok: false, code: 'weak_password' });
    expect(checkPassword('aaaaaaaaaaaaaaaa', 'ann').ok).toBe(false);
    expect(checkPassword('my name is annabelle!', 'annabelle').ok).toBe(false);
    expect(checkPassword('x'.repeat(100) + 'abcd'.repeat(50), 'ann').ok).toBe(false);
  });

  it('a reason is required, and any phone or id in it is redacted before it is stored', () => {
    expect(auditReason('  ').ok).toBe(false);
    expect(auditReason(undefined).ok).toBe(false);
    expect(auditReason('complaint from 13812345678')).toEqual({ ok: true, value: 'complaint from *******5678' });
  });
});
