/**
 * Authentication and authorisation for every route, in one place.
 *
 * Each route declares its rule in its options: `config: { access: { permission: 'accounts:read' } }`,
 * `{ authenticated: true }` (any signed-in caller) or `{ public: true }`. A route without a rule stops
 * the server from starting (and so fails the test suite): nothing is reachable by omission.
 *
 * Order per request: onRequest authenticates (API token in `Authorization: Bearer`, else the session
 * cookie) → the rate limiter counts per user (per IP when anonymous) → preParsing authorises (401,
 * CSRF for cookie sessions, 403) before the body is even read.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import {
  csrfTokenMatches, resolveSession, resolveToken, type IdentityDeps, type Permission, type Principal, type ResolvedSession,
} from '../modules/identity/index.ts';
import { sendProblem } from './problem.ts';

export type AccessRule =
  | { public: true }
  /** Any signed-in caller; `allowRestricted`: also a session that must change its password first; `sessionOnly`: staff sessions, not API tokens. */
  | { authenticated: true; allowRestricted?: boolean; sessionOnly?: boolean }
  | { permission: Permission };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: AccessRule;
  }
  interface FastifyRequest {
    principal: Principal | null;
    session: ResolvedSession | null;
    /** Set when the request carried credentials that do not hold (a bad API token). */
    credentialsRejected: boolean;
  }
}

export const SESSION_COOKIE = 'recourse_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Routes that plugins register (the API explorer's pages and assets): public documentation. */
const PUBLIC_PREFIXES = ['/docs'];

export interface RegisteredRoute { method: string; url: string; access: AccessRule | undefined }

function ruleOf(url: string, access: AccessRule | undefined): AccessRule | undefined {
  if (access) return access;
  return PUBLIC_PREFIXES.some((p) => url === p || url.startsWith(`${p}/`)) ? { public: true } : undefined;
}

/** Every route with its rule, as registered (HEAD routes Fastify adds for GET included). */
export function accessRegistry(app: FastifyInstance): RegisteredRoute[] {
  return (app as unknown as { accessRoutes: RegisteredRoute[] }).accessRoutes;
}

export async function registerAccess(app: FastifyInstance, deps: IdentityDeps): Promise<void> {
  await app.register(cookie);
  const routes: RegisteredRoute[] = [];
  app.decorate('accessRoutes', routes);
  app.decorateRequest('principal', null);
  app.decorateRequest('session', null);
  app.decorateRequest('credentialsRejected', false);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, access: ruleOf(route.url, route.config?.access) });
  });
  app.addHook('onReady', async () => {
    const missing = routes.filter((r) => !r.access).map((r) => `${r.method} ${r.url}`);
    if (missing.length) throw new Error(`routes without an access rule (config.access): ${missing.join(', ')}`);
  });

  app.addHook('onRequest', async (request) => {
    if (!request.routeOptions.url) return; // no such route: the not-found handler answers
    const rule = ruleOf(request.routeOptions.url, request.routeOptions.config.access);
    if (!rule || 'public' in rule) return; // public routes answer without looking at credentials
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const bearer = /^Bearer (\S+)$/i.exec(authorization)?.[1];
      request.principal = bearer ? await resolveToken(deps, bearer) : null;
      request.credentialsRejected = request.principal === null;
      return;
    }
    const cookieValue = request.cookies[SESSION_COOKIE];
    if (cookieValue) {
      request.session = await resolveSession(deps, cookieValue);
      request.principal = request.session?.principal ?? null;
    }
  });

  app.addHook('preParsing', async (request, reply) => {
    if (!request.routeOptions.url || reply.sent) return;
    const rule = ruleOf(request.routeOptions.url, request.routeOptions.config.access);
    if (!rule) throw new Error(`route ${request.method} ${request.routeOptions.url} has no access rule`);
    if ('public' in rule) return;
    const principal = request.principal;
    if (!principal) {
      return unauthenticated(reply, request.credentialsRejected
        ? 'the API token is not valid (revoked, expired or mistyped)'
        : 'log in (POST /auth/login) or send an API token (Authorization: Bearer …)');
    }
    if (request.session && !SAFE_METHODS.has(request.method)) {
      const token = request.headers[CSRF_HEADER];
      if (typeof token !== 'string' || !csrfTokenMatches(request.session, token)) {
        return sendProblem(reply, { code: 'csrf_token_invalid', title: 'Missing or wrong CSRF token', detail: `send the csrfToken from POST /auth/login in the ${CSRF_HEADER} header` });
      }
    }
    const allowRestricted = 'authenticated' in rule && rule.allowRestricted === true;
    if (principal.restricted === 'password_change' && !allowRestricted) {
      return sendProblem(reply, { code: 'password_change_required', title: 'Change your password first', detail: 'POST /auth/password with your temporary password and a new one' });
    }
    if ('authenticated' in rule && rule.sessionOnly && principal.kind !== 'user') {
      return forbidden(reply, 'only a staff session (not an API token) may do this');
    }
    if ('permission' in rule && !principal.permissions.has(rule.permission)) {
      return forbidden(reply, `this needs the ${rule.permission} permission`);
    }
  });
}

function unauthenticated(reply: FastifyReply, detail: string): FastifyReply {
  return sendProblem(reply.header('www-authenticate', 'Bearer realm="recourse"'), { code: 'unauthenticated', title: 'Not authenticated', detail });
}

function forbidden(reply: FastifyReply, detail: string): FastifyReply {
  return sendProblem(reply, { code: 'forbidden', title: 'Not allowed', detail });
}

/** The authenticated caller of a route whose rule is not public (asserted). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error(`route ${request.routeOptions.url} ran without a principal`);
  return request.principal;
}

/** The caller's address for the audit trail. */
export const ipOf = (request: FastifyRequest): string => request.ip;
