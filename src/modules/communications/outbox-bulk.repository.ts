/**
 * The bulk path into the outbox for the daily cycle (up to a million messages a day): one COPY into a
 * temporary table, then one set-based insert that leaves existing keys as they are. Same contract as
 * `enqueueMessages` (idempotent by key, same columns), without a per-call size limit and without
 * turning every row into JSON first.
 */
import type pg from 'pg';
import { copyField, copyText, copyTextOf, type CopyText } from '../../db/index.ts';
import type { EnqueueResult, OutboxMessageInput } from './outbox.repository.ts';

const STAGING = `create temp table if not exists outbox_messages_staging (
  idempotency_key text, customer_id text, account_id text, channel text, party_role text, destination_ref text, template_id text,
  language text, tone text, variables jsonb, not_before timestamptz, expires_at timestamptz, origin text, requested_by text,
  strategy_id text, strategy_version integer, strategy_variant text, decision jsonb) on commit delete rows`;

/** ISO text of an instant; a batch holds few distinct instants (send windows), so each is formatted once. */
function isoFormatter(): (d: Date | null | undefined) => string {
  const seen = new Map<number, string>();
  return (d) => {
    if (!d) return '\\N';
    const t = d.getTime();
    let text = seen.get(t);
    if (text === undefined) {
      if (seen.size > 4_096) seen.clear();
      seen.set(t, (text = d.toISOString()));
    }
    return text;
  };
}

const COLUMNS = `idempotency_key, customer_id, account_id, channel, party_role, destination_ref, template_id, language, tone,
  variables, not_before, expires_at, origin, requested_by, strategy_id, strategy_version, strategy_variant, decision`;

/**
 * Messages encoded as the bulk path's COPY text, ready to enqueue: a batch keeps this one flat string
 * (not an object per message) until its transaction writes it. `assumeNew` must match the enqueue.
 */
export interface EncodedMessages extends CopyText { assumeNew: boolean }

export function encodeMessages(messages: Iterable<OutboxMessageInput>, options: { assumeNew?: boolean } = {}): EncodedMessages {
  const assumeNew = options.assumeNew === true;
  const iso = isoFormatter();
  const lines: string[] = [];
  for (const m of messages) {
    const notBefore = iso(m.notBefore);
    lines.push(`${copyField(m.idempotencyKey)}\t${copyField(m.customerId)}\t${copyField(m.accountId)}\t${m.channel}\t${m.partyRole ?? 'debtor'}\t${copyField(m.destinationRef ?? null)}\t`
      + `${copyField(m.templateId)}\t${copyField(m.language ?? null)}\t${copyField(m.tone ?? null)}\t${m.variables ? copyField(JSON.stringify(m.variables)) : '{}'}\t${notBefore}\t`
      + `${iso(m.expiresAt)}\t${m.origin}\t${copyField(m.requestedBy ?? null)}\t${copyField(m.strategy?.id ?? null)}\t${copyField(m.strategy?.version ?? null)}\t`
      + `${copyField(m.strategy?.variant ?? null)}\t${m.decision === undefined || m.decision === null ? '\\N' : copyField(JSON.stringify(m.decision))}${assumeNew ? `\t${notBefore}` : ''}`);
  }
  return { ...copyTextOf(lines), assumeNew };
}

/**
 * Enqueues messages in the caller's transaction (the client must be inside `begin … commit`: the
 * staging table is emptied at commit). Keys already present are left untouched.
 *
 * `assumeNew`: the caller knows no key can exist yet (the daily cycle on a date nothing else has
 * touched: its keys carry the date), so rows are COPYed straight into the outbox; a key that does
 * exist then fails the transaction (unique violation) instead of being skipped.
 */
export async function enqueueMessagesBulk(client: pg.ClientBase, messages: Iterable<OutboxMessageInput> | EncodedMessages, options: { assumeNew?: boolean } = {}): Promise<EnqueueResult> {
  const encoded = 'text' in messages ? messages : encodeMessages(messages, options);
  if (encoded.rows === 0) return { inserted: 0, existing: 0 };
  if (!encoded.assumeNew) await client.query(STAGING);
  await copyText(client, encoded.assumeNew ? `copy outbox_messages (${COLUMNS}, next_attempt_at) from stdin` : 'copy outbox_messages_staging from stdin', encoded.text);
  if (encoded.assumeNew) return { inserted: encoded.rows, existing: 0 };
  const { rowCount } = await client.query(
    `insert into outbox_messages (${COLUMNS}, next_attempt_at)
     select ${COLUMNS}, not_before from outbox_messages_staging
     on conflict (idempotency_key) do nothing`,
  );
  await client.query('truncate outbox_messages_staging');
  const inserted = rowCount ?? 0;
  return { inserted, existing: encoded.rows - inserted };
}

/** Which of these idempotency keys are already in the outbox (a resumed or repeated run skips them). */
export async function existingMessageKeys(db: pg.ClientBase | pg.Pool, keys: readonly string[]): Promise<string[]> {
  if (keys.length === 0) return [];
  const { rows } = await db.query<{ k: string }>('select idempotency_key as k from outbox_messages where idempotency_key = any($1::text[])', [keys]);
  return rows.map((r) => r.k);
}
