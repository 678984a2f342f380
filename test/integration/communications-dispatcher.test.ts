/**
 * The dispatcher on a real database with a scripted provider: several dispatchers never send the same
 * row; a provider failing twice then succeeding sends once; compliance is re-checked at send time
 * (defer at night, block on a hold); in-doubt sends are never repeated, and rows of a stopped
 * dispatcher are recovered; pacing per provider; expiry; messages that cannot be rendered.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { createTestRuntime } from '../support/database.ts';
import { movableClock } from '../support/eventually.ts';
import { loadMessagingPortfolio, ZH_PHONE } from '../fixtures/messaging-portfolio.ts';
import { openCommunications, type CommunicationsRuntime } from '../../src/workflows/communications-runtime.workflow.ts';
import {
  Dispatcher, PrintBatchProvider, enqueueMessages, getMessage, type ChannelProvider, type OutboundMessage, type OutboxMessageInput, type SendResult, type TemplateChannel,
} from '../../src/modules/communications/index.ts';

type Rt = Awaited<ReturnType<typeof createTestRuntime>>;
const NOON = '2026-06-30T04:00:00Z'; // 12:00 in Shanghai, a Tuesday
const clock = movableClock(NOON);
let rt: Rt;

/** A provider that records every hand-over and answers what the test scripts, per message id. */
class ScriptedProvider implements ChannelProvider {
  readonly name: string;
  readonly sent: OutboundMessage[] = [];
  script = new Map<number, SendResult[]>();
  delayMs = 0;
  constructor(readonly channel: TemplateChannel, readonly ratePerSecond: number | null = null) {
    this.name = `scripted-${channel}`;
  }
  async start() {}
  async close() {}
  async send(m: OutboundMessage): Promise<SendResult> {
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    this.sent.push(m);
    const next = this.script.get(m.messageId)?.shift();
    return next ?? { kind: 'accepted', providerMessageIds: [`p-${m.messageId}-${this.sent.length}`] };
  }
}

let sms: ScriptedProvider;
let comms: CommunicationsRuntime;
const ACCOUNT = '6222020000001234';
let serial = 0;
const message = (over: Partial<OutboxMessageInput> = {}): OutboxMessageInput => ({
  idempotencyKey: `d:${++serial}`, customerId: 'C1', accountId: ACCOUNT, channel: 'sms', templateId: 'cn-sms-reminder-gentle', destinationRef: 'phone:0',
  notBefore: clock.now(), origin: 'cli', ...over,
});
async function enqueue(...m: OutboxMessageInput[]): Promise<number[]> {
  await enqueueMessages(rt.pool, m);
  const { rows } = await rt.pool.query<{ id: string }>('select message_id::text as id from outbox_messages where idempotency_key = any($1) order by message_id', [m.map((x) => x.idempotencyKey)]);
  return rows.map((r) => Number(r.id));
}
const dispatcher = (id: string, extra: ConstructorParameters<typeof Dispatcher>[1] = {}) => new Dispatcher({
  pool: rt.pool, clock: rt.clock, cipher: rt.cipher, store: comms.store, packs: comms.packs, packId: 'cn', templates: comms.templates, data: comms.data,
  bank: comms.bankFacts, timeZone: 'Asia/Shanghai', providers: [sms, new PrintBatchProvider()], unsubscribeUrl: () => null,
}, { id, batchSize: 50, retry: { maxAttempts: 4, backoffBaseMs: 1_000, backoffMaxMs: 10_000 }, ...extra });

beforeAll(async () => {
  rt = await createTestRuntime({ clock });
  await loadMessagingPortfolio(rt, 120);
  comms = await openCommunications(rt, { providers: () => [] });
});
afterAll(async () => {
  await rt?.close();
});
beforeEach(async () => {
  sms = new ScriptedProvider('sms');
  clock.set(NOON);
  await rt.pool.query(`update outbox_messages set status = 'cancelled' where status in ('pending', 'failed', 'sending')`);
});

describe('the dispatcher', () => {
  it('two dispatchers draining the same outbox at once never send the same row', async () => {
    const ids = await enqueue(...Array.from({ length: 120 }, (_, i) => message({ customerId: `B${String(i).padStart(6, '0')}`, accountId: `A${String(i).padStart(6, '0')}`, destinationRef: null })));
    sms.delayMs = 2; // sends overlap with the other dispatcher's claims
    const [a, b] = await Promise.all([dispatcher('a', { batchSize: 7 }).drain(), dispatcher('b', { batchSize: 5 }).drain()]);
    expect(a.sent + b.sent).toBe(120);
    expect(a.sent).toBeGreaterThan(0);
    expect(b.sent).toBeGreaterThan(0);
    const perMessage = new Map<number, number>();
    for (const m of sms.sent) perMessage.set(m.messageId, (perMessage.get(m.messageId) ?? 0) + 1);
    expect([...perMessage.keys()].sort((x, y) => x - y)).toEqual(ids);
    expect([...perMessage.values()].every((n) => n === 1)).toBe(true);
    const { rows } = await rt.pool.query(`select count(*)::int as n from contact_attempts where idempotency_key like 'outbox:%:sent' and idempotency_key = any($1)`, [ids.map((id) => `outbox:${id}:sent`)]);
    expect(rows[0].n).toBe(120);
    // Phones were handed over in clear, from the sealed column, and only for the hand-over.
    expect(sms.sent.every((m) => /^1350\d{7}$/.test(m.to) && m.toMasked.includes('****'))).toBe(true);
  });

  it('a provider failing twice then succeeding sends once, with exponential backoff between', async () => {
    const [id] = await enqueue(message());
    sms.script.set(id!, [{ kind: 'transient', error: 'link down' }, { kind: 'transient', error: 'throttled' }]);
    const d = dispatcher('retry');
    expect(await d.dispatchOnce()).toMatchObject({ claimed: 1, retrying: 1 });
    const first = (await getMessage(rt.pool, id!))!;
    expect(first).toMatchObject({ status: 'failed', attempts: 1 });
    const wait1 = Date.parse(first.nextAttemptAt!) - clock.now().getTime();
    expect(wait1).toBeGreaterThanOrEqual(500);
    expect(wait1).toBeLessThanOrEqual(1_000);
    expect((await d.dispatchOnce()).claimed).toBe(0);
    clock.advance(wait1);
    await d.dispatchOnce();
    const second = (await getMessage(rt.pool, id!))!;
    const wait2 = Date.parse(second.nextAttemptAt!) - clock.now().getTime();
    expect(wait2).toBeGreaterThanOrEqual(1_000);
    expect(wait2).toBeLessThanOrEqual(2_000);
    clock.advance(wait2);
    expect(await d.dispatchOnce()).toMatchObject({ sent: 1 });
    expect(await getMessage(rt.pool, id!)).toMatchObject({ status: 'sent', attempts: 3, lastError: null });
    expect(sms.sent.filter((m) => m.messageId === id)).toHaveLength(3);
    const ledger = (await rt.pool.query('select outcome from contact_attempts where idempotency_key like $1', [`outbox:${id}:%`])).rows;
    expect(ledger).toEqual([{ outcome: 'sent' }]); // transient failures never reached the debtor: not contacts
  });

  it('dead-letters after the attempt limit', async () => {
    const [id] = await enqueue(message());
    sms.script.set(id!, Array(10).fill({ kind: 'transient', error: 'link down' }));
    const d = dispatcher('dead');
    for (let i = 0; i < 6; i++) {
      await d.dispatchOnce();
      clock.advance(10_000);
    }
    const m = (await getMessage(rt.pool, id!))!;
    expect(m).toMatchObject({ status: 'dead', attempts: 4 });
    expect(m.lastError).toMatch(/^dead after 4 attempts: link down/);
    expect(sms.sent.filter((x) => x.messageId === id)).toHaveLength(4);
  });

  it('re-checks compliance at send time: at night the message waits for 08:00 (not counted as an attempt)', async () => {
    clock.set('2026-06-30T14:30:00Z'); // 22:30 in Shanghai
    const [id] = await enqueue(message());
    expect(await dispatcher('night').dispatchOnce()).toMatchObject({ claimed: 1, deferred: 1 });
    const m = (await getMessage(rt.pool, id!))!;
    expect(m).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: '2026-07-01T00:00:00.000Z' });
    expect(m.lastError).toContain('CN-01');
    expect(m.verdictRef).toMatch(/^compliance:\d+$/);
    expect(sms.sent).toHaveLength(0);
    clock.set('2026-07-01T00:00:00Z');
    expect(await dispatcher('morning').dispatchOnce()).toMatchObject({ sent: 1 });
  });

  it('re-checks compliance at send time: a hold set after enqueueing blocks it, with the rule', async () => {
    const [id] = await enqueue(message());
    await rt.pool.query(`insert into compliance_flag_events (customer_id, kind, action) values ('C1', 'disputed', 'set')`);
    onTestFinished(async () => void (await rt.pool.query(`insert into compliance_flag_events (customer_id, kind, action) values ('C1', 'disputed', 'clear')`)));
    expect(await dispatcher('hold').dispatchOnce()).toMatchObject({ blocked: 1 });
    const m = (await getMessage(rt.pool, id!))!;
    expect(m.status).toBe('blocked');
    expect(m.verdict).toMatchObject({ decision: 'block', rules: [expect.objectContaining({ rule: 'CN-08', code: expect.any(String) })] });
    expect(sms.sent).toHaveLength(0);
    const stored = (await rt.pool.query(`select payload from audit_log where chain = 'compliance' and seq = $1`, [Number(m.verdictRef!.split(':')[1])])).rows[0].payload;
    const audit = typeof stored === 'string' ? JSON.parse(stored) : stored;
    expect(audit).toMatchObject({ id: `outbox:${id}`, decision: 'block', contact: { channel: 'sms', templateId: 'cn-sms-reminder-gentle@1', purpose: 'reminder' } });
  });

  it('an in-doubt send is never repeated and is recorded as sent; a stopped dispatcher\'s rows are recovered', async () => {
    const [doubt, stranded, letter] = await enqueue(message(), message(), message({ channel: 'letter', templateId: 'cn-collection-letter', destinationRef: 'address:0' }));
    sms.script.set(doubt!, [{ kind: 'in_doubt', error: 'no submit_sm_resp within 30000 ms' }]);
    // `stranded` and `letter` are claimed by a dispatcher that then stops before recording anything.
    await rt.pool.query(`update outbox_messages set status = 'sending', claimed_by = 'gone:1', claimed_at = $2, attempts = 1 where message_id = any($1)`, [[stranded, letter], new Date(clock.now().getTime() - 3_600_000)]);
    const d = dispatcher('live', { leaseMs: 600_000 });
    const round = await d.dispatchOnce();
    expect(round).toMatchObject({ inDoubt: 1, recovered: 2 });
    const m = (await getMessage(rt.pool, doubt!))!;
    expect(m.status).toBe('dead');
    expect(m.lastError).toContain('in_doubt');
    expect((await rt.pool.query('select outcome from contact_attempts where idempotency_key = $1', [`outbox:${doubt}:sent`])).rows).toEqual([{ outcome: 'sent' }]);
    const s = (await getMessage(rt.pool, stranded!))!;
    expect(s.status).toBe('dead');
    expect(s.lastError).toMatch(/^in_doubt: the dispatcher stopped/);
    // The letter was never handed to anyone: it goes back to the queue and is batched.
    await d.drain();
    expect(await getMessage(rt.pool, letter!)).toMatchObject({ status: 'sent', provider: 'print', printBatch: '2026-06-30' });
    clock.advance(86_400_000);
    await d.drain();
    expect(sms.sent.filter((x) => x.messageId === doubt || x.messageId === stranded)).toHaveLength(1); // only the first hand-over of `doubt`
  });

  it('paces each provider with a token bucket', async () => {
    const paced = new ScriptedProvider('sms', 10);
    let t = 0;
    const sleeps: number[] = [];
    const d = new Dispatcher({
      pool: rt.pool, clock: rt.clock, cipher: rt.cipher, store: comms.store, packs: comms.packs, packId: 'cn', templates: comms.templates, data: comms.data,
      bank: comms.bankFacts, timeZone: 'Asia/Shanghai', providers: [paced], unsubscribeUrl: () => null,
    }, { id: 'paced', batchSize: 100, monotonic: () => t, sleep: async (ms) => { sleeps.push(ms); t += ms; } });
    await enqueue(...Array.from({ length: 25 }, (_, i) => message({ customerId: `B${String(i).padStart(6, '0')}`, accountId: `A${String(i).padStart(6, '0')}`, destinationRef: null })));
    expect(await d.drain()).toMatchObject({ sent: 25 });
    // A burst of 1 (rate / 10), then one every 100 ms: 24 waits, 2.4 s in all.
    expect(sleeps.length).toBe(24);
    expect(t).toBeGreaterThanOrEqual(2_400);
    expect(t).toBeLessThan(2_500);
  });

  it('cancels expired messages and dead-letters what cannot be rendered or addressed', async () => {
    const [expired, unknown, noPhone, wrongChannel] = await enqueue(
      message({ expiresAt: new Date(clock.now().getTime() - 1) }),
      message({ templateId: 'no-such-template' }),
      message({ destinationRef: 'phone:9' }),
      message({ templateId: 'cn-email-reminder-neutral' }),
    );
    expect(await dispatcher('bad').dispatchOnce()).toMatchObject({ cancelled: 1, dead: 3, sent: 0 });
    expect((await getMessage(rt.pool, expired!))!).toMatchObject({ status: 'cancelled', attempts: 0 });
    expect((await getMessage(rt.pool, unknown!))!.lastError).toMatch(/^template_not_found/);
    expect((await getMessage(rt.pool, noPhone!))!.lastError).toMatch(/^no_destination: no phone phone:9/);
    expect((await getMessage(rt.pool, wrongChannel!))!.lastError).toMatch(/^template_channel_mismatch/);
    expect(sms.sent).toHaveLength(0);
  });

  it('renders in the customer\'s language unless the message names one, and keeps what it sent', async () => {
    const [zh, en] = await enqueue(message(), message({ language: 'en', tone: 'firm' }));
    await dispatcher('lang').drain();
    const a = (await getMessage(rt.pool, zh!))!;
    const b = (await getMessage(rt.pool, en!))!;
    expect(a).toMatchObject({ renderedTemplateId: 'cn-sms-reminder-gentle', renderedLanguage: 'zh-CN', destinationMasked: '138****8000' });
    expect(b).toMatchObject({ renderedTemplateId: 'en-sms-reminder-firm', renderedLanguage: 'en' });
    expect((b.rendered as { text: string }).text).toContain('张伟, your card ending ****1234');
    expect(sms.sent.find((m) => m.messageId === zh)!.to).toBe(ZH_PHONE);
  });
});
