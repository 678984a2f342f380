/**
 * The outbox (migration 0006): automated contacts handed from deciders (the daily cycle, staff, API
 * clients) to the dispatcher. Enqueueing is idempotent by key and set-based: one statement per batch.
 */
import type pg from 'pg';

export const OUTBOX_CHANNELS = ['sms', 'email', 'letter', 'voice_robot', 'app_push'] as const;
export type OutboxChannel = (typeof OUTBOX_CHANNELS)[number];
export type RequestOrigin = 'cycle' | 'staff' | 'api' | 'cli';

export interface OutboxMessageInput {
  /** Same key, same message: enqueueing it again changes nothing (e.g. `cycle:2026-06-30:A1:sms-reminder`). */
  idempotencyKey: string;
  customerId: string;
  accountId: string | null;
  channel: OutboxChannel;
  partyRole?: 'debtor' | 'guarantor' | 'contact';
  /** A contact point reference such as 'phone:0'; null lets the dispatcher choose at send time. */
  destinationRef?: string | null;
  templateId: string;
  language?: 'zh-CN' | 'en' | null;
  tone?: 'gentle' | 'neutral' | 'firm' | null;
  variables?: Record<string, string>;
  /** Earliest send instant (a compliance defer moves it to the next allowed window). */
  notBefore: Date;
  expiresAt?: Date | null;
  origin: RequestOrigin;
  requestedBy?: string | null;
  strategy?: { id: string; version: number; variant: string | null } | null;
  /** The decision trace that asked for it (explainability). */
  decision?: unknown;
}

export interface EnqueueResult { inserted: number; existing: number }

export const ENQUEUE_BATCH_MAX = 10_000;

/** Enqueues up to ENQUEUE_BATCH_MAX messages in one statement; keys already present are left as they are. */
export async function enqueueMessages(client: pg.ClientBase | pg.Pool, messages: readonly OutboxMessageInput[]): Promise<EnqueueResult> {
  if (messages.length === 0) return { inserted: 0, existing: 0 };
  if (messages.length > ENQUEUE_BATCH_MAX) throw new Error(`enqueueMessages: at most ${ENQUEUE_BATCH_MAX} messages per call, got ${messages.length}`);
  const rows = messages.map((m) => ({
    idempotency_key: m.idempotencyKey, customer_id: m.customerId, account_id: m.accountId, channel: m.channel,
    party_role: m.partyRole ?? 'debtor', destination_ref: m.destinationRef ?? null, template_id: m.templateId,
    language: m.language ?? null, tone: m.tone ?? null, variables: m.variables ?? {}, not_before: m.notBefore.toISOString(),
    expires_at: m.expiresAt ? m.expiresAt.toISOString() : null, origin: m.origin, requested_by: m.requestedBy ?? null,
    strategy_id: m.strategy?.id ?? null, strategy_version: m.strategy?.version ?? null, strategy_variant: m.strategy?.variant ?? null,
    decision: m.decision ?? null,
  }));
  const { rowCount } = await client.query(
    `insert into outbox_messages (idempotency_key, customer_id, account_id, channel, party_role, destination_ref, template_id, language, tone,
       variables, not_before, expires_at, origin, requested_by, strategy_id, strategy_version, strategy_variant, decision, next_attempt_at)
     select x.idempotency_key, x.customer_id, x.account_id, x.channel, x.party_role, x.destination_ref, x.template_id, x.language, x.tone,
       x.variables, x.not_before, x.expires_at, x.origin, x.requested_by, x.strategy_id, x.strategy_version, x.strategy_variant, x.decision, x.not_before
     from jsonb_to_recordset($1::jsonb) as x (idempotency_key text, customer_id text, account_id text, channel text, party_role text,
       destination_ref text, template_id text, language text, tone text, variables jsonb, not_before timestamptz, expires_at timestamptz,
       origin text, requested_by text, strategy_id text, strategy_version integer, strategy_variant text, decision jsonb)
     on conflict (idempotency_key) do nothing`,
    [JSON.stringify(rows)],
  );
  const inserted = rowCount ?? 0;
  return { inserted, existing: messages.length - inserted };
}
