/**
 * Payments on a real database: posted by API and by file (CLI and HTTP) into the same append-only
 * table the bank feed fills (so aging sees them), idempotent by payment id (same content → the same
 * result; different content → a clear error, nothing written), allocated by the waterfall setting,
 * reversed by new negative entries (once; never an edit).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestRuntime, tableSnapshot } from '../support/database.ts';
import { TestClock, seedPortfolio } from '../support/collector.ts';
import { injectAs, sessionFor, type Credentials } from '../support/auth.ts';
import { runCli } from '../support/cli.ts';
import { buildServer } from '../../src/server.ts';
import { loadPaymentsSettings, postPayments } from '../../src/modules/payments/index.ts';

type Rt = Awaited<ReturnType<typeof createTestRuntime>>;
let rt: Rt;
let app: FastifyInstance;
let admin: Credentials;
let supervisor: Credentials;
let collector: Credentials;
const clock = new TestClock('2026-06-30T02:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'recourse-payments-'));
const IGNORED = ['audit_log', 'audit_heads', 'access_audit', 'staff_sessions', 'account_history_changes', 'account_histories'];

beforeAll(async () => {
  rt = await createTestRuntime({ clock });
  await seedPortfolio(rt, [
    { id: 'C1', name: '张伟', nationalId: '11010519491231002X', phones: [{ number: '13800138000' }] },
    { id: 'C2', name: 'Li Na', nationalId: '310101198001011234', phones: [{ number: '13700137000' }] },
  ], [
    { id: 'A1', customerId: 'C1', team: 'team-a', statements: [
      { statementDate: '2026-04-05', dueDate: '2026-04-25', minimumDue: '300.00', closingBalance: '3030.00', principal: '3000.00', interest: '25.00', fees: '5.00' },
      { statementDate: '2026-05-05', dueDate: '2026-05-25', minimumDue: '500.00', closingBalance: '5120.00', principal: '5000.00', interest: '100.00', fees: '20.00' },
    ] },
    { id: 'A2', customerId: 'C2', team: 'team-a', statements: [{ statementDate: '2026-05-05', dueDate: '2026-05-25', minimumDue: '100.00', closingBalance: '1000.00' }] },
  ]);
  app = await buildServer(rt);
  admin = await sessionFor(app, rt, { role: 'admin' });
  supervisor = await sessionFor(app, rt, { role: 'supervisor', username: 'ops.zhou' });
  collector = await sessionFor(app, rt, { role: 'collector', teamId: 'team-a' });
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

const post = (c: Credentials, payments: unknown[]) => injectAs(app, c)({ method: 'POST', url: '/payments', payload: { payments } });
const P1 = { paymentId: 'P1', accountId: 'A1', postedOn: '2026-05-20', amount: '150.00', channel: 'alipay', reference: 'ALI-20260520-1' };

describe('posting by API', () => {
  it('allocates fees, then interest, then principal, oldest statement first, and aging sees the payment', async () => {
    const r = await post(supervisor, [P1]);
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().payments).toEqual([{
      paymentId: 'P1', accountId: 'A1', currency: 'CNY', postedOn: '2026-05-20', amount: '150.00', channel: 'alipay', reverses: null, replayed: false,
      allocation: [
        { target: 'fees', statementDate: '2026-04-05', amount: '5.00' }, { target: 'fees', statementDate: '2026-05-05', amount: '15.00' },
        { target: 'interest', statementDate: '2026-04-05', amount: '25.00' }, { target: 'interest', statementDate: '2026-05-05', amount: '75.00' },
        { target: 'principal', statementDate: '2026-04-05', amount: '30.00' },
      ],
    }]);
    const account = (await injectAs(app, admin)('/accounts/A1?asOf=2026-06-30')).json();
    expect(account.payments).toEqual([{ id: 'P1', postedOn: '2026-05-20', amount: '150.00', channel: 'alipay' }]);
    expect(account.balances.balance).toBe('4970.00'); // posted after the May statement: its balance less the payment
  });

  it('answers the same result for the same id and content, and a clear error for other content (nothing written)', async () => {
    const again = await post(supervisor, [{ ...P1, amount: '150' }]);
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json().payments[0]).toMatchObject({ paymentId: 'P1', replayed: true, amount: '150.00', allocation: expect.arrayContaining([{ target: 'fees', statementDate: '2026-04-05', amount: '5.00' }]) });
    const before = await tableSnapshot(rt, IGNORED);
    const conflict = await post(supervisor, [{ ...P1, paymentId: 'P9', amount: '1.00' }, { ...P1, amount: '151.00' }]);
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toMatchObject({ code: 'payment_id_conflict', errors: [{ field: 'body.payments[1].paymentId', message: expect.stringContaining('amount 151.00 ≠ 150.00') }] });
    const otherRef = await post(supervisor, [{ ...P1, reference: 'ALI-OTHER' }]);
    expect(otherRef.statusCode).toBe(409);
    expect(otherRef.json().detail).toContain('reference ALI-OTHER ≠ ALI-20260520-1');
    const twice = await post(supervisor, [{ ...P1, paymentId: 'P8' }, { ...P1, paymentId: 'P8', postedOn: '2026-05-21' }]);
    expect(twice.statusCode).toBe(409);
    expect(await tableSnapshot(rt, IGNORED)).toEqual(before);
  });

  it('refuses a whole batch with an unknown account or a malformed amount', async () => {
    const before = await tableSnapshot(rt, IGNORED);
    const r = await post(supervisor, [{ ...P1, paymentId: 'P2' }, { ...P1, paymentId: 'P3', accountId: 'NOPE' }, { ...P1, paymentId: 'P4', amount: '1.234' }]);
    expect(r.statusCode).toBe(422);
    expect(r.json().errors).toEqual([
      { field: 'body.payments[1].accountId', message: 'no account "NOPE"' },
      { field: 'body.payments[2].amount', message: '1.234 has 3 decimals; CNY allows 2' },
    ]);
    expect((await post(supervisor, [{ ...P1, paymentId: 'P5', amount: '0.00' }])).statusCode).toBe(400);
    expect(await tableSnapshot(rt, IGNORED)).toEqual(before);
  });

  it('treats a payment the bank feed imported like one it posted', async () => {
    writeFileSync(join(dir, 'feed.ndjson'), JSON.stringify({ type: 'payment', id: 'FEED-1', accountId: 'A2', postedOn: '2026-05-22', amount: '100.00', channel: 'counter' }) + '\n');
    expect((await runCli(rt, ['import', join(dir, 'feed.ndjson')])).code).toBe(0);
    const same = await post(supervisor, [{ paymentId: 'FEED-1', accountId: 'A2', postedOn: '2026-05-22', amount: '100.00', channel: 'counter' }]);
    expect(same.json().payments[0]).toMatchObject({ replayed: true, allocation: [{ target: 'unclassified', statementDate: '2026-05-05', amount: '100.00' }] });
    const other = await post(supervisor, [{ paymentId: 'FEED-1', accountId: 'A2', postedOn: '2026-05-23', amount: '100.00', channel: 'counter' }]);
    expect(other.statusCode).toBe(409);
    expect(other.json().detail).toContain('postedOn 2026-05-23 ≠ 2026-05-22');
  });

  it('posts the same new id sent twice at the same moment exactly once', async () => {
    const settings = await loadPaymentsSettings();
    const line = { paymentId: 'RACE-1', accountId: 'A2', postedOn: '2026-06-01', amount: '10.00' };
    const results = await Promise.all(Array.from({ length: 6 }, () => postPayments(rt.pool, settings, [line], { source: 'api', postedBy: 'test', now: clock.now() })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.filter((r) => r.ok && !r.value[0]!.replayed)).toHaveLength(1);
    expect((await rt.pool.query(`select count(*)::int as n from payments where payment_id = 'RACE-1'`)).rows[0].n).toBe(1);
  });

  it('is for roles holding payments:post', async () => {
    expect((await post(collector, [{ ...P1, paymentId: 'P6' }])).statusCode).toBe(403);
  });
});

describe('posting by file', () => {
  const csv = ['paymentId,accountId,postedOn,amount,channel,reference', 'F1,A1,2026-06-01,50.00,wechat_pay,WX-1', '', 'F2,A2,2026-06-02,20,,'].join('\n') + '\n';

  it('posts a CSV file from the CLI, and the same file again changes nothing', async () => {
    const file = join(dir, 'pay.csv');
    writeFileSync(file, csv);
    const r = await runCli(rt, ['payments', 'post', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ file: 'pay.csv', posted: 2, replayed: 0, payments: [{ paymentId: 'F1', allocation: [{ target: 'principal', statementDate: '2026-04-05', amount: '50.00' }] }, { paymentId: 'F2', amount: '20.00' }] });
    const again = await runCli(rt, ['payments', 'post', file, '--json']);
    expect(again.json()).toMatchObject({ posted: 0, replayed: 2 });
    expect(again.json().payments).toEqual(r.json().payments.map((p: object) => ({ ...p, replayed: true })));
    const posting = (await rt.pool.query(`select source, file_name, file_line, posted_by, policy from payment_postings where payment_id = 'F2'`)).rows[0];
    expect(posting).toMatchObject({ source: 'file', file_name: 'pay.csv', file_line: 4, policy: 'default-payments@1' });
  });

  it('names every bad line and posts nothing', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, ['paymentId,accountId,postedOn,amount', 'G1,A1,2026-06-01,5.00', 'G2,A1,2026-02-30,5.00', 'G3,A1,2026-06-01,-5', 'G4,NOPE,2026-06-01,5.00'].join('\n'));
    const before = await tableSnapshot(rt, IGNORED);
    const r = await runCli(rt, ['payments', 'post', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:3: postedOn: must be a real date`);
    expect(r.stderr).toContain(`${bad}:4: amount: must be a decimal string`);
    expect(r.stderr).toContain('nothing was posted');
    const unknown = join(dir, 'unknown.csv');
    writeFileSync(unknown, ['paymentId,accountId,postedOn,amount', 'G4,NOPE,2026-06-01,5.00'].join('\n'));
    const u = await runCli(rt, ['payments', 'post', unknown]);
    expect(u.code).toBe(3);
    expect(u.stderr).toContain(`${unknown}:2: accountId: no account "NOPE"`);
    const header = join(dir, 'header.csv');
    writeFileSync(header, 'paymentId,account,postedOn,amount\nG5,A1,2026-06-01,5.00\n');
    expect((await runCli(rt, ['payments', 'post', header])).stderr).toMatch(/header: unknown column\(s\) account; missing column\(s\) accountId/);
    expect(await tableSnapshot(rt, IGNORED)).toEqual(before);
  });

  it('posts NDJSON over HTTP, with line numbers in errors', async () => {
    const ndjson = [JSON.stringify({ paymentId: 'H1', accountId: 'A2', postedOn: '2026-06-03', amount: '5.00' }), JSON.stringify({ paymentId: 'H2', accountId: 'A2', postedOn: '2026-06-03', amount: '5.00', tip: 1 })].join('\n');
    const bad = await injectAs(app, supervisor)({ method: 'POST', url: '/payments/file?name=bank.ndjson', headers: { 'content-type': 'application/x-ndjson' }, payload: ndjson });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([{ line: 2, field: 'tip', message: 'unknown field' }]);
    const good = await injectAs(app, supervisor)({ method: 'POST', url: '/payments/file?name=bank.ndjson', headers: { 'content-type': 'application/x-ndjson' }, payload: ndjson.split('\n')[0]! });
    expect(good.statusCode, good.body).toBe(201);
    expect(good.json()).toMatchObject({ fileName: 'bank.ndjson', format: 'ndjson', payments: [{ paymentId: 'H1', replayed: false }] });
  });
});

describe('reversals', () => {
  const reverse = (c: Credentials, id: string, body: Record<string, unknown>) => injectAs(app, c)({ method: 'POST', url: `/payments/${encodeURIComponent(id)}/reversal`, payload: body });

  it('are new negative entries undoing the allocation, never edits, once per payment', async () => {
    await expect(rt.pool.query(`update payments set amount_minor = 1 where payment_id = 'P1'`)).rejects.toThrow(/append-only/);
    expect((await reverse(supervisor, 'P1', { reversalId: 'P1-R', postedOn: '2026-06-05', reason: 'bounced cheque' })).statusCode).toBe(403);
    const r = await reverse(admin, 'P1', { reversalId: 'P1-R', postedOn: '2026-06-05', reason: 'bounced cheque' });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ paymentId: 'P1-R', reverses: 'P1', amount: '-150.00', replayed: false, reason: 'bounced cheque' });
    expect(r.json().allocation).toEqual([
      { target: 'fees', statementDate: '2026-04-05', amount: '-5.00' }, { target: 'fees', statementDate: '2026-05-05', amount: '-15.00' },
      { target: 'interest', statementDate: '2026-04-05', amount: '-25.00' }, { target: 'interest', statementDate: '2026-05-05', amount: '-75.00' },
      { target: 'principal', statementDate: '2026-04-05', amount: '-30.00' },
    ]);
    expect((await reverse(admin, 'P1', { reversalId: 'P1-R', postedOn: '2026-06-05', reason: 'bounced cheque' })).json()).toMatchObject({ paymentId: 'P1-R', replayed: true });
    const twice = await reverse(admin, 'P1', { reversalId: 'P1-R2', postedOn: '2026-06-05', reason: 'bounced cheque' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({ code: 'payment_already_reversed', detail: 'payment P1 was already reversed by P1-R' });
    expect((await reverse(admin, 'P1-R', { reversalId: 'P1-RR', postedOn: '2026-06-06', reason: 'undo the undo' })).json().code).toBe('cannot_reverse_a_reversal');
    expect((await reverse(admin, 'F1', { reversalId: 'F1-R', postedOn: '2026-05-01', reason: 'too early' })).json().code).toBe('reversal_before_payment');
    expect((await reverse(admin, 'NOPE', { reversalId: 'N-R', postedOn: '2026-06-05', reason: 'none such' })).statusCode).toBe(404);
    // The original row is untouched; aging nets the two.
    const rows = (await rt.pool.query(`select payment_id, amount_minor::text, reverses from payments where payment_id in ('P1', 'P1-R') order by payment_id`)).rows;
    expect(rows).toEqual([{ payment_id: 'P1', amount_minor: '15000', reverses: null }, { payment_id: 'P1-R', amount_minor: '-15000', reverses: 'P1' }]);
    // A negative amount that reverses nothing is refused by the database itself.
    await expect(rt.pool.query(`insert into payments (payment_id, account_id, customer_id, posted_on, amount_minor) values ('X', 'A1', 'C1', '2026-06-01', -5)`)).rejects.toThrow(/payments_amount_sign/);
  });

  it('show in the account\'s allocation, which a front-line collector does not get here', async () => {
    const a = await injectAs(app, supervisor)('/accounts/A1/payments/allocation');
    expect(a.statusCode, a.body).toBe(200);
    expect(a.json().payments.map((p: { paymentId: string; amount: string }) => [p.paymentId, p.amount])).toEqual([['P1', '150.00'], ['F1', '50.00'], ['P1-R', '-150.00']]);
    // In date order: P1 paid fees and interest, F1 then principal, and P1's reversal re-opened what P1 had paid.
    expect(a.json().payments[1].allocation).toEqual([{ target: 'principal', statementDate: '2026-04-05', amount: '50.00' }]);
    expect(a.json().open).toMatchObject({ fees: '20.00', interest: '100.00', principal: '4950.00', unclassified: '0.00', overpayment: '0.00' });
    expect((await injectAs(app, collector)('/accounts/A1/payments/allocation')).statusCode).toBe(403);
  });
});
