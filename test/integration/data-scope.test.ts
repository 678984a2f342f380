/**
 * Data scopes and audited PII access: collectors see their team's accounts, agency users only the
 * accounts placed with their agency (masked, no export, no unmask), legal only accounts in a legal
 * stage; reading another scope's account by id answers 404 exactly like a missing one (IDOR). Unmask
 * and export need a reason and leave an audit row with who, what and why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestRuntime } from '../support/database.ts';
import { runCli } from '../support/cli.ts';
import { injectAs, sessionFor, type Credentials } from '../support/auth.ts';
import { buildServer } from '../../src/server.ts';
import type { Runtime } from '../../src/runtime.ts';

const NATIONAL_ID = '110105194912310021';
const PHONE = '13812345678';
const customer = (id: string, n: number) => ({ type: 'customer', id, name: `Customer ${id}`, nationalId: `11010519491231${String(1000 + n).slice(-4)}`, phones: [{ number: `139${String(10_000_000 + n).slice(-8)}` }] });
const account = (id: string, customerId: string) => ({ type: 'account', id, customerId, currency: 'CNY', creditLimit: '10000.00', openedOn: '2026-01-01' });

let rt: Runtime;
let app: FastifyInstance;
const s: Record<string, Credentials> = {};
const as = (who: string) => injectAs(app, s[who]!);

/**
 * Accounts: TA1, TA2 with team-a; TB1 with team-b, placed with agency-b; GA1 team-a placed with agency-a;
 * L1 in litigation (team-b); U1 unassigned. P1 belongs to a customer with known PII.
 */
beforeAll(async () => {
  rt = await createTestRuntime();
  app = await buildServer(rt);
  const feed = [
    { type: 'customer', id: 'CP', name: '张伟', nationalId: NATIONAL_ID, phones: [{ number: PHONE }, { number: '+8613987654321', role: 'guarantor' }] },
    account('P1', 'CP'),
    ...['TA1', 'TA2', 'TB1', 'GA1', 'L1', 'U1'].flatMap((id, i) => [customer(`C-${id}`, i), account(id, `C-${id}`)]),
  ];
  const file = `${rt.config.dataDir}/feed.ndjson`;
  await import('node:fs/promises').then((fs) => fs.writeFile(file, feed.map((r) => JSON.stringify(r)).join('\n') + '\n'));
  expect((await runCli(rt, ['import', file])).code).toBe(0);
  for (const [id, ...flags] of [
    ['P1', '--team', 'team-a', '--agency', 'agency-a'], ['TA1', '--team', 'team-a'], ['TA2', '--team', 'team-a'],
    ['TB1', '--team', 'team-b', '--agency', 'agency-b'], ['GA1', '--team', 'team-a', '--agency', 'agency-a'], ['L1', '--team', 'team-b', '--legal-stage', 'litigation'],
  ] as string[][]) {
    const r = await runCli(rt, ['access', 'assign', id!, ...flags]);
    expect(r.code, r.stderr).toBe(0);
  }
  s.collectorA = await sessionFor(app, rt, { role: 'collector', teamId: 'team-a' });
  s.collectorB = await sessionFor(app, rt, { role: 'collector', teamId: 'team-b' });
  s.agencyA = await sessionFor(app, rt, { role: 'agency_user', agencyId: 'agency-a' });
  s.agencyB = await sessionFor(app, rt, { role: 'agency_user', agencyId: 'agency-b' });
  s.legal = await sessionFor(app, rt, { role: 'legal' });
  s.supervisorB = await sessionFor(app, rt, { role: 'supervisor', teamId: 'team-b' });
  s.compliance = await sessionFor(app, rt, { role: 'compliance_officer' });
  s.strategy = await sessionFor(app, rt, { role: 'strategy_manager' });
  s.auditor = await sessionFor(app, rt, { role: 'auditor' });
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

const listIds = async (who: string) => {
  const r = await as(who)('/accounts?limit=1000');
  expect(r.statusCode, r.body).toBe(200);
  return r.json<{ accounts: { id: string }[] }>().accounts.map((a) => a.id);
};

describe('data scopes on GET /accounts', () => {
  it('collectors see their team, agency users their placements, legal the legal stages, others everything', async () => {
    expect(await listIds('collectorA')).toEqual(['GA1', 'P1', 'TA1', 'TA2']);
    expect(await listIds('collectorB')).toEqual(['L1', 'TB1']);
    expect(await listIds('supervisorB')).toEqual(['L1', 'TB1']);
    expect(await listIds('agencyA')).toEqual(['GA1', 'P1']);
    expect(await listIds('agencyB')).toEqual(['TB1']);
    expect(await listIds('legal')).toEqual(['L1']);
    for (const who of ['compliance', 'strategy', 'auditor']) expect(await listIds(who)).toEqual(['GA1', 'L1', 'P1', 'TA1', 'TA2', 'TB1', 'U1']);
  });

  it('paging with a cursor stays inside the scope', async () => {
    const first = (await as('collectorA')('/accounts?limit=1')).json();
    expect(first.accounts.map((a: { id: string }) => a.id)).toEqual(['GA1']);
    const next = (await as('collectorA')(`/accounts?limit=10&cursor=${first.nextCursor}`)).json();
    expect(next.accounts.map((a: { id: string }) => a.id)).toEqual(['P1', 'TA1', 'TA2']);
  });
});

describe('IDOR: reading another scope\'s account by id', () => {
  it('agency A cannot read an account placed with agency B, nor B one of A: 404 like a missing account', async () => {
    const missing = await as('agencyA')('/accounts/NOPE');
    expect((await as('agencyB')('/accounts/TB1')).statusCode).toBe(200);
    const other = await as('agencyA')('/accounts/TB1');
    expect(other.statusCode).toBe(404);
    expect(other.json()).toEqual({ ...missing.json(), detail: missing.json().detail.replace('NOPE', 'TB1') });
    expect((await as('agencyB')('/accounts/GA1')).statusCode).toBe(404);
    expect((await as('agencyA')('/accounts/U1')).statusCode, 'unplaced').toBe(404);
  });

  it('a collector cannot read another team\'s case; legal only legal-stage accounts', async () => {
    expect((await as('collectorA')('/accounts/TA1')).statusCode).toBe(200);
    expect((await as('collectorA')('/accounts/TB1')).statusCode).toBe(404);
    expect((await as('collectorB')('/accounts/TA1')).statusCode).toBe(404);
    expect((await as('collectorA')('/accounts/U1')).statusCode).toBe(404);
    expect((await as('legal')('/accounts/L1')).statusCode).toBe(200);
    expect((await as('legal')('/accounts/TA1')).statusCode).toBe(404);
    expect((await as('legal')({ method: 'POST', url: '/accounts/TA1/unmask', payload: { reason: 'preparing the lawsuit file' } })).statusCode).toBe(404);
  });

  it('a reassignment moves the account between scopes at once', async () => {
    const supervisor = await sessionFor(app, rt, { role: 'supervisor' });
    const r = await injectAs(app, supervisor)({ method: 'PUT', url: '/accounts/TA2/assignment', payload: { teamId: 'team-b', agencyId: null, legalStage: null } });
    expect(r.statusCode, r.body).toBe(200);
    expect((await as('collectorA')('/accounts/TA2')).statusCode).toBe(404);
    expect((await as('collectorB')('/accounts/TA2')).statusCode).toBe(200);
    // A team supervisor manages only their own team's accounts.
    expect((await as('supervisorB')({ method: 'PUT', url: '/accounts/TA1/assignment', payload: { teamId: 'team-b', agencyId: null, legalStage: null } })).statusCode).toBe(404);
    expect((await as('supervisorB')({ method: 'PUT', url: '/accounts/TA2/assignment', payload: { teamId: 'team-b', agencyId: null, legalStage: 'nonsense' } })).statusCode).toBe(400);
    const trail = (await rt.pool.query(`select details from access_audit where action = 'assignment_changed' and subject_id = 'TA2' order by audit_id desc limit 1`)).rows[0];
    expect(trail.details).toMatchObject({ before: { teamId: 'team-a' }, after: { teamId: 'team-b' } });
  });
});

describe('masking and audited unmask', () => {
  it('every account response is masked, for every role', async () => {
    for (const who of ['collectorA', 'agencyA', 'compliance']) {
      const r = await as(who)('/accounts/P1');
      expect(r.statusCode).toBe(200);
      expect(r.json().customer).toMatchObject({ nationalId: '**************0021', phones: [{ number: '138****5678' }, { number: '+86139****4321' }] });
      for (const secret of [NATIONAL_ID, PHONE, '13987654321']) expect(r.body).not.toContain(secret);
    }
  });

  it('unmask needs pii:unmask and a reason, and writes who/what/why to the audit trail', async () => {
    for (const who of ['agencyA', 'collectorA', 'auditor', 'strategy']) {
      expect((await as(who)({ method: 'POST', url: '/accounts/P1/unmask', payload: { reason: 'I would like to see it' } })).statusCode, who).toBe(403);
    }
    const noReason = await as('compliance')({ method: 'POST', url: '/accounts/P1/unmask', payload: {} });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors).toContainEqual(expect.objectContaining({ field: 'body.reason' }));
    expect((await as('compliance')({ method: 'POST', url: '/accounts/P1/unmask', payload: { reason: 'short' } })).statusCode).toBe(400);
    const before = Number((await rt.pool.query(`select count(*) from access_audit where action = 'pii_unmasked'`)).rows[0].count);
    expect(before).toBe(0);

    const r = await as('compliance')({ method: 'POST', url: '/accounts/P1/unmask', payload: { reason: 'complaint 2026-118: verify the caller, 13812345678' } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.json()).toMatchObject({ accountId: 'P1', customerId: 'CP', nationalId: NATIONAL_ID, phones: [{ number: PHONE, role: 'debtor' }, { number: '+8613987654321', role: 'guarantor' }] });
    const trail = await as('auditor')('/audit/access?action=pii_unmasked');
    const [entry] = trail.json().entries;
    expect(entry).toMatchObject({
      id: r.json().auditId, action: 'pii_unmasked', actor: { kind: 'user', name: s.compliance!.headers && expect.stringMatching(/^compliance-officer-/) },
      subject: { kind: 'account', id: 'P1' }, reason: 'complaint 2026-118: verify the caller, *******5678', ip: '127.0.0.1',
    });
    expect(JSON.stringify(trail.json())).not.toContain(PHONE);
  });
});

describe('exports', () => {
  it('are masked by default, audited with the row count, and limited to the caller\'s scope', async () => {
    const r = await as('legal')({ method: 'POST', url: '/exports/accounts', payload: { reason: 'monthly litigation review' } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    const lines = r.body.trim().split('\n');
    expect(lines[0]).toBe('accountId,customerId,name,nationalId,phones,bucket,daysPastDue,balance,overdue,currency,agedAsOf');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['L1']);
    expect(r.headers['x-export-rows']).toBe('1');

    const all = await as('compliance')({ method: 'POST', url: '/exports/accounts', payload: { reason: 'quarterly regulator sample' } });
    expect(all.body).toContain('P1,CP,张伟,**************0021,138****5678;+86139****4321');
    expect(all.body).not.toContain(NATIONAL_ID);
    expect(all.body.trim().split('\n')).toHaveLength(8);
    const audit = (await rt.pool.query(`select actor_name, reason, details from access_audit where action = 'accounts_exported' order by audit_id`)).rows;
    expect(audit).toEqual([
      expect.objectContaining({ reason: 'monthly litigation review', details: expect.objectContaining({ rows: 1, unmasked: false, scope: { kind: 'legal' } }) }),
      expect.objectContaining({ reason: 'quarterly regulator sample', details: expect.objectContaining({ rows: 7, unmasked: false }) }),
    ]);
  });

  it('unmasked only with pii:unmask; agency users and collectors cannot export at all', async () => {
    expect((await as('agencyA')({ method: 'POST', url: '/exports/accounts', payload: { reason: 'our placed accounts' } })).statusCode).toBe(403);
    expect((await as('collectorA')({ method: 'POST', url: '/exports/accounts', payload: { reason: 'my team accounts' } })).statusCode).toBe(403);
    const strategy = await as('strategy')({ method: 'POST', url: '/exports/accounts', payload: { reason: 'model training data', unmask: true } });
    expect(strategy.statusCode).toBe(403);
    expect(strategy.json().detail).toMatch(/pii:unmask/);
    const clear = await as('compliance')({ method: 'POST', url: '/exports/accounts', payload: { reason: 'court order 2026-77', unmask: true } });
    expect(clear.statusCode).toBe(200);
    expect(clear.body).toContain(`P1,CP,张伟,${NATIONAL_ID},${PHONE};+8613987654321`);
    const last = (await rt.pool.query(`select reason, details from access_audit where action = 'accounts_exported' order by audit_id desc limit 1`)).rows[0];
    expect(last).toMatchObject({ reason: 'court order 2026-77', details: { unmasked: true, rows: 7 } });
    expect((await as('compliance')({ method: 'POST', url: '/exports/accounts', payload: { reason: 'x' } })).statusCode).toBe(400);
    expect((await as('compliance')({ method: 'POST', url: '/exports/accounts', payload: { reason: 'a valid reason', bucket: 'm9' } })).statusCode).toBe(400);
  });

  it('the CLI exports and unmasks as the operator, with --reason, audited', async () => {
    const noReason = await runCli(rt, ['pii', 'unmask', 'P1']);
    expect(noReason.code).toBe(2);
    const unmask = await runCli(rt, ['pii', 'unmask', 'P1', '--reason', 'customer called to verify', '--json'], { env: { RECOURSE_OPERATOR: 'ops-li' } });
    expect(unmask.code, unmask.stderr).toBe(0);
    expect(unmask.json()).toMatchObject({ nationalId: NATIONAL_ID });
    const exported = await runCli(rt, ['export', 'accounts', '--reason', 'backup for the auditors'], { env: { RECOURSE_OPERATOR: 'ops-li' } });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain('**************0021');
    expect(exported.stderr).toBe('exported 7 accounts\n');
    const trail = (await rt.pool.query(`select actor_kind, actor_name, action, reason from access_audit where actor_name = 'ops-li' order by audit_id`)).rows;
    expect(trail).toEqual([
      { actor_kind: 'operator', actor_name: 'ops-li', action: 'pii_unmasked', reason: 'customer called to verify' },
      { actor_kind: 'operator', actor_name: 'ops-li', action: 'accounts_exported', reason: 'backup for the auditors' },
    ]);
    const audit = await runCli(rt, ['access', 'audit', '--action', 'pii_unmasked']);
    expect(audit.stdout).toMatch(/operator:ops-li\tpii_unmasked\taccount:P1\tcustomer called to verify/);
  });

  it('the access audit is append-only', async () => {
    await expect(rt.pool.query(`update access_audit set reason = 'nothing to see'`)).rejects.toThrow(/append-only/);
    await expect(rt.pool.query(`delete from access_audit`)).rejects.toThrow(/append-only/);
  });
});
