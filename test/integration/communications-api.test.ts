/**
 * Messages by hand: `recourse outbox enqueue|list|show|dispatch` and POST/GET /messages (idempotent
 * per caller, within the caller's data scope), the server's dispatcher job (on when configured), and
 * no clear phone number in what the console provider or the server logs write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestRuntime, testConfig } from '../support/database.ts';
import { runCli } from '../support/cli.ts';
import { eventually } from '../support/eventually.ts';
import { injectAs, sessionFor, type Credentials } from '../support/auth.ts';
import { loadMessagingPortfolio, ZH_PHONE, ZH_PHONE_2, CONTACT_PHONE, EN_PHONE } from '../fixtures/messaging-portfolio.ts';
import { buildServer } from '../../src/server.ts';
import { communicationsConfig } from '../../src/config.ts';
import { runtimeOn } from '../../src/runtime.ts';

type Rt = Awaited<ReturnType<typeof createTestRuntime>>;
let rt: Rt;
let app: FastifyInstance;
let collector: Credentials & { user: { username: string } };
let supervisor: Credentials;
const PHONES = [ZH_PHONE, ZH_PHONE_2, CONTACT_PHONE, EN_PHONE, EN_PHONE.slice(1), EN_PHONE.slice(3)];

beforeAll(async () => {
  rt = await createTestRuntime();
  await loadMessagingPortfolio(rt);
  app = await buildServer(rt);
  collector = await sessionFor(app, rt, { role: 'collector', teamId: 'team-a' });
  supervisor = await sessionFor(app, rt, { role: 'supervisor' });
  expect((await runCli(rt, ['access', 'assign', '6222020000001234', '--team', 'team-a'])).code).toBe(0);
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

describe('the outbox from the CLI', () => {
  it('enqueue (idempotent by key), list, show, dispatch --once with the console provider (numbers masked)', async () => {
    const args = ['outbox', 'enqueue', '--account', '6222020000001234', '--template', 'cn-sms-reminder-firm', '--key', 'k1', '--deadline', '2026年7月3日', '--json'];
    const first = await runCli(rt, args);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json()).toMatchObject({ replayed: false });
    expect((await runCli(rt, args)).json()).toEqual({ messageId: first.json().messageId, replayed: true });
    const other = await runCli(rt, [...args.slice(0, -3), '--deadline', '明天']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('was used for a different message');
    expect((await runCli(rt, ['outbox', 'enqueue', '--account', '6222020000001234', '--template', 'cn-sms-reminder-firm', '--key', 'k2', '--channel', 'email'])).stderr).toContain('is a sms template, not email');
    expect((await runCli(rt, ['outbox', 'enqueue', '--account', 'nope', '--template', 'cn-sms-reminder-firm', '--key', 'k3'])).code).toBe(3);
    expect((await runCli(rt, ['outbox', 'enqueue', '--account', '6222020000001234', '--template', 'cn-sms-reminder-firm', '--key', 'k4', '--to', 'fax:1'])).code).toBe(2);

    const list = await runCli(rt, ['outbox', 'list', '--status', 'pending', '--json']);
    expect(list.json().messages).toEqual([expect.objectContaining({ messageId: first.json().messageId, status: 'pending', origin: 'cli', templateId: 'cn-sms-reminder-firm' })]);
    const dispatched = await runCli(rt, ['outbox', 'dispatch', '--once', '--json']);
    expect(dispatched.code, dispatched.stderr).toBe(0);
    expect(dispatched.json()).toMatchObject({ claimed: 1, sent: 1 });
    expect(dispatched.stderr).toContain('[sms] #');
    expect(dispatched.stderr).toContain('→ 138****8000');
    expect(dispatched.stderr).toContain('请务必于2026年7月3日前');
    for (const p of PHONES) expect(dispatched.stderr).not.toContain(p);
    // The console provider reports every message delivered a moment later; the command waits for it.
    const show = await runCli(rt, ['outbox', 'show', String(first.json().messageId)]);
    expect(show.json()).toMatchObject({ status: 'delivered', provider: 'console-sms', destinationMasked: '138****8000', partsTotal: 1, partsDelivered: 1 });
    expect((await runCli(rt, ['outbox', 'show', '999999'])).code).toBe(3);
    expect((await runCli(rt, ['outbox', 'list'])).stdout).toMatch(/sent|delivered/);
  });
});

describe('messages over HTTP', () => {
  it('POST /messages enqueues for an account in scope, idempotent per caller; GET lists only the caller\'s scope', async () => {
    const as = injectAs(app, collector);
    const body = { idempotencyKey: 'call-123', accountId: '6222020000001234', channel: 'sms', templateId: 'cn-sms-reminder-gentle', variables: { collectorName: '李娜' } };
    const r = await as({ method: 'POST', url: '/messages', payload: body });
    expect(r.statusCode, r.body).toBe(201);
    expect((await as({ method: 'POST', url: '/messages', payload: body })).json()).toEqual({ messageId: r.json().messageId, replayed: true });
    expect((await as({ method: 'POST', url: '/messages', payload: { ...body, tone: 'firm' } })).json()).toMatchObject({ status: 409, code: 'idempotency_key_reused' });
    // The same key from another caller is another message.
    const s = await injectAs(app, supervisor)({ method: 'POST', url: '/messages', payload: body });
    expect(s.statusCode).toBe(201);
    expect(s.json().messageId).not.toBe(r.json().messageId);
    const outOfScope = await as({ method: 'POST', url: '/messages', payload: { ...body, idempotencyKey: 'x', accountId: '6222020000005678' } });
    expect(outOfScope.json()).toMatchObject({ status: 404, code: 'account_not_found' });
    const bad = await as({ method: 'POST', url: '/messages', payload: { ...body, idempotencyKey: 'y', channel: 'fax' } });
    expect(bad.statusCode).toBe(400);
    expect((await as({ method: 'POST', url: '/messages', payload: { ...body, idempotencyKey: 'z', templateId: 'cn-email-reminder-firm' } })).json()).toMatchObject({ status: 422, code: 'template_channel_mismatch' });

    const row = (await rt.pool.query('select origin, requested_by, variables from outbox_messages where message_id = $1', [r.json().messageId])).rows[0];
    expect(row).toEqual({ origin: 'staff', requested_by: collector.user.username, variables: { collectorName: '李娜' } });
    const mine = (await as('/messages')).json().messages;
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((m: { accountId: string }) => m.accountId === '6222020000001234')).toBe(true);
    const en = await injectAs(app, supervisor)({ method: 'POST', url: '/messages', payload: { ...body, idempotencyKey: 'en', accountId: '6222020000005678' } });
    expect((await as(`/messages/${en.json().messageId}`)).json()).toMatchObject({ status: 404, code: 'message_not_found' });
    expect((await injectAs(app, supervisor)(`/messages/${en.json().messageId}`)).json()).toMatchObject({ messageId: en.json().messageId, status: 'pending' });
    expect((await as('/messages?status=bogus')).statusCode).toBe(400);
  });
});

describe('the dispatcher job in the server', () => {
  it('sends what is due when RECOURSE_DISPATCHER is on, and logs no clear number', async () => {
    const lines: string[] = [];
    const config = testConfig({ logLevel: 'info', communications: communicationsConfig({ RECOURSE_DISPATCHER: 'on', RECOURSE_DISPATCH_INTERVAL_MS: '20' }) });
    const jobRt = await runtimeOn(rt.db.url, config, async () => {}, rt.clock);
    const server = await buildServer(jobRt, { logStream: { write: (l: string) => void lines.push(l) } });
    try {
      await server.ready();
      const key = 'job-1';
      await rt.pool.query(`insert into outbox_messages (idempotency_key, customer_id, account_id, channel, template_id, not_before, next_attempt_at, origin, destination_ref)
                           values ($1, 'C1', '6222020000001234', 'sms', 'cn-sms-reminder-gentle', $2, $2, 'api', 'phone:1')`, [key, new Date(rt.clock.now().getTime() - 60_000)]);
      await eventually(async () => {
        const { rows } = await rt.pool.query('select status from outbox_messages where idempotency_key = $1', [key]);
        expect(rows[0].status).toMatch(/sent|delivered/);
      });
    } finally {
      await server.close();
      await jobRt.close();
    }
    for (const p of PHONES) expect(lines.join('\n')).not.toContain(p);
  });
});
