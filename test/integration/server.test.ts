/**
 * The HTTP API through `buildServer` + `app.inject`: health, the OpenAPI document and docs UI, account
 * listing (cursor paging, filters), one account, feed imports, and problem+json errors that never leak
 * stack traces or SQL. The data is a small demo portfolio plus hand-written feeds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { Ajv } from 'ajv';
import { createTestRuntime } from '../support/database.ts';
import { runCli } from '../support/cli.ts';
import { injectAs, sessionFor, type Credentials } from '../support/auth.ts';
import { buildServer } from '../../src/server.ts';
import type { Runtime } from '../../src/runtime.ts';

const AS_OF = '2026-06-30';
const DEMO_ACCOUNTS = 120;

type Page = { accounts: { id: string; bucket: string | null; daysPastDue: number | null; balance: string | null }[]; nextCursor: string | null };

let rt: Runtime;
let app: FastifyInstance;
/** Every request below is an admin's (all permissions, every account); test/integration/access*.test.ts cover the others. */
let admin: Credentials;
/** Every error response seen, checked at the end for leaked internals. */
const errorBodies: string[] = [];

async function request(options: InjectOptions | string): Promise<LightMyRequestResponse> {
  const response = await injectAs(app, admin)(options);
  if (response.statusCode >= 400) errorBodies.push(response.body);
  return response;
}

function expectProblem(response: LightMyRequestResponse, status: number, code: string) {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = response.json();
  expect(body).toMatchObject({ status, code, title: expect.any(String), type: expect.stringContaining(code.replace(/_/g, '-')) });
  return body;
}

async function dbIds(sql: string, params: unknown[] = []): Promise<string[]> {
  return (await rt.pool.query<{ id: string }>(sql, params)).rows.map((r) => r.id);
}

/** Walks GET /accounts page by page; checks page sizes and that cursors always advance. */
async function walk(query: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const r = await request(`/accounts?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(r.statusCode, r.body).toBe(200);
    const page = r.json<Page>();
    expect(page.accounts.length).toBeLessThanOrEqual(limit);
    if (page.nextCursor) expect(page.accounts).toHaveLength(limit);
    ids.push(...page.accounts.map((a) => a.id));
    cursor = page.nextCursor;
    if (!cursor) return ids;
  }
  throw new Error('paging does not end');
}

beforeAll(async () => {
  rt = await createTestRuntime();
  const demo = await runCli(rt, ['demo', '--accounts', String(DEMO_ACCOUNTS), '--seed', '7', '--as-of', AS_OF, '--json']);
  expect(demo.code, demo.stderr).toBe(0);
  app = await buildServer(rt);
  admin = await sessionFor(app, rt, { role: 'admin' });
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

describe('operations', () => {
  it('GET /health answers when the database does', async () => {
    const r = await request('/health');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ status: 'ok', database: 'ok' });
  });

  it('GET /openapi.json is an OpenAPI 3 document listing every route, and real responses match it', async () => {
    const r = await request('/openapi.json');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    const doc = r.json();
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/accounts', '/accounts/{id}', '/accounts/{id}/360', '/accounts/{id}/actions', '/accounts/{id}/arrangements', '/accounts/{id}/arrangements/quote',
      '/accounts/{id}/arrangements/{proposalId}/withdrawal', '/accounts/{id}/assignment', '/accounts/{id}/evidence', '/accounts/{id}/payments/allocation',
      '/accounts/{id}/promises', '/accounts/{id}/strategy-explanation', '/accounts/{id}/unmask', '/approvals', '/approvals/{kind}/{id}/decision', '/audit/access', '/audit/verify',
      '/auth/login', '/auth/logout', '/auth/me', '/auth/password', '/auth/totp/confirm', '/auth/totp/enroll', '/compliance/check', '/compliance/consents',
      '/compliance/contact-attempts', '/compliance/flags', '/compliance/flags/clear', '/compliance/opt-outs', '/cycle/runs', '/evidence/{id}', '/exports/accounts', '/health',
      '/imports', '/messages', '/messages/{id}', '/messages/{id}/bounce', '/payments', '/payments/file', '/payments/{id}/reversal', '/promise-captures', '/reports/bucket-history',
      '/reports/buckets', '/reports/collections', '/reports/compliance-blocks', '/reports/contacts', '/reports/leaderboard', '/reports/promise-kept-rate', '/reports/promises',
      '/reports/recovery-curves', '/reports/roll-rates', '/reports/run-roll-rates', '/strategies', '/strategies/report', '/strategies/validate', '/strategies/{id}', '/templates',
      '/templates/lint', '/templates/{id}', '/templates/{id}/preview', '/tokens', '/tokens/{id}/revoke', '/unsubscribe/{token}', '/users', '/users/{username}/disable',
      '/users/{username}/password-reset', '/voice/outcomes', '/worklist/callbacks', '/worklist/collectors/{username}/skills', '/worklist/contacts', '/worklist/contacts/{id}/debt',
      '/worklist/contacts/{id}/outcome', '/worklist/contacts/{id}/right-party-check', '/worklist/items', '/worklist/items/{id}/reassign', '/worklist/items/{id}/release',
      '/worklist/mine', '/worklist/next', '/worklist/notes', '/worklist/reports/contacts', '/worklist/reports/delinquency-reasons', '/worklist/teams', '/worklist/teams/{teamId}',
    ]);
    expect(Object.keys(doc.paths['/health'])).toEqual(['get']);
    // Logins: a session cookie or a bearer token everywhere, except on the public routes.
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['session', 'token']);
    expect(doc.security).toEqual([{ session: [] }, { token: [] }]);
    expect(doc.paths['/health'].get.security).toEqual([]);
    expect(doc.paths['/auth/login'].post.security).toEqual([]);
    expect(doc.paths['/accounts'].get.security).toBeUndefined();
    expect(Object.keys(doc.paths['/accounts'])).toEqual(['get']);
    expect(Object.keys(doc.paths['/accounts/{id}'])).toEqual(['get']);
    expect(Object.keys(doc.paths['/imports'])).toEqual(['post']);
    for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const op of Object.values<any>(item)) {
        expect(Object.keys(op.responses).length, path).toBeGreaterThan(0);
        for (const p of op.parameters ?? []) {
          expect(p).toMatchObject({ name: expect.any(String), in: expect.stringMatching(/^(query|path|header)$/), schema: expect.any(Object) });
          if (p.in === 'path') expect(path).toContain(`{${p.name}}`);
        }
      }
    }
    expect(doc.paths['/accounts/{id}'].get.parameters).toContainEqual(expect.objectContaining({ name: 'id', in: 'path', required: true }));
    expect(doc.paths['/accounts'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['bucket', 'cursor', 'dpdMax', 'dpdMin', 'limit']);
    expect(Object.keys(doc.paths['/imports'].post.requestBody.content)).toEqual(expect.arrayContaining(['application/x-ndjson', 'text/csv']));
    expect(doc.paths['/imports'].post.responses['201']).toBeDefined();
    expect(doc.paths['/imports'].post.responses['422'].content['application/problem+json']).toBeDefined();

    // The documented schemas describe what the server actually sends.
    const ajv = new Ajv({ strict: false, allErrors: true });
    const schemaOf = (path: string, method: string, status: number, type = 'application/json') => ajv.compile(doc.paths[path][method].responses[String(status)].content[type].schema);
    const list = await request('/accounts?limit=3');
    const validList = schemaOf('/accounts', 'get', 200);
    expect(validList(list.json()), JSON.stringify(validList.errors)).toBe(true);
    const one = await request(`/accounts/${list.json<Page>().accounts[0]!.id}?asOf=${AS_OF}`);
    const validOne = schemaOf('/accounts/{id}', 'get', 200);
    expect(validOne(one.json()), JSON.stringify(validOne.errors)).toBe(true);
    const missing = await request('/accounts/nope');
    const validProblem = schemaOf('/accounts/{id}', 'get', 404, 'application/problem+json');
    expect(validProblem(missing.json()), JSON.stringify(validProblem.errors)).toBe(true);
  });

  it('GET /docs serves the API explorer (HTML)', async () => {
    let r = await request('/docs');
    for (let hops = 0; hops < 3 && r.statusCode >= 300 && r.statusCode < 400; hops++) {
      r = await request(new URL(String(r.headers.location), 'http://localhost/docs').pathname);
    }
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.body).toMatch(/<html/i);
    expect(r.body).toContain('swagger-ui');
  });

  it('an unknown route is a 404 problem', async () => {
    expectProblem(await request('/nothing/here'), 404, 'not_found');
    expectProblem(await request({ method: 'DELETE', url: '/accounts' }), 404, 'not_found');
  });
});

describe('GET /accounts', () => {
  it('walks every account exactly once, in id order, at any page size', async () => {
    const expected = await dbIds('select account_id as id from card_accounts order by account_id');
    expect(expected).toHaveLength(DEMO_ACCOUNTS);
    for (const limit of [1, 7, 50, DEMO_ACCOUNTS, 1000]) {
      const ids = await walk('', limit);
      expect(ids, `limit ${limit}`).toEqual(expected);
    }
    const first = await request('/accounts');
    expect(first.json<Page>().accounts).toHaveLength(50);
    expect(first.json<Page>().nextCursor).toEqual(expect.any(String));
  });

  it('filters by bucket and by a days-past-due range (also across pages)', async () => {
    const { rows } = await rt.pool.query<{ bucket: string; n: number }>(
      `select bucket, count(*)::int as n from account_delinquency where bucket <> 'M0' group by bucket order by n desc, bucket`);
    expect(rows.length, 'the demo portfolio has delinquent accounts').toBeGreaterThan(0);
    const bucket = rows[0]!.bucket;
    const inBucket = await dbIds('select account_id as id from account_delinquency where bucket = $1 order by account_id', [bucket]);
    const byBucket = await request(`/accounts?bucket=${encodeURIComponent(bucket)}&limit=1000`);
    expect(byBucket.json<Page>().accounts.map((a) => a.id)).toEqual(inBucket);
    expect(byBucket.json<Page>().accounts.every((a) => a.bucket === bucket)).toBe(true);
    expect(await walk(`&bucket=${encodeURIComponent(bucket)}`, 2)).toEqual(inBucket);

    const inRange = await dbIds('select account_id as id from account_delinquency where days_past_due between 1 and 45 order by account_id');
    expect(inRange.length).toBeGreaterThan(0);
    const byRange = await request('/accounts?dpdMin=1&dpdMax=45&limit=1000');
    const accounts = byRange.json<Page>().accounts;
    expect(accounts.map((a) => a.id)).toEqual(inRange);
    expect(accounts.every((a) => a.daysPastDue! >= 1 && a.daysPastDue! <= 45)).toBe(true);
    expect(await walk('&dpdMin=1&dpdMax=45', 3)).toEqual(inRange);

    const current = await request('/accounts?dpdMax=0&bucket=M0&limit=1000');
    expect(current.json<Page>().accounts.length).toBe(DEMO_ACCOUNTS - (await dbIds(`select account_id as id from account_delinquency where days_past_due > 0`)).length);
  });

  it('refuses an invalid cursor, an unknown parameter, bad numbers and unknown buckets with 400 naming the field', async () => {
    for (const cursor of ['!!!', 'zzzz', 'not a cursor', 'x'.repeat(301)]) {
      const body = expectProblem(await request(`/accounts?cursor=${encodeURIComponent(cursor)}`), 400, cursor.length > 300 ? 'invalid_request' : 'invalid_cursor');
      expect(body.errors).toEqual([expect.objectContaining({ field: 'querystring.cursor' })]);
    }
    const unknown = expectProblem(await request('/accounts?bukket=M1'), 400, 'invalid_request');
    expect(unknown.errors).toEqual([{ field: 'querystring.bukket', message: expect.any(String) }]);
    expect(unknown.detail).toContain('bukket');
    for (const [query, field] of [
      ['limit=0', 'limit'], ['limit=1001', 'limit'], ['limit=abc', 'limit'], ['limit=', 'limit'], ['limit=2.5', 'limit'],
      ['dpdMin=-1', 'dpdMin'], ['dpdMax=1e3', 'dpdMax'], ['bucket=m2', 'bucket'], ['dpdMin=10&dpdMax=5', 'dpdMin'],
    ] as const) {
      const body = expectProblem(await request(`/accounts?${query}`), 400, 'invalid_request');
      expect(body.errors, query).toContainEqual(expect.objectContaining({ field: `querystring.${field}` }));
    }
  });
});

describe('GET /accounts/:id', () => {
  it('answers as `recourse account show --json`, with personal data masked', async () => {
    const { rows } = await rt.pool.query<{ account_id: string; customer_id: string; national_id_encrypted: Buffer }>(
      `select a.account_id, a.customer_id, c.national_id_encrypted from card_accounts a join customers c using (customer_id)
       where c.national_id_encrypted is not null order by a.account_id limit 1`);
    const { account_id: id, customer_id: customerId } = rows[0]!;
    const nationalId = rt.cipher.decrypt(rows[0]!.national_id_encrypted);
    const phones = (await rt.pool.query<{ e: Buffer }>(`select value_encrypted as e from contact_points where customer_id = $1 and kind = 'phone' order by position`, [customerId])).rows.map((r) => rt.cipher.decrypt(r.e));
    expect(phones.length).toBeGreaterThan(0);

    const r = await request(`/accounts/${id}?asOf=${AS_OF}`);
    expect(r.statusCode).toBe(200);
    const cli = await runCli(rt, ['account', 'show', id, '--as-of', AS_OF, '--json']);
    expect(r.json()).toEqual(cli.json());
    const body = r.json();
    expect(body).toMatchObject({ asOf: AS_OF, account: { id }, customer: { id: customerId, nationalId: '*'.repeat(14) + nationalId.slice(-4) } });
    expect(body.customer.phones.map((p: { number: string }) => p.number)).toEqual(phones.map((p) => `${p.slice(0, -8)}****${p.slice(-4)}`));
    for (const secret of [nationalId, ...phones]) expect(r.body).not.toContain(secret);

    const today = await request(`/accounts/${id}`);
    expect(today.json().asOf).toBe(AS_OF); // the runtime's clock: 2026-06-30 in Asia/Shanghai
  });

  it('404 problem for an unknown account; 400 for a bad asOf or an unknown parameter', async () => {
    const missing = expectProblem(await request('/accounts/nope'), 404, 'account_not_found');
    expect(missing.detail).toContain('nope');
    expectProblem(await request('/accounts/demo-a-000001?asOf=2026-02-30'), 400, 'invalid_request');
    expectProblem(await request('/accounts/demo-a-000001?asOf=yesterday'), 400, 'invalid_request');
    const unknown = expectProblem(await request('/accounts/demo-a-000001?as_of=2026-06-30'), 400, 'invalid_request');
    expect(unknown.errors).toEqual([expect.objectContaining({ field: 'querystring.as_of' })]);
    expectProblem(await request(`/accounts/${'x'.repeat(65)}`), 400, 'invalid_request');
  });
});

describe('POST /imports', () => {
  const ndjson = (records: object[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';
  const post = (payload: string, contentType = 'application/x-ndjson', query = '') =>
    request({ method: 'POST', url: `/imports${query}`, headers: { 'content-type': contentType }, payload });
  const counts = async () => (await rt.pool.query(
    `select (select count(*) from customers)::int as customers, (select count(*) from card_accounts)::int as accounts,
            (select count(*) from statements)::int as statements, (select count(*) from payments)::int as payments,
            (select count(*) from contact_points)::int as contacts`)).rows[0];

  const customer = (id: string) => ({ type: 'customer', id, name: `Customer ${id}`, nationalId: '110105194912310021', phones: [{ number: '13812345678' }] });
  const account = (id: string, customerId: string) => ({ type: 'account', id, customerId, currency: 'CNY', creditLimit: '10000.00', openedOn: '2026-01-01' });

  it('imports a valid NDJSON feed: 201 with the summary, and the account ages from it', async () => {
    const r = await post(ndjson([
      customer('HC1'), account('HA1', 'HC1'),
      { type: 'statement', accountId: 'HA1', statementDate: '2026-05-05', dueDate: '2026-05-25', minimumDue: '200.00', closingBalance: '2000.00' },
      { type: 'payment', id: 'HP1', accountId: 'HA1', postedOn: '2026-05-20', amount: '50.00' },
    ]));
    expect(r.statusCode, r.body).toBe(201);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(r.json()).toMatchObject({
      importId: expect.any(Number), format: 'ndjson', lines: 4, records: 4, rejectedLines: 0, rejects: [],
      counts: { customer: { inserted: 1 }, account: { inserted: 1 }, statement: { inserted: 1 }, payment: { inserted: 1 } },
    });
    // Due 2026-05-25, 150.00 unpaid: 36 days past due on 2026-06-30 (M2), late once.
    const view = await request(`/accounts/HA1?asOf=${AS_OF}`);
    expect(view.json()).toMatchObject({
      daysPastDue: 36, bucket: 'M2', lateCountCumulative: 1, lateCountConsecutive: 1,
      balances: { balance: '1950.00', overdue: '150.00' }, customer: { nationalId: '**************0021', phones: [{ number: '138****5678' }] },
    });
    expect(view.body).not.toContain('110105194912310021');
    expect(view.body).not.toContain('13812345678');
  });

  it('refuses an invalid feed with 422, every error as {line, field, message}, and writes nothing', async () => {
    const before = await counts();
    const r = await post(ndjson([
      customer('HC2'), account('HA2', 'HC2'),
      { type: 'statement', accountId: 'HA2', statementDate: '2026-02-30', dueDate: '2026-03-20', minimumDue: '1.00', closingBalance: '1.00' },
      { type: 'payment', id: 'HP2', accountId: 'HA2', postedOn: '2026-03-01', amount: 12.5 },
      { type: 'account', id: 'HA3', customerId: 'nobody', currency: 'CNY', creditLimit: '1.00', openedOn: '2026-01-01' },
    ]) + '{not json\n');
    const body = expectProblem(r, 422, 'invalid_feed');
    expect(body.errors.length).toBeGreaterThanOrEqual(4);
    for (const e of body.errors) expect(e).toEqual({ line: expect.any(Number), field: expect.any(String), message: expect.any(String) });
    expect(body.errors.map((e: { line: number }) => e.line)).toEqual(expect.arrayContaining([3, 4, 5, 6]));
    expect(body.errors).toContainEqual(expect.objectContaining({ line: 3, field: 'statementDate' }));
    expect(body.errors).toContainEqual(expect.objectContaining({ line: 4, field: 'amount' }));
    expect(await counts()).toEqual(before);
    expect((await request('/accounts/HA2')).statusCode).toBe(404);
  });

  it('with skipInvalid=true imports the valid lines: 201 with the rejects and their raw text', async () => {
    const bad = { type: 'statement', accountId: 'HA4', statementDate: '2026-06-05', dueDate: '2026-05-01', minimumDue: '1.00', closingBalance: '1.00' };
    const r = await post(ndjson([customer('HC4'), account('HA4', 'HC4'), bad]), 'application/x-ndjson', '?skipInvalid=true');
    expect(r.statusCode, r.body).toBe(201);
    const summary = r.json();
    expect(summary).toMatchObject({ lines: 3, records: 2, rejectedLines: 1, counts: { customer: { inserted: 1 }, account: { inserted: 1 } } });
    expect(summary.rejects).toEqual([{ line: 3, errors: [expect.objectContaining({ field: 'dueDate', message: expect.any(String) })], raw: JSON.stringify(bad) }]);
    expect((await request('/accounts/HA4')).statusCode).toBe(200);
  });

  it('imports a CSV body (text/csv), and re-importing it changes nothing', async () => {
    const csv = 'id,name,phones\nHC5,Csv Customer,"[{""number"":""13900001111""}]"\nHC6,Other Customer,\n';
    const r = await post(csv, 'text/csv; charset=utf-8');
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ format: 'csv', lines: 3 /* with the header */, records: 2, counts: { customer: { inserted: 2 }, contactPoint: { inserted: 1 } } });
    const again = await post(csv, 'text/csv');
    expect(again.json()).toMatchObject({ counts: { customer: { inserted: 0, updated: 0, unchanged: 2 } } });
    const badCsv = expectProblem(await post('id,name,bogus\nHC7,X,1\n', 'text/csv'), 422, 'invalid_feed');
    expect(badCsv.errors[0]).toMatchObject({ line: expect.any(Number), field: expect.any(String) });
  });

  it('serves account ids that contain a slash (allowed in feeds) at their encoded path', async () => {
    const r = await post(ndjson([customer('HC/9'), account('HA/9', 'HC/9')]));
    expect(r.statusCode, r.body).toBe(201);
    const view = await request(`/accounts/${encodeURIComponent('HA/9')}`);
    expect(view.statusCode, view.body).toBe(200);
    expect(view.json()).toMatchObject({ account: { id: 'HA/9' }, customer: { id: 'HC/9' } });
  });

  it('refuses a body over the size limit with a 413 problem that reaches the client over a real socket', async () => {
    const small = await buildServer(rt, { importBodyBytesMax: 1000 });
    const auth = admin.headers;
    try {
      const url = await small.listen({ port: 0, host: '127.0.0.1' });
      const body = ndjson(Array.from({ length: 20_000 }, (_, i) => customer(`BIG${i}`)));
      expect(body.length).toBeGreaterThan(2_000_000);
      const r = await fetch(`${url}/imports`, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-ndjson' }, body });
      expect(r.status).toBe(413);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const problem = await r.text();
      errorBodies.push(problem);
      expect(JSON.parse(problem)).toMatchObject({ status: 413, code: 'payload_too_large' });
      expect((await rt.pool.query(`select 1 from customers where customer_id like 'BIG%'`)).rowCount).toBe(0);
      const fine = await fetch(`${url}/imports`, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-ndjson' }, body: ndjson([customer('BIG-ok')]) });
      expect(fine.status).toBe(201);
    } finally {
      await small.close();
    }
  });

  it('refuses an unsupported content type or a missing body with 415, and unknown parameters with 400', async () => {
    expectProblem(await post('<feed/>', 'application/xml'), 415, 'unsupported_media_type');
    expectProblem(await post('a=b', 'application/x-www-form-urlencoded'), 415, 'unsupported_media_type');
    expectProblem(await request({ method: 'POST', url: '/imports' }), 415, 'unsupported_media_type');
    const unknown = expectProblem(await post(ndjson([customer('HC8')]), 'application/x-ndjson', '?dryRun=true'), 400, 'invalid_request');
    expect(unknown.errors).toEqual([expect.objectContaining({ field: 'querystring.dryRun' })]);
    expectProblem(await post(ndjson([customer('HC8')]), 'application/x-ndjson', '?skipInvalid=yes'), 400, 'invalid_request');
    expectProblem(await post(ndjson([customer('HC8')]), 'application/x-ndjson', '?format=xml'), 400, 'invalid_request');
    expect((await rt.pool.query(`select 1 from customers where customer_id = 'HC8'`)).rowCount).toBe(0);
  });
});

describe('internal errors', () => {
  it('are 500 (503 for /health) problems with only a reference id: no message, stack or SQL', async () => {
    const failing = new Error('relation "card_accounts" does not exist: select a.account_id from card_accounts a where password = \'hunter2\'');
    const broken = { ...rt, pool: { query: async () => { throw failing; } } } as unknown as Runtime;
    const brokenApp = await buildServer(broken);
    try {
      for (const [url, status, code] of [['/health', 503, 'service_unavailable'], ['/accounts', 500, 'internal_error'], ['/accounts/A1', 500, 'internal_error']] as const) {
        const r = await injectAs(brokenApp, admin)(url);
        errorBodies.push(r.body);
        const body = expectProblem(r, status, code);
        expect(body.detail).toMatch(/^reference \S+$/);
      }
    } finally {
      await brokenApp.close();
    }
  });

  it('no error body seen in this file carries a stack trace, SQL or a source path', () => {
    expect(errorBodies.length).toBeGreaterThan(30);
    for (const body of errorBodies) {
      expect(body).not.toMatch(/\n\s+at |\bat .+:\d+:\d+|node_modules|\.ts\b|\b(select|insert|update|delete)\b .*\b(from|into|set)\b|relation "|hunter2|stack/i);
    }
  });
});
