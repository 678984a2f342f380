/**
 * Use cases of identity and access: staff users, login (password, TOTP, lockout), sessions, API
 * tokens, assignments, and the access audit every one of them writes.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { err, ok, type Result } from '../../kernel/result.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { PiiCipher } from '../portfolio/index.ts';
import { inTransaction } from '../../db/index.ts';
import {
  LEGAL_STAGES, ROLE_PERMISSIONS, TEAM_OR_AGENCY_ID, USERNAME, dataScopeOf, isPermission, isRole,
  type LegalStage, type Permission, type Role,
} from './domain/roles.ts';
import { lockAfterFailure, lockedForSeconds } from './domain/lockout.ts';
import { checkPassword } from './domain/password-policy.ts';
import { mayContainPii, redactPii } from './domain/pii-redaction.ts';
import { userPrincipal, type Principal } from './domain/principal.ts';
import { hashPassword, verifyNothing, verifyPassword } from './password-hasher.ts';
import { newTotpSecret, totpStep, totpUri } from './totp.ts';
import * as repo from './identity.repository.ts';

export interface IdentityDeps {
  pool: pg.Pool;
  cipher: PiiCipher;
  clock: Clock;
  config: { sessionIdleMinutes: number; sessionMaxHours: number };
}

export interface UserView {
  id: string; username: string; role: Role; teamId: string | null; agencyId: string | null;
  totpEnabled: boolean; mustChangePassword: boolean; disabled: boolean; lockedUntil: string | null; lastLoginAt: string | null; createdAt: string;
}

function userView(u: repo.UserRow, now: Date): UserView {
  return {
    id: u.user_id, username: u.username, role: u.role, teamId: u.team_id, agencyId: u.agency_id, totpEnabled: u.totp_enabled,
    mustChangePassword: u.must_change_password, disabled: u.disabled_at !== null,
    lockedUntil: u.locked_until && u.locked_until > now ? u.locked_until.toISOString() : null,
    lastLoginAt: u.last_login_at?.toISOString() ?? null, createdAt: u.created_at.toISOString(),
  };
}

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest();
const randomToken = () => randomBytes(32).toString('base64url');

/** Writes one access-audit row for `actor` (or an anonymous caller). */
export async function recordAccess(db: pg.Pool | pg.ClientBase, actor: Principal | null, now: Date, event: {
  action: string; subjectKind?: string; subjectId?: string; reason?: string | null; details?: Record<string, unknown>; ip?: string | null; anonymousName?: string;
}): Promise<string> {
  return repo.insertAccessEvent(db, {
    occurredAt: now, actorKind: actor ? actor.kind : 'anonymous', actorId: actor?.id ?? null,
    actorName: actor?.name ?? event.anonymousName ?? '(anonymous)', action: event.action,
    subjectKind: event.subjectKind ?? null, subjectId: event.subjectId ?? null,
    reason: event.reason ?? null, details: event.details ?? {}, ip: event.ip ?? null,
  });
}

export type UserCode = 'invalid_user' | 'username_taken' | 'weak_password';

export interface NewUser { username: string; role: string; teamId?: string | null; agencyId?: string | null; password: string }

/**
 * Creates a staff user. An admin always gets a TOTP secret (a second factor is required for admins):
 * it is returned once, as an otpauth:// URI for an authenticator app.
 */
export async function createUser(deps: IdentityDeps, actor: Principal, input: NewUser): Promise<Result<{ user: UserView; totp: { secret: string; uri: string } | null }, UserCode>> {
  const username = input.username.trim().toLowerCase();
  if (!USERNAME.test(username)) return err('invalid_user', 'username: 3–64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit', { field: 'username' });
  if (mayContainPii(username)) return err('invalid_user', 'username: must not be a phone number, national id or other long number', { field: 'username' });
  if (!isRole(input.role)) return err('invalid_user', `role: ${JSON.stringify(input.role)} is not one of ${Object.keys(ROLE_PERMISSIONS).join(', ')}`, { field: 'role' });
  const role = input.role;
  const teamId = input.teamId ?? null;
  const agencyId = input.agencyId ?? null;
  for (const [field, value] of [['team', teamId], ['agency', agencyId]] as const) {
    if (value !== null && !TEAM_OR_AGENCY_ID.test(value)) return err('invalid_user', `${field}: lower-case letters, digits, "_" or "-" (up to 64)`, { field });
  }
  if (role === 'agency_user' && agencyId === null) return err('invalid_user', 'an agency_user needs an agency', { field: 'agency' });
  if (role !== 'agency_user' && agencyId !== null) return err('invalid_user', 'only an agency_user belongs to an agency', { field: 'agency' });
  if (role === 'collector' && teamId === null) return err('invalid_user', 'a collector needs a team', { field: 'team' });
  const password = checkPassword(input.password, username);
  if (!password.ok) return password;
  const now = deps.clock.now();
  const secret = role === 'admin' ? newTotpSecret() : null;
  const row = await inTransaction(deps.pool, async (client) => {
    const inserted = await repo.insertUser(client, {
      username, role, teamId, agencyId, passwordHash: await hashPassword(input.password),
      totpSecretEncrypted: secret === null ? null : deps.cipher.encrypt(secret), totpEnabled: secret !== null, mustChangePassword: false, now,
    });
    if (inserted) await recordAccess(client, actor, now, { action: 'user_created', subjectKind: 'user', subjectId: username, details: { role, teamId, agencyId } });
    return inserted;
  });
  if (!row) return err('username_taken', `a user named ${username} exists already`, { field: 'username' });
  return ok({ user: userView(row, now), totp: secret === null ? null : { secret, uri: totpUri(secret, username) } });
}

export async function listUsers(deps: IdentityDeps): Promise<UserView[]> {
  const now = deps.clock.now();
  return (await repo.listUserRows(deps.pool)).map((u) => userView(u, now));
}

/** Disables a user and ends their sessions; they can no longer log in. */
export async function disableUser(deps: IdentityDeps, actor: Principal, username: string): Promise<Result<UserView, 'user_not_found' | 'cannot_disable_self'>> {
  const now = deps.clock.now();
  const user = await repo.findUserByName(deps.pool, username.trim().toLowerCase());
  if (!user) return err('user_not_found', `no user ${JSON.stringify(username)}`);
  if (actor.kind === 'user' && actor.id === user.user_id) return err('cannot_disable_self', 'you cannot disable your own account');
  await inTransaction(deps.pool, async (client) => {
    if (user.disabled_at === null) await repo.updateUser(client, user.user_id, { disabledAt: now }, now);
    const ended = await repo.endUserSessions(client, user.user_id, now);
    await recordAccess(client, actor, now, { action: 'user_disabled', subjectKind: 'user', subjectId: user.username, details: { sessionsEnded: ended } });
  });
  return ok(userView({ ...user, disabled_at: user.disabled_at ?? now }, now));
}

/**
 * An admin's password reset: a random temporary password (returned once), the lock lifted, every
 * session ended; the user must choose a new password at the next login.
 */
export async function resetPassword(deps: IdentityDeps, actor: Principal, username: string): Promise<Result<{ username: string; temporaryPassword: string }, 'user_not_found'>> {
  const now = deps.clock.now();
  const user = await repo.findUserByName(deps.pool, username.trim().toLowerCase());
  if (!user) return err('user_not_found', `no user ${JSON.stringify(username)}`);
  const temporaryPassword = randomBytes(12).toString('base64url');
  const passwordHash = await hashPassword(temporaryPassword);
  await inTransaction(deps.pool, async (client) => {
    await repo.updateUser(client, user.user_id, { passwordHash, mustChangePassword: true, unlock: true }, now);
    const ended = await repo.endUserSessions(client, user.user_id, now);
    await recordAccess(client, actor, now, { action: 'password_reset', subjectKind: 'user', subjectId: user.username, details: { sessionsEnded: ended } });
  });
  return ok({ username: user.username, temporaryPassword });
}

export type LoginCode = 'invalid_credentials' | 'account_locked' | 'totp_required';

export interface LoginSuccess {
  sessionToken: string; csrfToken: string; expiresAt: Date; user: UserView; passwordChangeRequired: boolean;
}

/**
 * Password (argon2id), then TOTP when enabled; failures count towards the lockout, and every outcome
 * is audited. An unknown or disabled user answers like a wrong password, as slowly.
 */
export async function login(deps: IdentityDeps, input: { username: string; password: string; totp?: string | undefined; ip: string | null }): Promise<Result<LoginSuccess, LoginCode>> {
  const now = deps.clock.now();
  const username = input.username.trim().toLowerCase();
  // What the audit keeps of a username that failed: never a phone number or national id typed in by mistake.
  const shownName = redactPii(username.slice(0, 64));
  const user = USERNAME.test(username) ? await repo.findUserByName(deps.pool, username) : null;
  const invalid = () => err('invalid_credentials' as const, 'the username, password or one-time code is wrong');
  if (!user || user.disabled_at !== null) {
    await verifyNothing(input.password);
    await recordAccess(deps.pool, null, now, { action: 'login_failed', subjectKind: 'user', subjectId: shownName, anonymousName: shownName, ip: input.ip, details: { why: user ? 'disabled' : 'unknown_user' } });
    return invalid();
  }
  const actor = userPrincipal({ userId: user.user_id, username: user.username, role: user.role, teamId: user.team_id, agencyId: user.agency_id, mustChangePassword: false }, { kind: 'all' });
  const retryAfter = lockedForSeconds(user.locked_until, now);
  if (retryAfter > 0) {
    await recordAccess(deps.pool, actor, now, { action: 'login_refused_locked', subjectKind: 'user', subjectId: user.username, ip: input.ip, details: { retryAfterSeconds: retryAfter } });
    return err('account_locked', `too many failed logins: try again in ${retryAfter} seconds`, { retryAfterSeconds: retryAfter });
  }
  const fail = async (why: string) => {
    const { failures, lockedUntil } = await repo.recordFailedLogin(deps.pool, user.user_id, (n) => lockAfterFailure(n, now), now);
    await recordAccess(deps.pool, actor, now, { action: 'login_failed', subjectKind: 'user', subjectId: user.username, ip: input.ip, details: { why, failures, lockedUntil: lockedUntil?.toISOString() ?? null } });
    return invalid();
  };
  if (!(await verifyPassword(user.password_hash, input.password))) return fail('wrong_password');
  let step: number | null = null;
  if (user.totp_enabled) {
    if (input.totp === undefined || input.totp === '') return err('totp_required', 'this account needs its one-time code (totp)');
    const secret = deps.cipher.decrypt(user.totp_secret_encrypted!);
    step = totpStep(secret, user.username, input.totp, now);
    if (step === null) return fail('wrong_totp');
    if (user.totp_last_step !== null && step <= Number(user.totp_last_step)) return fail('totp_replayed');
  }
  const sessionToken = randomToken();
  const csrfToken = randomToken();
  const expiresAt = new Date(now.getTime() + deps.config.sessionMaxHours * 3_600_000);
  await inTransaction(deps.pool, async (client) => {
    await repo.recordSuccessfulLogin(client, user.user_id, step, now);
    await repo.insertSession(client, { sessionHash: sha256(sessionToken), userId: user.user_id, csrfHash: sha256(csrfToken), now, expiresAt, ip: input.ip });
    await recordAccess(client, actor, now, { action: 'login_succeeded', subjectKind: 'user', subjectId: user.username, ip: input.ip, details: { totp: user.totp_enabled } });
  });
  return ok({ sessionToken, csrfToken, expiresAt, user: userView({ ...user, failed_login_count: 0, locked_until: null, last_login_at: now }, now), passwordChangeRequired: user.must_change_password });
}

export interface ResolvedSession { principal: Principal; sessionHash: Buffer; csrfHash: Buffer }

/** The principal behind a session cookie, or null when the session is unknown, ended, idle too long or expired. */
export async function resolveSession(deps: IdentityDeps, sessionToken: string): Promise<ResolvedSession | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(sessionToken)) return null;
  const now = deps.clock.now();
  const sessionHash = sha256(sessionToken);
  const session = await repo.findSession(deps.pool, sessionHash);
  if (!session || session.ended_at !== null || session.expires_at <= now) return null;
  if (now.getTime() - session.last_seen_at.getTime() > deps.config.sessionIdleMinutes * 60_000) return null;
  const user = await repo.findUserById(deps.pool, session.user_id);
  if (!user || user.disabled_at !== null) return null;
  if (now.getTime() - session.last_seen_at.getTime() > 60_000) await repo.touchSession(deps.pool, sessionHash, now);
  const principal = userPrincipal(
    { userId: user.user_id, username: user.username, role: user.role, teamId: user.team_id, agencyId: user.agency_id, mustChangePassword: user.must_change_password },
    dataScopeOf({ role: user.role, teamId: user.team_id, agencyId: user.agency_id }),
  );
  return { principal, sessionHash, csrfHash: session.csrf_hash };
}

/** True when `csrfToken` is the session's (compared in constant time). */
export function csrfTokenMatches(session: ResolvedSession, csrfToken: string): boolean {
  return timingSafeEqual(sha256(csrfToken), session.csrfHash);
}

export async function logout(deps: IdentityDeps, session: ResolvedSession, ip: string | null): Promise<void> {
  const now = deps.clock.now();
  await inTransaction(deps.pool, async (client) => {
    if (await repo.endSession(client, session.sessionHash, now)) {
      await recordAccess(client, session.principal, now, { action: 'logout', subjectKind: 'user', subjectId: session.principal.name, ip });
    }
  });
}

/** A user changes their own password (required after an admin's reset); other sessions end. */
export async function changePassword(deps: IdentityDeps, session: ResolvedSession, current: string, next: string): Promise<Result<null, 'invalid_credentials' | 'weak_password'>> {
  const now = deps.clock.now();
  const user = await repo.findUserById(deps.pool, session.principal.id);
  if (!user || !(await verifyPassword(user.password_hash, current))) return err('invalid_credentials', 'the current password is wrong');
  const checked = checkPassword(next, user.username);
  if (!checked.ok) return checked;
  if (next === current) return err('weak_password', 'the new password must differ from the current one');
  const passwordHash = await hashPassword(next);
  await inTransaction(deps.pool, async (client) => {
    await repo.updateUser(client, user.user_id, { passwordHash, mustChangePassword: false }, now);
    const ended = await repo.endUserSessions(client, user.user_id, now, session.sessionHash);
    await recordAccess(client, session.principal, now, { action: 'password_changed', subjectKind: 'user', subjectId: user.username, details: { otherSessionsEnded: ended } });
  });
  return ok(null);
}

/** Starts TOTP enrolment: a new secret, stored sealed and not yet enabled; returned once. */
export async function enrollTotp(deps: IdentityDeps, principal: Principal): Promise<Result<{ secret: string; uri: string }, 'totp_already_enabled'>> {
  const now = deps.clock.now();
  const user = await repo.findUserById(deps.pool, principal.id);
  if (!user) throw new Error(`the session's user ${principal.id} is gone`);
  if (user.totp_enabled) return err('totp_already_enabled', 'this account already has a second factor; an admin can reset it');
  const secret = newTotpSecret();
  await repo.updateUser(deps.pool, user.user_id, { totpSecretEncrypted: deps.cipher.encrypt(secret), totpEnabled: false }, now);
  return ok({ secret, uri: totpUri(secret, user.username) });
}

/** Enables TOTP once the user proves their app shows the enrolled secret's codes. */
export async function confirmTotp(deps: IdentityDeps, principal: Principal, code: string): Promise<Result<null, 'totp_not_enrolled' | 'invalid_totp'>> {
  const now = deps.clock.now();
  const user = await repo.findUserById(deps.pool, principal.id);
  if (!user?.totp_secret_encrypted || user.totp_enabled) return err('totp_not_enrolled', 'start with POST /auth/totp/enroll');
  const step = totpStep(deps.cipher.decrypt(user.totp_secret_encrypted), user.username, code, now);
  if (step === null) return err('invalid_totp', 'the one-time code is wrong');
  await inTransaction(deps.pool, async (client) => {
    await repo.updateUser(client, user.user_id, { totpEnabled: true, totpLastStep: step }, now);
    await recordAccess(client, principal, now, { action: 'totp_enabled', subjectKind: 'user', subjectId: user.username });
  });
  return ok(null);
}

export interface TokenView { id: string; name: string; scopes: string[]; createdBy: string; createdAt: string; expiresAt: string | null; revoked: boolean; lastUsedAt: string | null }

const tokenView = (t: repo.TokenRow): TokenView => ({
  id: t.token_id, name: t.name, scopes: t.scopes, createdBy: t.created_by, createdAt: t.created_at.toISOString(),
  expiresAt: t.expires_at?.toISOString() ?? null, revoked: t.revoked_at !== null, lastUsedAt: t.last_used_at?.toISOString() ?? null,
});

/** An API token for a machine client, with scopes (permissions); the secret is shown once. */
export async function createToken(deps: IdentityDeps, actor: Principal, input: { name: string; scopes: string[]; expiresInDays?: number | null }): Promise<Result<{ token: string; view: TokenView }, 'invalid_token_request'>> {
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/.test(input.name)) return err('invalid_token_request', 'name: 1–64 letters, digits, spaces, ".", "_" or "-"', { field: 'name' });
  const scopes = [...new Set(input.scopes)];
  const unknown = scopes.filter((s) => !isPermission(s));
  if (scopes.length === 0 || unknown.length > 0) return err('invalid_token_request', `scopes: ${unknown.length ? `${unknown.join(', ')} not known; ` : ''}name one or more of ${Object.values(ROLE_PERMISSIONS.admin).join(', ')}`, { field: 'scopes' });
  const beyond = scopes.filter((s) => !actor.permissions.has(s as Permission));
  if (beyond.length > 0) return err('invalid_token_request', `scopes: you cannot grant what you do not hold (${beyond.join(', ')})`, { field: 'scopes' });
  const days = input.expiresInDays ?? null;
  if (days !== null && (!Number.isInteger(days) || days < 1 || days > 3650)) return err('invalid_token_request', 'expiresInDays: 1–3650', { field: 'expiresInDays' });
  const now = deps.clock.now();
  const secret = randomToken();
  const row = await inTransaction(deps.pool, async (client) => {
    const inserted = await repo.insertToken(client, { name: input.name, secretHash: sha256(secret), scopes, createdBy: actor.name, now, expiresAt: days === null ? null : new Date(now.getTime() + days * 86_400_000) });
    await recordAccess(client, actor, now, { action: 'token_created', subjectKind: 'token', subjectId: inserted.token_id, details: { name: input.name, scopes } });
    return inserted;
  });
  return ok({ token: `rct_${row.token_id}_${secret}`, view: tokenView(row) });
}

export async function listTokens(deps: IdentityDeps): Promise<TokenView[]> {
  return (await repo.listTokenRows(deps.pool)).map(tokenView);
}

export async function revokeToken(deps: IdentityDeps, actor: Principal, tokenId: string): Promise<Result<null, 'token_not_found'>> {
  const now = deps.clock.now();
  const found = await repo.findToken(deps.pool, tokenId);
  if (!found) return err('token_not_found', `no API token ${JSON.stringify(tokenId)}`);
  await inTransaction(deps.pool, async (client) => {
    if (await repo.revokeTokenRow(client, tokenId, now)) await recordAccess(client, actor, now, { action: 'token_revoked', subjectKind: 'token', subjectId: tokenId });
  });
  return ok(null);
}

/** The principal behind `Authorization: Bearer rct_<id>_<secret>`, or null. Tokens see every account. */
export async function resolveToken(deps: IdentityDeps, bearer: string): Promise<Principal | null> {
  const match = /^rct_(\d{1,18})_([A-Za-z0-9_-]{43})$/.exec(bearer);
  if (!match) return null;
  const now = deps.clock.now();
  const token = await repo.findToken(deps.pool, match[1]!);
  if (!token || token.revoked_at !== null || (token.expires_at !== null && token.expires_at <= now)) return null;
  if (!timingSafeEqual(sha256(match[2]!), token.secret_hash)) return null;
  await repo.touchToken(deps.pool, token.token_id, now);
  return {
    kind: 'token', id: token.token_id, name: token.name, role: null,
    permissions: new Set(token.scopes.filter(isPermission)), scope: { kind: 'all' }, restricted: null,
  };
}

export interface AssignmentInput { teamId: string | null; agencyId: string | null; legalStage: string | null }

/** Sets an account's team, agency placement and legal stage (null clears each). */
export async function assignAccount(deps: IdentityDeps, actor: Principal, accountId: string, input: AssignmentInput): Promise<Result<{ accountId: string; teamId: string | null; agencyId: string | null; legalStage: LegalStage | null }, 'account_not_found' | 'invalid_request'>> {
  for (const [field, value] of [['teamId', input.teamId], ['agencyId', input.agencyId]] as const) {
    if (value !== null && !TEAM_OR_AGENCY_ID.test(value)) return err('invalid_request', `${field}: lower-case letters, digits, "_" or "-" (up to 64)`, { field });
  }
  if (input.legalStage !== null && !(LEGAL_STAGES as readonly string[]).includes(input.legalStage)) {
    return err('invalid_request', `legalStage: one of ${LEGAL_STAGES.join(', ')}`, { field: 'legalStage' });
  }
  const now = deps.clock.now();
  const value = { teamId: input.teamId, agencyId: input.agencyId, legalStage: input.legalStage as LegalStage | null };
  const done = await inTransaction(deps.pool, async (client) => {
    const before = await repo.findAssignment(client, accountId);
    if (!(await repo.upsertAssignment(client, accountId, value, now))) return false;
    await recordAccess(client, actor, now, {
      action: 'assignment_changed', subjectKind: 'account', subjectId: accountId,
      details: { before: before && { teamId: before.team_id, agencyId: before.agency_id, legalStage: before.legal_stage }, after: value },
    });
    return true;
  });
  if (!done) return err('account_not_found', `no account ${JSON.stringify(accountId)}`);
  return ok({ accountId, ...value });
}

export interface AccessAuditEntry {
  id: string; occurredAt: string; actor: { kind: string; id: string | null; name: string }; action: string;
  subject: { kind: string; id: string | null } | null; reason: string | null; details: Record<string, unknown>; ip: string | null;
}

export async function listAccessAudit(deps: IdentityDeps, q: { limit: number; before?: string | undefined; action?: string | undefined; subjectId?: string | undefined }): Promise<{ entries: AccessAuditEntry[]; nextBefore: string | null }> {
  const rows = await repo.listAccessEvents(deps.pool, { limit: q.limit + 1, beforeId: q.before ?? null, action: q.action ?? null, subjectId: q.subjectId ?? null });
  const page = rows.slice(0, q.limit);
  return {
    entries: page.map((r) => ({
      id: r.audit_id, occurredAt: r.occurred_at.toISOString(), actor: { kind: r.actor_kind, id: r.actor_id, name: r.actor_name }, action: r.action,
      subject: r.subject_kind ? { kind: r.subject_kind, id: r.subject_id } : null, reason: r.reason, details: r.details, ip: r.ip,
    })),
    nextBefore: rows.length > q.limit ? page.at(-1)!.audit_id : null,
  };
}

export const countUsers = (deps: IdentityDeps) => repo.countUsers(deps.pool);
