/**
 * The strategy module's tables: published versions (immutable), collector-recorded circumstances
 * (markers), and the per-account state the daily cycle keeps, with its transitions and dropped
 * contacts. Bulk writes go through one COPY into a temporary table and one set-based statement.
 */
import type pg from 'pg';
import { CopyWriter, copyField, copyText, copyTextOf, type CopyText } from '../../db/index.ts';
import type { StrategyDocument } from './domain/document.ts';

type Db = pg.ClientBase | pg.Pool;

export interface StoredVersion {
  strategyId: string; version: number; effectiveFrom: string; digest: string; publishedAt: Date; publishedBy: string;
}

export interface StoredDocument extends StoredVersion { document: StrategyDocument }

export async function insertVersion(db: Db, v: { strategyId: string; version: number; effectiveFrom: string; document: StrategyDocument; digest: string; publishedBy: string }): Promise<boolean> {
  const { rowCount } = await db.query(
    `insert into strategy_versions (strategy_id, version, effective_from, document, digest, published_by) values ($1, $2, $3, $4, $5, $6)
     on conflict (strategy_id, version) do nothing`,
    [v.strategyId, v.version, v.effectiveFrom, JSON.stringify(v.document), v.digest, v.publishedBy],
  );
  return rowCount === 1;
}

const VERSION_COLUMNS = 'strategy_id, version, effective_from, digest, published_at, published_by';
const toVersion = (r: Record<string, unknown>): StoredVersion => ({
  strategyId: r.strategy_id as string, version: r.version as number, effectiveFrom: r.effective_from as string, digest: r.digest as string,
  publishedAt: r.published_at as Date, publishedBy: r.published_by as string,
});

export async function findVersion(db: Db, strategyId: string, version: number | null): Promise<StoredDocument | null> {
  const { rows } = await db.query(
    `select ${VERSION_COLUMNS}, document from strategy_versions where strategy_id = $1 and ($2::int is null or version = $2) order by version desc limit 1`,
    [strategyId, version],
  );
  return rows[0] ? { ...toVersion(rows[0]), document: rows[0].document as StrategyDocument } : null;
}

export async function listVersions(db: Db): Promise<StoredVersion[]> {
  const { rows } = await db.query(`select ${VERSION_COLUMNS} from strategy_versions order by strategy_id, version desc`);
  return rows.map(toVersion);
}

/** The published document in effect on `asOf`: latest effectiveFrom ≤ asOf, then latest published. */
export async function versionInEffect(db: Db, asOf: string): Promise<StoredDocument | null> {
  const { rows } = await db.query(
    `select ${VERSION_COLUMNS}, document from strategy_versions where effective_from <= $1::date
     order by effective_from desc, published_at desc, version desc limit 1`,
    [asOf],
  );
  return rows[0] ? { ...toVersion(rows[0]), document: rows[0].document as StrategyDocument } : null;
}

// ── markers ─────────────────────────────────────────────────────────────────────────────────────

export interface MarkerChange { delinquencyReason?: string | null; suspectedEvasion?: boolean; riskScore?: number | null }

export async function writeMarkers(client: pg.ClientBase, account: { accountId: string; customerId: string }, change: MarkerChange, by: string, note: string | null): Promise<void> {
  await client.query(
    `insert into strategy_account_markers (account_id, customer_id, delinquency_reason, suspected_evasion, risk_score, updated_by)
     values ($1, $2, $3, coalesce($4, false), $5, $6)
     on conflict (account_id) do update set
       delinquency_reason = case when $7 then excluded.delinquency_reason else strategy_account_markers.delinquency_reason end,
       suspected_evasion = case when $8 then excluded.suspected_evasion else strategy_account_markers.suspected_evasion end,
       risk_score = case when $9 then excluded.risk_score else strategy_account_markers.risk_score end,
       updated_at = now(), updated_by = excluded.updated_by`,
    [account.accountId, account.customerId, change.delinquencyReason ?? null, change.suspectedEvasion ?? null, change.riskScore ?? null, by,
      'delinquencyReason' in change, 'suspectedEvasion' in change, 'riskScore' in change],
  );
  const events: [string, string | null][] = [];
  if ('delinquencyReason' in change) events.push(['delinquency_reason', change.delinquencyReason ?? null]);
  if ('suspectedEvasion' in change) events.push(['suspected_evasion', String(change.suspectedEvasion)]);
  if ('riskScore' in change) events.push(['risk_score', change.riskScore === null || change.riskScore === undefined ? null : String(change.riskScore)]);
  for (const [field, value] of events) {
    await client.query('insert into strategy_marker_events (account_id, customer_id, field, value, note, recorded_by) values ($1, $2, $3, $4, $5, $6)',
      [account.accountId, account.customerId, field, value, note, by]);
  }
}

export async function readMarkers(db: Db, accountId: string): Promise<{ delinquencyReason: string | null; suspectedEvasion: boolean; riskScore: number | null } | null> {
  const { rows } = await db.query('select delinquency_reason, suspected_evasion, risk_score::float8 as risk_score from strategy_account_markers where account_id = $1', [accountId]);
  return rows[0] ? { delinquencyReason: rows[0].delinquency_reason, suspectedEvasion: rows[0].suspected_evasion, riskScore: rows[0].risk_score } : null;
}

// ── the cycle's per-account state ──────────────────────────────────────────────────────────────

export interface StateWrite {
  accountId: string; customerId: string; strategyId: string; strategyVersion: number; variant: string;
  status: string; segment: string | null; ladder: string | null; stage: string | null; changedOn: string; state: string;
}
export interface EventWrite {
  accountId: string; customerId: string; occurredOn: string; seq: number; kind: string;
  strategyId: string; strategyVersion: number; variant: string; segment: string | null; stage: string | null;
}
export interface DropWrite {
  key: string; asOf: string; accountId: string; customerId: string; stage: string; treatment: string; channel: string;
  strategyId: string; strategyVersion: number; variant: string; reason: 'compliance_block' | 'deferred_too_far' | 'no_contact_point'; rules: unknown; auditRef: string | null;
}

const STAGING = [
  `create temp table if not exists strategy_state_staging (account_id text, customer_id text, strategy_id text, strategy_version integer, variant text,
     status text, segment text, ladder text, stage text, changed_on date, state text) on commit delete rows`,
  `create temp table if not exists strategy_event_staging (account_id text, customer_id text, occurred_on date, seq smallint, kind text,
     strategy_id text, strategy_version integer, variant text, segment text, stage text) on commit delete rows`,
  `create temp table if not exists strategy_drop_staging (idempotency_key text, as_of date, account_id text, customer_id text, stage text, treatment text, channel text,
     strategy_id text, strategy_version integer, strategy_variant text, reason text, rules jsonb, audit_ref text) on commit delete rows`,
].join(';\n');

export interface CycleOutcome {
  /** States of accounts without a stored one (`encodeStates`). */
  newStates: CopyText;
  changedStates: readonly StateWrite[];
  events: readonly EventWrite[];
  drops: readonly DropWrite[];
  /** Nothing can conflict (a date no invocation touched before): COPY straight into the tables. */
  assumeNew: boolean;
}

const STATE_COLUMNS = 'account_id, customer_id, strategy_id, strategy_version, variant, status, segment, ladder, stage, changed_on, state';
const EVENT_COLUMNS = 'account_id, customer_id, occurred_on, seq, kind, strategy_id, strategy_version, variant, segment, stage';
const DROP_COLUMNS = 'idempotency_key, as_of, account_id, customer_id, stage, treatment, channel, strategy_id, strategy_version, strategy_variant, reason, rules, audit_ref';

async function copyRows<T>(client: pg.ClientBase, sql: string, rows: readonly T[], fields: (row: T) => string[]): Promise<void> {
  const copy = CopyWriter.open(client, sql, 5_000);
  try {
    for (const r of rows) if (copy.push(fields(r).join('\t'))) await copy.flush();
  } finally {
    await copy.end();
  }
}

const f = copyField;

/** States as COPY text in strategy_account_states' column order (the table and its staging share it). */
export function encodeStates(states: readonly StateWrite[]): CopyText {
  return copyTextOf(states.map((st) => stateFields(st).join('\t')));
}
const stateFields = (s: StateWrite) => [f(s.accountId), f(s.customerId), f(s.strategyId), String(s.strategyVersion), f(s.variant), s.status, f(s.segment), f(s.ladder), f(s.stage), s.changedOn, f(s.state)];
const eventFields = (e: EventWrite) => [f(e.accountId), f(e.customerId), e.occurredOn, String(e.seq), e.kind, f(e.strategyId), String(e.strategyVersion), f(e.variant), f(e.segment), f(e.stage)];
const dropFields = (d: DropWrite) => [f(d.key), d.asOf, f(d.accountId), f(d.customerId), f(d.stage), f(d.treatment), f(d.channel), f(d.strategyId), String(d.strategyVersion), f(d.variant), d.reason, f(JSON.stringify(d.rules)), f(d.auditRef)];

/**
 * Writes changed states, transitions and dropped contacts in the caller's transaction. A state written
 * again on the same `changedOn` keeps its `prev_state` (the state before that day); a state changed on
 * a later day moves the stored one into `prev_state`.
 */
export async function writeCycleOutcome(client: pg.ClientBase, o: CycleOutcome): Promise<void> {
  const upsert = (o.assumeNew ? 0 : o.newStates.rows) + o.changedStates.length;
  if (!o.assumeNew || upsert) await client.query(STAGING);
  if (o.assumeNew && o.newStates.rows) await copyText(client, `copy strategy_account_states (${STATE_COLUMNS}) from stdin`, o.newStates.text);
  if (upsert) {
    if (!o.assumeNew && o.newStates.rows) await copyText(client, 'copy strategy_state_staging from stdin', o.newStates.text);
    if (o.changedStates.length) await copyRows(client, 'copy strategy_state_staging from stdin', o.changedStates, stateFields);
    await client.query(
      `insert into strategy_account_states as s (${STATE_COLUMNS}, prev_state)
       select ${STATE_COLUMNS}, null from strategy_state_staging
       on conflict (account_id) do update set customer_id = excluded.customer_id, strategy_id = excluded.strategy_id, strategy_version = excluded.strategy_version,
         variant = excluded.variant, status = excluded.status, segment = excluded.segment, ladder = excluded.ladder, stage = excluded.stage,
         prev_state = case when s.changed_on = excluded.changed_on then s.prev_state else s.state end,
         changed_on = excluded.changed_on, state = excluded.state, updated_at = now()`,
    );
  }
  if (o.events.length) {
    if (o.assumeNew) await copyRows(client, `copy strategy_account_events (${EVENT_COLUMNS}) from stdin`, o.events, eventFields);
    else {
      await copyRows(client, 'copy strategy_event_staging from stdin', o.events, eventFields);
      await client.query(`insert into strategy_account_events (${EVENT_COLUMNS}) select * from strategy_event_staging on conflict do nothing`);
    }
  }
  if (o.drops.length) {
    if (o.assumeNew) await copyRows(client, `copy strategy_dropped_actions (${DROP_COLUMNS}) from stdin`, o.drops, dropFields);
    else {
      await copyRows(client, 'copy strategy_drop_staging from stdin', o.drops, dropFields);
      await client.query(`insert into strategy_dropped_actions (${DROP_COLUMNS}) select * from strategy_drop_staging on conflict do nothing`);
    }
  }
  if (upsert || !o.assumeNew) await client.query('truncate strategy_state_staging, strategy_event_staging, strategy_drop_staging');
}

/** Which of these idempotency keys are already dropped contacts. */
export async function droppedKeys(db: Db, keys: readonly string[]): Promise<string[]> {
  if (keys.length === 0) return [];
  const { rows } = await db.query<{ k: string }>('select idempotency_key as k from strategy_dropped_actions where idempotency_key = any($1::text[])', [keys]);
  return rows.map((r) => r.k);
}

export async function readState(db: Db, accountId: string): Promise<{ state: string; prevState: string | null; changedOn: string; variant: string; strategyId: string; strategyVersion: number } | null> {
  const { rows } = await db.query('select state, prev_state, changed_on, variant, strategy_id, strategy_version from strategy_account_states where account_id = $1', [accountId]);
  return rows[0] ? { state: rows[0].state, prevState: rows[0].prev_state, changedOn: rows[0].changed_on, variant: rows[0].variant, strategyId: rows[0].strategy_id, strategyVersion: rows[0].strategy_version } : null;
}
