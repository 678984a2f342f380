/**
 * The authorisation matrix over every registered route: the table of route × role expectations is
 * generated from the routes the server registers (docs/access-matrix.md must equal it), and then
 * every route is called as every role, as an API token and anonymously, and must answer 401 / 403
 * exactly where the table says so. A route registered without an access rule stops the server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { createTestRuntime } from '../support/database.ts';
import { runCli } from '../support/cli.ts';
import { bearer, createApiToken, injectAs, sessionFor, type Credentials } from '../support/auth.ts';
import { buildServer } from '../../src/server.ts';
import { accessRegistry, registerAccess, type AccessRule, type RegisteredRoute } from '../../src/http/access.ts';
import { ROLES, ROLE_PERMISSIONS, type Permission, type Role } from '../../src/modules/identity/index.ts';
import type { Runtime } from '../../src/runtime.ts';

let rt: Runtime;
let app: FastifyInstance;
const sessions = new Map<Role, Credentials>();
let accountId: string;
/** A machine client's token holding one scope; the matrix uses it as its own column. */
const TOKEN_SCOPE: Permission = 'accounts:read';
let token: Credentials;
let webDist: string;

beforeAll(async () => {
  rt = await createTestRuntime();
  expect((await runCli(rt, ['demo', '--accounts', '10', '--seed', '3', '--as-of', '2026-06-30'])).code).toBe(0);
  accountId = (await rt.pool.query<{ id: string }>('select account_id as id from card_accounts order by 1 limit 1')).rows[0]!.id;
  // The app's files are public; a stand-in build keeps this test independent of whether web/dist exists yet.
  webDist = mkdtempSync(join(tmpdir(), 'recourse-web-dist-'));
  writeFileSync(join(webDist, 'index.html'), '<!doctype html><title>Recourse</title>');
  app = await buildServer(rt, { webDistDir: webDist });
  for (const role of ROLES) {
    sessions.set(role, await sessionFor(app, rt, { role, ...(role === 'collector' ? { teamId: 'team-a' } : {}), ...(role === 'agency_user' ? { agencyId: 'agency-a' } : {}) }));
  }
  token = bearer(await createApiToken(rt, [TOKEN_SCOPE]));
});
afterAll(async () => {
  if (webDist) rmSync(webDist, { recursive: true, force: true });
  await app?.close();
  await rt?.close();
});

type Column = Role | 'token';
const COLUMNS: Column[] = [...ROLES, 'token'];

function allowed(rule: AccessRule, column: Column): boolean {
  if ('public' in rule) return true;
  if ('authenticated' in rule) return column !== 'token' || !rule.sessionOnly;
  return column === 'token' ? rule.permission === TOKEN_SCOPE : ROLE_PERMISSIONS[column].includes(rule.permission);
}

function routesOf(app: FastifyInstance): (RegisteredRoute & { access: AccessRule })[] {
  return accessRegistry(app)
    .filter((r) => r.method !== 'HEAD')
    .map((r) => ({ ...r, access: r.access! }))
    .sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method));
}

/** The route × role table, as docs/access-matrix.md holds it. */
function matrix(app: FastifyInstance): string {
  const cell = (rule: AccessRule, column: Column) => ('public' in rule ? 'public' : allowed(rule, column) ? '✓' : '–');
  const describe = (rule: AccessRule) => ('public' in rule ? 'public' : 'authenticated' in rule ? `signed in${rule.sessionOnly ? ' (staff session)' : ''}` : rule.permission);
  const lines = [
    '# Access matrix',
    '',
    'Generated from the routes the server registers (test/integration/access-matrix.test.ts checks that this',
    'file equals the generated table, and calls every route as every role). ✓ allowed, – refused (403),',
    '"public" needs no login; anonymous callers get 401 on every route that is not public. The token column is',
    `an API token with the \`${TOKEN_SCOPE}\` scope. Data scopes (which accounts) apply on top: see http-api.md.`,
    '',
    `| route | rule | ${COLUMNS.join(' | ')} |`,
    `|---|---|${COLUMNS.map(() => '---').join('|')}|`,
    ...routesOf(app).map((r) => `| \`${r.method} ${r.url}\` | ${describe(r.access)} | ${COLUMNS.map((c) => cell(r.access, c)).join(' | ')} |`),
  ];
  return lines.join('\n') + '\n';
}

function concreteUrl(url: string): string {
  return url
    .replace(':id/unmask', `${encodeURIComponent(accountId)}/unmask`)
    .replace('/accounts/:id', `/accounts/${encodeURIComponent(accountId)}`)
    .replace('/tokens/:id', '/tokens/999999')
    .replace(':username', 'nobody-here')
    .replace('*', 'index.html');
}

async function call(route: RegisteredRoute, credentials: Credentials | null) {
  const request = injectAs(app, credentials);
  const url = concreteUrl(route.url);
  if (route.method === 'GET') return request({ method: 'GET', url });
  if (route.url === '/imports') return request({ method: 'POST', url, headers: { 'content-type': 'application/x-ndjson' }, payload: '' });
  return request({ method: route.method as 'POST', url, payload: {} });
}

describe('access rules', () => {
  it('every registered route has one, and the table generated from them is docs/access-matrix.md', async () => {
    const routes = accessRegistry(app);
    expect(routes.length).toBeGreaterThan(15);
    expect(routes.filter((r) => !r.access)).toEqual([]);
    for (const url of ['/accounts', '/accounts/:id', '/imports', '/auth/login', '/users', '/exports/accounts']) expect(routes.map((r) => r.url)).toContain(url);
    await expect(matrix(app)).toMatchFileSnapshot('../../docs/access-matrix.md');
  });

  it('a route registered without a rule stops the server from starting', async () => {
    const bare = Fastify();
    await registerAccess(bare, rt);
    bare.get('/forgotten', async () => 'secret');
    await expect(bare.ready()).rejects.toThrow(/without an access rule.*GET \/forgotten/);
    await bare.close().catch(() => {});
  });

  it('every route answers 401 to an anonymous caller unless it is public', async () => {
    for (const route of routesOf(app)) {
      const r = await call(route, null);
      const label = `${route.method} ${route.url}: ${r.body.slice(0, 200)}`;
      if ('public' in route.access) expect(r.statusCode, label).not.toBe(401);
      else {
        expect(r.statusCode, label).toBe(401);
        expect(r.json(), label).toMatchObject({ code: 'unauthenticated', status: 401 });
      }
    }
  });

  it('every route, as every role and as an API token, is refused (403) exactly where the table says so', async () => {
    let checked = 0;
    // Logging out ends the session, so /auth/logout goes last.
    const routes = routesOf(app).sort((a, b) => Number(a.url === '/auth/logout') - Number(b.url === '/auth/logout'));
    for (const column of COLUMNS) {
      const credentials = column === 'token' ? token : sessions.get(column)!;
      for (const route of routes) {
        const r = await call(route, credentials);
        const label = `${column} ${route.method} ${route.url}: ${r.statusCode} ${r.body.slice(0, 200)}`;
        expect(r.statusCode, label).not.toBe(401);
        expect(r.statusCode, label).toBeLessThan(500);
        if (allowed(route.access, column)) expect(r.statusCode, label).not.toBe(403);
        else {
          expect(r.statusCode, label).toBe(403);
          expect(r.json().code, label).toBe('forbidden');
        }
        checked++;
      }
    }
    expect(checked).toBe(COLUMNS.length * routes.length);
  });
});
