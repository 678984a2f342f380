/**
 * GET /reports/buckets and GET /reports/roll-rates: the same numbers as `recourse report …` (computed)
 * and as the stored aging results (latest), over the caller's data scope only, with bad input refused
 * by field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestRuntime } from '../support/database.ts';
import { runCli } from '../support/cli.ts';
import { injectAs, sessionFor, type Credentials } from '../support/auth.ts';
import { buildServer } from '../../src/server.ts';
import type { Runtime } from '../../src/runtime.ts';

let rt: Runtime;
let app: FastifyInstance;
let admin: Credentials;
let collector: Credentials;
const AS_OF = '2026-06-30';
const EARLIER = '2026-05-31';
const ACCOUNTS = 60;

beforeAll(async () => {
  rt = await createTestRuntime();
  app = await buildServer(rt);
  admin = await sessionFor(app, rt, { role: 'admin' });
  collector = await sessionFor(app, rt, { role: 'collector', teamId: 'team-a' });
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

interface Report { asOf: string | null; source: string; accounts: number; buckets: { bucket: string; accounts: number; balance: Record<string, string> }[] }

describe('GET /reports/buckets', () => {
  it('before any aging run: every bucket at zero, no date', async () => {
    const r = await injectAs(app, admin)('/reports/buckets');
    expect(r.statusCode, r.body).toBe(200);
    const report = r.json<Report>();
    expect(report).toMatchObject({ asOf: null, source: 'aging_run', accounts: 0 });
    expect(report.buckets.map((b) => b.bucket)).toEqual(['M0', 'M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7+']);
    expect(report.buckets.every((b) => b.accounts === 0)).toBe(true);
  });

  it('latest: the stored results of the last aging run, equal to the aging of that date', async () => {
    expect((await runCli(rt, ['demo', '--accounts', String(ACCOUNTS), '--seed', '5', '--as-of', AS_OF])).code).toBe(0);
    // A team for the scope tests: every other account, as the demo users get it.
    const ids = (await rt.pool.query<{ id: string }>('select account_id as id from card_accounts order by 1')).rows.map((r) => r.id);
    for (const [i, id] of ids.entries()) if (i % 2 === 0) expect((await runCli(rt, ['access', 'assign', id, '--team', 'team-a'])).code).toBe(0);

    const latest = (await injectAs(app, admin)('/reports/buckets')).json<Report>();
    expect(latest).toMatchObject({ asOf: AS_OF, source: 'aging_run', accounts: ACCOUNTS });
    const cli = (await runCli(rt, ['report', 'buckets', '--as-of', AS_OF, '--json'])).json<Report & { fromHostSnapshots: number }>();
    expect(cli.fromHostSnapshots, 'the demo has no host snapshots, so stored and computed agree').toBe(0);
    expect(latest.buckets).toEqual(cli.buckets);
    const stored = await rt.pool.query<{ bucket: string; n: number }>('select bucket, count(*)::int as n from account_delinquency group by 1');
    for (const row of stored.rows) expect(latest.buckets.find((b) => b.bucket === row.bucket)?.accounts).toBe(row.n);
    expect(latest.buckets.filter((b) => b.accounts > 0).length, 'the demo spreads over several buckets').toBeGreaterThan(1);
  });

  it('asOf: aged for that date on the fly, like recourse report buckets', async () => {
    const r = await injectAs(app, admin)(`/reports/buckets?asOf=${EARLIER}`);
    expect(r.statusCode, r.body).toBe(200);
    const cli = (await runCli(rt, ['report', 'buckets', '--as-of', EARLIER, '--json'])).json<Report>();
    expect(r.json<Report>()).toEqual({ asOf: EARLIER, source: 'computed', accounts: cli.accounts, buckets: cli.buckets });
  });

  it('counts only the caller\'s data scope', async () => {
    const team = (await injectAs(app, collector)('/accounts?limit=1000')).json<{ accounts: { bucket: string }[] }>().accounts;
    expect(team).toHaveLength(ACCOUNTS / 2);
    for (const url of ['/reports/buckets', `/reports/buckets?asOf=${AS_OF}`]) {
      const report = (await injectAs(app, collector)(url)).json<Report>();
      expect(report.accounts, url).toBe(ACCOUNTS / 2);
      for (const b of report.buckets) expect(b.accounts, `${url} ${b.bucket}`).toBe(team.filter((a) => a.bucket === b.bucket).length);
    }
  });

  it('refuses a date that is not one, and unknown parameters, by field', async () => {
    for (const [url, field] of [['/reports/buckets?asOf=2026-02-30', 'querystring.asOf'], ['/reports/buckets?asOf=yesterday', 'querystring.asOf'], ['/reports/buckets?bucket=M1', 'querystring.bucket']] as const) {
      const r = await injectAs(app, admin)(url);
      expect(r.statusCode, url).toBe(400);
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(r.json().errors.map((e: { field: string }) => e.field), url).toContain(field);
    }
    expect((await app.inject('/reports/buckets')).statusCode, 'no login, no numbers').toBe(401);
  });
});

describe('GET /reports/roll-rates', () => {
  it('is the roll-rate matrix of recourse report roll-rates, over the caller\'s scope', async () => {
    const r = await injectAs(app, admin)(`/reports/roll-rates?from=${EARLIER}&to=${AS_OF}`);
    expect(r.statusCode, r.body).toBe(200);
    const cli = (await runCli(rt, ['report', 'roll-rates', '--from', EARLIER, '--to', AS_OF, '--json'])).json();
    expect(r.json()).toEqual(cli);
    const scoped = (await injectAs(app, collector)(`/reports/roll-rates?from=${EARLIER}&to=${AS_OF}`)).json<{ accounts: number; rows: { accounts: number }[] }>();
    expect(scoped.accounts).toBeLessThanOrEqual(ACCOUNTS / 2);
    expect(scoped.accounts).toBeLessThan(r.json<{ accounts: number }>().accounts);
    expect(scoped.rows.reduce((n, row) => n + row.accounts, 0)).toBe(scoped.accounts);
  });

  it('needs from before to, both real dates', async () => {
    for (const url of [`/reports/roll-rates?from=${AS_OF}&to=${EARLIER}`, `/reports/roll-rates?from=${AS_OF}&to=${AS_OF}`]) {
      const r = await injectAs(app, admin)(url);
      expect(r.statusCode, url).toBe(400);
      expect(r.json()).toMatchObject({ code: 'invalid_request', errors: [{ field: 'querystring.from' }] });
    }
    const missing = await injectAs(app, admin)(`/reports/roll-rates?from=${EARLIER}`);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors.map((e: { field: string }) => e.field)).toContain('querystring.to');
  });
});
