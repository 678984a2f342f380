/**
 * Recommendations that need a person's approval: placement proposals (agency, legal) and account
 * actions (freeze, restrict). The daily cycle proposes them in bulk, idempotent by key, with at most
 * one open proposal of a kind per account (a second one while the first waits is ignored). Approving
 * or rejecting is the collector workflow's (issue 7); `decideRecommendation` records the decision.
 */
import type pg from 'pg';

type Db = pg.ClientBase | pg.Pool;

export interface PlacementProposalInput {
  idempotencyKey: string; accountId: string; customerId: string; kind: 'agency' | 'legal'; agencyId: string | null; legalStage: string | null;
  proposedOn: string; origin: 'cycle' | 'staff' | 'api' | 'cli';
  strategy: { id: string; version: number; variant: string } | null; stage: string | null; decision: unknown;
}

export interface AccountActionInput {
  idempotencyKey: string; accountId: string; customerId: string; action: 'freeze' | 'restrict' | 'lift'; requestedOn: string; reason: string | null;
  origin: 'cycle' | 'staff' | 'api' | 'cli'; strategy: { id: string; version: number; variant: string } | null; stage: string | null; decision: unknown;
}

/** Inserts proposals; keys already present, and accounts with an open proposal of the same kind, are left as they are. */
export async function proposePlacements(db: Db, items: readonly PlacementProposalInput[]): Promise<number> {
  if (items.length === 0) return 0;
  const rows = items.map((p) => ({
    idempotency_key: p.idempotencyKey, account_id: p.accountId, customer_id: p.customerId, kind: p.kind, agency_id: p.agencyId, legal_stage: p.legalStage,
    proposed_on: p.proposedOn, origin: p.origin, strategy_id: p.strategy?.id ?? null, strategy_version: p.strategy?.version ?? null,
    strategy_variant: p.strategy?.variant ?? null, stage: p.stage, decision: p.decision ?? null,
  }));
  const { rowCount } = await db.query(
    `insert into placement_proposals (idempotency_key, account_id, customer_id, kind, agency_id, legal_stage, proposed_on, origin, strategy_id, strategy_version, strategy_variant, stage, decision)
     select * from jsonb_to_recordset($1::jsonb) as x (idempotency_key text, account_id text, customer_id text, kind text, agency_id text, legal_stage text,
       proposed_on date, origin text, strategy_id text, strategy_version integer, strategy_variant text, stage text, decision jsonb)
     on conflict do nothing`,
    [JSON.stringify(rows)],
  );
  return rowCount ?? 0;
}

export async function requestAccountActions(db: Db, items: readonly AccountActionInput[]): Promise<number> {
  if (items.length === 0) return 0;
  const rows = items.map((a) => ({
    idempotency_key: a.idempotencyKey, account_id: a.accountId, customer_id: a.customerId, action: a.action, requested_on: a.requestedOn, reason: a.reason,
    origin: a.origin, strategy_id: a.strategy?.id ?? null, strategy_version: a.strategy?.version ?? null, strategy_variant: a.strategy?.variant ?? null,
    stage: a.stage, decision: a.decision ?? null,
  }));
  const { rowCount } = await db.query(
    `insert into account_action_requests (idempotency_key, account_id, customer_id, action, requested_on, reason, origin, strategy_id, strategy_version, strategy_variant, stage, decision)
     select * from jsonb_to_recordset($1::jsonb) as x (idempotency_key text, account_id text, customer_id text, action text, requested_on date, reason text,
       origin text, strategy_id text, strategy_version integer, strategy_variant text, stage text, decision jsonb)
     on conflict do nothing`,
    [JSON.stringify(rows)],
  );
  return rowCount ?? 0;
}

export interface Recommendation {
  kind: 'placement' | 'account_action';
  id: number;
  accountId: string;
  customerId: string;
  /** agency, legal:mediation, freeze, restrict … */
  what: string;
  status: string;
  proposedOn: string;
  strategy: { id: string | null; version: number | null; variant: string | null };
  stage: string | null;
  decidedBy: string | null;
}

export async function listRecommendations(db: Db, filter: { status?: string; accountId?: string; kind?: 'placement' | 'account_action'; id?: number; limit: number }): Promise<Recommendation[]> {
  const { rows } = await db.query(
    `select * from (
       select 'placement' as kind, proposal_id as id, account_id, customer_id, case when kind = 'legal' then 'legal:' || legal_stage else 'agency' || coalesce(':' || agency_id, '') end as what,
              status, proposed_on, strategy_id, strategy_version, strategy_variant, stage, decided_by from placement_proposals
       union all
       select 'account_action', request_id, account_id, customer_id, action, status, requested_on, strategy_id, strategy_version, strategy_variant, stage, decided_by from account_action_requests
     ) r where ($1::text is null or status = $1) and ($2::text is null or account_id = $2)
       and ($4::text is null or kind = $4) and ($5::bigint is null or id = $5)
     order by proposed_on, kind, id limit $3`,
    [filter.status ?? null, filter.accountId ?? null, filter.limit, filter.kind ?? null, filter.id ?? null],
  );
  return rows.map((r) => ({
    kind: r.kind, id: Number(r.id), accountId: r.account_id, customerId: r.customer_id, what: r.what, status: r.status, proposedOn: r.proposed_on,
    strategy: { id: r.strategy_id, version: r.strategy_version, variant: r.strategy_variant }, stage: r.stage, decidedBy: r.decided_by,
  }));
}

/** Approves or rejects an open recommendation; false when there is no such open one. */
export async function decideRecommendation(db: Db, kind: 'placement' | 'account_action', id: number, decision: 'approved' | 'rejected', by: string, note: string | null): Promise<boolean> {
  const table = kind === 'placement' ? 'placement_proposals' : 'account_action_requests';
  const key = kind === 'placement' ? 'proposal_id' : 'request_id';
  const { rowCount } = await db.query(
    `update ${table} set status = $2, decided_by = $3, decided_at = now(), decision_note = $4 where ${key} = $1 and status = 'proposed'`,
    [id, decision, by, note],
  );
  return rowCount === 1;
}

/** Which of these idempotency keys are already placement proposals or account-action requests. */
export async function existingRecommendationKeys(db: Db, keys: readonly string[]): Promise<string[]> {
  if (keys.length === 0) return [];
  const { rows } = await db.query<{ k: string }>(
    `select idempotency_key as k from placement_proposals where idempotency_key = any($1::text[])
     union all select idempotency_key from account_action_requests where idempotency_key = any($1::text[])`, [keys]);
  return rows.map((r) => r.k);
}
