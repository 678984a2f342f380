/**
 * The compliance tables: the contact ledger, flag / opt-out / consent events and extra time zones.
 * Writes are single inserts (append-only); reads for check() are set-based over many customers.
 */
import type pg from 'pg';
import { parseClock } from './domain/local-time.ts';
import type { Consent, Flag, HistoryEntry, OptOut } from './domain/snapshot.ts';
import type { ActorKind, Channel, ChannelSelector, ConsentKind, FlagKind, Outcome, Party } from './domain/vocabulary.ts';

type Db = pg.ClientBase | pg.Pool;

export interface AttemptRow {
  customerId: string; accountId: string | null; at: number; channel: Channel; actor: string; actorKind: ActorKind; party: Party;
  destination: string; destinationMasked: string | null; contentRef: string | null; outcome: Outcome; verdictRef: string | null; corrects: number | null;
  idempotencyKey: string | null; inputHash: string | null;
}

export async function findAttemptByKey(db: Db, key: string): Promise<{ attemptId: number; inputHash: string | null } | null> {
  const { rows } = await db.query<{ attempt_id: bigint; input_hash: string | null }>('select attempt_id, input_hash from contact_attempts where idempotency_key = $1', [key]);
  return rows[0] ? { attemptId: Number(rows[0].attempt_id), inputHash: rows[0].input_hash } : null;
}

export async function insertAttempt(db: Db, a: AttemptRow): Promise<number> {
  const { rows } = await db.query<{ attempt_id: bigint }>(
    `insert into contact_attempts (customer_id, account_id, attempted_at, channel, actor, actor_kind, party, destination, destination_masked, content_ref, outcome, verdict_ref, corrects, idempotency_key, input_hash)
     values ($1, $2, to_timestamp($3::float8 / 1000), $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) returning attempt_id`,
    [a.customerId, a.accountId, a.at, a.channel, a.actor, a.actorKind, a.party, a.destination, a.destinationMasked, a.contentRef, a.outcome, a.verdictRef, a.corrects, a.idempotencyKey, a.inputHash],
  );
  return Number(rows[0]!.attempt_id);
}

export async function attemptCustomer(db: Db, attemptId: number): Promise<string | null> {
  const { rows } = await db.query<{ customer_id: string }>('select customer_id from contact_attempts where attempt_id = $1', [attemptId]);
  return rows[0]?.customer_id ?? null;
}

export async function insertFlagEvent(db: Db, e: { customerId: string; accountId: string | null; kind: FlagKind; action: 'set' | 'clear'; since: number | null; until: number | null; extended: boolean; responded: boolean; note: string | null; recordedBy: string | null }): Promise<number> {
  const { rows } = await db.query<{ event_id: bigint }>(
    `insert into compliance_flag_events (customer_id, account_id, kind, action, since, until, extended, responded, note, recorded_by)
     values ($1, $2, $3, $4, to_timestamp($5::float8 / 1000), to_timestamp($6::float8 / 1000), $7, $8, $9, $10) returning event_id`,
    [e.customerId, e.accountId, e.kind, e.action, e.since, e.until, e.extended, e.responded, e.note, e.recordedBy],
  );
  return Number(rows[0]!.event_id);
}

export async function insertOptOutEvent(db: Db, e: { customerId: string; channel: ChannelSelector; destination: string | null; action: 'set' | 'clear'; source: string; text: string | null; recordedBy: string | null }): Promise<number> {
  const { rows } = await db.query<{ event_id: bigint }>(
    `insert into compliance_opt_out_events (customer_id, channel, destination, action, source, text, recorded_by) values ($1, $2, $3, $4, $5, $6, $7) returning event_id`,
    [e.customerId, e.channel, e.destination, e.action, e.source, e.text, e.recordedBy],
  );
  return Number(rows[0]!.event_id);
}

export async function insertConsent(db: Db, c: { customerId: string; kind: ConsentKind; channel: ChannelSelector; windowStart: string | null; windowEnd: string | null; destination: string | null; validFrom: number | null; validUntil: number; recordingId: string | null; recordedBy: string | null }): Promise<number> {
  const { rows } = await db.query<{ consent_id: bigint }>(
    `insert into compliance_consents (customer_id, kind, channel, window_start, window_end, destination, valid_from, valid_until, recording_id, recorded_by)
     values ($1, $2, $3, $4, $5, $6, to_timestamp($7::float8 / 1000), to_timestamp($8::float8 / 1000), $9, $10) returning consent_id`,
    [c.customerId, c.kind, c.channel, c.windowStart, c.windowEnd, c.destination, c.validFrom, c.validUntil, c.recordingId, c.recordedBy],
  );
  return Number(rows[0]!.consent_id);
}

export async function revokeConsent(db: Db, consentId: number, at: number): Promise<boolean> {
  const { rowCount } = await db.query('update compliance_consents set revoked_at = to_timestamp($2::float8 / 1000) where consent_id = $1 and revoked_at is null', [consentId, at]);
  return rowCount === 1;
}

export async function replaceTimeZones(db: Db, customerId: string, zones: readonly string[], source: string): Promise<void> {
  await db.query('delete from compliance_time_zones where customer_id = $1', [customerId]);
  if (zones.length) await db.query('insert into compliance_time_zones (customer_id, time_zone, source) select $1, unnest($2::text[]), $3', [customerId, zones, source]);
}

export interface ComplianceState {
  extraZones: Map<string, string[]>;
  flags: Map<string, Flag[]>;
  optOuts: Map<string, OptOut[]>;
  consents: Map<string, Consent[]>;
  history: Map<string, HistoryEntry[]>;
}

const push = <T>(m: Map<string, T[]>, k: string, v: T) => {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
};

const EPOCH_MS = (col: string) => `(extract(epoch from ${col}) * 1000)::float8`;

/**
 * The compliance state of many customers: current flags and opt-outs (the latest event per key that
 * is a `set`), unrevoked consents not yet expired at `fromMs`, and ledger attempts in [fromMs, toMs]
 * that no later row corrects.
 */
export async function loadComplianceState(db: Db, customerIds: readonly string[], fromMs: number, toMs: number): Promise<ComplianceState> {
  const ids = [...customerIds];
  const state: ComplianceState = { extraZones: new Map(), flags: new Map(), optOuts: new Map(), consents: new Map(), history: new Map() };
  if (ids.length === 0) return state;
  const q = <R extends unknown[]>(text: string, values: unknown[]) => db.query<R>({ text, values, rowMode: 'array' }).then((r) => r.rows);
  const [zones, flags, optOuts, consents, attempts] = await Promise.all([
    q<[string, string]>('select customer_id, time_zone from compliance_time_zones where customer_id = any($1::text[]) order by customer_id, time_zone', [ids]),
    q<[string, string | null, FlagKind, number | null, number | null, boolean, boolean]>(
      `select customer_id, account_id, kind, ${EPOCH_MS('since')}, ${EPOCH_MS('until')}, extended, responded from (
         select distinct on (customer_id, coalesce(account_id, ''), kind) * from compliance_flag_events
         where customer_id = any($1::text[]) order by customer_id, coalesce(account_id, ''), kind, event_id desc) f
       where action = 'set'`, [ids]),
    q<[string, ChannelSelector, string | null]>(
      `select customer_id, channel, destination from (
         select distinct on (customer_id, channel, coalesce(destination, '')) * from compliance_opt_out_events
         where customer_id = any($1::text[]) order by customer_id, channel, coalesce(destination, ''), event_id desc) o
       where action = 'set'`, [ids]),
    q<[string, number, ConsentKind, ChannelSelector, string | null, string | null, string | null, number | null, number]>(
      `select customer_id, consent_id, kind, channel, window_start, window_end, destination, ${EPOCH_MS('valid_from')}, ${EPOCH_MS('valid_until')}
       from compliance_consents where customer_id = any($1::text[]) and revoked_at is null and valid_until > to_timestamp($2::float8 / 1000)`, [ids, fromMs]),
    q<[string, number, Channel, string, Party, ActorKind, Outcome, string | null]>(
      `select a.customer_id, ${EPOCH_MS('a.attempted_at')}, a.channel, a.destination, a.party, a.actor_kind, a.outcome, a.account_id
       from contact_attempts a
       where a.customer_id = any($1::text[]) and a.attempted_at >= to_timestamp($2::float8 / 1000) and a.attempted_at <= to_timestamp($3::float8 / 1000)
         and not exists (select 1 from contact_attempts c where c.corrects = a.attempt_id)`, [ids, fromMs, toMs]),
  ]);
  for (const [id, zone] of zones) push(state.extraZones, id, zone);
  for (const [id, accountId, kind, since, until, extended, responded] of flags) push(state.flags, id, { kind, since, until, extended, responded, accountId });
  for (const [id, channel, destination] of optOuts) push(state.optOuts, id, { channel, destination });
  for (const [id, consentId, kind, channel, ws, we, destination, validFrom, validUntil] of consents) {
    push(state.consents, id, {
      id: `consent:${Number(consentId)}`, kind, channel, destination, validFrom, validUntil,
      window: ws !== null && we !== null ? { startMinute: parseClock(ws)!, endMinute: parseClock(we)! } : null,
    });
  }
  for (const [id, at, channel, destination, party, actor, outcome, accountId] of attempts) push(state.history, id, { at, channel, destination, party, actor, outcome, accountId });
  return state;
}

export interface ContactHistoryEntry {
  attemptId: number; at: string; channel: string; actor: string; party: string; destinationMasked: string | null; outcome: string;
  accountId: string | null; verdictRef: string | null; corrects: number | null; correctedBy: number | null;
}

/**
 * A debtor's contact history from the ledger, newest first (at most `limit`): destinations only in
 * their masked form, corrections linked both ways (a corrected row is shown with the row that replaced it).
 */
export async function contactHistory(db: Db, customerId: string, limit: number): Promise<ContactHistoryEntry[]> {
  const { rows } = await db.query<{ attempt_id: bigint; attempted_at: Date; channel: string; actor: string; party: string; destination_masked: string | null; outcome: string; account_id: string | null; verdict_ref: string | null; corrects: bigint | null; corrected_by: bigint | null }>(
    `select a.attempt_id, a.attempted_at, a.channel, a.actor, a.party, a.destination_masked, a.outcome, a.account_id, a.verdict_ref, a.corrects,
            (select min(c.attempt_id) from contact_attempts c where c.corrects = a.attempt_id) as corrected_by
     from contact_attempts a where a.customer_id = $1 order by a.attempted_at desc, a.attempt_id desc limit $2`,
    [customerId, limit],
  );
  return rows.map((r) => ({
    attemptId: Number(r.attempt_id), at: r.attempted_at.toISOString(), channel: r.channel, actor: r.actor, party: r.party, destinationMasked: r.destination_masked,
    outcome: r.outcome, accountId: r.account_id, verdictRef: r.verdict_ref, corrects: r.corrects === null ? null : Number(r.corrects), correctedBy: r.corrected_by === null ? null : Number(r.corrected_by),
  }));
}

/**
 * Appends many attempts in one statement; rows whose idempotency key is already stored are left as
 * they are. Returns the attempt id per key of every row (new or already there) with its input hash.
 */
export async function insertAttempts(db: Db, attempts: readonly AttemptRow[]): Promise<Map<string, { attemptId: number; inputHash: string | null; inserted: boolean }>> {
  const out = new Map<string, { attemptId: number; inputHash: string | null; inserted: boolean }>();
  if (attempts.length === 0) return out;
  const rows = attempts.map((a) => ({
    customer_id: a.customerId, account_id: a.accountId, at_ms: a.at, channel: a.channel, actor: a.actor, actor_kind: a.actorKind, party: a.party,
    destination: a.destination, destination_masked: a.destinationMasked, content_ref: a.contentRef, outcome: a.outcome, verdict_ref: a.verdictRef,
    corrects: a.corrects, idempotency_key: a.idempotencyKey, input_hash: a.inputHash,
  }));
  const inserted = await db.query<{ attempt_id: string; idempotency_key: string; input_hash: string | null }>(
    `insert into contact_attempts (customer_id, account_id, attempted_at, channel, actor, actor_kind, party, destination, destination_masked, content_ref, outcome, verdict_ref, corrects, idempotency_key, input_hash)
     select x.customer_id, x.account_id, to_timestamp(x.at_ms / 1000), x.channel, x.actor, x.actor_kind, x.party, x.destination, x.destination_masked, x.content_ref, x.outcome, x.verdict_ref, x.corrects, x.idempotency_key, x.input_hash
     from jsonb_to_recordset($1::jsonb) as x (customer_id text, account_id text, at_ms float8, channel text, actor text, actor_kind text, party text, destination text,
       destination_masked text, content_ref text, outcome text, verdict_ref text, corrects bigint, idempotency_key text, input_hash text)
     on conflict (idempotency_key) do nothing
     returning attempt_id::text, idempotency_key, input_hash`,
    [JSON.stringify(rows)],
  );
  for (const r of inserted.rows) out.set(r.idempotency_key, { attemptId: Number(r.attempt_id), inputHash: r.input_hash, inserted: true });
  const missing = attempts.map((a) => a.idempotencyKey!).filter((k) => !out.has(k));
  if (missing.length) {
    const existing = await db.query<{ attempt_id: string; idempotency_key: string; input_hash: string | null }>(
      'select attempt_id::text, idempotency_key, input_hash from contact_attempts where idempotency_key = any($1::text[])', [missing]);
    for (const r of existing.rows) out.set(r.idempotency_key, { attemptId: Number(r.attempt_id), inputHash: r.input_hash, inserted: false });
  }
  return out;
}
