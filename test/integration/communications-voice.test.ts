/**
 * Robot voice through the dispatcher with the local simulator: each outcome (answered, no answer,
 * busy, voicemail) corrects the ledger's `sent` row (CN-02/CN-03 count them), key "1" captures a
 * promise to pay (table + in-process hook) for the arrangements module, and a voice platform can report
 * outcomes over HTTP (409 while the call is not recorded yet, repeated callbacks change nothing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestRuntime } from '../support/database.ts';
import { runCli } from '../support/cli.ts';
import { bearer, createApiToken, injectAs } from '../support/auth.ts';
import { eventually } from '../support/eventually.ts';
import { loadMessagingPortfolio, ZH_PHONE, ZH_PHONE_2, EN_PHONE } from '../fixtures/messaging-portfolio.ts';
import { openCommunications, type CommunicationsRuntime } from '../../src/workflows/communications-runtime.workflow.ts';
import { VoiceSimulator, enqueueMessages, getMessage, takePromiseCapture, type PromiseCapture, type SimulatedCall } from '../../src/modules/communications/index.ts';
import { seededRng } from '../../src/kernel/rng.ts';
import { buildServer } from '../../src/server.ts';

type Rt = Awaited<ReturnType<typeof createTestRuntime>>;
let rt: Rt;
let comms: CommunicationsRuntime;
let simulator: VoiceSimulator;
let app: FastifyInstance;
const hooked: PromiseCapture[] = [];
const script = new Map<string, SimulatedCall>([
  [ZH_PHONE, { outcome: 'answered', keys: ['9', '1'] }],
  [ZH_PHONE_2, { outcome: 'no_answer', keys: [] }],
  [EN_PHONE, { outcome: 'voicemail', keys: [] }],
]);

let serial = 0;
async function call(over: { customerId?: string; accountId?: string; destinationRef?: string; templateId?: string } = {}): Promise<number> {
  const key = `v:${++serial}`;
  await enqueueMessages(rt.pool, [{ idempotencyKey: key, customerId: 'C1', accountId: '6222020000001234', channel: 'voice_robot', templateId: 'cn-voice-reminder-neutral', destinationRef: 'phone:0', notBefore: rt.clock.now(), origin: 'cli', ...over }]);
  return Number((await rt.pool.query('select message_id from outbox_messages where idempotency_key = $1', [key])).rows[0].message_id);
}
const ledger = async (id: number) => (await rt.pool.query('select actor, outcome, corrects is not null as correction from contact_attempts where idempotency_key like $1 order by attempt_id', [`outbox:${id}:%`])).rows;

beforeAll(async () => {
  rt = await createTestRuntime();
  await loadMessagingPortfolio(rt);
  comms = await openCommunications(rt, {
    providers: (sink) => [simulator = new VoiceSimulator(sink, { delayMs: 5, rng: seededRng(3), scripted: (to) => script.get(to) ?? null })],
    onPromiseCaptured: (c) => hooked.push(c),
  });
  app = await buildServer(rt);
});
afterAll(async () => {
  await app?.close();
  await comms?.close();
  await rt?.close();
});

describe('robot voice', () => {
  it('answered with key 1: delivered, ledger connected_right_party, a captured promise to pay and the hook', async () => {
    const id = await call();
    expect(await comms.dispatcher.drain()).toMatchObject({ sent: 1 });
    await simulator.settled();
    const m = (await getMessage(rt.pool, id))!;
    expect(m).toMatchObject({ status: 'delivered', provider: 'voice-simulator', renderedTemplateId: 'cn-voice-reminder-neutral' });
    expect((m.rendered as { text: string }).text).toContain('承诺按时还款请按1');
    expect(await ledger(id)).toEqual([
      { actor: 'robot:voice-simulator', outcome: 'sent', correction: false },
      { actor: 'robot:voice-simulator', outcome: 'connected_right_party', correction: true },
    ]);
    const captures = (await runCli(rt, ['outbox', 'promises', '--json'])).json();
    expect(captures).toEqual([expect.objectContaining({ messageId: id, customerId: 'C1', accountId: '6222020000001234', keyPressed: '1', status: 'new', provider: 'voice-simulator' })]);
    expect(hooked).toEqual([expect.objectContaining({ messageId: id, keyPressed: '1' })]);
    // The arrangements module takes it once.
    expect(await takePromiseCapture(rt.pool, captures[0].captureId, 'arrangements', rt.clock.now())).toBe(true);
    expect(await takePromiseCapture(rt.pool, captures[0].captureId, 'arrangements', rt.clock.now())).toBe(false);
  });

  it('no answer and voicemail: the ledger says so, and no promise', async () => {
    const noAnswer = await call({ destinationRef: 'phone:1' });
    const voicemail = await call({ customerId: 'C2', accountId: '6222020000005678', destinationRef: 'phone:0' });
    await comms.dispatcher.drain();
    await simulator.settled();
    expect((await getMessage(rt.pool, noAnswer))!.status).toBe('undelivered');
    expect((await ledger(noAnswer)).map((r) => r.outcome)).toEqual(['sent', 'no_answer']);
    const v = (await getMessage(rt.pool, voicemail))!;
    expect(v).toMatchObject({ status: 'delivered', renderedLanguage: 'en' });
    expect((await ledger(voicemail)).map((r) => r.outcome)).toEqual(['sent', 'voicemail']);
    expect(hooked).toHaveLength(1);
  });

  it('the outcomes count toward the CN caps: three robot calls enqueued at once after one connected call, the third waits for tomorrow (CN-03)', async () => {
    // One connected call so far today (the first test). The gate judges a round against the ledger, so the
    // dispatcher gives a debtor one robot call per round and an unfinished call counts as connected.
    const ids = [await call(), await call(), await call()];
    await comms.dispatcher.drain();
    await simulator.settled();
    const statuses = await Promise.all(ids.map(async (id) => (await getMessage(rt.pool, id))!));
    expect(statuses.map((m) => m.status)).toEqual(['delivered', 'delivered', 'pending']);
    expect(statuses[2]!.lastError).toContain('CN-03');
    expect(statuses[2]!.nextAttemptAt).toBe('2026-07-01T00:00:00.000Z'); // 08:00 tomorrow in Shanghai
    const connected = (await rt.pool.query(`select count(*)::int as n from contact_attempts a where customer_id = 'C1' and outcome = 'connected_right_party'
      and not exists (select 1 from contact_attempts c where c.corrects = a.attempt_id)`)).rows[0].n;
    expect(connected).toBe(3);
  });

  it('a voice platform reports outcomes over HTTP', async () => {
    const platform = injectAs(app, bearer(await createApiToken(rt, ['messages:callback'], 'voice platform')));
    const id = await call({ customerId: 'C2', accountId: '6222020000005678', destinationRef: 'phone:0' });
    const early = await platform({ method: 'POST', url: '/voice/outcomes', payload: { provider: 'acme-voice', messageId: id, outcome: 'answered', keys: ['1'] } });
    expect(early.json()).toMatchObject({ status: 409, code: 'message_not_sent_yet' });
    // Placed by the dispatcher; the simulated platform reports busy.
    script.set(EN_PHONE, { outcome: 'busy', keys: [] });
    expect(await comms.dispatcher.drain()).toMatchObject({ sent: 1 });
    await simulator.settled();
    expect((await ledger(id)).map((r) => r.outcome)).toEqual(['sent', 'busy']);
    const repeat = await platform({ method: 'POST', url: '/voice/outcomes', payload: { provider: 'acme-voice', messageId: id, outcome: 'answered', keys: ['1'] } });
    expect(repeat.statusCode, repeat.body).toBe(200);
    expect(repeat.json()).toEqual({ promiseCaptured: false }); // already final: nothing changes
    expect((await ledger(id)).map((r) => r.outcome)).toEqual(['sent', 'busy']);
    const bad = await platform({ method: 'POST', url: '/voice/outcomes', payload: { provider: 'acme-voice', messageId: id, outcome: 'hung_up' } });
    expect(bad.statusCode).toBe(400);
    expect((await platform({ method: 'POST', url: '/voice/outcomes', payload: { provider: 'acme-voice', messageId: 987654, outcome: 'busy' } })).statusCode).toBe(404);
    await eventually(async () => expect((await getMessage(rt.pool, id))!.status).toBe('undelivered'));
  });
});
