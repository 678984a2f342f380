/** SQL of the identity module: staff users, sessions, API tokens, the access audit, account assignments. */
import type pg from 'pg';
import type { DataScope, LegalStage, Role } from './domain/roles.ts';

type Db = pg.Pool | pg.ClientBase;

export interface UserRow {
  user_id: string; username: string; role: Role; team_id: string | null; agency_id: string | null;
  password_hash: string; must_change_password: boolean; totp_secret_encrypted: Buffer | null; totp_enabled: boolean;
  totp_last_step: string | null; failed_login_count: number; locked_until: Date | null; disabled_at: Date | null;
  last_login_at: Date | null; created_at: Date;
}

const USER_COLUMNS = `user_id::text, username, role, team_id, agency_id, password_hash, must_change_password, totp_secret_encrypted,
  totp_enabled, totp_last_step::text, failed_login_count, locked_until, disabled_at, last_login_at, created_at`;

export async function findUserByName(db: Db, username: string): Promise<UserRow | null> {
  const { rows } = await db.query<UserRow>(`select ${USER_COLUMNS} from staff_users where username = $1`, [username]);
  return rows[0] ?? null;
}

export async function findUserById(db: Db, userId: string): Promise<UserRow | null> {
  const { rows } = await db.query<UserRow>(`select ${USER_COLUMNS} from staff_users where user_id = $1`, [userId]);
  return rows[0] ?? null;
}

export async function listUserRows(db: Db): Promise<UserRow[]> {
  return (await db.query<UserRow>(`select ${USER_COLUMNS} from staff_users order by username`)).rows;
}

export async function countUsers(db: Db): Promise<number> {
  return Number((await db.query<{ n: string }>('select count(*) as n from staff_users')).rows[0]!.n);
}

export async function insertUser(db: Db, u: {
  username: string; role: Role; teamId: string | null; agencyId: string | null; passwordHash: string;
  totpSecretEncrypted: Buffer | null; totpEnabled: boolean; mustChangePassword: boolean; now: Date;
}): Promise<UserRow | null> {
  const { rows } = await db.query<UserRow>(
    `insert into staff_users (username, role, team_id, agency_id, password_hash, totp_secret_encrypted, totp_enabled, must_change_password, created_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) on conflict (username) do nothing returning ${USER_COLUMNS}`,
    [u.username, u.role, u.teamId, u.agencyId, u.passwordHash, u.totpSecretEncrypted, u.totpEnabled, u.mustChangePassword, u.now],
  );
  return rows[0] ?? null;
}

export async function recordFailedLogin(db: Db, userId: string, lockedUntil: (failures: number) => Date | null, now: Date): Promise<{ failures: number; lockedUntil: Date | null }> {
  // Increment first (atomic against concurrent attempts), then set the lock the new count calls for.
  const { rows } = await db.query<{ n: number }>(
    `update staff_users set failed_login_count = failed_login_count + 1, updated_at = $2 where user_id = $1 returning failed_login_count as n`, [userId, now]);
  const failures = rows[0]!.n;
  const until = lockedUntil(failures);
  if (until) await db.query('update staff_users set locked_until = $2 where user_id = $1', [userId, until]);
  return { failures, lockedUntil: until };
}

export async function recordSuccessfulLogin(db: Db, userId: string, totpStep: number | null, now: Date): Promise<void> {
  await db.query(
    `update staff_users set failed_login_count = 0, locked_until = null, last_login_at = $2, updated_at = $2,
       totp_last_step = coalesce($3::bigint, totp_last_step) where user_id = $1`, [userId, now, totpStep]);
}

export async function updateUser(db: Db, userId: string, set: Partial<{
  passwordHash: string; mustChangePassword: boolean; disabledAt: Date | null; unlock: boolean;
  totpSecretEncrypted: Buffer | null; totpEnabled: boolean; totpLastStep: number | null;
}>, now: Date): Promise<void> {
  const assignments: string[] = ['updated_at = $2'];
  const params: unknown[] = [userId, now];
  const add = (column: string, value: unknown) => {
    params.push(value);
    assignments.push(`${column} = $${params.length}`);
  };
  if (set.passwordHash !== undefined) add('password_hash', set.passwordHash);
  if (set.mustChangePassword !== undefined) add('must_change_password', set.mustChangePassword);
  if (set.disabledAt !== undefined) add('disabled_at', set.disabledAt);
  if (set.totpSecretEncrypted !== undefined) add('totp_secret_encrypted', set.totpSecretEncrypted);
  if (set.totpEnabled !== undefined) add('totp_enabled', set.totpEnabled);
  if (set.totpLastStep !== undefined) add('totp_last_step', set.totpLastStep);
  if (set.unlock) assignments.push('failed_login_count = 0', 'locked_until = null');
  await db.query(`update staff_users set ${assignments.join(', ')} where user_id = $1`, params);
}

export interface SessionRow {
  session_hash: Buffer; user_id: string; csrf_hash: Buffer; created_at: Date; last_seen_at: Date; expires_at: Date; ended_at: Date | null;
}

export async function insertSession(db: Db, s: { sessionHash: Buffer; userId: string; csrfHash: Buffer; now: Date; expiresAt: Date; ip: string | null }): Promise<void> {
  await db.query(
    `insert into staff_sessions (session_hash, user_id, csrf_hash, created_at, last_seen_at, expires_at, ip) values ($1, $2, $3, $4, $4, $5, $6)`,
    [s.sessionHash, s.userId, s.csrfHash, s.now, s.expiresAt, s.ip],
  );
}

export async function findSession(db: Db, sessionHash: Buffer): Promise<SessionRow | null> {
  const { rows } = await db.query<SessionRow>(
    `select session_hash, user_id::text, csrf_hash, created_at, last_seen_at, expires_at, ended_at from staff_sessions where session_hash = $1`,
    [sessionHash]);
  return rows[0] ?? null;
}

export async function touchSession(db: Db, sessionHash: Buffer, now: Date): Promise<void> {
  await db.query('update staff_sessions set last_seen_at = $2 where session_hash = $1 and ended_at is null', [sessionHash, now]);
}

export async function endSession(db: Db, sessionHash: Buffer, now: Date): Promise<boolean> {
  const r = await db.query('update staff_sessions set ended_at = $2 where session_hash = $1 and ended_at is null', [sessionHash, now]);
  return (r.rowCount ?? 0) > 0;
}

export async function endUserSessions(db: Db, userId: string, now: Date, except: Buffer | null = null): Promise<number> {
  const r = await db.query(
    'update staff_sessions set ended_at = $2 where user_id = $1 and ended_at is null and ($3::bytea is null or session_hash <> $3)', [userId, now, except]);
  return r.rowCount ?? 0;
}

export interface TokenRow {
  token_id: string; name: string; secret_hash: Buffer; scopes: string[]; created_by: string; created_at: Date;
  expires_at: Date | null; revoked_at: Date | null; last_used_at: Date | null;
}
const TOKEN_COLUMNS = 'token_id::text, name, secret_hash, scopes, created_by, created_at, expires_at, revoked_at, last_used_at';

export async function insertToken(db: Db, t: { name: string; secretHash: Buffer; scopes: string[]; createdBy: string; now: Date; expiresAt: Date | null }): Promise<TokenRow> {
  const { rows } = await db.query<TokenRow>(
    `insert into api_tokens (name, secret_hash, scopes, created_by, created_at, expires_at) values ($1, $2, $3, $4, $5, $6) returning ${TOKEN_COLUMNS}`,
    [t.name, t.secretHash, t.scopes, t.createdBy, t.now, t.expiresAt]);
  return rows[0]!;
}

export async function findToken(db: Db, tokenId: string): Promise<TokenRow | null> {
  if (!/^\d{1,18}$/.test(tokenId)) return null;
  return (await db.query<TokenRow>(`select ${TOKEN_COLUMNS} from api_tokens where token_id = $1`, [tokenId])).rows[0] ?? null;
}

export async function listTokenRows(db: Db): Promise<TokenRow[]> {
  return (await db.query<TokenRow>(`select ${TOKEN_COLUMNS} from api_tokens order by token_id`)).rows;
}

export async function revokeTokenRow(db: Db, tokenId: string, now: Date): Promise<boolean> {
  const r = await db.query('update api_tokens set revoked_at = $2 where token_id = $1 and revoked_at is null', [tokenId, now]);
  return (r.rowCount ?? 0) > 0;
}

export async function touchToken(db: Db, tokenId: string, now: Date): Promise<void> {
  await db.query(`update api_tokens set last_used_at = $2 where token_id = $1 and (last_used_at is null or last_used_at < $2::timestamptz - interval '1 minute')`, [tokenId, now]);
}

export interface AccessEvent {
  occurredAt: Date;
  actorKind: 'user' | 'token' | 'operator' | 'anonymous';
  actorId: string | null;
  actorName: string;
  action: string;
  subjectKind?: string | null;
  subjectId?: string | null;
  reason?: string | null;
  details?: Record<string, unknown>;
  ip?: string | null;
}

export async function insertAccessEvent(db: Db, e: AccessEvent): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `insert into access_audit (occurred_at, actor_kind, actor_id, actor_name, action, subject_kind, subject_id, reason, details, ip)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning audit_id::text as id`,
    [e.occurredAt, e.actorKind, e.actorId, e.actorName, e.action, e.subjectKind ?? null, e.subjectId ?? null, e.reason ?? null, JSON.stringify(e.details ?? {}), e.ip ?? null]);
  return rows[0]!.id;
}

export interface AccessAuditRow {
  audit_id: string; occurred_at: Date; actor_kind: string; actor_id: string | null; actor_name: string; action: string;
  subject_kind: string | null; subject_id: string | null; reason: string | null; details: Record<string, unknown>; ip: string | null;
}

export async function listAccessEvents(db: Db, q: { limit: number; beforeId: string | null; action: string | null; subjectId: string | null }): Promise<AccessAuditRow[]> {
  const { rows } = await db.query<AccessAuditRow>(
    `select audit_id::text, occurred_at, actor_kind, actor_id, actor_name, action, subject_kind, subject_id, reason, details, ip
     from access_audit where ($1::bigint is null or audit_id < $1) and ($2::text is null or action = $2) and ($3::text is null or subject_id = $3)
     order by audit_id desc limit $4`, [q.beforeId, q.action, q.subjectId, q.limit]);
  return rows;
}

export async function upsertAssignment(db: Db, accountId: string, a: { teamId: string | null; agencyId: string | null; legalStage: LegalStage | null }, now: Date): Promise<boolean> {
  const r = await db.query(
    `insert into account_assignments (account_id, customer_id, team_id, agency_id, legal_stage, updated_at)
     select account_id, customer_id, $2, $3, $4, $5 from card_accounts where account_id = $1
     on conflict (account_id) do update set team_id = excluded.team_id, agency_id = excluded.agency_id,
       legal_stage = excluded.legal_stage, updated_at = excluded.updated_at`,
    [accountId, a.teamId, a.agencyId, a.legalStage, now]);
  return (r.rowCount ?? 0) > 0;
}

export async function findAssignment(db: Db, accountId: string): Promise<{ team_id: string | null; agency_id: string | null; legal_stage: LegalStage | null } | null> {
  return (await db.query<{ team_id: string | null; agency_id: string | null; legal_stage: LegalStage | null }>(
    'select team_id, agency_id, legal_stage from account_assignments where account_id = $1', [accountId])).rows[0] ?? null;
}

/**
 * SQL that is true for the accounts `scope` may see, on a query whose account id is `accountColumn`;
 * parameters are appended to `params`. The only place data scopes become SQL.
 */
export function scopeCondition(scope: DataScope, accountColumn: string, params: unknown[]): string {
  if (!/^[a-z_][a-z0-9_.]*$/.test(accountColumn)) throw new Error(`not a column: ${accountColumn}`);
  const assigned = (condition: string) => `exists (select 1 from account_assignments s where s.account_id = ${accountColumn} and ${condition})`;
  switch (scope.kind) {
    case 'all':
      return 'true';
    case 'team':
      params.push(scope.teamId);
      return assigned(`s.team_id = $${params.length}`);
    case 'agency':
      params.push(scope.agencyId);
      return assigned(`s.agency_id = $${params.length}`);
    case 'legal':
      return assigned('s.legal_stage is not null');
  }
}

/** Of these customers, those with no card account the scope may see (out of scope, or unknown). */
export async function customersOutOfScope(db: Db, scope: DataScope, customerIds: readonly string[]): Promise<string[]> {
  const distinct = [...new Set(customerIds)];
  if (scope.kind === 'all' || distinct.length === 0) return [];
  const params: unknown[] = [distinct];
  const { rows } = await db.query<{ customer_id: string }>(
    `select c.id as customer_id from unnest($1::text[]) as c (id)
     where not exists (select 1 from card_accounts a where a.customer_id = c.id and ${scopeCondition(scope, 'a.account_id', params)})`,
    params,
  );
  return rows.map((r) => r.customer_id);
}

const keyIdSql = (column: string) => `convert_from(substring(${column} from 3 for get_byte(${column}, 1)), 'UTF8')`;
/** SQL: true when a sealed value is not sealed the current way (format 2) under key $1. */
const staleSql = (column: string) => `(get_byte(${column}, 0) <> 2 or ${keyIdSql(column)} <> $1)`;

/** Re-encrypts TOTP secrets not sealed with the active key (all with `all`). */
export async function reencryptTotpSecrets(db: Db, activeKeyId: string, all: boolean, reseal: (sealed: Buffer) => Buffer): Promise<number> {
  const { rows } = await db.query<{ user_id: string; e: Buffer }>(
    `select user_id::text, totp_secret_encrypted as e from staff_users
     where totp_secret_encrypted is not null and ($2 or ${staleSql('totp_secret_encrypted')})`, [activeKeyId, all]);
  for (const r of rows) await db.query('update staff_users set totp_secret_encrypted = $2 where user_id = $1', [r.user_id, reseal(r.e)]);
  return rows.length;
}

export async function totpKeyUsage(db: Db): Promise<{ keyId: string; values: number }[]> {
  const { rows } = await db.query<{ key_id: string; n: string }>(
    `select ${keyIdSql('totp_secret_encrypted')} as key_id, count(*) as n from staff_users where totp_secret_encrypted is not null group by 1 order by 1`);
  return rows.map((r) => ({ keyId: r.key_id, values: Number(r.n) }));
}

/** A staff member as other modules need them (team, agency, role, whether they may work): no credentials. */
export interface StaffMember { username: string; role: Role; teamId: string | null; agencyId: string | null; disabled: boolean }

export async function findStaffMember(db: Db, username: string): Promise<StaffMember | null> {
  const { rows } = await db.query<{ username: string; role: Role; team_id: string | null; agency_id: string | null; disabled: boolean }>(
    'select username, role, team_id, agency_id, disabled_at is not null as disabled from staff_users where username = $1', [username]);
  const r = rows[0];
  return r ? { username: r.username, role: r.role, teamId: r.team_id, agencyId: r.agency_id, disabled: r.disabled } : null;
}

/** Staff members of a team (for supervisors' views and per-team reports). */
export async function teamMembers(db: Db, teamId: string): Promise<StaffMember[]> {
  const { rows } = await db.query<{ username: string; role: Role; team_id: string | null; agency_id: string | null; disabled: boolean }>(
    'select username, role, team_id, agency_id, disabled_at is not null as disabled from staff_users where team_id = $1 order by username', [teamId]);
  return rows.map((r) => ({ username: r.username, role: r.role, teamId: r.team_id, agencyId: r.agency_id, disabled: r.disabled }));
}
