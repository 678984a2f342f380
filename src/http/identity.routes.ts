/**
 * Identity over HTTP: login/logout (session cookie + CSRF token), the caller's own account (password,
 * TOTP), staff users and API tokens (users:manage), and the access audit (audit:read).
 */
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  PERMISSIONS, ROLES, changePassword, confirmTotp, createToken, createUser, disableUser, enrollTotp, listAccessAudit, listTokens,
  listUsers, login, logout, resetPassword, revokeToken, type IdentityDeps, type Permission,
} from '../modules/identity/index.ts';
import { limits } from '../kernel/limits.ts';
import { SESSION_COOKIE, ipOf, principalOf } from './access.ts';
import { problemResponses, sendProblem } from './problem.ts';

const username = z.string().min(1).max(64);
const password = z.string().min(1).max(1024);
const secretTotp = z.object({ secret: z.string(), uri: z.string() });

const userView = z.object({
  id: z.string(), username: z.string(), role: z.enum(ROLES), teamId: z.string().nullable(), agencyId: z.string().nullable(),
  totpEnabled: z.boolean(), mustChangePassword: z.boolean(), disabled: z.boolean(), lockedUntil: z.string().nullable(),
  lastLoginAt: z.string().nullable(), createdAt: z.string(),
});
const tokenView = z.object({
  id: z.string(), name: z.string(), scopes: z.array(z.string()), createdBy: z.string(), createdAt: z.string(),
  expiresAt: z.string().nullable(), revoked: z.boolean(), lastUsedAt: z.string().nullable(),
});
const me = z.object({
  kind: z.enum(['user', 'token', 'operator']), id: z.string(), name: z.string(), role: z.string().nullable(),
  permissions: z.array(z.string()), scope: z.looseObject({ kind: z.string() }), passwordChangeRequired: z.boolean(),
});

/** Result error → problem; `field` details become an `errors` entry for the body. */
function problemOf(reply: FastifyReply, result: { code: string; message: string; details?: unknown }, title: string) {
  const details = (result.details ?? {}) as { field?: string; retryAfterSeconds?: number };
  if (details.retryAfterSeconds) reply.header('retry-after', String(details.retryAfterSeconds));
  return sendProblem(reply, {
    code: result.code, title, detail: result.message,
    ...(details.field ? { errors: [{ field: `body.${details.field}`, message: result.message }] } : {}),
    ...(details.retryAfterSeconds ? { retryAfterSeconds: details.retryAfterSeconds } : {}),
  });
}

export function identityRoutes(deps: IdentityDeps, options: { loginRateLimitPerMinute: number }): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/auth/login', {
      config: { access: { public: true }, rateLimit: { max: options.loginRateLimitPerMinute, timeWindow: 60_000, keyGenerator: (r: FastifyRequest) => `login:${r.ip}` } },
      schema: {
        tags: ['auth'], summary: 'Log in: sets the session cookie (httpOnly, Secure, SameSite=Strict) and returns the CSRF token',
        body: z.strictObject({ username, password, totp: z.string().max(16).optional().describe('the 6-digit one-time code (required when TOTP is enabled, always for admins)') }),
        response: {
          200: z.object({ user: userView, csrfToken: z.string().describe(`send it in the x-csrf-token header of every POST/PUT/DELETE`), expiresAt: z.string(), passwordChangeRequired: z.boolean() }),
          ...problemResponses(400, 401, 423, 429, 500),
        },
      },
    }, async (request, reply) => {
      const result = await login(deps, { ...request.body, ip: ipOf(request) });
      if (!result.ok) {
        const titles = { invalid_credentials: 'Login failed', account_locked: 'Account locked', totp_required: 'One-time code required' } as const;
        return problemOf(reply, result, titles[result.code]);
      }
      const s = result.value;
      reply.setCookie(SESSION_COOKIE, s.sessionToken, { httpOnly: true, secure: true, sameSite: 'strict', path: '/', expires: s.expiresAt });
      return { user: s.user, csrfToken: s.csrfToken, expiresAt: s.expiresAt.toISOString(), passwordChangeRequired: s.passwordChangeRequired };
    });

    app.post('/auth/logout', {
      config: { access: { authenticated: true, allowRestricted: true, sessionOnly: true } },
      schema: { tags: ['auth'], summary: 'End the session', response: { 204: z.null().describe('logged out'), ...problemResponses(401, 403, 429) } },
    }, async (request, reply) => {
      await logout(deps, request.session!, ipOf(request));
      reply.clearCookie(SESSION_COOKIE, { httpOnly: true, secure: true, sameSite: 'strict', path: '/' });
      return reply.code(204).send(null);
    });

    app.get('/auth/me', {
      config: { access: { authenticated: true, allowRestricted: true } },
      schema: { tags: ['auth'], summary: 'Who am I: role, permissions and data scope', response: { 200: me, ...problemResponses(401, 429) } },
    }, async (request) => {
      const p = principalOf(request);
      return { kind: p.kind, id: p.id, name: p.name, role: p.role, permissions: [...p.permissions].sort(), scope: p.scope, passwordChangeRequired: p.restricted === 'password_change' };
    });

    app.post('/auth/password', {
      config: { access: { authenticated: true, allowRestricted: true, sessionOnly: true } },
      schema: {
        tags: ['auth'], summary: 'Change your own password (required after an admin reset); your other sessions end',
        body: z.strictObject({ currentPassword: password, newPassword: password }),
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 422, 429) },
      },
    }, async (request, reply) => {
      const r = await changePassword(deps, request.session!, request.body.currentPassword, request.body.newPassword);
      if (!r.ok) return problemOf(reply, r, r.code === 'weak_password' ? 'The new password is too weak' : 'Wrong password');
      return reply.code(204).send(null);
    });

    app.post('/auth/totp/enroll', {
      config: { access: { authenticated: true, sessionOnly: true } },
      schema: { tags: ['auth'], summary: 'Start enrolling a TOTP second factor: returns the secret and otpauth:// URI once', response: { 200: secretTotp, ...problemResponses(401, 403, 409, 429) } },
    }, async (request, reply) => {
      const r = await enrollTotp(deps, principalOf(request));
      if (!r.ok) return problemOf(reply, r, 'TOTP already enabled');
      reply.header('cache-control', 'no-store');
      return r.value;
    });

    app.post('/auth/totp/confirm', {
      config: { access: { authenticated: true, sessionOnly: true } },
      schema: {
        tags: ['auth'], summary: 'Enable TOTP with a code from the enrolled authenticator',
        body: z.strictObject({ code: z.string().regex(/^\d{6}$/, 'must be 6 digits') }), response: { 204: z.null(), ...problemResponses(400, 401, 403, 409, 422, 429) },
      },
    }, async (request, reply) => {
      const r = await confirmTotp(deps, principalOf(request), request.body.code);
      if (!r.ok) return problemOf(reply, r, r.code === 'invalid_totp' ? 'Wrong one-time code' : 'No TOTP enrolment pending');
      return reply.code(204).send(null);
    });

    const manage = { access: { permission: 'users:manage' as Permission } };
    const usernameParams = z.strictObject({ username });

    app.get('/users', {
      config: manage,
      schema: { tags: ['users'], summary: 'Staff users', response: { 200: z.object({ users: z.array(userView) }), ...problemResponses(401, 403, 429) } },
    }, async () => ({ users: await listUsers(deps) }));

    app.post('/users', {
      config: manage,
      schema: {
        tags: ['users'], summary: 'Create a staff user (an admin gets a TOTP secret, shown once)',
        body: z.strictObject({
          username, role: z.enum(ROLES), teamId: z.string().max(64).nullable().optional(), agencyId: z.string().max(64).nullable().optional(), password,
        }),
        response: { 201: z.object({ user: userView, totp: secretTotp.nullable() }), ...problemResponses(400, 401, 403, 409, 422, 429) },
      },
    }, async (request, reply) => {
      const r = await createUser(deps, principalOf(request), request.body);
      if (!r.ok) return problemOf(reply, r, r.code === 'username_taken' ? 'Username taken' : 'The user is invalid');
      return reply.code(201).header('cache-control', 'no-store').send(r.value);
    });

    app.post('/users/:username/disable', {
      config: manage,
      schema: { tags: ['users'], summary: 'Disable a user and end their sessions', params: usernameParams, response: { 200: userView, ...problemResponses(401, 403, 404, 409, 429) } },
    }, async (request, reply) => {
      const r = await disableUser(deps, principalOf(request), request.params.username);
      if (!r.ok) return problemOf(reply, r, r.code === 'user_not_found' ? 'User not found' : 'Not allowed');
      return r.value;
    });

    app.post('/users/:username/password-reset', {
      config: manage,
      schema: {
        tags: ['users'], summary: 'Reset a password: a temporary one (shown once), the lock lifted, sessions ended; the user must change it',
        params: usernameParams, response: { 200: z.object({ username: z.string(), temporaryPassword: z.string() }), ...problemResponses(401, 403, 404, 429) },
      },
    }, async (request, reply) => {
      const r = await resetPassword(deps, principalOf(request), request.params.username);
      if (!r.ok) return problemOf(reply, r, 'User not found');
      reply.header('cache-control', 'no-store');
      return r.value;
    });

    app.get('/tokens', {
      config: manage,
      schema: { tags: ['users'], summary: 'API tokens (never their secrets)', response: { 200: z.object({ tokens: z.array(tokenView) }), ...problemResponses(401, 403, 429) } },
    }, async () => ({ tokens: await listTokens(deps) }));

    app.post('/tokens', {
      config: manage,
      schema: {
        tags: ['users'], summary: 'Create an API token for a machine client: the token is shown once',
        body: z.strictObject({ name: z.string().min(1).max(64), scopes: z.array(z.enum(PERMISSIONS)).min(1).max(PERMISSIONS.length), expiresInDays: z.number().int().min(1).max(3650).nullable().optional() }),
        response: { 201: z.object({ token: z.string(), view: tokenView }), ...problemResponses(400, 401, 403, 429) },
      },
    }, async (request, reply) => {
      const r = await createToken(deps, principalOf(request), request.body);
      if (!r.ok) return problemOf(reply, r, 'The token request is invalid');
      return reply.code(201).header('cache-control', 'no-store').send(r.value);
    });

    app.post('/tokens/:id/revoke', {
      config: manage,
      schema: { tags: ['users'], summary: 'Revoke an API token', params: z.strictObject({ id: z.string().regex(/^\d{1,18}$/, 'must be a token id') }), response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 429) } },
    }, async (request, reply) => {
      const r = await revokeToken(deps, principalOf(request), request.params.id);
      if (!r.ok) return problemOf(reply, r, 'Token not found');
      return reply.code(204).send(null);
    });

    app.get('/audit/access', {
      config: { access: { permission: 'audit:read' } },
      schema: {
        tags: ['audit'], summary: 'The access audit trail, newest first: logins, unmasking, exports, user and token changes',
        querystring: z.strictObject({
          limit: z.string().regex(/^\d{1,4}$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(1).max(limits.pageSizeMax)).optional(),
          before: z.string().regex(/^\d{1,18}$/, 'must be an audit id').optional().describe('the nextBefore of the previous page'),
          action: z.string().regex(/^[a-z_]{1,40}$/, 'must be an action name').optional(),
          subjectId: z.string().min(1).max(limits.idLengthMax).optional(),
        }),
        response: {
          200: z.object({
            entries: z.array(z.object({
              id: z.string(), occurredAt: z.string(), actor: z.object({ kind: z.string(), id: z.string().nullable(), name: z.string() }), action: z.string(),
              subject: z.object({ kind: z.string(), id: z.string().nullable() }).nullable(), reason: z.string().nullable(), details: z.record(z.string(), z.unknown()), ip: z.string().nullable(),
            })),
            nextBefore: z.string().nullable(),
          }),
          ...problemResponses(400, 401, 403, 429),
        },
      },
    }, async (request) => listAccessAudit(deps, { ...request.query, limit: request.query.limit ?? limits.pageSizeDefault }));
  };
}
