/**
 * SMS through the dispatcher to a real SMPP peer (the `smpp` package's server side on loopback):
 * UCS2 for Chinese, concatenation UDH for long texts, delivery receipts updating the status and the
 * contact ledger, inbound 退订 / TD / STOP creating an opt-out that the send-time gate then enforces,
 * retries of throttled submits (sent once), and re-binding after the link drops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime } from '../support/database.ts';
import { eventually, movableClock } from '../support/eventually.ts';
import { TestSmsc } from '../support/smsc.ts';
import { loadMessagingPortfolio, ZH_PHONE, ZH_PHONE_2, EN_PHONE } from '../fixtures/messaging-portfolio.ts';
import { openCommunications, type CommunicationsRuntime } from '../../src/workflows/communications-runtime.workflow.ts';
import { SMPP_DEFAULTS, SmppProvider, enqueueMessages, getMessage, decodeShortMessage, type OutboxMessageInput } from '../../src/modules/communications/index.ts';

type Rt = Awaited<ReturnType<typeof createTestRuntime>>;
const clock = movableClock('2026-06-30T04:00:00Z'); // 12:00 in Shanghai
let rt: Rt;
let smsc: TestSmsc;
let comms: CommunicationsRuntime;
let smpp: SmppProvider;
/** Per message id: how many submits the SMSC should refuse with ESME_RTHROTTLED first. */
const throttle = new Map<string, number>();
/** Destinations whose receipts say UNDELIV. */
const undeliverable = new Set<string>();

const ACCOUNT_ZH = '6222020000001234';
const ACCOUNT_EN = '6222020000005678';
let serial = 0;
const message = (over: Partial<OutboxMessageInput> = {}): OutboxMessageInput => ({
  idempotencyKey: `t:${++serial}`, customerId: 'C1', accountId: ACCOUNT_ZH, channel: 'sms', templateId: 'cn-sms-reminder-gentle',
  notBefore: clock.now(), origin: 'cli', ...over,
});
async function enqueue(...m: OutboxMessageInput[]): Promise<number[]> {
  await enqueueMessages(rt.pool, m);
  const { rows } = await rt.pool.query<{ id: string }>('select message_id::text as id from outbox_messages where idempotency_key = any($1) order by message_id', [m.map((x) => x.idempotencyKey)]);
  return rows.map((r) => Number(r.id));
}
const ledger = async (customerId: string) => (await rt.pool.query(
  'select attempt_id::int as id, channel, actor, outcome, corrects::int as corrects, destination, destination_masked, verdict_ref, content_ref from contact_attempts where customer_id = $1 order by attempt_id', [customerId])).rows;

beforeAll(async () => {
  rt = await createTestRuntime({ clock });
  await loadMessagingPortfolio(rt);
  smsc = await TestSmsc.start({
    status: (pdu) => {
      const key = String(pdu.destination_addr);
      const left = throttle.get(key) ?? 0;
      if (left > 0) { throttle.set(key, left - 1); return 0x58; }
      return 0;
    },
    receipt: (s) => (undeliverable.has(s.destination) ? 'UNDELIV' : 'DELIVRD'),
    receiptDelayMs: 5,
  });
  comms = await openCommunications(rt, {
    providers: (sink) => [smpp = new SmppProvider({ ...SMPP_DEFAULTS, host: '127.0.0.1', port: smsc.port, systemId: 'recourse', password: 'secret', reconnectInitialMs: 50, bindWaitMs: 3_000, submitTimeoutMs: 5_000 }, sink)],
    dispatcher: { id: 'd1', retry: { maxAttempts: 5, backoffBaseMs: 60_000, backoffMaxMs: 600_000 } },
  });
  await comms.start();
});
afterAll(async () => {
  await comms?.close();
  await smsc?.stop();
  await rt?.close();
});

describe('SMS over SMPP', () => {
  it('binds as a transceiver and sends Chinese as UCS2, a long text as concatenated parts with UDH', async () => {
    expect(smsc.binds).toBe(1);
    const [id] = await enqueue(message({ templateId: 'cn-sms-reminder-firm' }));
    const round = await comms.dispatcher.drain();
    expect(round).toMatchObject({ claimed: 1, sent: 1 });
    const parts = smsc.submits.filter((s) => s.destination === ZH_PHONE);
    expect(parts.length).toBeGreaterThan(1);
    const ref = parts[0]!.udh![2];
    parts.forEach((p, i) => {
      expect(p.dataCoding).toBe(8);
      expect(p.esmClass & 0x40).toBe(0x40);
      expect([...p.udh!]).toEqual([0x00, 0x03, ref, parts.length, i + 1]);
      expect(p.registeredDelivery).toBe(1);
      expect(p.text.length).toBeLessThanOrEqual(67);
    });
    const text = parts.map((p) => p.text).join('');
    const stored = await getMessage(rt.pool, id!);
    expect(text).toBe((stored!.rendered as { text: string }).text);
    expect(text).toContain('张伟');
    expect(text).toContain('尾号****1234');
    expect(text).toContain('1,200.00元');
    expect(text).toContain('95500');
    expect(text).toContain('回复TD退订');
    expect(stored).toMatchObject({ status: expect.stringMatching(/sent|delivered/), provider: 'smpp', partsTotal: parts.length, destinationMasked: '138****8000', renderedTemplateId: 'cn-sms-reminder-firm' });
    expect(stored!.providerMessageId).toBe(parts[0]!.messageId);
  });

  it('a delivery receipt for every part makes the message delivered and corrects the ledger row', async () => {
    const [id] = await enqueue(message({ templateId: 'cn-sms-reminder-firm' }));
    await comms.dispatcher.drain();
    const m = await eventually(async () => {
      const m = await getMessage(rt.pool, id!);
      expect(m!.status).toBe('delivered');
      return m!;
    });
    expect(m.partsDelivered).toBe(m.partsTotal);
    const rows = (await ledger('C1')).filter((r) => r.id >= m.attemptId!);
    const sent = rows.find((r) => r.id === m.attemptId)!;
    expect(sent).toMatchObject({ channel: 'sms', actor: 'bank', outcome: 'sent', destination_masked: '138****8000', content_ref: 'template:cn-sms-reminder-firm@1' });
    expect(sent.destination).toMatch(/^tel:[0-9a-f]{64}$/);
    expect(sent.verdict_ref).toMatch(/^compliance:\d+$/);
    expect(rows.find((r) => r.corrects === m.attemptId)).toMatchObject({ outcome: 'delivered', destination: sent.destination });
  });

  it('an English text in the GSM alphabet goes in the default alphabet (153 septets per part)', async () => {
    const before = smsc.submits.length;
    await enqueue(message({ customerId: 'C2', accountId: ACCOUNT_EN, templateId: 'cn-sms-reminder-neutral' })); // the customer's language picks the English counterpart
    await comms.dispatcher.drain();
    const mine = smsc.submits.slice(before);
    expect(mine.length).toBe(2);
    for (const p of mine) {
      expect(p).toMatchObject({ destination: EN_PHONE.slice(1), dataCoding: 0 });
      expect(p.text.length).toBeLessThanOrEqual(153);
      expect(p.udh![3]).toBe(2);
    }
    expect(mine.map((p) => p.text).join('')).toMatch(/^Demo Bank Card Centre: Alex Smith, your card ending \*\*\*\*5678 is 36 days past due: CNY 300.00 overdue, minimum payment CNY 300.00, balance CNY 4,200.50/);
  });

  it('an UNDELIV receipt makes the message undelivered and the ledger says failed', async () => {
    undeliverable.add(ZH_PHONE_2);
    const [id] = await enqueue(message({ destinationRef: 'phone:1' }));
    await comms.dispatcher.drain();
    const m = await eventually(async () => {
      const m = await getMessage(rt.pool, id!);
      expect(m!.status).toBe('undelivered');
      return m!;
    });
    expect((await ledger('C1')).find((r) => r.corrects === m.attemptId)).toMatchObject({ outcome: 'failed' });
    undeliverable.delete(ZH_PHONE_2);
  });

  it('a throttled submit is retried with backoff and sent once; after the limit it is dead', async () => {
    throttle.set(ZH_PHONE_2, 2);
    const before = smsc.submits.length;
    const [id] = await enqueue(message({ destinationRef: 'phone:1', templateId: 'cn-sms-reminder-gentle' }));
    expect(await comms.dispatcher.drain()).toMatchObject({ claimed: 1, retrying: 1 });
    let m = (await getMessage(rt.pool, id!))!;
    expect(m).toMatchObject({ status: 'failed', attempts: 1 });
    expect(m.lastError).toContain('smpp_status_0x0058');
    const firstRetry = Date.parse(m.nextAttemptAt!) - clock.now().getTime();
    expect(firstRetry).toBeGreaterThanOrEqual(30_000);
    expect(firstRetry).toBeLessThanOrEqual(60_000);
    expect((await comms.dispatcher.drain()).claimed).toBe(0); // not due yet
    clock.advance(firstRetry);
    expect(await comms.dispatcher.drain()).toMatchObject({ claimed: 1, retrying: 1 });
    m = (await getMessage(rt.pool, id!))!;
    const secondRetry = Date.parse(m.nextAttemptAt!) - clock.now().getTime();
    expect(secondRetry).toBeGreaterThanOrEqual(60_000); // exponential: base · 2
    clock.advance(secondRetry);
    expect(await comms.dispatcher.drain()).toMatchObject({ claimed: 1, sent: 1 });
    m = (await getMessage(rt.pool, id!))!;
    expect(m).toMatchObject({ status: expect.stringMatching(/sent|delivered/), attempts: 3 });
    const mine = smsc.submits.slice(before);
    // Two refused first parts, then every part of the message once.
    expect(mine.map((s) => s.status)).toEqual([0x58, 0x58, ...Array(m.partsTotal!).fill(0)]);
    expect(mine.slice(2).map((s) => s.udh?.[4] ?? 1)).toEqual(Array.from({ length: m.partsTotal! }, (_, i) => i + 1));
    expect((await ledger('C1')).filter((r) => r.id >= m.attemptId! && r.outcome === 'sent')).toHaveLength(1);

    throttle.set(ZH_PHONE_2, 100);
    const [doomed] = await enqueue(message({ destinationRef: 'phone:1' }));
    for (let i = 0; i < 5; i++) {
      await comms.dispatcher.drain();
      clock.advance(600_000);
    }
    expect(await getMessage(rt.pool, doomed!)).toMatchObject({ status: 'dead', attempts: 5 });
    throttle.delete(ZH_PHONE_2);
    clock.set('2026-06-30T04:00:00Z');
  });

  it('an inbound 退订 creates an SMS opt-out of that number, which the gate enforces at send time', async () => {
    const answered = smsc.receiptResponses.length;
    smsc.sendMo(`86${ZH_PHONE}`, '退订');
    const optOut = await eventually(async () => {
      const { rows } = await rt.pool.query(`select channel, destination, source from compliance_opt_out_events where customer_id = 'C1'`);
      expect(rows).toHaveLength(1);
      return rows[0];
    });
    expect(optOut).toMatchObject({ channel: 'sms', source: 'inbound_sms', destination: `tel:${rt.cipher.hmac(ZH_PHONE).toString('hex')}` });
    // The reply's own row may land a moment after the opt-out it caused.
    await eventually(async () => {
      const inbound = (await rt.pool.query('select sender_key, sender_masked, text, customer_id, opt_out, keyword from inbound_messages')).rows;
      expect(inbound).toEqual([{ sender_key: optOut.destination, sender_masked: '138****8000', text: '退订', customer_id: 'C1', opt_out: true, keyword: '退订' }]);
    });
    // The deliver_sm is answered (OK) once the reply is stored.
    await eventually(() => expect(smsc.receiptResponses.length).toBeGreaterThan(answered));
    expect(smsc.receiptResponses.slice(answered).every((r) => r.command_status === 0)).toBe(true);
    const [blocked, other] = await enqueue(message({ destinationRef: 'phone:0' }), message({ destinationRef: 'phone:1' }));
    expect(await comms.dispatcher.drain()).toMatchObject({ claimed: 2, blocked: 1, sent: 1 });
    const b = (await getMessage(rt.pool, blocked!))!;
    expect(b.status).toBe('blocked');
    expect(b.lastError).toContain('CN-12');
    expect(b.verdict).toMatchObject({ decision: 'block', rules: [expect.objectContaining({ rule: 'CN-12' })] });
    expect((await getMessage(rt.pool, other!))!.status).toMatch(/sent|delivered/);
  });

  it('TD and STOP replies from other senders opt out too; a plain reply is kept but changes nothing', async () => {
    smsc.sendMo(ZH_PHONE_2, 'TD');
    smsc.sendMo(EN_PHONE, 'hello, I will pay tomorrow');
    smsc.sendMo(EN_PHONE, 'STOP');
    await eventually(async () => {
      const { rows } = await rt.pool.query('select customer_id, opt_out from inbound_messages order by inbound_id');
      expect(rows).toHaveLength(4);
    });
    const { rows } = await rt.pool.query(`select customer_id, channel from compliance_opt_out_events order by event_id`);
    expect(rows).toEqual([{ customer_id: 'C1', channel: 'sms' }, { customer_id: 'C1', channel: 'sms' }, { customer_id: 'C2', channel: 'sms' }]);
  });

  it('re-binds with backoff when the link drops, and sends again', async () => {
    const binds = smsc.binds;
    smsc.dropLinks();
    await eventually(() => expect(smsc.binds).toBe(binds + 1));
    expect(smpp.binds).toBe(binds + 1);
    await rt.pool.query(`insert into compliance_opt_out_events (customer_id, channel, destination, action, source) select customer_id, channel, destination, 'clear', 'test' from compliance_opt_out_events`);
    const before = smsc.submits.length;
    await enqueue(message());
    expect(await comms.dispatcher.drain()).toMatchObject({ sent: 1 });
    expect(smsc.submits.length).toBeGreaterThan(before);
  });

  it('backs off exponentially while the SMSC refuses the bind, and fails sends transiently meanwhile', async () => {
    const strict = await TestSmsc.start({ password: 'right' });
    const warnings: string[] = [];
    const p = new SmppProvider({ ...SMPP_DEFAULTS, host: '127.0.0.1', port: strict.port, systemId: 'recourse', password: 'wrong', reconnectInitialMs: 20, reconnectMaxMs: 80, bindWaitMs: 50 },
      { receipts: async () => {}, inbound: async () => {}, callResults: async () => {} }, { info: () => {}, warn: (m) => void warnings.push(m) });
    try {
      await p.start();
      await eventually(() => expect(warnings.filter((w) => w.includes('reconnecting')).length).toBeGreaterThanOrEqual(4));
      const delays = warnings.flatMap((w) => /reconnecting in (\d+) ms/.exec(w)?.[1] ?? []).map(Number);
      expect(delays.slice(0, 4)).toEqual([20, 40, 80, 80]); // doubling, capped
      expect(warnings.some((w) => w.includes('bind_transceiver refused'))).toBe(true);
      const r = await p.send({ messageId: 1, idempotencyKey: 'k', channel: 'sms', to: ZH_PHONE, toMasked: '138****8000', rendered: { text: 'TD' } as never, language: 'zh-CN', recipient: null, unsubscribeUrl: null });
      expect(r).toMatchObject({ kind: 'transient', error: expect.stringMatching(/^smsc_not_bound/) });
      expect(strict.submitCount).toBe(0);
    } finally {
      await p.close();
      await strict.stop();
    }
  });

  it('decodes what segmentSms produced (round trip of a part)', () => {
    const raw = Buffer.from([0x05, 0x00, 0x03, 0x07, 0x02, 0x01, 0x5f, 0x20, 0x4f, 0x1f]);
    expect(decodeShortMessage(raw, 8, 0x40)).toEqual({ text: '张伟', concat: { reference: 7, total: 2, sequence: 1 } });
  });
});
