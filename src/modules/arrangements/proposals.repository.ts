/**
 * Arrangement proposals (migration 0013): what a collector offered, with its quote and the authority
 * it needs; decided at once within the proposer's authority, else in the approval inbox. Approving
 * writes the repayment plan (every arrangement type) in the same transaction. Also the promise
 * kept-rate report over the core's promises.
 */
import type pg from 'pg';
import { scopeCondition, type DataScope } from '../identity/index.ts';
import { insertPlan } from './arrangements.repository.ts';
import type { ArrangementType } from './domain/quote.ts';
import type { Tier } from './domain/authority.ts';

type Db = pg.ClientBase | pg.Pool;

/** A quote as stored: minor units as strings, dates as "YYYY-MM-DD". */
export interface StoredQuote {
  type: ArrangementType; asOf: string; balanceMinor: string; waivedFeesMinor: string; waivedInterestMinor: string; forgivenMinor: string; totalMinor: string;
  termMonths: number; installments: { seq: number; dueOn: string; amountMinor: string }[];
}

export interface ProposalRow {
  proposalId: number; idempotencyKey: string | null; inputHash: string; accountId: string; customerId: string; currency: string; kind: ArrangementType;
  request: unknown; quote: StoredQuote; requiredTier: Tier; authority: unknown; affordability: unknown; evidenceIds: number[]; contactId: number | null;
  note: string | null; proposedBy: string; proposedAt: Date; status: 'proposed' | 'approved' | 'rejected' | 'withdrawn'; decidedBy: string | null;
  decidedAt: Date | null; decisionNote: string | null; planId: number | null;
}

type DbRow = {
  proposal_id: bigint; idempotency_key: string | null; input_hash: string; account_id: string; customer_id: string; currency: string; kind: ArrangementType;
  request: unknown; quote: StoredQuote; required_tier: Tier; authority: unknown; affordability: unknown; evidence_ids: bigint[]; contact_id: bigint | null;
  note: string | null; proposed_by: string; proposed_at: Date; status: ProposalRow['status']; decided_by: string | null; decided_at: Date | null;
  decision_note: string | null; plan_id: bigint | null;
};

const rowOf = (r: DbRow): ProposalRow => ({
  proposalId: Number(r.proposal_id), idempotencyKey: r.idempotency_key, inputHash: r.input_hash, accountId: r.account_id, customerId: r.customer_id, currency: r.currency,
  kind: r.kind, request: r.request, quote: r.quote, requiredTier: r.required_tier, authority: r.authority, affordability: r.affordability,
  evidenceIds: r.evidence_ids.map(Number), contactId: r.contact_id === null ? null : Number(r.contact_id), note: r.note, proposedBy: r.proposed_by,
  proposedAt: r.proposed_at, status: r.status, decidedBy: r.decided_by, decidedAt: r.decided_at, decisionNote: r.decision_note, planId: r.plan_id === null ? null : Number(r.plan_id),
});

export async function findProposal(db: Db, proposalId: number): Promise<ProposalRow | null> {
  const { rows } = await db.query<DbRow>('select * from arrangement_proposals where proposal_id = $1', [proposalId]);
  return rows[0] ? rowOf(rows[0]) : null;
}

export async function findProposalByKey(db: Db, key: string): Promise<ProposalRow | null> {
  const { rows } = await db.query<DbRow>('select * from arrangement_proposals where idempotency_key = $1', [key]);
  return rows[0] ? rowOf(rows[0]) : null;
}

export type NewProposal = Omit<ProposalRow, 'proposalId' | 'status' | 'decidedBy' | 'decidedAt' | 'decisionNote' | 'planId'>;

export async function insertProposal(db: Db, p: NewProposal): Promise<number> {
  const { rows } = await db.query<{ proposal_id: bigint }>(
    `insert into arrangement_proposals (idempotency_key, input_hash, account_id, customer_id, currency, kind, request, quote, required_tier, authority, affordability,
       evidence_ids, contact_id, note, proposed_by, proposed_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) returning proposal_id`,
    [p.idempotencyKey, p.inputHash, p.accountId, p.customerId, p.currency, p.kind, JSON.stringify(p.request), JSON.stringify(p.quote), p.requiredTier,
      JSON.stringify(p.authority), p.affordability === null ? null : JSON.stringify(p.affordability), p.evidenceIds, p.contactId, p.note, p.proposedBy, p.proposedAt],
  );
  return Number(rows[0]!.proposal_id);
}

/**
 * Agrees an open proposal: writes its plan (the stored schedule) and marks it approved, in the
 * caller's transaction; false when it is no longer open. The plan supersedes an open promise.
 */
export async function approveProposal(client: pg.ClientBase, p: ProposalRow, by: string, note: string | null, at: Date): Promise<number | null> {
  const locked = await client.query('select 1 from arrangement_proposals where proposal_id = $1 and status = $2 for update', [p.proposalId, 'proposed']);
  if (locked.rowCount === 0) return null;
  const q = p.quote;
  const planId = await insertPlan(client, {
    accountId: p.accountId, customerId: p.customerId, currency: p.currency, totalMinor: BigInt(q.totalMinor), startsOn: q.asOf, interestReductionPercent: null,
    terms: { type: q.type, termMonths: q.termMonths, proposalId: p.proposalId }, note: p.note, recordedBy: p.proposedBy, idempotencyKey: `proposal:${p.proposalId}`, inputHash: p.inputHash,
    instalments: q.installments.map((i) => ({ seq: i.seq, dueOn: i.dueOn, amountMinor: BigInt(i.amountMinor) })),
    kind: q.type, waivedFeesMinor: BigInt(q.waivedFeesMinor), waivedInterestMinor: BigInt(q.waivedInterestMinor), forgivenMinor: BigInt(q.forgivenMinor), proposalId: p.proposalId,
  });
  await client.query(
    `update arrangement_proposals set status = 'approved', decided_by = $2, decided_at = $3, decision_note = $4, plan_id = $5 where proposal_id = $1`,
    [p.proposalId, by, at, note, planId],
  );
  return planId;
}

export async function rejectProposal(db: Db, proposalId: number, by: string, note: string | null, at: Date, status: 'rejected' | 'withdrawn' = 'rejected'): Promise<boolean> {
  const { rowCount } = await db.query(
    `update arrangement_proposals set status = $5, decided_by = $2, decided_at = $3, decision_note = $4 where proposal_id = $1 and status = 'proposed'`,
    [proposalId, by, at, note, status]);
  return (rowCount ?? 0) > 0;
}

/** Proposals of accounts in a scope, newest first (open ones: the inbox). */
export async function listProposals(db: Db, q: { scope: DataScope; status: string | null; accountId: string | null; limit: number }): Promise<ProposalRow[]> {
  const params: unknown[] = [q.status, q.accountId, q.limit];
  const inScope = scopeCondition(q.scope, 'p.account_id', params);
  const { rows } = await db.query<DbRow>(
    `select p.* from arrangement_proposals p where ($1::text is null or p.status = $1) and ($2::text is null or p.account_id = $2) and ${inScope}
     order by p.proposal_id desc limit $3`, params);
  return rows.map(rowOf);
}

/** True when the account has an active repayment plan (one at a time). */
export async function hasActivePlan(db: Db, accountId: string): Promise<boolean> {
  const { rowCount } = await db.query(`select 1 from repayment_plans where account_id = $1 and status = 'active'`, [accountId]);
  return (rowCount ?? 0) > 0;
}

export interface KeptRateRow { key: string; made: number; kept: number; broken: number; open: number; keptRate: number | null }

/**
 * Promise kept rate (兑现率) per collector or team: promises made in [from, to] (business dates) and
 * how many were kept, broken or are still open; kept / (kept + broken), null before any is judged.
 */
export async function promiseKeptRate(db: Db, q: { from: string; to: string; by: 'collector' | 'team'; scope: DataScope }): Promise<KeptRateRow[]> {
  const params: unknown[] = [q.from, q.to];
  const inScope = scopeCondition(q.scope, 'p.account_id', params);
  const key = q.by === 'collector' ? 'p.recorded_by' : `coalesce((select u.team_id from staff_users u where u.username = p.recorded_by), '(no team)')`;
  const { rows } = await db.query<{ key: string; made: string; kept: string; broken: string; open: string }>(
    `select ${key} as key, count(*) as made, count(*) filter (where p.status = 'kept') as kept, count(*) filter (where p.status = 'broken') as broken,
            count(*) filter (where p.status = 'active') as open
     from promises_to_pay p where p.created_on between $1::date and $2::date and ${inScope}
     group by 1 order by 1`, params);
  return rows.map((r) => {
    const kept = Number(r.kept);
    const broken = Number(r.broken);
    return { key: r.key, made: Number(r.made), kept, broken, open: Number(r.open), keptRate: kept + broken === 0 ? null : Math.round((kept / (kept + broken)) * 10_000) / 10_000 };
  });
}
