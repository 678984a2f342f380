/**
 * Logs never contain a full national id or phone number: the server runs with logging on (every
 * request logged), goes through imports (valid and invalid lines), views, unmasking, exports, failed
 * logins with PII as the username, PII in URLs and an internal error whose message quotes PII; then
 * every log line, the CLI's error output and the access audit are scanned for every national id and
 * phone number the database holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestRuntime } from '../support/database.ts';
import { runCli } from '../support/cli.ts';
import { bearer, createApiToken, injectAs, sessionFor, type Credentials } from '../support/auth.ts';
import { buildServer } from '../../src/server.ts';
import type { Runtime } from '../../src/runtime.ts';

const FEED_IDS = ['110105194912310021', '11010519491231002X', '320102198001011234'];
const FEED_PHONES = ['13812345678', '+8613987654321', '15900001111'];

let rt: Runtime;
let app: FastifyInstance;
const lines: string[] = [];
let compliance: Credentials;

beforeAll(async () => {
  rt = await createTestRuntime({ config: { logLevel: 'trace' } });
  expect((await runCli(rt, ['demo', '--accounts', '30', '--seed', '9', '--as-of', '2026-06-30'])).code).toBe(0);
  app = await buildServer(rt, { logStream: { write: (line: string) => void lines.push(line) } });
  compliance = await sessionFor(app, rt, { role: 'compliance_officer' });
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

/** Every national id and phone number stored, in clear, plus the forms a phone is written in. */
async function allPii(): Promise<string[]> {
  const ids = (await rt.pool.query<{ e: Buffer }>('select national_id_encrypted as e from customers where national_id_encrypted is not null')).rows.map((r) => rt.cipher.decrypt(r.e));
  const phones = (await rt.pool.query<{ e: Buffer }>(`select value_encrypted as e from contact_points where kind = 'phone'`)).rows.map((r) => rt.cipher.decrypt(r.e));
  return [...new Set([...ids, ...phones, ...phones.map((p) => p.replace(/^\+86/, ''))])];
}

describe('log scan', () => {
  it('no log line, CLI error or audit row holds a full national id or phone number', async () => {
    const feed = injectAs(app, bearer(await createApiToken(rt, ['imports:write'])));
    const ndjson = [
      { type: 'customer', id: 'L1', name: '张伟', nationalId: FEED_IDS[0], phones: [{ number: FEED_PHONES[0] }, { number: FEED_PHONES[1], role: 'guarantor' }] },
      { type: 'customer', id: 'L2', name: 'Li', nationalId: FEED_IDS[1], phones: [{ number: FEED_PHONES[2] }] },
      { type: 'account', id: 'LA1', customerId: 'L1', currency: 'CNY', creditLimit: '100.00', openedOn: '2026-01-01' },
      { type: 'account', id: 'LA2', customerId: 'L2', currency: 'CNY', creditLimit: '100.00', openedOn: '2026-01-01' },
    ].map((r) => JSON.stringify(r)).join('\n') + '\n';
    expect((await feed({ method: 'POST', url: '/imports', headers: { 'content-type': 'application/x-ndjson' }, payload: ndjson })).statusCode).toBe(201);
    // Invalid lines that quote PII back in their errors.
    const bad = `{"type":"customer","id":"L3","name":"X","nationalId":"${FEED_IDS[2]}","phones":[{"number":"${FEED_PHONES[0]}9"}],"oops":1}\n`;
    const refused = await feed({ method: 'POST', url: '/imports', headers: { 'content-type': 'application/x-ndjson' }, payload: bad });
    const skipped = await feed({ method: 'POST', url: '/imports?skipInvalid=true', headers: { 'content-type': 'application/x-ndjson' }, payload: bad });
    expect([refused.statusCode, skipped.statusCode]).toEqual([422, 201]);
    // The feed client holds no pii:unmask: what its responses quote of the feed is masked too.
    expect(skipped.json().rejects[0].raw).toContain('**************1234');
    for (const body of [refused.body, skipped.body]) for (const p of [FEED_IDS[2]!, FEED_PHONES[0]!]) expect(body).not.toContain(p);

    const as = injectAs(app, compliance);
    expect((await as('/accounts/LA1')).statusCode).toBe(200);
    expect((await as({ method: 'POST', url: '/accounts/LA1/unmask', payload: { reason: `caller gave ${FEED_PHONES[0]} and ${FEED_IDS[0]}` } })).statusCode).toBe(200);
    expect((await as({ method: 'POST', url: '/exports/accounts', payload: { reason: 'regulator sample 2026', unmask: true } })).statusCode).toBe(200);
    // PII where it does not belong: in URLs, query strings, usernames and headers.
    await as(`/accounts/${FEED_IDS[0]}`);
    await as(`/nothing/${FEED_PHONES[0]}/${FEED_IDS[1]}`);
    await as(`/accounts?cursor=${FEED_PHONES[2]}`);
    await as({ url: '/accounts', headers: { 'x-caller': FEED_PHONES[0], authorization: `Bearer ${FEED_IDS[0]}` } });
    await app.inject({ method: 'POST', url: '/auth/login', payload: { username: FEED_PHONES[0], password: FEED_IDS[0] } });
    await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'x', password: 'y', totp: FEED_PHONES[0] } });

    // An internal error whose message quotes PII (as a failing statement's can).
    const leaky = new Error(`duplicate key value violates unique constraint: Key (value)=(${FEED_PHONES[0]}) national_id ${FEED_IDS[0]}`);
    const broken = { ...rt, pool: { query: async () => { throw leaky; } } } as unknown as Runtime;
    const brokenApp = await buildServer(broken, { logStream: { write: (line: string) => void lines.push(line) } });
    expect((await injectAs(brokenApp, compliance)('/accounts')).statusCode).toBe(500);
    await brokenApp.close();
    const cli = await runCli(broken, ['account', 'list']);
    expect(cli.code).toBe(1);

    const pii = await allPii();
    for (const p of [...FEED_IDS.slice(0, 2), ...FEED_PHONES]) expect(pii).toContain(p);
    expect(pii.length).toBeGreaterThan(40);
    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(20);
    expect(log).toContain('incoming request');
    expect(log).toContain('request failed');
    expect(log, 'the redactor ran').toContain('*******5678');
    const audit = JSON.stringify((await rt.pool.query('select * from access_audit')).rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
    for (const [where, text] of [['server log', log], ['CLI stderr', cli.stderr], ['access audit', audit]] as const) {
      const found = pii.filter((p) => text.includes(p) || text.includes(p.replace(/^\+/, '')));
      expect(found, `${where} holds full PII`).toEqual([]);
    }
    for (const id of FEED_IDS) expect(log).not.toContain(id);
    expect(cli.stderr).toContain('*******5678');
  });
});
