/**
 * E-mail through the dispatcher to a real SMTP peer (the `smtp-server` package on loopback), parsed
 * back with mailparser: headers (Message-ID, List-Unsubscribe, one-click, VERP envelope sender), both
 * parts with the Chinese text intact; a 550 to RCPT is a bounce (dead, ledger `bounced`), a 451 is
 * retried; a bounce reported later corrects the ledger; the one-click unsubscribe opts the address out.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { FastifyInstance } from 'fastify';
import { createTestRuntime } from '../support/database.ts';
import { movableClock } from '../support/eventually.ts';
import { bearer, createApiToken, injectAs } from '../support/auth.ts';
import { loadMessagingPortfolio } from '../fixtures/messaging-portfolio.ts';
import { openCommunications, type CommunicationsRuntime } from '../../src/workflows/communications-runtime.workflow.ts';
import { SmtpProvider, enqueueMessages, getMessage, type OutboxMessageInput } from '../../src/modules/communications/index.ts';
import { buildServer } from '../../src/server.ts';

type Rt = Awaited<ReturnType<typeof createTestRuntime>>;
const clock = movableClock('2026-06-30T04:00:00Z');
let rt: Rt;
let comms: CommunicationsRuntime;
let smtp: SMTPServer;
let app: FastifyInstance;
const received: { envelope: { from: string; to: string[] }; mail: ParsedMail; raw: string }[] = [];
/** RCPT TO answers per address: 550 (no such mailbox), 451 (try later), else accepted. */
const rcpt = new Map<string, number>();

let serial = 0;
const message = (over: Partial<OutboxMessageInput> = {}): OutboxMessageInput => ({
  idempotencyKey: `e:${++serial}`, customerId: 'C1', accountId: '6222020000001234', channel: 'email', templateId: 'cn-email-reminder-firm', notBefore: clock.now(), origin: 'cli', ...over,
});
async function enqueue(m: OutboxMessageInput): Promise<number> {
  await enqueueMessages(rt.pool, [m]);
  return Number((await rt.pool.query('select message_id from outbox_messages where idempotency_key = $1', [m.idempotencyKey])).rows[0].message_id);
}

beforeAll(async () => {
  rt = await createTestRuntime({ clock, config: {} });
  await loadMessagingPortfolio(rt);
  smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onRcptTo(address, _session, callback) {
      const code = rcpt.get(address.address);
      if (code) return callback(Object.assign(new Error(code === 550 ? 'no such mailbox' : 'try again later'), { responseCode: code }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        received.push({ envelope: { from: (session.envelope.mailFrom as { address: string }).address, to: session.envelope.rcptTo.map((r) => r.address) }, mail: await simpleParser(raw), raw: raw.toString('utf8') });
        callback();
      });
    },
  });
  smtp.listen(0, '127.0.0.1');
  await once(smtp.server, 'listening');
  const port = (smtp.server.address() as AddressInfo).port;
  comms = await openCommunications(rt, {
    providers: () => [new SmtpProvider({ url: `smtp://127.0.0.1:${port}`, from: '示范银行信用卡中心 <cards@bank.example>', domain: 'bank.example', unsubscribeMailto: 'unsubscribe@bank.example', maxConnections: 2, ratePerSecond: null, tlsInsecure: false, timeoutMs: 5_000 })],
    dispatcher: { id: 'mail', retry: { maxAttempts: 3, backoffBaseMs: 1_000, backoffMaxMs: 5_000 } },
  });
  app = await buildServer(rt);
});
afterAll(async () => {
  await app?.close();
  await comms?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await rt?.close();
});

describe('e-mail over SMTP', () => {
  it('sends HTML and text parts with Chinese intact, a fixed Message-ID, List-Unsubscribe and a VERP envelope sender', async () => {
    const id = await enqueue(message());
    expect(await comms.dispatcher.drain()).toMatchObject({ sent: 1 });
    expect(received).toHaveLength(1);
    const { envelope, mail, raw: wire } = received[0]!;
    const raw = wire.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ').replace(/\r/g, ''); // the header, unfolded
    expect(envelope).toEqual({ from: `bounces+${id}@bank.example`, to: ['zhang.wei@example.com'] });
    expect(mail.messageId).toBe(`<outbox-${id}@bank.example>`);
    expect(mail.subject).toBe('【示范银行信用卡中心】信用卡逾期还款通知');
    expect(mail.from?.value[0]).toEqual({ address: 'cards@bank.example', name: '示范银行信用卡中心' });
    expect(mail.text).toContain('尊敬的张伟：');
    expect(mail.text).toContain('逾期金额1,200.00元');
    expect(mail.html).toContain('<p>尊敬的张伟：</p>');
    expect(mail.html).toContain('<strong>1,200.00元</strong>');
    const unsubscribe = comms.unsubscribeUrl(id);
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
    const listUnsubscribe = String(raw.match(/^List-Unsubscribe: (.*)$/m)![1]);
    expect(listUnsubscribe).toContain(`<${unsubscribe}>`);
    expect(listUnsubscribe).toContain(`<mailto:unsubscribe@bank.example?subject=unsubscribe%20${id}>`);
    expect(mail.html).toContain(unsubscribe);
    expect(mail.headers.get('x-recourse-message')).toBe(String(id));
    expect(await getMessage(rt.pool, id)).toMatchObject({ status: 'sent', provider: 'smtp', providerMessageId: `<outbox-${id}@bank.example>`, destinationMasked: 'z***@example.com' });
    const ledger = (await rt.pool.query('select channel, outcome, destination from contact_attempts where idempotency_key = $1', [`outbox:${id}:sent`])).rows;
    expect(ledger).toEqual([{ channel: 'email', outcome: 'sent', destination: 'zhang.wei@example.com' }]);
  });

  it('the English counterpart for an English-speaking customer', async () => {
    const before = received.length;
    await enqueue(message({ customerId: 'C2', accountId: '6222020000005678' }));
    await comms.dispatcher.drain();
    const { mail } = received[before]!;
    expect(mail.subject).toBe('Demo Bank Card Centre: your card payment is overdue');
    expect(mail.text).toContain('Dear Alex Smith,');
    expect(mail.html).toContain('CNY 300.00');
  });

  it('a 550 to RCPT TO is a bounce: dead, and the ledger records bounced', async () => {
    rcpt.set('zhang.wei@example.com', 550);
    const id = await enqueue(message());
    expect(await comms.dispatcher.drain()).toMatchObject({ dead: 1 });
    const m = (await getMessage(rt.pool, id))!;
    expect(m.status).toBe('dead');
    expect(m.lastError).toMatch(/recipient_rejected/);
    expect((await rt.pool.query('select outcome from contact_attempts where idempotency_key like $1', [`outbox:${id}:%`])).rows).toEqual([{ outcome: 'bounced' }]);
    rcpt.delete('zhang.wei@example.com');
  });

  it('a 451 is retried and then sent once', async () => {
    rcpt.set('zhang.wei@example.com', 451);
    const before = received.length;
    const id = await enqueue(message());
    expect(await comms.dispatcher.drain()).toMatchObject({ retrying: 1 });
    expect((await getMessage(rt.pool, id))!.status).toBe('failed');
    rcpt.delete('zhang.wei@example.com');
    clock.advance(5_000);
    expect(await comms.dispatcher.drain()).toMatchObject({ sent: 1 });
    expect(received.length - before).toBe(1);
    expect((await getMessage(rt.pool, id))!).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('a bounce reported later (POST /messages/:id/bounce) makes it undelivered and corrects the ledger', async () => {
    const id = await enqueue(message());
    await comms.dispatcher.drain();
    const relay = injectAs(app, bearer(await createApiToken(rt, ['messages:callback'], 'mail relay')));
    const r = await relay({ method: 'POST', url: `/messages/${id}/bounce`, payload: { reason: '5.1.1 user unknown' } });
    expect(r.statusCode, r.body).toBe(200);
    expect((await getMessage(rt.pool, id))!.status).toBe('undelivered');
    const rows = (await rt.pool.query('select outcome, corrects from contact_attempts where idempotency_key like $1 order by attempt_id', [`outbox:${id}:%`])).rows;
    expect(rows.map((x) => x.outcome)).toEqual(['sent', 'bounced']);
    expect(rows[1].corrects).not.toBeNull();
    expect((await relay({ method: 'POST', url: '/messages/999999/bounce', payload: {} })).statusCode).toBe(404);
  });

  it('one-click unsubscribe opts the address out; the next e-mail to it is blocked', async () => {
    const id = await enqueue(message());
    await comms.dispatcher.drain();
    const path = new URL(comms.unsubscribeUrl(id)).pathname;
    expect((await app.inject({ method: 'GET', url: path })).headers['content-type']).toMatch(/text\/html/);
    const forged = await app.inject({ method: 'POST', url: path.replace(/\.[^.]+$/, '.AAAAAAAAAAAAAAAA'), headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(forged.statusCode).toBe(404);
    const r = await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(r.statusCode, r.body).toBe(200);
    const optOut = (await rt.pool.query(`select channel, destination, source from compliance_opt_out_events where customer_id = 'C1'`)).rows;
    expect(optOut).toEqual([{ channel: 'email', destination: 'zhang.wei@example.com', source: 'email_unsubscribe' }]);
    const next = await enqueue(message());
    expect(await comms.dispatcher.drain()).toMatchObject({ blocked: 1 });
    expect((await getMessage(rt.pool, next))!.lastError).toContain('CN-12');
  });
});
