/**
 * Promises to pay, repayment plans and their instalments: single-row writes for recording, and the
 * set-based evaluation and bulk state reads the daily cycle uses (never a query per account).
 *
 * Evaluation reads the portfolio's append-only `payments` table set-based (payments allocation is a
 * later module; until then every payment on the account counts toward its promise or plan).
 */
import type pg from 'pg';
import type { EpochDay } from '../../kernel/dates.ts';
import { allocateToInstalments } from './domain/instalment-allocation.ts';

type Db = pg.ClientBase | pg.Pool;

export interface PromiseRow {
  accountId: string; customerId: string; currency: string; amountMinor: bigint; createdOn: string; promisedOn: string;
  channel: string | null; note: string | null; recordedBy: string; idempotencyKey: string | null; inputHash: string | null;
}

export async function findPromiseByKey(db: Db, key: string): Promise<{ promiseId: number; inputHash: string | null } | null> {
  const { rows } = await db.query<{ promise_id: bigint; input_hash: string | null }>('select promise_id, input_hash from promises_to_pay where idempotency_key = $1', [key]);
  return rows[0] ? { promiseId: Number(rows[0].promise_id), inputHash: rows[0].input_hash } : null;
}

export async function findPlanByKey(db: Db, key: string): Promise<{ planId: number; inputHash: string | null } | null> {
  const { rows } = await db.query<{ plan_id: bigint; input_hash: string | null }>('select plan_id, input_hash from repayment_plans where idempotency_key = $1', [key]);
  return rows[0] ? { planId: Number(rows[0].plan_id), inputHash: rows[0].input_hash } : null;
}

export async function insertPromise(db: Db, p: PromiseRow): Promise<number> {
  const { rows } = await db.query<{ promise_id: bigint }>(
    `insert into promises_to_pay (account_id, customer_id, currency, amount_minor, created_on, promised_on, channel, note, recorded_by, idempotency_key, input_hash)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning promise_id`,
    [p.accountId, p.customerId, p.currency, p.amountMinor, p.createdOn, p.promisedOn, p.channel, p.note, p.recordedBy, p.idempotencyKey, p.inputHash],
  );
  return Number(rows[0]!.promise_id);
}

export interface PlanRow {
  accountId: string; customerId: string; currency: string; totalMinor: bigint; startsOn: string; interestReductionPercent: number | null;
  terms: Record<string, unknown>; note: string | null; recordedBy: string; idempotencyKey: string | null; inputHash: string | null;
  instalments: { seq: number; dueOn: string; amountMinor: bigint }[];
  /** The arrangement (migration 0013): instalments by default; what it waives or forgives; the proposal it came from. */
  kind?: 'installments' | 'extension' | 'waiver' | 'settlement';
  waivedFeesMinor?: bigint; waivedInterestMinor?: bigint; forgivenMinor?: bigint; proposalId?: number | null;
}

/** Inserts a plan and its instalments and cancels the account's active promise (the plan supersedes it). */
export async function insertPlan(client: pg.ClientBase, p: PlanRow): Promise<number> {
  await client.query(
    `update promises_to_pay set status = 'cancelled', resolved_on = $2, note = coalesce(note || ' · ', '') || 'superseded by a repayment plan'
     where account_id = $1 and status = 'active'`,
    [p.accountId, p.startsOn],
  );
  const { rows } = await client.query<{ plan_id: bigint }>(
    `insert into repayment_plans (account_id, customer_id, currency, total_minor, instalments, starts_on, interest_reduction_percent, terms, note, recorded_by, idempotency_key, input_hash,
       kind, waived_fees_minor, waived_interest_minor, forgiven_minor, proposal_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) returning plan_id`,
    [p.accountId, p.customerId, p.currency, p.totalMinor, p.instalments.length, p.startsOn, p.interestReductionPercent, p.terms, p.note, p.recordedBy, p.idempotencyKey, p.inputHash,
      p.kind ?? 'installments', p.waivedFeesMinor ?? 0n, p.waivedInterestMinor ?? 0n, p.forgivenMinor ?? 0n, p.proposalId ?? null],
  );
  const planId = Number(rows[0]!.plan_id);
  await client.query(
    `insert into plan_instalments (plan_id, seq, customer_id, due_on, amount_minor)
     select $1, seq, $2, due_on, amount_minor from unnest($3::int[], $4::date[], $5::bigint[]) as x (seq, due_on, amount_minor)`,
    [planId, p.customerId, p.instalments.map((i) => i.seq), p.instalments.map((i) => i.dueOn), p.instalments.map((i) => i.amountMinor)],
  );
  return planId;
}

/** Currencies of the open promises and plans (their tolerances are compiled per currency). */
export async function openArrangementCurrencies(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ currency: string }>(
    `select currency from promises_to_pay where status = 'active' union select currency from repayment_plans where status = 'active'`);
  return rows.map((r) => r.currency);
}

export interface Tolerances { currencies: string[]; promiseMinor: bigint[]; instalmentMinor: bigint[] }

export interface EvaluationCounts {
  promisesKept: number; promisesBroken: number; instalmentsMet: number; instalmentsMissed: number; plansBroken: number; plansCompleted: number;
}

/**
 * Judges every open promise and pending instalment as of `asOf`, set-based, in the caller's
 * transaction. A promise is kept once payments posted from the day it was made up to its date + grace
 * reach its amount minus the tolerance, and broken once `asOf` is past its date + grace without that.
 * Instalment k is met once payments since the plan started (posted by its due date + grace) reach the
 * first k instalments' total minus the tolerance, missed once `asOf` is past its due date + grace.
 * A plan breaks at `missedToBreak` missed instalments and completes when every instalment is met.
 * Already judged rows are never judged again, so evaluating a date twice changes nothing.
 */
export async function evaluateOpenArrangements(client: pg.ClientBase, asOf: string, t: Tolerances, s: { promiseGraceDays: number; instalmentGraceDays: number; missedToBreak: number }): Promise<EvaluationCounts> {
  const promises = await client.query<{ status: string }>(
    `with tol as (select * from unnest($2::text[], $3::bigint[]) as t (currency, tol_minor)),
     judged as (
       select p.promise_id, p.amount_minor, p.promised_on, t.tol_minor,
              coalesce((select sum(pay.amount_minor) from payments pay where pay.account_id = p.account_id
                        and pay.posted_on >= p.created_on and pay.posted_on <= least($1::date, p.promised_on + $4::int)), 0) as paid
       from promises_to_pay p join tol t on t.currency = p.currency
       where p.status = 'active' and p.created_on <= $1::date)
     update promises_to_pay p
       set status = case when j.paid >= j.amount_minor - j.tol_minor then 'kept' else 'broken' end, resolved_on = $1::date, paid_minor = j.paid
     from judged j
     where p.promise_id = j.promise_id and (j.paid >= j.amount_minor - j.tol_minor or $1::date > j.promised_on + $4::int)
     returning p.status`,
    [asOf, t.currencies, t.promiseMinor, s.promiseGraceDays],
  );
  const instalments = await client.query<{ status: string }>(
    `with tol as (select * from unnest($2::text[], $3::bigint[]) as t (currency, tol_minor)),
     cum as (
       select i.plan_id, i.seq, i.due_on, i.status, sum(i.amount_minor) over (partition by i.plan_id order by i.seq) as cum_minor
       from plan_instalments i join repayment_plans pl on pl.plan_id = i.plan_id where pl.status = 'active'),
     judged as (
       select c.plan_id, c.seq, c.due_on, c.cum_minor, t.tol_minor,
              coalesce((select sum(pay.amount_minor) from payments pay where pay.account_id = pl.account_id
                        and pay.posted_on >= pl.starts_on and pay.posted_on <= least($1::date, c.due_on + $4::int)), 0) as paid
       from cum c join repayment_plans pl on pl.plan_id = c.plan_id join tol t on t.currency = pl.currency
       where c.status = 'pending' and pl.starts_on <= $1::date)
     update plan_instalments i
       set status = case when j.paid >= j.cum_minor - j.tol_minor then 'met' else 'missed' end, resolved_on = $1::date
     from judged j
     where i.plan_id = j.plan_id and i.seq = j.seq and (j.paid >= j.cum_minor - j.tol_minor or $1::date > j.due_on + $4::int)
     returning i.status`,
    [asOf, t.currencies, t.instalmentMinor, s.instalmentGraceDays],
  );
  const broken = await client.query(
    `update repayment_plans pl set status = 'broken', resolved_on = $1::date
     where pl.status = 'active' and (select count(*) from plan_instalments i where i.plan_id = pl.plan_id and i.status = 'missed') >= $2`,
    [asOf, s.missedToBreak],
  );
  const completed = await client.query(
    `update repayment_plans pl set status = 'completed', resolved_on = $1::date
     where pl.status = 'active' and not exists (select 1 from plan_instalments i where i.plan_id = pl.plan_id and i.status <> 'met')`,
    [asOf],
  );
  const count = (rows: { status: string }[], status: string) => rows.filter((r) => r.status === status).length;
  return {
    promisesKept: count(promises.rows, 'kept'), promisesBroken: count(promises.rows, 'broken'),
    instalmentsMet: count(instalments.rows, 'met'), instalmentsMissed: count(instalments.rows, 'missed'),
    plansBroken: broken.rowCount ?? 0, plansCompleted: completed.rowCount ?? 0,
  };
}

/** What the strategy needs to know about an account's arrangements. */
export interface ArrangementState {
  /** The open promise: the date promised and the amount. */
  activePromise: { promiseId: number; promisedOn: EpochDay; amountMinor: bigint } | null;
  /** The open plan and its next pending instalment. */
  activePlan: { planId: number; nextDueOn: EpochDay | null } | null;
  promisesKept: number;
  promisesBroken: number;
  plansBroken: number;
  plansCompleted: number;
}

/**
 * Per account with any promise or plan: kept/broken promise counts, the open promise (id, day, amount),
 * broken/completed plan counts, the open plan and its next pending instalment (days as epoch days).
 * `where` filters promises and plans (e.g. `account_id = $1`, or a shard of customers) before grouping.
 * The daily cycle joins this into its one snapshot scan; `loadArrangementStates` reads it for a list.
 */
export function arrangementStatesSql(where = 'true'): string {
  return `select coalesce(p.account_id, l.account_id) as account_id, coalesce(p.kept, 0) as promises_kept, coalesce(p.broken, 0) as promises_broken,
      p.active_id as active_promise_id, p.active_on as active_promise_on, p.active_minor as active_promise_minor,
      coalesce(l.broken, 0) as plans_broken, coalesce(l.completed, 0) as plans_completed, l.active_id as active_plan_id,
      (select i.due_on - date '1970-01-01' from plan_instalments i where i.plan_id = l.active_id and i.status = 'pending' order by i.seq limit 1) as next_due_on
    from (select account_id, count(*) filter (where status = 'kept') as kept, count(*) filter (where status = 'broken') as broken,
                 max(promise_id) filter (where status = 'active') as active_id, min(promised_on - date '1970-01-01') filter (where status = 'active') as active_on,
                 max(amount_minor) filter (where status = 'active') as active_minor
          from promises_to_pay where ${where} group by account_id) p
    full join (select account_id, count(*) filter (where status = 'broken') as broken, count(*) filter (where status = 'completed') as completed,
                      max(plan_id) filter (where status = 'active') as active_id
               from repayment_plans where ${where} group by account_id) l on l.account_id = p.account_id`;
}

/** Number of columns arrangementStatesSql yields after account_id. */
export const ARRANGEMENT_STATE_COLUMNS = 9;

/** One state from arrangementStatesSql's nine columns after account_id (COPY text: \N is null). */
export function arrangementStateOf(f: readonly string[]): ArrangementState {
  const n = (x: string | undefined) => (x === undefined || x === '\\N' ? null : x);
  const activeId = n(f[2]);
  const planId = n(f[7]);
  return {
    promisesKept: Number(f[0]), promisesBroken: Number(f[1]),
    activePromise: activeId === null ? null : { promiseId: Number(activeId), promisedOn: Number(f[3]), amountMinor: BigInt(f[4]!) },
    plansBroken: Number(f[5]), plansCompleted: Number(f[6]),
    activePlan: planId === null ? null : { planId: Number(planId), nextDueOn: n(f[8]) === null ? null : Number(f[8]) },
  };
}

/** Arrangement states of many accounts in one set-based read; accounts without any are absent. */
export async function loadArrangementStates(db: Db, accountIds: readonly string[]): Promise<Map<string, ArrangementState>> {
  const out = new Map<string, ArrangementState>();
  if (accountIds.length === 0) return out;
  const { rows } = await db.query<unknown[]>({ text: arrangementStatesSql('account_id = any($1::text[])'), values: [[...accountIds]], rowMode: 'array' });
  for (const r of rows) out.set(String(r[0]), arrangementStateOf(r.slice(1).map((v) => (v === null ? '\\N' : String(v)))));
  return out;
}

const withPaid = <T extends { amountMinor: bigint }>(paid: bigint, rows: T[]): (T & { paidMinor: bigint })[] => {
  const a = allocateToInstalments(paid, rows.map((r) => r.amountMinor));
  return rows.map((r, i) => ({ ...r, paidMinor: a.paidMinor[i]! }));
};

export interface ArrangementListing {
  promises: { promiseId: number; amountMinor: bigint; currency: string; createdOn: string; promisedOn: string; status: string; resolvedOn: string | null; paidMinor: bigint | null; channel: string | null }[];
  plans: { planId: number; kind: string; totalMinor: bigint; currency: string; startsOn: string; status: string; resolvedOn: string | null; interestReductionPercent: string | null;
    waivedFeesMinor: bigint; waivedInterestMinor: bigint; forgivenMinor: bigint; proposalId: number | null;
    /** Paid since the arrangement started (up to when it was resolved), allocated to the instalments in order. */
    paidMinor: bigint;
    instalments: { seq: number; dueOn: string; amountMinor: bigint; paidMinor: bigint; status: string; resolvedOn: string | null }[] }[];
}

/** One account's promises and plans, newest first. */
export async function listAccountArrangements(db: Db, accountId: string): Promise<ArrangementListing> {
  const [promises, plans, instalments] = await Promise.all([
    db.query(`select promise_id, amount_minor, currency, created_on, promised_on, status, resolved_on, paid_minor, channel from promises_to_pay where account_id = $1 order by promise_id desc`, [accountId]),
    db.query(`select plan_id, kind, total_minor, currency, starts_on, status, resolved_on, interest_reduction_percent::text as irp, waived_fees_minor, waived_interest_minor, forgiven_minor, proposal_id,
                     (select coalesce(sum(pay.amount_minor), 0) from payments pay where pay.account_id = pl.account_id and pay.posted_on >= pl.starts_on
                        and (pl.resolved_on is null or pay.posted_on <= pl.resolved_on)) as paid_minor
              from repayment_plans pl where account_id = $1 order by plan_id desc`, [accountId]),
    db.query(`select i.plan_id, i.seq, i.due_on, i.amount_minor, i.status, i.resolved_on from plan_instalments i join repayment_plans pl on pl.plan_id = i.plan_id where pl.account_id = $1 order by i.plan_id, i.seq`, [accountId]),
  ]);
  return {
    promises: promises.rows.map((r) => ({ promiseId: Number(r.promise_id), amountMinor: r.amount_minor, currency: r.currency, createdOn: r.created_on, promisedOn: r.promised_on, status: r.status, resolvedOn: r.resolved_on, paidMinor: r.paid_minor, channel: r.channel })),
    plans: plans.rows.map((r) => ({
      planId: Number(r.plan_id), kind: r.kind, totalMinor: r.total_minor, currency: r.currency, startsOn: r.starts_on, status: r.status, resolvedOn: r.resolved_on, interestReductionPercent: r.irp,
      waivedFeesMinor: r.waived_fees_minor, waivedInterestMinor: r.waived_interest_minor, forgivenMinor: r.forgiven_minor, proposalId: r.proposal_id === null ? null : Number(r.proposal_id),
      paidMinor: BigInt(r.paid_minor),
      instalments: withPaid(BigInt(r.paid_minor), instalments.rows.filter((i) => Number(i.plan_id) === Number(r.plan_id))
        .map((i) => ({ seq: i.seq, dueOn: i.due_on, amountMinor: i.amount_minor as bigint, status: i.status, resolvedOn: i.resolved_on }))),
    })),
  };
}
