/**
 * What comes back from providers: delivery receipts and bounces (stored as received, then applied to
 * their message once its provider ids are known: status and a contact-ledger correction of the `sent`
 * row), inbound replies (退订 / TD / STOP → a channel opt-out of that number through the compliance
 * module; the sender is kept only as a blind-index key), one-click e-mail unsubscribes, and robot-call
 * outcomes (ledger, status, and key "1" → a captured promise to pay for the arrangements module).
 */
import type pg from 'pg';
import { inTransaction } from '../../db/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import { err, ok, type Result } from '../../kernel/result.ts';
import {
  handleInboundReply, recogniseOptOutReply, recordContactAttempts, recordOptOut, type BulkAttemptCommand, type ComplianceStore,
} from '../compliance/index.ts';
import * as repo from './dispatch.repository.ts';
import type { VoiceKeyAction } from './domain/template.ts';
import type { CallOutcome, CallResult, InboundSink, InboundText, ReceivedReceipt } from './providers/provider.ts';

export interface InboundDeps {
  pool: pg.Pool;
  store: ComplianceStore;
  clock: Clock;
  hmac?: (text: string) => Buffer;
  /** Looks up which customers a phone number (by blind index) or an e-mail address belongs to. */
  senders?: SenderLookup;
  /** Called after a robot call captured a promise to pay (in-process hook; the table is the durable hand-over). */
  onPromiseCaptured?: (capture: PromiseCapture) => void;
}

export interface SenderLookup {
  byPhoneHmac(hmacs: readonly Buffer[]): Promise<{ customerId: string; valueHmac: Buffer; masked: string | null }[]>;
}

const RECEIPTS_PER_ROUND = 5_000;

/** Applies stored receipts whose message is known (several dispatchers may call it at once). */
export async function applyPendingReceipts(deps: { pool: pg.Pool; store: ComplianceStore; clock: Clock }): Promise<number> {
  let applied = 0;
  for (let round = 0; round < 1_000; round++) {
    const n = await inTransaction(deps.pool, async (client) => {
      const matches = await repo.lockMatchedReceipts(client, RECEIPTS_PER_ROUND);
      if (matches.length === 0) return 0;
      const now = deps.clock.now().getTime();
      const finals = await repo.applyReceiptCounts(client, matches, now);
      const corrections: BulkAttemptCommand[] = finals.map((f) => ({
        idempotencyKey: `outbox:${f.messageId}:final`, customerId: f.customerId, ...(f.accountId ? { accountId: f.accountId } : {}),
        at: new Date(f.sentAt).toISOString(), channel: f.channel as BulkAttemptCommand['channel'], actor: 'bank', party: f.partyRole as BulkAttemptCommand['party'],
        destination: f.destinationKey, destinationMasked: f.destinationMasked,
        outcome: f.status === 'delivered' ? 'delivered' : f.bounced ? 'bounced' : 'failed', corrects: f.attemptId, ...(f.verdictRef ? { verdictRef: f.verdictRef } : {}),
      }));
      for (const r of await recordContactAttempts(deps.store, corrections, client)) if (!r.ok) throw new Error(`contact ledger: ${r.message}`);
      const ids = matches.flatMap((m) => m.receiptIds);
      await repo.markReceiptsApplied(client, ids, now);
      return ids.length;
    });
    applied += n;
    if (n < RECEIPTS_PER_ROUND) break;
  }
  return applied;
}

/** The forms a number may have been stored in: as sent, with +, and with or without the 86 country code. */
export function phoneForms(raw: string): string[] {
  const digits = raw.replace(/\D/g, '').replace(/^00/, '');
  const forms = new Set<string>([digits, `+${digits}`]);
  if (/^86\d{11}$/.test(digits)) forms.add(digits.slice(2));
  if (/^1\d{10}$/.test(digits)) for (const f of [`86${digits}`, `+86${digits}`]) forms.add(f);
  for (const f of [...forms]) if (/^86\d{11}$/.test(f)) forms.add(`+${f}`);
  return [...forms].filter((f) => /^\+?\d{5,20}$/.test(f));
}

function maskDigits(raw: string): string {
  const d = raw.replace(/\D/g, '');
  return d.length >= 11 ? d.slice(0, d.length - 8) + '****' + d.slice(-4) : '*'.repeat(Math.max(d.length - 2, 1)) + d.slice(-2);
}

async function insertInbound(db: pg.Pool | pg.ClientBase, i: { provider: string; channel: 'sms' | 'email'; senderKey: string; senderMasked: string | null; recipient: string | null; text: string; at: Date; customerId: string | null; optOut: boolean; keyword: string | null; eventId: number | null }): Promise<void> {
  await db.query(
    `insert into inbound_messages (provider, channel, sender_key, sender_masked, recipient, text, received_at, customer_id, opt_out, keyword, opt_out_event_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [i.provider, i.channel, i.senderKey, i.senderMasked, i.recipient, i.text, i.at, i.customerId, i.optOut, i.keyword, i.eventId],
  );
}

/** Inbound SMS: each reply is kept; an opt-out reply stops SMS to that number for every customer it belongs to. */
export async function recordInboundSms(deps: InboundDeps, provider: string, messages: readonly InboundText[]): Promise<void> {
  const hmac = deps.hmac!;
  for (const m of messages) {
    const forms = phoneForms(m.from);
    const owners = await deps.senders!.byPhoneHmac(forms.map((f) => hmac(f)));
    const recognised = recogniseOptOutReply(m.text);
    const senderKey = owners[0] ? `tel:${owners[0].valueHmac.toString('hex')}` : `tel:${hmac(forms[0] ?? m.from).toString('hex')}`;
    const masked = owners[0]?.masked ?? maskDigits(m.from);
    const customers = [...new Map(owners.map((o) => [o.customerId, o])).values()];
    if (customers.length === 0) {
      await insertInbound(deps.pool, { provider, channel: 'sms', senderKey, senderMasked: masked, recipient: m.to, text: m.text, at: m.receivedAt, customerId: null, optOut: recognised.optOut, keyword: recognised.keyword, eventId: null });
      continue;
    }
    for (const owner of customers) {
      // The opt-out names the number by the key the contact point has, whatever form the network used.
      const r = await handleInboundReply(deps.store, { customerId: owner.customerId, channel: 'sms', from: `tel:${owner.valueHmac.toString('hex')}`, text: m.text });
      const eventId = r.ok ? r.value.eventId : null;
      await insertInbound(deps.pool, { provider, channel: 'sms', senderKey: `tel:${owner.valueHmac.toString('hex')}`, senderMasked: owner.masked ?? masked, recipient: m.to, text: m.text, at: m.receivedAt, customerId: owner.customerId, optOut: recognised.optOut, keyword: recognised.keyword, eventId });
    }
  }
}

// ── e-mail ──────────────────────────────────────────────────────────────────────────────────────

/** A signed reference to one message, for the one-click unsubscribe link. */
export function unsubscribeToken(messageId: number, hmac: (text: string) => Buffer): string {
  return `${messageId}.${hmac(`recourse/unsubscribe/v1/${messageId}`).subarray(0, 12).toString('base64url')}`;
}

export function messageOfUnsubscribeToken(token: string, hmac: (text: string) => Buffer): number | null {
  const m = /^(\d{1,18})\.([A-Za-z0-9_-]{16})$/.exec(token);
  if (!m) return null;
  const id = Number(m[1]);
  return unsubscribeToken(id, hmac) === token ? id : null;
}

export type UnsubscribeError = 'unsubscribe_link_invalid';

/** One-click unsubscribe (RFC 8058): an e-mail opt-out of the address the message went to. */
export async function unsubscribeByToken(deps: InboundDeps, token: string): Promise<Result<{ messageId: number; eventId: number }, UnsubscribeError>> {
  const messageId = messageOfUnsubscribeToken(token, deps.hmac!);
  const message = messageId === null ? null : await repo.getMessage(deps.pool, messageId);
  if (!message || message.channel !== 'email') return err('unsubscribe_link_invalid', 'this unsubscribe link is not valid');
  const row = await deps.pool.query<{ destination_key: string | null }>('select destination_key from outbox_messages where message_id = $1', [messageId]);
  const destination = row.rows[0]?.destination_key;
  if (!destination) return err('unsubscribe_link_invalid', 'this message was never sent');
  const saved = await recordOptOut(deps.store, { customerId: message.customerId, channel: 'email', destination, source: 'email_unsubscribe', text: `one-click unsubscribe from message ${messageId}` });
  if (!saved.ok) return err('unsubscribe_link_invalid', saved.message);
  await insertInbound(deps.pool, { provider: message.provider ?? 'smtp', channel: 'email', senderKey: destination, senderMasked: message.destinationMasked, recipient: null, text: 'List-Unsubscribe=One-Click', at: deps.clock.now(), customerId: message.customerId, optOut: true, keyword: 'unsubscribe', eventId: saved.value });
  return ok({ messageId: messageId!, eventId: saved.value });
}

export type BounceError = 'message_not_found';

/**
 * A bounce reported after the relay accepted the message (a DSN to the VERP address, or a relay's
 * webhook): a receipt `bounced` for the message, applied like any receipt.
 */
export async function recordBounce(deps: InboundDeps, b: { messageId: number; reason: string | null }): Promise<Result<{ applied: number }, BounceError>> {
  const message = await repo.getMessage(deps.pool, b.messageId);
  if (!message || message.channel !== 'email' || !message.providerMessageId || !message.provider) return err('message_not_found', `no e-mail message ${b.messageId} was sent`);
  await repo.insertReceipts(deps.pool, message.provider, [{ providerMessageId: message.providerMessageId, outcome: 'bounced', stat: 'BOUNCED', errorCode: b.reason?.slice(0, 200) ?? null, receivedAt: deps.clock.now().getTime() }]);
  return ok({ applied: await applyPendingReceipts(deps) });
}

// ── robot voice ─────────────────────────────────────────────────────────────────────────────────

export interface PromiseCapture {
  captureId: number;
  messageId: number;
  customerId: string;
  accountId: string | null;
  provider: string;
  providerCallId: string | null;
  keyPressed: string;
  capturedAt: string;
}

const LEDGER_OUTCOME: Record<CallOutcome, BulkAttemptCommand['outcome']> = {
  answered: 'connected_right_party', no_answer: 'no_answer', busy: 'busy', voicemail: 'voicemail', failed: 'failed',
};

export type CallResultError = 'message_not_found' | 'message_not_sent_yet';

/**
 * One call outcome: the message becomes delivered (answered, voicemail) or undelivered; the ledger's
 * `sent` row is corrected with the outcome; a key the script maps to promise_to_pay is captured.
 * `message_not_sent_yet`: the dispatcher has not recorded the call yet; the provider retries.
 */
export async function recordCallResult(deps: InboundDeps, provider: string, c: CallResult): Promise<Result<{ promise: PromiseCapture | null }, CallResultError>> {
  const result = await inTransaction(deps.pool, async (client): Promise<Result<{ promise: PromiseCapture | null }, CallResultError>> => {
    const { rows } = await client.query<{ status: string; customer_id: string; account_id: string | null; party_role: string; destination_key: string | null; destination_masked: string | null;
      sent_ms: number | null; attempt_id: string | null; verdict_ref: string | null; rendered: { keys?: Record<string, VoiceKeyAction> } | null; channel: string }>(
      `select status, customer_id, account_id, party_role, destination_key, destination_masked, (extract(epoch from sent_at) * 1000)::float8 as sent_ms,
              attempt_id::text, verdict_ref, rendered, channel from outbox_messages where message_id = $1 for update`, [c.messageId]);
    const m = rows[0];
    if (!m || m.channel !== 'voice_robot') return err('message_not_found', `no robot call ${c.messageId}`);
    if (m.status === 'sending' || m.destination_key === null) return err('message_not_sent_yet', `call ${c.messageId} is not recorded as placed yet`);
    if (m.status === 'delivered' || m.status === 'undelivered') return ok({ promise: null }); // already recorded (a repeated callback)
    const delivered = c.outcome === 'answered' || c.outcome === 'voicemail';
    await client.query(
      `update outbox_messages set status = $2, delivered_at = case when $2 = 'delivered' then $3 else delivered_at end, provider_outcome = $4, updated_at = now() where message_id = $1`,
      [c.messageId, delivered ? 'delivered' : 'undelivered', c.at, JSON.stringify({ outcome: c.outcome, keys: c.keys, providerCallId: c.providerCallId, at: c.at.toISOString() })],
    );
    const correction: BulkAttemptCommand = {
      idempotencyKey: `outbox:${c.messageId}:final`, customerId: m.customer_id, ...(m.account_id ? { accountId: m.account_id } : {}),
      at: new Date(m.sent_ms ?? c.at.getTime()).toISOString(), channel: 'voice_robot', actor: `robot:${provider}`, party: m.party_role as BulkAttemptCommand['party'],
      destination: m.destination_key, destinationMasked: m.destination_masked, outcome: LEDGER_OUTCOME[c.outcome],
      ...(m.attempt_id ? { corrects: Number(m.attempt_id) } : {}), ...(m.verdict_ref ? { verdictRef: m.verdict_ref } : {}),
    };
    const [recorded] = await recordContactAttempts(deps.store, [correction], client);
    if (!recorded!.ok) throw new Error(`contact ledger: ${recorded!.message}`);
    const promiseKey = c.outcome === 'answered' ? c.keys.find((k) => m.rendered?.keys?.[k] === 'promise_to_pay') : undefined;
    if (!promiseKey) return ok({ promise: null });
    const captured = await client.query<{ capture_id: string }>(
      `insert into robot_promise_captures (message_id, customer_id, account_id, provider, provider_call_id, key_pressed, captured_at)
       values ($1, $2, $3, $4, $5, $6, $7) on conflict (message_id) do nothing returning capture_id::text`,
      [c.messageId, m.customer_id, m.account_id, provider, c.providerCallId, promiseKey, c.at],
    );
    const id = captured.rows[0]?.capture_id;
    return ok({ promise: id === undefined ? null : { captureId: Number(id), messageId: c.messageId, customerId: m.customer_id, accountId: m.account_id, provider, providerCallId: c.providerCallId, keyPressed: promiseKey, capturedAt: c.at.toISOString() } });
  });
  if (result.ok && result.value.promise) deps.onPromiseCaptured?.(result.value.promise);
  return result;
}

/** Captured promises to pay, oldest first (`status` new: not yet taken by the arrangements module). */
export async function listPromiseCaptures(db: pg.Pool | pg.ClientBase, status: 'new' | 'taken' | 'all' = 'new', limit = 1_000): Promise<(PromiseCapture & { status: string })[]> {
  const { rows } = await db.query<{ capture_id: string; message_id: string; customer_id: string; account_id: string | null; provider: string; provider_call_id: string | null; key_pressed: string; captured_at: Date; status: string }>(
    `select capture_id::text, message_id::text, customer_id, account_id, provider, provider_call_id, key_pressed, captured_at, status from robot_promise_captures
     where ($1 = 'all' or status = $1) order by capture_id limit $2`, [status, limit]);
  return rows.map((r) => ({ captureId: Number(r.capture_id), messageId: Number(r.message_id), customerId: r.customer_id, accountId: r.account_id, provider: r.provider, providerCallId: r.provider_call_id, keyPressed: r.key_pressed, capturedAt: r.captured_at.toISOString(), status: r.status }));
}

/** The arrangements module marks a capture taken once it recorded the promise; false if it was already taken. */
export async function takePromiseCapture(db: pg.Pool | pg.ClientBase, captureId: number, takenBy: string, at: Date): Promise<boolean> {
  const { rowCount } = await db.query(`update robot_promise_captures set status = 'taken', taken_by = $2, taken_at = $3 where capture_id = $1 and status = 'new'`, [captureId, takenBy, at]);
  return rowCount === 1;
}

/** The sink providers report into. */
export function inboundSink(deps: InboundDeps, log: { warn(message: string): void } = { warn: () => {} }): InboundSink {
  return {
    async receipts(provider: string, receipts: readonly ReceivedReceipt[]) {
      await repo.insertReceipts(deps.pool, provider, receipts.map((r) => ({ ...r, receivedAt: r.receivedAt.getTime() })));
      await applyPendingReceipts(deps);
    },
    async inbound(provider: string, messages: readonly InboundText[]) {
      await recordInboundSms(deps, provider, messages.filter((m) => m.channel === 'sms'));
    },
    async callResults(provider: string, results: readonly CallResult[]) {
      for (const c of results) {
        const r = await recordCallResult(deps, provider, c);
        if (!r.ok) {
          if (r.code === 'message_not_sent_yet') throw Object.assign(new Error(r.message), { retry: true });
          log.warn(`voice: ${r.message}`);
        }
      }
    },
  };
}
