/**
 * The dispatcher's queries over the outbox: claim due rows (FOR UPDATE SKIP LOCKED, so dispatchers
 * never share a row), write each batch's outcome in one statement, recover rows whose dispatcher
 * died, provider references and delivery receipts, and reads for lists.
 */
import type pg from 'pg';
import type { OutboxChannel } from './outbox.repository.ts';

type Db = pg.ClientBase | pg.Pool;

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'dead' | 'cancelled' | 'blocked';
export const OUTBOX_STATUSES: readonly OutboxStatus[] = ['pending', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'dead', 'cancelled', 'blocked'];

export interface ClaimedRow {
  messageId: number;
  idempotencyKey: string;
  customerId: string;
  accountId: string | null;
  channel: OutboxChannel;
  partyRole: 'debtor' | 'guarantor' | 'contact';
  destinationRef: string | null;
  templateId: string;
  language: 'zh-CN' | 'en' | null;
  tone: 'gentle' | 'neutral' | 'firm' | null;
  variables: Record<string, string>;
  expiresAt: number | null;
  /** Including the attempt just claimed. */
  attempts: number;
  claimedBy: string;
}

const EPOCH = (col: string) => `(extract(epoch from ${col}) * 1000)::float8`;

/**
 * Claims up to `limit` due rows of these channels (pending or failed, next attempt due): marks them
 * 'sending' for this claim and counts the attempt, in one statement. Rows another dispatcher is
 * claiming are skipped, not waited for.
 */
export async function claimDue(db: Db, o: { now: number; limit: number; channels: readonly string[]; claimedBy: string }): Promise<ClaimedRow[]> {
  const { rows } = await db.query<[string, string, string, string | null, OutboxChannel, ClaimedRow['partyRole'], string | null, string, ClaimedRow['language'], ClaimedRow['tone'], Record<string, string>, number | null, number]>({
    text: `update outbox_messages o set status = 'sending', claimed_by = $4, claimed_at = to_timestamp($1::float8 / 1000), attempts = o.attempts + 1, updated_at = now()
           where o.message_id in (
             select message_id from outbox_messages
             where status in ('pending', 'failed') and next_attempt_at <= to_timestamp($1::float8 / 1000) and channel = any($3::text[])
             order by next_attempt_at, message_id
             limit $2
             for update skip locked)
           returning o.message_id::text, o.idempotency_key, o.customer_id, o.account_id, o.channel, o.party_role, o.destination_ref, o.template_id, o.language, o.tone,
             o.variables, ${EPOCH('o.expires_at')}, o.attempts`,
    values: [o.now, o.limit, o.channels, o.claimedBy],
    rowMode: 'array',
  });
  return rows
    .map(([id, key, customerId, accountId, channel, partyRole, destinationRef, templateId, language, tone, variables, expiresAt, attempts]) => ({
      messageId: Number(id), idempotencyKey: key, customerId, accountId, channel, partyRole, destinationRef, templateId, language, tone,
      variables: variables ?? {}, expiresAt, attempts, claimedBy: o.claimedBy,
    }))
    .sort((a, b) => a.messageId - b.messageId);
}

/** Of these customers, those with a robot call another claim is placing right now. */
export async function customersBeingCalled(db: Db, customerIds: readonly string[], exceptClaim: string): Promise<string[]> {
  const { rows } = await db.query<{ customer_id: string }>(
    `select distinct customer_id from outbox_messages where status = 'sending' and channel = 'voice_robot' and customer_id = any($1::text[]) and claimed_by <> $2`,
    [customerIds, exceptClaim],
  );
  return rows.map((r) => r.customer_id);
}

/** What one claimed row becomes; fields left undefined keep their value. */
export interface RowOutcome {
  messageId: number;
  claimedBy: string;
  status: Exclude<OutboxStatus, 'sending'>;
  /** A compliance defer is not an attempt: the claim's count is taken back. */
  uncountAttempt?: boolean;
  nextAttemptAt?: number | null;
  lastError?: string | null;
  provider?: string;
  providerMessageId?: string | null;
  sentAt?: number;
  partsTotal?: number;
  renderedTemplateId?: string;
  renderedTemplateVersion?: number;
  renderedLanguage?: string;
  destinationKey?: string;
  destinationMasked?: string | null;
  rendered?: unknown;
  verdictRef?: string | null;
  verdict?: unknown;
  attemptId?: number | null;
  printBatch?: string | null;
}

/** Writes the outcomes of a batch in one statement; only rows still held by the same claim are written. */
export async function writeOutcomes(db: Db, outcomes: readonly RowOutcome[]): Promise<number> {
  if (outcomes.length === 0) return 0;
  const rows = outcomes.map((o) => ({
    message_id: o.messageId, claimed_by: o.claimedBy, status: o.status, uncount: o.uncountAttempt === true,
    set_next: o.nextAttemptAt !== undefined, next_at: o.nextAttemptAt ?? null,
    set_error: o.lastError !== undefined, last_error: o.lastError ?? null,
    provider: o.provider ?? null, provider_message_id: o.providerMessageId ?? null, sent_at: o.sentAt ?? null, parts_total: o.partsTotal ?? null,
    rendered_template_id: o.renderedTemplateId ?? null, rendered_template_version: o.renderedTemplateVersion ?? null, rendered_language: o.renderedLanguage ?? null,
    destination_key: o.destinationKey ?? null, destination_masked: o.destinationMasked ?? null, rendered: o.rendered === undefined ? null : o.rendered,
    set_verdict: o.verdictRef !== undefined, verdict_ref: o.verdictRef ?? null, verdict: o.verdict === undefined ? null : o.verdict,
    attempt_id: o.attemptId ?? null, print_batch: o.printBatch ?? null,
  }));
  const { rowCount } = await db.query(
    `update outbox_messages o set
       status = x.status,
       attempts = case when x.uncount then greatest(o.attempts - 1, 0) else o.attempts end,
       next_attempt_at = case when x.set_next then to_timestamp(x.next_at / 1000) else o.next_attempt_at end,
       last_error = case when x.set_error then x.last_error else o.last_error end,
       provider = coalesce(x.provider, o.provider),
       provider_message_id = coalesce(x.provider_message_id, o.provider_message_id),
       sent_at = coalesce(to_timestamp(x.sent_at / 1000), o.sent_at),
       parts_total = coalesce(x.parts_total, o.parts_total),
       rendered_template_id = coalesce(x.rendered_template_id, o.rendered_template_id),
       rendered_template_version = coalesce(x.rendered_template_version, o.rendered_template_version),
       rendered_language = coalesce(x.rendered_language, o.rendered_language),
       destination_key = coalesce(x.destination_key, o.destination_key),
       destination_masked = coalesce(x.destination_masked, o.destination_masked),
       rendered = coalesce(x.rendered, o.rendered),
       verdict_ref = case when x.set_verdict then x.verdict_ref else o.verdict_ref end,
       verdict = case when x.set_verdict then x.verdict else o.verdict end,
       attempt_id = coalesce(x.attempt_id, o.attempt_id),
       print_batch = coalesce(x.print_batch::date, o.print_batch),
       claimed_by = null, claimed_at = null, updated_at = now()
     from jsonb_to_recordset($1::jsonb) as x (message_id bigint, claimed_by text, status text, uncount boolean, set_next boolean, next_at float8, set_error boolean, last_error text,
       provider text, provider_message_id text, sent_at float8, parts_total smallint, rendered_template_id text, rendered_template_version integer, rendered_language text,
       destination_key text, destination_masked text, rendered jsonb, set_verdict boolean, verdict_ref text, verdict jsonb, attempt_id bigint, print_batch text)
     where o.message_id = x.message_id and o.claimed_by = x.claimed_by`,
    [JSON.stringify(rows)],
  );
  return rowCount ?? 0;
}

export async function insertProviderRefs(db: Db, refs: readonly { provider: string; providerMessageId: string; messageId: number; part: number }[]): Promise<void> {
  if (refs.length === 0) return;
  await db.query(
    `insert into outbox_provider_refs (provider, provider_message_id, message_id, part)
     select * from unnest($1::text[], $2::text[], $3::bigint[], $4::smallint[]) on conflict do nothing`,
    [refs.map((r) => r.provider), refs.map((r) => r.providerMessageId), refs.map((r) => r.messageId), refs.map((r) => r.part)],
  );
}

/**
 * Rows left 'sending' by a dispatcher that stopped (lease expired). Letters were never handed to
 * anyone (the print batch is written with the status): they go back to pending. Every other channel
 * may have been accepted by its provider: dead, in doubt, never sent again automatically.
 */
export async function recoverExpiredLeases(db: Db, o: { now: number; leaseMs: number; limit: number }): Promise<{ requeued: number; inDoubt: number }> {
  const { rows } = await db.query<{ channel: string }>(
    `update outbox_messages o set
       status = case when o.channel = 'letter' then 'pending' else 'dead' end,
       attempts = case when o.channel = 'letter' then greatest(o.attempts - 1, 0) else o.attempts end,
       next_attempt_at = case when o.channel = 'letter' then to_timestamp($1::float8 / 1000) else o.next_attempt_at end,
       last_error = case when o.channel = 'letter' then 'requeued: the dispatcher stopped before the letter was batched'
         else 'in_doubt: the dispatcher stopped between handing the message to ' || o.channel || ' provider and recording the answer; not sent again automatically' end,
       updated_at = now()
     where o.message_id in (select message_id from outbox_messages where status = 'sending' and claimed_at < to_timestamp(($1::float8 - $2::float8) / 1000)
                            order by claimed_at limit $3 for update skip locked)
     returning o.channel`,
    [o.now, o.leaseMs, o.limit],
  );
  const requeued = rows.filter((r) => r.channel === 'letter').length;
  return { requeued, inDoubt: rows.length - requeued };
}

// ── receipts ────────────────────────────────────────────────────────────────────────────────────

export async function insertReceipts(db: Db, provider: string, receipts: readonly { providerMessageId: string; outcome: string; stat: string | null; errorCode: string | null; receivedAt: number }[]): Promise<void> {
  if (receipts.length === 0) return;
  await db.query(
    `insert into delivery_receipts (provider, provider_message_id, outcome, stat, error_code, received_at)
     select $1, x.id, x.outcome, x.stat, x.err, to_timestamp(x.at / 1000) from jsonb_to_recordset($2::jsonb) as x (id text, outcome text, stat text, err text, at float8)`,
    [provider, JSON.stringify(receipts.map((r) => ({ id: r.providerMessageId, outcome: r.outcome, stat: r.stat, err: r.errorCode, at: r.receivedAt })))],
  );
}

export interface ReceiptMatch {
  receiptIds: number[];
  messageId: number;
  delivered: number;
  failed: number;
  /** A bounce (e-mail) rather than a network non-delivery. */
  bounced: boolean;
}

/** Unapplied receipts whose message is known, grouped per message, locked for this transaction. */
export async function lockMatchedReceipts(db: Db, limit: number): Promise<ReceiptMatch[]> {
  const { rows } = await db.query<{ receipt_id: string; message_id: string; outcome: string }>(
    `select d.receipt_id::text, r.message_id::text, d.outcome from delivery_receipts d
     join outbox_provider_refs r on r.provider = d.provider and r.provider_message_id = d.provider_message_id
     where d.applied_at is null
     order by d.receipt_id limit $1
     for update of d skip locked`,
    [limit],
  );
  const byMessage = new Map<number, ReceiptMatch>();
  for (const r of rows) {
    const id = Number(r.message_id);
    const m = byMessage.get(id) ?? { receiptIds: [], messageId: id, delivered: 0, failed: 0, bounced: false };
    m.receiptIds.push(Number(r.receipt_id));
    if (r.outcome === 'delivered') m.delivered++;
    else m.failed++;
    if (r.outcome === 'bounced') m.bounced = true;
    byMessage.set(id, m);
  }
  return [...byMessage.values()];
}

export interface FinalisedMessage {
  messageId: number; status: 'delivered' | 'undelivered'; customerId: string; accountId: string | null; channel: string; partyRole: string;
  destinationKey: string; destinationMasked: string | null; sentAt: number; attemptId: number; verdictRef: string | null; bounced: boolean; provider: string;
}

/**
 * Adds receipts to their messages' part counts; a message whose parts are all delivered becomes
 * 'delivered', one with any part failed 'undelivered'. Returns the messages that became final now.
 */
export async function applyReceiptCounts(db: Db, matches: readonly ReceiptMatch[], now: number): Promise<FinalisedMessage[]> {
  if (matches.length === 0) return [];
  const { rows } = await db.query<{ message_id: string; status: 'delivered' | 'undelivered'; customer_id: string; account_id: string | null; channel: string; party_role: string;
    destination_key: string; destination_masked: string | null; sent_ms: number; attempt_id: string; verdict_ref: string | null; provider: string }>(
    `with x as (select * from jsonb_to_recordset($1::jsonb) as x (message_id bigint, delivered int, failed int)),
     old as (select o.message_id, o.status as old_status from outbox_messages o join x on x.message_id = o.message_id for update of o),
     u as (
       update outbox_messages o set
         parts_delivered = o.parts_delivered + x.delivered,
         parts_failed = o.parts_failed + x.failed,
         status = case when o.status not in ('sent', 'dead') then o.status
                       when o.parts_failed + x.failed > 0 then 'undelivered'
                       when o.parts_delivered + x.delivered >= coalesce(o.parts_total, 1) then 'delivered'
                       else o.status end,
         delivered_at = case when o.status in ('sent', 'dead') and o.parts_failed + x.failed = 0 and o.parts_delivered + x.delivered >= coalesce(o.parts_total, 1)
                             then to_timestamp($2::float8 / 1000) else o.delivered_at end,
         updated_at = now()
       from x join old on old.message_id = x.message_id
       where o.message_id = x.message_id
       returning o.message_id, o.status, old.old_status, o.customer_id, o.account_id, o.channel, o.party_role, o.destination_key, o.destination_masked,
         ${EPOCH('o.sent_at')} as sent_ms, o.attempt_id, o.verdict_ref, o.provider)
     select message_id::text, status, customer_id, account_id, channel, party_role, destination_key, destination_masked, sent_ms, attempt_id::text, verdict_ref, provider
     from u where old_status in ('sent', 'dead') and status in ('delivered', 'undelivered') and attempt_id is not null`,
    [JSON.stringify(matches.map((m) => ({ message_id: m.messageId, delivered: m.delivered, failed: m.failed }))), now],
  );
  const bounced = new Map(matches.map((m) => [m.messageId, m.bounced]));
  return rows.map((r) => ({
    messageId: Number(r.message_id), status: r.status, customerId: r.customer_id, accountId: r.account_id, channel: r.channel, partyRole: r.party_role,
    destinationKey: r.destination_key, destinationMasked: r.destination_masked, sentAt: r.sent_ms, attemptId: Number(r.attempt_id), verdictRef: r.verdict_ref,
    bounced: bounced.get(Number(r.message_id)) ?? false, provider: r.provider,
  }));
}

export async function markReceiptsApplied(db: Db, receiptIds: readonly number[], now: number): Promise<void> {
  if (receiptIds.length === 0) return;
  await db.query(
    `update delivery_receipts d set applied_at = to_timestamp($2::float8 / 1000), message_id = r.message_id
     from outbox_provider_refs r where d.receipt_id = any($1::bigint[]) and r.provider = d.provider and r.provider_message_id = d.provider_message_id`,
    [receiptIds, now],
  );
}

// ── reads ───────────────────────────────────────────────────────────────────────────────────────

export interface OutboxRow {
  messageId: number; idempotencyKey: string; customerId: string; accountId: string | null; channel: string; partyRole: string; templateId: string;
  language: string | null; tone: string | null; status: OutboxStatus; attempts: number; notBefore: string; nextAttemptAt: string | null; lastError: string | null;
  provider: string | null; providerMessageId: string | null; sentAt: string | null; deliveredAt: string | null; destinationMasked: string | null;
  renderedTemplateId: string | null; renderedTemplateVersion: number | null; renderedLanguage: string | null; partsTotal: number | null; partsDelivered: number;
  verdictRef: string | null; verdict: unknown; attemptId: number | null; origin: string; requestedBy: string | null; strategyId: string | null; createdAt: string;
  printBatch: string | null; rendered: unknown;
}

const ROW_COLUMNS = `message_id::text, idempotency_key, customer_id, account_id, channel, party_role, template_id, language, tone, status, attempts,
  not_before, next_attempt_at, last_error, provider, provider_message_id, sent_at, delivered_at, destination_masked, rendered_template_id,
  rendered_template_version, rendered_language, parts_total, parts_delivered, verdict_ref, verdict, attempt_id::text, origin, requested_by, strategy_id, created_at,
  print_batch::text, rendered`;

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

function rowOf(r: Record<string, any>): OutboxRow {
  return {
    messageId: Number(r.message_id), idempotencyKey: r.idempotency_key, customerId: r.customer_id, accountId: r.account_id, channel: r.channel, partyRole: r.party_role,
    templateId: r.template_id, language: r.language, tone: r.tone, status: r.status, attempts: r.attempts, notBefore: iso(r.not_before)!, nextAttemptAt: iso(r.next_attempt_at),
    lastError: r.last_error, provider: r.provider, providerMessageId: r.provider_message_id, sentAt: iso(r.sent_at), deliveredAt: iso(r.delivered_at),
    destinationMasked: r.destination_masked, renderedTemplateId: r.rendered_template_id, renderedTemplateVersion: r.rendered_template_version,
    renderedLanguage: r.rendered_language, partsTotal: r.parts_total, partsDelivered: r.parts_delivered, verdictRef: r.verdict_ref, verdict: r.verdict,
    attemptId: r.attempt_id === null ? null : Number(r.attempt_id), origin: r.origin, requestedBy: r.requested_by, strategyId: r.strategy_id, createdAt: iso(r.created_at)!,
    printBatch: r.print_batch, rendered: r.rendered,
  };
}

export interface ListFilter { status?: OutboxStatus; channel?: string; accountId?: string; afterId?: number; limit: number; accountCondition?: { sql: string; params: unknown[] } }

/** Newest first (by message id), keyset-paged with `afterId` (the last id of the previous page). */
export async function listMessages(db: Db, f: ListFilter): Promise<OutboxRow[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  const p = (v: unknown) => { params.push(v); return `$${params.length}`; };
  if (f.status) where.push(`status = ${p(f.status)}`);
  if (f.channel) where.push(`channel = ${p(f.channel)}`);
  if (f.accountId) where.push(`account_id = ${p(f.accountId)}`);
  if (f.afterId !== undefined) where.push(`message_id < ${p(f.afterId)}`);
  if (f.accountCondition) {
    const offset = params.length;
    params.push(...f.accountCondition.params);
    where.push(f.accountCondition.sql.replace(/\$(\d+)/g, (_m, n: string) => `$${Number(n) + offset}`));
  }
  const { rows } = await db.query(`select ${ROW_COLUMNS} from outbox_messages ${where.length ? `where ${where.join(' and ')}` : ''} order by message_id desc limit ${p(f.limit)}`, params);
  return rows.map(rowOf);
}

export async function getMessage(db: Db, messageId: number): Promise<OutboxRow | null> {
  const { rows } = await db.query(`select ${ROW_COLUMNS} from outbox_messages where message_id = $1`, [messageId]);
  return rows[0] ? rowOf(rows[0]) : null;
}

export async function getMessageByKey(db: Db, key: string): Promise<OutboxRow | null> {
  const { rows } = await db.query(`select ${ROW_COLUMNS} from outbox_messages where idempotency_key = $1`, [key]);
  return rows[0] ? rowOf(rows[0]) : null;
}

export async function statusCounts(db: Db): Promise<Record<string, number>> {
  const { rows } = await db.query<{ status: string; n: number }>('select status, count(*)::int as n from outbox_messages group by status order by status');
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** Letters of a print batch, in message order. */
export async function printBatchLetters(db: Db, batchDate: string): Promise<OutboxRow[]> {
  const { rows } = await db.query(`select ${ROW_COLUMNS} from outbox_messages where print_batch = $1::date and channel = 'letter' and status in ('sent', 'delivered') order by message_id`, [batchDate]);
  return rows.map(rowOf);
}

export async function recordPrintBatch(db: Db, b: { batchDate: string; letters: number; sha256: string; at: number; by: string }): Promise<void> {
  await db.query(
    `insert into letter_print_batches (batch_date, letters, file_sha256, rendered_at, rendered_by) values ($1::date, $2, $3, to_timestamp($4::float8 / 1000), $5)
     on conflict (batch_date) do update set letters = excluded.letters, file_sha256 = excluded.file_sha256, rendered_at = excluded.rendered_at, rendered_by = excluded.rendered_by`,
    [b.batchDate, b.letters, b.sha256, b.at, b.by],
  );
}
