/**
 * Authentication end to end on a real database: the session cookie's flags, logout, CSRF for cookie
 * sessions, lockout with backoff, TOTP (required for admins, enrolment, no replay), an admin's
 * password reset and the forced change, disabled users, API tokens and their scopes, session expiry,
 * rate limits, and the `recourse users` commands reading the password from standard input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestRuntime } from '../support/database.ts';
import { runCli } from '../support/cli.ts';
import { TEST_PASSWORD, bearer, createApiToken, createStaffUser, injectAs, logIn, sessionFor } from '../support/auth.ts';
import { buildServer } from '../../src/server.ts';
import { LOCKOUT, totpCode } from '../../src/modules/identity/index.ts';
import type { Runtime } from '../../src/runtime.ts';

let now = new Date('2026-06-30T04:00:00Z');
const clock = { now: () => new Date(now.getTime()) };
const advance = (seconds: number) => void (now = new Date(now.getTime() + seconds * 1000));

let rt: Runtime;
let app: FastifyInstance;
/** A fresh admin session (the clock moves in these tests, so older sessions expire). */
const asAdmin = async () => injectAs(app, await sessionFor(app, rt, { role: 'admin' }));

const login = (payload: Record<string, unknown>) => app.inject({ method: 'POST', url: '/auth/login', payload });
const audit = async (action: string, subject: string) =>
  (await rt.pool.query(`select actor_name, details, ip from access_audit where action = $1 and subject_id = $2 order by audit_id`, [action, subject])).rows;

beforeAll(async () => {
  rt = await createTestRuntime({ clock });
  expect((await runCli(rt, ['demo', '--accounts', '5', '--seed', '1', '--as-of', '2026-06-30'])).code).toBe(0);
  app = await buildServer(rt);
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

describe('login and sessions', () => {
  it('sets an httpOnly, Secure, SameSite=Strict session cookie, answers /auth/me, and logout ends the session', async () => {
    const user = await createStaffUser(rt, { role: 'compliance_officer', username: 'olivia' });
    const r = await login({ username: 'Olivia', password: user.password });
    expect(r.statusCode, r.body).toBe(200);
    const cookie = String(r.headers['set-cookie']);
    expect(cookie).toMatch(/^recourse_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/; SameSite=Strict/i);
    expect(cookie).toMatch(/; Path=\//);
    const body = r.json();
    expect(body).toMatchObject({ user: { username: 'olivia', role: 'compliance_officer' }, csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), passwordChangeRequired: false });
    expect(r.body).not.toContain(cookie.split(';')[0]!.split('=')[1]!); // the session token is only in the cookie

    const session = { headers: { cookie: cookie.split(';')[0]!, 'x-csrf-token': body.csrfToken }, csrfToken: body.csrfToken, cookie };
    const me = await injectAs(app, session)('/auth/me');
    expect(me.json()).toMatchObject({ kind: 'user', name: 'olivia', role: 'compliance_officer', scope: { kind: 'all' }, permissions: expect.arrayContaining(['pii:unmask', 'audit:read']) });
    expect(me.json().permissions).not.toContain('users:manage');
    // Only hashes are stored.
    const stored = (await rt.pool.query(`select session_hash, csrf_hash from staff_sessions order by created_at desc limit 1`)).rows[0];
    expect(stored.session_hash.toString('base64url')).not.toBe(cookie.split(';')[0]!.split('=')[1]);

    const out = await injectAs(app, session)({ method: 'POST', url: '/auth/logout' });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/recourse_session=;/);
    expect((await injectAs(app, session)('/auth/me')).statusCode).toBe(401);
    expect(await audit('logout', 'olivia')).toHaveLength(1);
    expect((await audit('login_succeeded', 'olivia'))[0]).toMatchObject({ actor_name: 'olivia', ip: '127.0.0.1' });
  });

  it('refuses a wrong password, an unknown user and a disabled user alike, and audits each', async () => {
    const user = await createStaffUser(rt, { role: 'auditor', username: 'alice' });
    for (const payload of [{ username: 'alice', password: 'wrong password!' }, { username: 'nobody', password: TEST_PASSWORD }]) {
      const r = await login(payload);
      expect(r.statusCode).toBe(401);
      expect(r.json()).toMatchObject({ code: 'invalid_credentials', detail: 'the username, password or one-time code is wrong' });
    }
    const session = await logIn(app, rt, user);
    const disabled = await (await asAdmin())({ method: 'POST', url: '/users/alice/disable' });
    expect(disabled.json()).toMatchObject({ username: 'alice', disabled: true });
    expect((await injectAs(app, session)('/auth/me')).statusCode, 'disabling ends the sessions').toBe(401);
    const r = await login({ username: 'alice', password: user.password });
    expect(r.json()).toMatchObject({ status: 401, code: 'invalid_credentials' });
    expect((await audit('login_failed', 'alice')).map((a) => a.details.why)).toEqual(['wrong_password', 'disabled']);
    expect((await audit('login_failed', 'nobody'))[0].details.why).toBe('unknown_user');
  });

  it('needs the CSRF token on unsafe methods of a cookie session (not of an API token)', async () => {
    const { cookie } = await sessionFor(app, rt, { role: 'supervisor' });
    const noToken = await app.inject({ method: 'POST', url: '/auth/totp/enroll', headers: { cookie: cookie! } });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json().code).toBe('csrf_token_invalid');
    const wrong = await app.inject({ method: 'POST', url: '/auth/totp/enroll', headers: { cookie: cookie!, 'x-csrf-token': 'x'.repeat(43) } });
    expect(wrong.json().code).toBe('csrf_token_invalid');
    expect((await app.inject({ url: '/auth/me', headers: { cookie: cookie! } })).statusCode, 'GET needs none').toBe(200);
    const token = await createApiToken(rt, ['imports:write']);
    const r = await app.inject({ method: 'POST', url: '/imports', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' }, payload: '{"type":"customer","id":"CSRF1","name":"X"}\n' });
    expect(r.statusCode, r.body).toBe(201);
  });

  it('ends a session after the idle timeout and at its maximum age', async () => {
    const user = await createStaffUser(rt, { role: 'auditor' });
    const session = await logIn(app, rt, user);
    advance(rt.config.sessionIdleMinutes * 60 - 30);
    expect((await injectAs(app, session)('/auth/me')).statusCode).toBe(200);
    advance(rt.config.sessionIdleMinutes * 60 - 30); // activity above refreshed it
    expect((await injectAs(app, session)('/auth/me')).statusCode).toBe(200);
    advance(rt.config.sessionIdleMinutes * 60 + 1);
    expect((await injectAs(app, session)('/auth/me')).statusCode).toBe(401);

    const again = await logIn(app, rt, user);
    for (let t = 0; t < rt.config.sessionMaxHours * 60; t += 20) {
      advance(20 * 60);
      const r = await injectAs(app, again)('/auth/me');
      if (r.statusCode === 401) {
        expect(t + 20).toBeGreaterThanOrEqual(rt.config.sessionMaxHours * 60);
        return;
      }
    }
    advance(60);
    expect((await injectAs(app, again)('/auth/me')).statusCode).toBe(401);
  });
});

describe('lockout', () => {
  it(`locks after ${LOCKOUT.failuresBeforeLock} failures with a doubling backoff; even the right password waits; success resets`, async () => {
    const user = await createStaffUser(rt, { role: 'collector', teamId: 'team-a', username: 'locky' });
    for (let i = 1; i < LOCKOUT.failuresBeforeLock; i++) expect((await login({ username: 'locky', password: `wrong ${i} password` })).statusCode).toBe(401);
    expect((await login({ username: 'locky', password: 'the fifth wrong one' })).json().code).toBe('invalid_credentials');
    const locked = await login({ username: 'locky', password: user.password });
    expect(locked.statusCode).toBe(423);
    expect(locked.json()).toMatchObject({ code: 'account_locked', retryAfterSeconds: LOCKOUT.firstLockSeconds });
    expect(locked.headers['retry-after']).toBe(String(LOCKOUT.firstLockSeconds));
    advance(LOCKOUT.firstLockSeconds - 1);
    expect((await login({ username: 'locky', password: user.password })).statusCode, 'still locked').toBe(423);
    advance(2);
    // The 6th failure doubles the lock.
    expect((await login({ username: 'locky', password: 'sixth wrong password' })).statusCode).toBe(401);
    expect((await login({ username: 'locky', password: user.password })).json().retryAfterSeconds).toBe(LOCKOUT.firstLockSeconds * 2);
    advance(LOCKOUT.firstLockSeconds * 2 + 1);
    expect((await login({ username: 'locky', password: user.password })).statusCode).toBe(200);
    const row = (await rt.pool.query(`select failed_login_count, locked_until from staff_users where username = 'locky'`)).rows[0];
    expect(row).toEqual({ failed_login_count: 0, locked_until: null });
    expect((await audit('login_refused_locked', 'locky')).length).toBe(3);
  });

  it('an admin password reset lifts the lock, ends sessions and forces a new password before anything else', async () => {
    const user = await createStaffUser(rt, { role: 'legal', username: 'lena' });
    const old = await logIn(app, rt, user);
    for (let i = 0; i < LOCKOUT.failuresBeforeLock; i++) await login({ username: 'lena', password: `wrong password ${i}` });
    expect((await login({ username: 'lena', password: user.password })).statusCode).toBe(423);
    const reset = await (await asAdmin())({ method: 'POST', url: '/users/lena/password-reset' });
    expect(reset.statusCode, reset.body).toBe(200);
    expect(reset.headers['cache-control']).toBe('no-store');
    const temporary = reset.json().temporaryPassword as string;
    expect((await injectAs(app, old)('/auth/me')).statusCode, 'sessions ended').toBe(401);
    expect((await login({ username: 'lena', password: user.password })).statusCode, 'old password gone').toBe(401);
    const r = await login({ username: 'lena', password: temporary });
    expect(r.json()).toMatchObject({ passwordChangeRequired: true });
    const restricted = await logIn(app, rt, { ...user, password: temporary });
    const blocked = await injectAs(app, restricted)('/accounts');
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().code).toBe('password_change_required');
    expect((await injectAs(app, restricted)('/auth/me')).json().passwordChangeRequired).toBe(true);
    const weak = await injectAs(app, restricted)({ method: 'POST', url: '/auth/password', payload: { currentPassword: temporary, newPassword: 'short' } });
    expect(weak.statusCode).toBe(422);
    const changed = await injectAs(app, restricted)({ method: 'POST', url: '/auth/password', payload: { currentPassword: temporary, newPassword: 'a brand new passphrase' } });
    expect(changed.statusCode, changed.body).toBe(204);
    expect((await injectAs(app, restricted)('/accounts')).statusCode).toBe(200);
    expect((await login({ username: 'lena', password: 'a brand new passphrase' })).json().passwordChangeRequired).toBe(false);
    expect(await audit('password_reset', 'lena')).toHaveLength(1);
  });
});

describe('TOTP', () => {
  it('is required for admins, and a code is never accepted twice', async () => {
    const user = await createStaffUser(rt, { role: 'admin', username: 'root-two' });
    expect(user.totpSecret).toMatch(/^[A-Z2-7]{32}$/);
    const missing = await login({ username: 'root-two', password: user.password });
    expect(missing.statusCode).toBe(401);
    expect(missing.json().code).toBe('totp_required');
    const wrong = await login({ username: 'root-two', password: user.password, totp: '000000' === totpCode(user.totpSecret!, clock.now()) ? '111111' : '000000' });
    expect(wrong.json().code).toBe('invalid_credentials');
    const code = totpCode(user.totpSecret!, clock.now());
    expect((await login({ username: 'root-two', password: user.password, totp: code })).statusCode).toBe(200);
    const replay = await login({ username: 'root-two', password: user.password, totp: code });
    expect(replay.statusCode, 'the same code again').toBe(401);
    advance(30);
    expect((await login({ username: 'root-two', password: user.password, totp: totpCode(user.totpSecret!, clock.now()) })).statusCode).toBe(200);
    await expect(rt.pool.query(`update staff_users set totp_enabled = false where username = 'root-two'`)).rejects.toThrow(/check constraint/);
  });

  it('can be enrolled by any staff user, and is then required at login', async () => {
    const user = await createStaffUser(rt, { role: 'strategy_manager', username: 'sam' });
    const session = await logIn(app, rt, user);
    const enrolled = await injectAs(app, session)({ method: 'POST', url: '/auth/totp/enroll' });
    expect(enrolled.statusCode, enrolled.body).toBe(200);
    const { secret, uri } = enrolled.json();
    expect(uri).toMatch(/^otpauth:\/\/totp\/Recourse:sam\?/);
    expect((await login({ username: 'sam', password: user.password })).statusCode, 'not enabled until confirmed').toBe(200);
    expect((await injectAs(app, session)({ method: 'POST', url: '/auth/totp/confirm', payload: { code: '12345' } })).statusCode).toBe(400);
    advance(30);
    const confirmed = await injectAs(app, session)({ method: 'POST', url: '/auth/totp/confirm', payload: { code: totpCode(secret, clock.now()) } });
    expect(confirmed.statusCode, confirmed.body).toBe(204);
    expect((await login({ username: 'sam', password: user.password })).json().code).toBe('totp_required');
    advance(30);
    expect((await login({ username: 'sam', password: user.password, totp: totpCode(secret, clock.now()) })).statusCode).toBe(200);
    const sealed = (await rt.pool.query(`select totp_secret_encrypted as e from staff_users where username = 'sam'`)).rows[0].e as Buffer;
    expect(sealed.toString('latin1')).not.toContain(secret);
    expect(rt.cipher.decrypt(sealed)).toBe(secret);
  });
});

describe('API tokens', () => {
  it('authenticate machine clients within their scopes; revoked or malformed tokens are refused', async () => {
    const created = await (await asAdmin())({ method: 'POST', url: '/tokens', payload: { name: 'card host feed', scopes: ['imports:write'] } });
    expect(created.statusCode, created.body).toBe(201);
    const { token, view } = created.json();
    expect(token).toMatch(/^rct_\d+_[A-Za-z0-9_-]{43}$/);
    const feed = injectAs(app, bearer(token));
    expect((await feed('/accounts')).statusCode, 'no accounts:read scope').toBe(403);
    expect((await feed({ method: 'POST', url: '/imports', headers: { 'content-type': 'application/x-ndjson' }, payload: '{"type":"customer","id":"TOK1","name":"T"}\n' })).statusCode).toBe(201);
    expect((await feed({ method: 'POST', url: '/auth/logout' })).statusCode, 'not a session').toBe(403);
    const listed = await (await asAdmin())('/tokens');
    // The secret is everything after 'rct_<id>_' (it may itself contain '_').
    const secret = token.slice(`rct_${view.id}_`.length);
    expect(secret).toHaveLength(43);
    expect(listed.body).not.toContain(secret);
    expect(listed.json().tokens).toContainEqual(expect.objectContaining({ id: view.id, scopes: ['imports:write'], revoked: false }));
    expect((await (await asAdmin())({ method: 'POST', url: `/tokens/${view.id}/revoke` })).statusCode).toBe(204);
    const revoked = await feed('/auth/me');
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json().detail).toMatch(/API token is not valid/);
    for (const bad of ['rct_1_short', `rct_${view.id}_${'A'.repeat(43)}`, 'Basic Zm9vOmJhcg==', 'Bearer']) {
      expect((await app.inject({ url: '/auth/me', headers: { authorization: bad.startsWith('rct') ? `Bearer ${bad}` : bad } })).statusCode, bad).toBe(401);
    }
    const beyond = await injectAs(app, await sessionFor(app, rt, { role: 'admin' }))({ method: 'POST', url: '/tokens', payload: { name: 'x', scopes: ['nope'] } });
    expect(beyond.statusCode).toBe(400);
  });
});

describe('rate limits', () => {
  it('limit requests per user, and login attempts per IP, with 429 problems and Retry-After', async () => {
    const limited = await createTestRuntime({ clock, config: { rateLimitPerMinute: 5, loginRateLimitPerMinute: 3 } });
    const small = await buildServer(limited);
    try {
      const user = await createStaffUser(limited, { role: 'auditor' });
      const other = await createStaffUser(limited, { role: 'auditor' });
      const attempts = [];
      for (let i = 0; i < 4; i++) attempts.push((await small.inject({ method: 'POST', url: '/auth/login', payload: { username: user.username, password: user.password } })).statusCode);
      expect(attempts).toEqual([200, 200, 200, 429]);
      const fromElsewhere = await small.inject({ method: 'POST', url: '/auth/login', remoteAddress: '127.0.0.2', payload: { username: other.username, password: other.password } });
      expect(fromElsewhere.statusCode, 'another IP has its own budget').toBe(200);
      const session = { headers: { cookie: String(fromElsewhere.headers['set-cookie']).split(';')[0]! }, csrfToken: null, cookie: null };
      const codes = [];
      for (let i = 0; i < 6; i++) codes.push((await injectAs(small, session)('/auth/me')).statusCode);
      expect(codes).toEqual([200, 200, 200, 200, 200, 429]);
      const r = await injectAs(small, session)('/auth/me');
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(r.json()).toMatchObject({ status: 429, code: 'rate_limited' });
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await small.close();
      await limited.close();
    }
  });

  it('limit requests per IP address across users', async () => {
    const limited = await createTestRuntime({ clock, config: { ipRateLimitPerMinute: 8 } });
    const small = await buildServer(limited);
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) {
        const s = await logIn(small, limited, await createStaffUser(limited, { role: 'auditor' })); // 1 request each
        codes.push((await injectAs(small, s)('/auth/me')).statusCode);
      }
      expect(codes).toEqual([200, 200, 200, 200]);
      const next = await small.inject({ url: '/health' });
      expect(next.statusCode).toBe(429);
      expect(next.json().code).toBe('rate_limited');
      expect((await small.inject({ url: '/health', remoteAddress: '127.0.0.3' })).statusCode).toBe(200);
    } finally {
      await small.close();
      await limited.close();
    }
  });
});

describe('recourse users', () => {
  it('create (password from stdin), list, disable and reset-password; the created user can log in', async () => {
    const created = await runCli(rt, ['users', 'create', '--username', 'carl', '--role', 'collector', '--team', 'team-b', '--password-stdin', '--json'], { stdin: 'a long enough secret\n' });
    expect(created.code, created.stderr).toBe(0);
    expect(created.json().user).toMatchObject({ username: 'carl', role: 'collector', teamId: 'team-b', agencyId: null });
    expect((await login({ username: 'carl', password: 'a long enough secret' })).statusCode).toBe(200);
    const adminCli = await runCli(rt, ['users', 'create', '--username', 'ada', '--role', 'admin', '--password-stdin'], { stdin: 'another long secret' });
    expect(adminCli.code, adminCli.stderr).toBe(0);
    expect(adminCli.stdout).toMatch(/TOTP key .*: [A-Z2-7]{32}\n\s+otpauth:\/\/totp\//);

    const noStdin = await runCli(rt, ['users', 'create', '--username', 'dora', '--role', 'auditor']);
    expect(noStdin.code).toBe(2);
    expect(noStdin.stderr).toMatch(/--password-stdin is required/);
    const weak = await runCli(rt, ['users', 'create', '--username', 'dora', '--role', 'auditor', '--password-stdin'], { stdin: 'short' });
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(/at least 12 characters/);
    const noTeam = await runCli(rt, ['users', 'create', '--username', 'dora', '--role', 'collector', '--password-stdin'], { stdin: 'a long enough secret' });
    expect(noTeam.stderr).toMatch(/a collector needs a team/);
    const badRole = await runCli(rt, ['users', 'create', '--username', 'dora', '--role', 'boss', '--password-stdin'], { stdin: 'a long enough secret' });
    expect(badRole.code).toBe(2);
    const taken = await runCli(rt, ['users', 'create', '--username', 'carl', '--role', 'auditor', '--password-stdin'], { stdin: 'a long enough secret' });
    expect(taken.stderr).toMatch(/exists already/);

    const list = await runCli(rt, ['users', 'list', '--json']);
    expect(list.json().users).toContainEqual(expect.objectContaining({ username: 'carl', role: 'collector', disabled: false }));
    expect(list.stdout).not.toMatch(/argon2/);
    expect((await runCli(rt, ['users', 'list'])).stdout).toMatch(/^carl\tcollector\tteam-b\t-\t-\tactive$/m);

    const reset = await runCli(rt, ['users', 'reset-password', 'carl', '--json']);
    expect(reset.code).toBe(0);
    expect((await login({ username: 'carl', password: reset.json().temporaryPassword })).json().passwordChangeRequired).toBe(true);
    expect((await runCli(rt, ['users', 'disable', 'carl'])).code).toBe(0);
    expect((await login({ username: 'carl', password: reset.json().temporaryPassword })).statusCode).toBe(401);
    expect((await runCli(rt, ['users', 'disable', 'nobody'])).code).toBe(3);
    const trail = (await rt.pool.query(`select actor_kind, action from access_audit where subject_id = 'carl' and actor_kind = 'operator' order by audit_id`)).rows;
    expect(trail.map((t) => t.action)).toEqual(['user_created', 'password_reset', 'user_disabled']);
  });

  it('tokens create/list/revoke from the CLI', async () => {
    const created = await runCli(rt, ['tokens', 'create', '--name', 'dialer', '--scope', 'accounts:read,pii:unmask', '--expires-days', '30', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const { token, view } = created.json();
    expect((await injectAs(app, bearer(token))('/auth/me')).json()).toMatchObject({ kind: 'token', name: 'dialer', permissions: ['accounts:read', 'pii:unmask'] });
    expect((await runCli(rt, ['tokens', 'create', '--name', 'x', '--scope', 'root'])).code).toBe(2);
    expect((await runCli(rt, ['tokens', 'list'])).stdout).toContain(`${view.id}\tdialer\taccounts:read,pii:unmask\texpires`);
    expect((await runCli(rt, ['tokens', 'revoke', view.id])).code).toBe(0);
    expect((await injectAs(app, bearer(token))('/auth/me')).statusCode).toBe(401);
    advance(31 * 86_400);
  });
});
