/**
 * Staff users, sessions and API tokens for tests: created through the identity service and logged in
 * through the real POST /auth/login, so every test request carries real credentials.
 */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Runtime } from '../../src/runtime.ts';
import { createToken, createUser, operatorPrincipal, totpCode, type Permission, type Role } from '../../src/modules/identity/index.ts';

export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestUser { username: string; password: string; role: Role; totpSecret: string | null }

let serial = 0;

/** A staff user (an admin gets TOTP, as every admin must). */
export async function createStaffUser(rt: Runtime, options: { role: Role; username?: string; teamId?: string; agencyId?: string; password?: string }): Promise<TestUser> {
  const username = options.username ?? `${options.role.replace(/_/g, '-')}-${++serial}`;
  const password = options.password ?? TEST_PASSWORD;
  const r = await createUser(rt, operatorPrincipal('test'), { username, role: options.role, teamId: options.teamId ?? null, agencyId: options.agencyId ?? null, password });
  if (!r.ok) throw new Error(`test user ${username}: ${r.message}`);
  return { username, password, role: options.role, totpSecret: r.value.totp?.secret ?? null };
}

/** An API token with these scopes; returns the bearer value. */
export async function createApiToken(rt: Runtime, scopes: Permission[], name = 'test client'): Promise<string> {
  const r = await createToken(rt, operatorPrincipal('test'), { name, scopes });
  if (!r.ok) throw new Error(`test token: ${r.message}`);
  return r.value.token;
}

export interface Credentials {
  /** Headers that authenticate a request: the session cookie and CSRF token, or a bearer token. */
  headers: Record<string, string>;
  csrfToken: string | null;
  cookie: string | null;
}

export const bearer = (token: string): Credentials => ({ headers: { authorization: `Bearer ${token}` }, csrfToken: null, cookie: null });

/** Logs in through POST /auth/login (with the current TOTP code when the user has one). */
export async function logIn(app: FastifyInstance, rt: Runtime, user: TestUser): Promise<Credentials> {
  const payload: Record<string, string> = { username: user.username, password: user.password };
  if (user.totpSecret) payload.totp = totpCode(user.totpSecret, rt.clock.now());
  const r = await app.inject({ method: 'POST', url: '/auth/login', payload });
  expect(r.statusCode, r.body).toBe(200);
  const setCookie = [r.headers['set-cookie']].flat().find((c): c is string => typeof c === 'string' && c.startsWith('recourse_session='));
  expect(setCookie, 'the login sets the session cookie').toBeDefined();
  const cookie = setCookie!.split(';')[0]!;
  const csrfToken = r.json<{ csrfToken: string }>().csrfToken;
  return { headers: { cookie, 'x-csrf-token': csrfToken }, csrfToken, cookie };
}

/** A user of this role, logged in. */
export async function sessionFor(app: FastifyInstance, rt: Runtime, options: Parameters<typeof createStaffUser>[1]): Promise<Credentials & { user: TestUser }> {
  const user = await createStaffUser(rt, options);
  return { ...(await logIn(app, rt, user)), user };
}

/** app.inject with these credentials added to the headers. */
export function injectAs(app: FastifyInstance, credentials: Credentials | null) {
  return (options: InjectOptions | string): Promise<LightMyRequestResponse> => {
    const o: InjectOptions = typeof options === 'string' ? { url: options } : options;
    return app.inject({ ...o, headers: { ...(credentials?.headers ?? {}), ...((o.headers as Record<string, string>) ?? {}) } });
  };
}
