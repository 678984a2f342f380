/**
 * HTTP hardening: property-based fuzzing of every route's body, query string and path (never a 500,
 * never a stack trace; errors are uniform problem+json), SQL-injection and header-injection attempts,
 * security headers, body size limits, and unknown fields rejected.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createTestRuntime } from '../support/database.ts';
import { runCli } from '../support/cli.ts';
import { injectAs, sessionFor, type Credentials } from '../support/auth.ts';
import { buildServer } from '../../src/server.ts';
import { accessRegistry } from '../../src/http/access.ts';
import type { Runtime } from '../../src/runtime.ts';

let rt: Runtime;
let app: FastifyInstance;
let admin: Credentials;
let accountId: string;
const LEAK = /\n\s+at |\bat .+:\d+:\d+|node_modules|\.ts:\d|\b(select|insert|update|delete)\b .*\b(from|into|set)\b|relation "|syntax error|stack|pg_|duplicate key/i;

beforeAll(async () => {
  rt = await createTestRuntime();
  expect((await runCli(rt, ['demo', '--accounts', '20', '--seed', '5', '--as-of', '2026-06-30'])).code).toBe(0);
  accountId = (await rt.pool.query<{ id: string }>('select account_id as id from card_accounts order by 1 limit 1')).rows[0]!.id;
  app = await buildServer(rt);
  admin = await sessionFor(app, rt, { role: 'admin' });
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

function expectSafe(r: LightMyRequestResponse, label: string, echoed = '') {
  expect(r.statusCode, `${label}: ${r.body.slice(0, 300)}`).toBeLessThan(500);
  if (r.statusCode >= 400) {
    expect(r.headers['content-type'], label).toMatch(/^application\/problem\+json/);
    const body = r.json();
    expect(body, label).toMatchObject({ type: expect.any(String), title: expect.any(String), status: r.statusCode, code: expect.stringMatching(/^[a-z_]+$/) });
  }
  // What the caller sent may be quoted back (e.g. "no account …"); nothing else may look like internals.
  expect(echoed ? r.body.split(JSON.stringify(echoed).slice(1, -1)).join('') : r.body, label).not.toMatch(LEAK);
}

/** The API's own routes (the explorer's static files aside); logout last since it ends the session. */
const apiRoutes = () => accessRegistry(app).filter((r) => r.method !== 'HEAD' && !r.url.startsWith('/docs') && r.url !== '/auth/logout');

const jsonValue = fc.jsonValue({ maxDepth: 3 });
const hostileString = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom("' OR '1'='1", "1; drop table customers; --", '%00', '\u0000', '../../etc/passwd', '${jndi:ldap://x}', '<script>alert(1)</script>', 'x'.repeat(5000), '\r\nSet-Cookie: evil=1', '{"$gt": ""}', '-1', '1e309', 'NaN', '🙂'),
);
const body = fc.oneof(
  jsonValue,
  fc.dictionary(fc.oneof(fc.constantFrom('username', 'password', 'reason', 'unmask', 'bucket', 'teamId', 'agencyId', 'legalStage', 'name', 'scopes', 'role', 'code', 'totp', 'currentPassword', 'newPassword', 'expiresInDays', '__proto__', 'constructor'), fc.string({ maxLength: 12 })), fc.oneof(jsonValue, hostileString), { maxKeys: 6 }),
);
const query = fc.dictionary(fc.oneof(fc.constantFrom('limit', 'cursor', 'bucket', 'dpdMin', 'dpdMax', 'asOf', 'before', 'action', 'subjectId', 'format', 'skipInvalid', 'from', 'to'), fc.string({ maxLength: 10 })), hostileString, { maxKeys: 4 });

function pathFor(url: string, param: string) {
  return url.replace(/:(id|username)/, encodeURIComponent(param)).replace('*', 'x');
}

describe('fuzzing (fast-check)', () => {
  it('request bodies: no route answers 500 or leaks internals, whatever JSON it gets', async () => {
    const routes = apiRoutes().filter((r) => r.method !== 'GET');
    expect(routes.length).toBeGreaterThan(10);
    await fc.assert(fc.asyncProperty(fc.constantFrom(...routes), body, async (route, payload) => {
      const r = await injectAs(app, admin)({ method: route.method as 'POST', url: pathFor(route.url, accountId), payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } });
      expectSafe(r, `${route.method} ${route.url} ${JSON.stringify(payload).slice(0, 200)}`);
    }), { numRuns: 400, seed: 20260630 });
  });

  it('query strings and path parameters: never a 500, unknown parameters refused', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...apiRoutes()), query, hostileString, async (route, q, param) => {
      const qs = new URLSearchParams(q).toString();
      const url = `${pathFor(route.url, param)}${qs ? `?${qs}` : ''}`;
      const r = await injectAs(app, admin)({ method: route.method as 'GET', url, ...(route.method === 'GET' ? {} : { payload: {} }) });
      expectSafe(r, `${route.method} ${url.slice(0, 200)}`);
      // The web app's client routes (/app/*) keep their own state in the query string: any is accepted there.
      if (route.url !== '/app/*' && Object.keys(q).some((k) => !['limit', 'cursor', 'bucket', 'dpdMin', 'dpdMax', 'asOf', 'before', 'action', 'subjectId', 'format', 'skipInvalid', 'from', 'to'].includes(k))) {
        expect(r.statusCode, url).toBeGreaterThanOrEqual(400);
      }
    }), { numRuns: 400, seed: 7 });
  });

  it('feeds of arbitrary bytes to POST /imports: a 4xx or a 201, never a 500', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(fc.string({ maxLength: 300 }), fc.array(jsonValue, { maxLength: 5 }).map((a) => a.map((v) => JSON.stringify(v)).join('\n'))), fc.constantFrom('application/x-ndjson', 'text/csv'), async (payload, type) => {
      const r = await injectAs(app, admin)({ method: 'POST', url: '/imports', payload, headers: { 'content-type': type } });
      expectSafe(r, `${type} ${payload.slice(0, 100)}`);
    }), { numRuns: 100, seed: 11 });
  });
});

describe('SQL injection', () => {
  const attempts = ["' OR '1'='1", "x' UNION SELECT national_id_encrypted FROM customers --", "'; DROP TABLE card_accounts; --", '1) or (1=1', "\\'; select pg_sleep(5); --"];

  it('is refused or treated as data everywhere: ids, cursors, filters, usernames', async () => {
    const accounts = (await rt.pool.query('select count(*)::int as n from card_accounts')).rows[0].n;
    for (const attack of attempts) {
      const a = encodeURIComponent(attack);
      for (const [url, expected] of [
        [`/accounts/${a}`, [400, 404]], [`/accounts?cursor=${a}`, [400]], [`/accounts?bucket=${a}`, [400]], [`/accounts?dpdMin=${a}`, [400]],
        [`/audit/access?action=${a}`, [400]], [`/audit/access?subjectId=${a}`, [200]], [`/audit/access?before=${a}`, [400]],
      ] as const) {
        const r = await injectAs(app, admin)(url);
        expectSafe(r, url, attack);
        expect(expected, `${url} → ${r.statusCode}`).toContain(r.statusCode);
        if (r.statusCode === 200) expect(r.json().entries).toEqual([]);
      }
      const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: attack, password: attack } });
      expect(login.statusCode).toBe(401);
      const unmask = await injectAs(app, admin)({ method: 'POST', url: `/accounts/${a}/unmask`, payload: { reason: `testing injection ${attack}` } });
      expect([400, 404]).toContain(unmask.statusCode);
      const disable = await injectAs(app, admin)({ method: 'POST', url: `/users/${a}/disable` });
      expect(disable.statusCode).toBe(404);
    }
    expect((await rt.pool.query('select count(*)::int as n from card_accounts')).rows[0].n).toBe(accounts);
    expect((await rt.pool.query(`select count(*)::int as n from staff_users where disabled_at is not null`)).rows[0].n).toBe(0);
  });
});

describe('header injection', () => {
  it('input never reaches a response header', async () => {
    const evil = '\r\nSet-Cookie: evil=1\r\nX-Injected: yes';
    const responses = [
      await injectAs(app, admin)(`/accounts/${encodeURIComponent(evil)}`),
      await injectAs(app, admin)({ method: 'POST', url: '/exports/accounts', payload: { reason: `export${evil}`, bucket: 'M1' } }),
      await app.inject({ method: 'POST', url: '/auth/login', payload: { username: `x${evil}`, password: evil } }),
      await app.inject({ url: `/nothing${encodeURIComponent(evil)}` }),
    ];
    for (const r of responses) {
      expect(r.statusCode).toBeLessThan(500);
      expect(JSON.stringify(r.headers)).not.toMatch(/evil|x-injected/i);
    }
  });

  it('malformed header lines over a real socket get 400 and the server keeps serving', async () => {
    const url = new URL(await app.listen({ port: 0, host: '127.0.0.1' }));
    const raw = (request: string) => new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), '127.0.0.1', () => socket.end(request));
      let data = '';
      socket.on('data', (d) => (data += d.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
      socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
    });
    for (const request of [
      'GET /health HTTP/1.1\r\nHost: x\r\nX-Bad: a\rSet-Cookie: evil=1\r\n\r\n',
      'GET /health HTTP/1.1\r\nHost: x\r\nX-Bad\u0000: a\r\n\r\n',
      'GET /health HTTP/1.1\r\nHost: x\r\nBad Header: a\r\n\r\n',
      'GET /health\r\nSet-Cookie: evil=1 HTTP/1.1\r\nHost: x\r\n\r\n',
    ]) {
      const response = await raw(request);
      // Refused by Node's HTTP parser: a 400, or (a request line it cannot read at all) the connection closed.
      if (response !== '') expect(response, JSON.stringify(request)).toMatch(/^HTTP\/1\.1 400/);
      expect(response).not.toMatch(/evil=1/);
    }
    const health = await fetch(`${url.origin}/health`);
    expect(health.status).toBe(200);
  });
});

describe('headers, limits and strict input', () => {
  it('sends security headers on every response', async () => {
    for (const r of [await app.inject('/health'), await injectAs(app, admin)('/accounts?limit=1'), await app.inject('/accounts'), await app.inject('/nope')]) {
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(r.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(r.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(r.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(r.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('limits JSON bodies to 64 KiB with a 413 problem', async () => {
    const r = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'x', password: 'y'.repeat(70_000) } });
    expect(r.statusCode).toBe(413);
    expect(r.json()).toMatchObject({ code: 'payload_too_large' });
  });

  it('rejects unknown fields in bodies, queries and paths, naming them', async () => {
    const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'x', password: 'y', remember: true } });
    expect(login.statusCode).toBe(400);
    expect(login.json().errors).toContainEqual(expect.objectContaining({ field: 'body.remember' }));
    const user = await injectAs(app, admin)({ method: 'POST', url: '/users', payload: { username: 'newbie', role: 'auditor', password: 'long enough password', isAdmin: true } });
    expect(user.statusCode).toBe(400);
    expect(user.json().errors).toContainEqual(expect.objectContaining({ field: 'body.isAdmin' }));
    const reason = await injectAs(app, admin)({ method: 'POST', url: `/accounts/${accountId}/unmask`, payload: { reason: 'a good reason here', fields: ['all'] } });
    expect(reason.json().errors).toContainEqual(expect.objectContaining({ field: 'body.fields' }));
    expect((await injectAs(app, admin)('/audit/access?sort=asc')).json().errors).toContainEqual(expect.objectContaining({ field: 'querystring.sort' }));
    const proto = await app.inject({ method: 'POST', url: '/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"username":"x","password":"y","__proto__":{"admin":true}}' });
    expect(proto.statusCode).toBe(400);
    expect((await injectAs(app, admin)({ method: 'POST', url: '/users', headers: { 'content-type': 'application/xml' }, payload: '<user/>' })).statusCode).toBe(415);
    const logoutBody = await injectAs(app, admin)({ method: 'POST', url: '/auth/logout', payload: { everywhere: true } });
    expect(logoutBody.json().errors).toContainEqual(expect.objectContaining({ field: 'body.everywhere' }));
    expect((await injectAs(app, admin)('/health?verbose=1')).json().errors).toContainEqual(expect.objectContaining({ field: 'querystring.verbose' }));
  });
});
