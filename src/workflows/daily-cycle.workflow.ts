/**
 * The daily collection cycle (`recourse cycle --as-of D`, and the server's daily job):
 *
 *   prepare (once per date, shared by every shard): age the portfolio → judge promises and plans
 *   then per batch of accounts (streamed, pipelined): snapshot → decide (pure, compiled strategy) →
 *   compliance gate for the contacts only (defer to the next allowed window, or drop with the reason) →
 *   apply in one transaction: outbox rows, work items, placement proposals, account-action requests,
 *   dropped contacts, transitions, and the changed strategy states last.
 *
 * Idempotent and resumable: every action has a key derived from (date, account, stage, treatment);
 * an account is always decided from its state *before* the date (a state changed on the date keeps
 * the previous one beside it), so re-running a date, or restarting a run killed at any point, decides
 * exactly as the first time and finds every action already there. A resumed run skips the gate for
 * keys it already holds, so nothing new is written, not even an audit row.
 */
import type pg from 'pg';
import { Temporal } from 'temporal-polyfill';
import { copyOutLineBatches, type CopyText } from '../db/index.ts';
import { formatPlainDate, type EpochDay } from '../kernel/dates.ts';
import type { Clock } from '../kernel/clock.ts';
import { err, ok, type Result } from '../kernel/result.ts';
import { ageAllAccounts, type AgingRunSummary } from './aging.workflow.ts';
import { loadDefaultAgingPolicy, type AgingPolicyDocument } from '../modules/delinquency/index.ts';
import { evaluateArrangements, loadDefaultArrangementSettings, type ArrangementSettings, type EvaluationSummary } from '../modules/arrangements/index.ts';
import { checkProposedContacts, complianceStore, loadPackSet, parseActor, type GateProposal, type GateVerdict, type PackSet } from '../modules/compliance/index.ts';
import { encodeMessages, enqueueMessagesBulk, existingMessageKeys, loadTemplateSet, type EncodedMessages, type OutboxMessageInput } from '../modules/communications/index.ts';
import { createWorkItems, existingWorkItemKeys, WORK_ITEM_BATCH_MAX, type WorkItemInput } from '../modules/worklist/index.ts';
import {
  decide, droppedKeys, encodeStates, existingRecommendationKeys, packState, proposePlacements, requestAccountActions, strategyInEffect, unpackState, withTreatments, writeCycleOutcome,
  type AccountActionInput, type AccountSnapshot, type CompiledStrategy, type CompiledTreatment, type Decision, type DelinquencyReason, type DropWrite,
  type EventWrite, type PlacementProposalInput, type StateWrite, type Status, type StrategyContext, type StrategyState, type TemplateEntry, type TransitionKind, templateCatalog,
} from '../modules/strategy/index.ts';
import * as runs from './cycle-runs.repository.ts';
import { cycleSnapshotSql, parseSnapshotRow, type ContactPoint, type FactWindow, type Shard, type SnapshotRow } from './cycle-snapshot.repository.ts';
import type { ContactProfile } from '../modules/portfolio/index.ts';

const PREPARE_LOCK = 7_301_998_020;
const DAY_MS = 86_400_000;
/** Accounts per batch: decided, gated and applied together (the memory bound of the run). */
export const CYCLE_BATCH_DEFAULT = 5_000;
export const CYCLE_BATCH_MAX = 50_000;

export interface CycleDeps {
  pool: pg.Pool;
  cipher: { hmac(text: string): Buffer };
  clock: Clock;
  /** The bank's time zone: the business day starts at its midnight. */
  timeZone: string;
  packs: PackSet;
  agingPolicy: AgingPolicyDocument;
  arrangementSettings: ArrangementSettings;
  strategyContext: StrategyContext;
}

/** Everything the cycle reads from configuration and policy files, loaded once. */
export async function loadCycleDeps(rt: { pool: pg.Pool; cipher: { hmac(text: string): Buffer }; clock: Clock; config: { timeZone: string; complianceOverrides: string[] } }): Promise<Result<CycleDeps, 'invalid_policy'>> {
  const packs = await loadPackSet({ overrideFiles: rt.config.complianceOverrides });
  if (!packs.ok) return err('invalid_policy', `compliance packs: ${packs.message}`);
  const [agingPolicy, arrangementSettings, currencies, templateSet] = await Promise.all([
    loadDefaultAgingPolicy(), loadDefaultArrangementSettings(),
    rt.pool.query<{ currency: string }>('select distinct currency from card_accounts').then((r) => r.rows.map((x) => x.currency)),
    loadTemplateSet(rt.pool),
  ]);
  return ok({
    pool: rt.pool, cipher: rt.cipher, clock: rt.clock, timeZone: rt.config.timeZone, packs: packs.value, agingPolicy, arrangementSettings,
    strategyContext: {
      packs: packs.value, buckets: agingPolicy.buckets.map((b) => b.name), currencies: currencies.length ? currencies : ['CNY'],
      planTermMonthsMax: arrangementSettings.plan.termMonthsMax,
      // The communications catalog (shipped and published templates): a strategy names only templates that exist.
      templates: templateCatalog(templateSet.catalog().map((t) => ({ id: t.id, channel: t.channel as TemplateEntry['channel'], language: t.language, tone: t.tone }))),
    },
  });
}

export interface CycleOptions {
  asOf: EpochDay;
  shard?: Shard;
  batchSize?: number;
  onProgress?: (accountsDone: number) => void;
  /** Stops between batches (what is committed stays; a later run resumes). */
  signal?: AbortSignal;
  /** Test seams: a failure injected after a batch is committed, or inside a batch's transaction. */
  faults?: { afterBatch?: (batch: number) => void; beforeCommit?: (batch: number) => void };
}

export interface CycleSummary {
  asOf: string;
  runId: number;
  shard: Shard;
  strategy: { id: string; version: number; source: 'published' | 'shipped' };
  compliancePack: string;
  /** Whether this invocation aged and evaluated, or found the date prepared by an earlier one. */
  prepared: 'now' | 'earlier';
  aging: AgingRunSummary | Record<string, unknown>;
  arrangements: EvaluationSummary | Record<string, unknown>;
  accounts: number;
  statuses: Record<Status, number>;
  segments: { segment: string | null; stage: string | null; accounts: number }[];
  transitions: Partial<Record<TransitionKind, number>>;
  /** Treatments due today, and how many of them were contacts put to the compliance gate. */
  treatmentsDue: number;
  gated: number;
  /** Created by this invocation, per channel or kind (sms, voice_robot, letter, agent_call, field_visit, agency, legal, freeze, restrict …). */
  actions: Record<string, number>;
  actionsCreated: number;
  /** Actions a previous invocation for the date had already created (resume or re-run). */
  alreadyPresent: number;
  blocked: { rule: string; code: string; count: number }[];
  deferred: { rule: string; code: string; count: number }[];
  dropped: Record<'compliance_block' | 'deferred_too_far' | 'no_contact_point', number>;
  durationMs: number;
  /** Where the time went (milliseconds, summed over batches; batches overlap, so the parts add up to more than the run). */
  timingsMs: { prepare: number; decide: number; gate: number; apply: number };
}

export type CycleError =
  | 'invalid_date' | 'invalid_shard' | 'as_of_before_last_run' | 'invalid_strategy' | 'no_strategy_in_effect' | 'cycle_already_running' | 'invalid_settings' | 'aborted';

// ── prepare ───────────────────────────────────────────────────────────────────────────────────

interface Prepared { prepared: 'now' | 'earlier'; aging: AgingRunSummary | Record<string, unknown>; arrangements: EvaluationSummary | Record<string, unknown> }

/**
 * Ages the portfolio and judges promises and plans for the date, once: later invocations (resume,
 * re-run, other shards) find the `cycle_days` row and decide on the same data. A session lock makes
 * concurrent shards wait for the first one's preparation.
 */
export async function prepareCycleDay(deps: CycleDeps, asOf: EpochDay): Promise<Result<Prepared, CycleError>> {
  const asOfText = formatPlainDate(asOf);
  const client = await deps.pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [PREPARE_LOCK]);
    try {
      const day = await runs.preparedDay(client, asOfText);
      if (day.lastAsOf !== null && day.lastAsOf > asOfText) return err('as_of_before_last_run', `--as-of ${asOfText} is before the last cycle date (${day.lastAsOf}); the cycle only moves forward`);
      if (day.aging) return ok({ prepared: 'earlier', aging: day.aging, arrangements: day.arrangements ?? {} });
      const aged = await ageAllAccounts(deps.pool, asOfText, deps.agingPolicy, deps.clock.now());
      if (!aged.ok) return err(aged.code === 'invalid_date' ? 'invalid_date' : 'as_of_before_last_run', aged.message);
      const evaluated = await evaluateArrangements(deps.pool, deps.arrangementSettings, asOf);
      if (!evaluated.ok) return err('invalid_settings', evaluated.message);
      await runs.recordPreparedDay(client, asOfText, aged.value, evaluated.value);
      return ok({ prepared: 'now', aging: aged.value, arrangements: evaluated.value });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [PREPARE_LOCK]);
    }
  } finally {
    client.release();
  }
}

// ── helpers ───────────────────────────────────────────────────────────────────────────────────

/** The instant of local minute `minute` on `day` in `zone` (cached: a run has one day and few zones). */
function instantFinder(day: EpochDay): (minute: number, zone: string) => number {
  const cache = new Map<string, number>();
  const date = Temporal.PlainDate.from(formatPlainDate(day));
  return (minute, zone) => {
    const key = `${minute}|${zone}`;
    let at = cache.get(key);
    if (at === undefined) {
      at = date.toZonedDateTime({ timeZone: zone, plainTime: new Temporal.PlainTime(Math.floor(minute / 60), minute % 60) }).epochMilliseconds;
      cache.set(key, at);
    }
    return at;
  };
}

const POINT_KIND: Record<string, ContactPoint['kind']> = {
  sms: 'phone', voice_robot: 'phone', voice_agent: 'phone', app_push: 'phone', email: 'email', letter: 'address', field_visit: 'address',
};

/** The debtor's best point for a channel: verified with a known source first, then verified, then any. */
export function destinationFor(points: readonly ContactPoint[] | undefined, channel: string): ContactPoint | null {
  const kind = POINT_KIND[channel];
  if (!points || !kind) return null;
  let verified: ContactPoint | null = null;
  let any: ContactPoint | null = null;
  for (const p of points) {
    if (p.kind !== kind || p.partyRole !== 'debtor') continue;
    if (p.verified && p.source !== null) return p;
    if (p.verified) verified ??= p;
    any ??= p;
  }
  return verified ?? any;
}

export function snapshotOf(row: SnapshotRow, asOf: EpochDay, unreachable: { acceptFlag: boolean; failedAttemptsMin: number }): AccountSnapshot {
  const flags: string[] = [];
  for (const f of row.flags) if (f.accountId === null || f.accountId === row.accountId) flags.push(f.kind);
  const a = row.arrangements;
  return {
    accountId: row.accountId, customerId: row.customerId, currency: row.currency, asOf, daysPastDue: row.daysPastDue, bucket: row.bucket,
    balanceMinor: row.balanceMinor, overdueMinor: row.overdueMinor, creditLimitMinor: row.creditLimitMinor, lateCountCumulative: row.lateCountCumulative,
    lateCountConsecutive: row.lateCountConsecutive, accountStatus: row.accountStatus, language: row.language, timeZone: row.timeZone, lastPaymentOn: row.lastPaymentOn,
    activePromise: a?.activePromise ? { promisedOn: a.activePromise.promisedOn, amountMinor: a.activePromise.amountMinor } : null,
    activePlan: a?.activePlan ? { planId: a.activePlan.planId, nextDueOn: a.activePlan.nextDueOn } : null,
    promisesKept: a?.promisesKept ?? 0, promisesBroken: a?.promisesBroken ?? 0, plansBroken: a?.plansBroken ?? 0,
    flags, failedContactAttempts: row.failedAttempts,
    // 失联 as the pack defines it: no right-party contact in the window, and a flag or enough failed attempts.
    unreachable: row.rightPartyContacts === 0 && ((unreachable.acceptFlag && flags.includes('unreachable')) || row.failedAttempts >= unreachable.failedAttemptsMin),
    delinquencyReason: row.delinquencyReason as DelinquencyReason | null, suspectedEvasion: row.suspectedEvasion, riskScore: row.riskScore,
    teamId: row.teamId, agencyId: row.agencyId, legalStage: row.legalStage,
  };
}

/** The state a row is decided from: the one before the date (a state changed on the date keeps it beside). */
export function priorState(row: Pick<SnapshotRow, 'state' | 'prevState' | 'changedOn'>, asOf: EpochDay): StrategyState | null {
  const text = row.changedOn === asOf ? row.prevState : row.state;
  return text === null ? null : unpackState(text);
}

const actionLabel = (t: CompiledTreatment): string =>
  t.handover === 'outbox' ? t.messageChannel! : t.handover === 'work' ? t.workKind! : t.handover === 'placement' ? t.target! : t.action!;

export const actionKey = (asOf: string, accountId: string, t: CompiledTreatment) => `cycle:${asOf}:${accountId}:${t.stage}:${t.id}`;

// ── the run ───────────────────────────────────────────────────────────────────────────────────

interface Tally {
  accounts: number;
  statuses: Record<Status, number>;
  segments: Map<string, { segment: string | null; stage: string | null; accounts: number }>;
  transitions: Partial<Record<TransitionKind, number>>;
  treatmentsDue: number;
  gated: number;
  actions: Record<string, number>;
  actionsCreated: number;
  alreadyPresent: number;
  blocked: Map<string, number>;
  deferred: Map<string, number>;
  dropped: CycleSummary['dropped'];
  timings: CycleSummary['timingsMs'];
}

const newTally = (): Tally => ({
  accounts: 0, statuses: { active: 0, paused: 0, plan: 0, current: 0 }, segments: new Map(), transitions: {}, treatmentsDue: 0, gated: 0, actions: {},
  actionsCreated: 0, alreadyPresent: 0, blocked: new Map(), deferred: new Map(), dropped: { compliance_block: 0, deferred_too_far: 0, no_contact_point: 0 },
  timings: { prepare: 0, decide: 0, gate: 0, apply: 0 },
});

const bump = (m: Map<string, number>, k: string, n = 1) => m.set(k, (m.get(k) ?? 0) + n);

export async function runDailyCycle(deps: CycleDeps, options: CycleOptions): Promise<Result<CycleSummary, CycleError>> {
  const started = Date.now();
  const asOf = options.asOf;
  const asOfText = formatPlainDate(asOf);
  const shard = options.shard ?? { index: 0, count: 1 };
  if (!Number.isInteger(shard.count) || shard.count < 1 || shard.count > 1024 || !Number.isInteger(shard.index) || shard.index < 0 || shard.index >= shard.count) {
    return err('invalid_shard', `shard ${shard.index}/${shard.count}: must be i/N with 0 ≤ i < N ≤ 1024`);
  }
  const batchSize = options.batchSize ?? CYCLE_BATCH_DEFAULT;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > CYCLE_BATCH_MAX) return err('invalid_shard', `batch size must be 1 to ${CYCLE_BATCH_MAX}`);

  const prepared = await prepareCycleDay(deps, asOf);
  if (!prepared.ok) return prepared;
  const prepareMs = Date.now() - started;
  const active = await strategyInEffect(deps.pool, asOfText, deps.strategyContext);
  if (!active.ok) return err(active.code, active.message, active.details);
  const strategy = active.value.strategy;

  // One invocation per date and shard at a time (the lock dies with the session if the process does).
  // The same connection then writes the batches.
  const lock = await deps.pool.connect();
  let lockFailure: Error | undefined;
  try {
    const lockKey = `cycle:${asOfText}:${shard.index}/${shard.count}`;
    const got = (await lock.query<{ ok: boolean }>('select pg_try_advisory_lock(hashtext($1)) as ok', [lockKey])).rows[0]!.ok;
    if (!got) return err('cycle_already_running', `a cycle for ${asOfText} shard ${shard.index}/${shard.count} is already running`);
    try {
      const resumed = (await runs.runsFor(lock, asOfText)) > 0;
      const runId = await runs.startRun(lock, { asOf: asOfText, shard, strategyId: strategy.id, strategyVersion: strategy.version, startedAt: deps.clock.now() });
      const tally = newTally();
      try {
        await decideAll(deps, lock, strategy, asOf, shard, batchSize, resumed, tally, options);
      } catch (e) {
        lockFailure = e instanceof Error ? e : new Error(String(e));
        await runs.failRun(lock, runId, String((e as Error).message)).catch(() => {});
        if (e instanceof CycleAborted) return err('aborted', `stopped after ${tally.accounts} accounts; run the same date again to resume`);
        throw e;
      }
      const summary: CycleSummary = {
        asOf: asOfText, runId, shard, strategy: { id: strategy.id, version: strategy.version, source: active.value.source }, compliancePack: strategy.compliancePack,
        prepared: prepared.value.prepared, aging: prepared.value.aging, arrangements: prepared.value.arrangements,
        accounts: tally.accounts, statuses: tally.statuses,
        segments: [...tally.segments.values()].sort((a, b) => String(a.segment).localeCompare(String(b.segment)) || String(a.stage).localeCompare(String(b.stage))),
        transitions: tally.transitions, treatmentsDue: tally.treatmentsDue, gated: tally.gated, actions: tally.actions, actionsCreated: tally.actionsCreated,
        alreadyPresent: tally.alreadyPresent, blocked: ruleCounts(tally.blocked), deferred: ruleCounts(tally.deferred), dropped: tally.dropped, durationMs: Date.now() - started,
        timingsMs: { ...tally.timings, prepare: prepareMs },
      };
      await runs.finishRun(lock, runId, summary);
      return ok(summary);
    } finally {
      await lock.query('select pg_advisory_unlock(hashtext($1))', [lockKey]).catch((e: Error) => (lockFailure = e));
    }
  } finally {
    lock.release(lockFailure);
  }
}

class CycleAborted extends Error {}

function ruleCounts(m: Map<string, number>) {
  return [...m.entries()].map(([k, count]) => {
    const [rule, code] = k.split(' ');
    return { rule: rule!, code: code!, count };
  }).sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule));
}

/** The snapshot scan's work_mem (one session; its hash tables at a million accounts need ~200 MB). */
const SNAPSHOT_WORK_MEM = '256MB';

/** Batches applied at the same time, each in its own transaction on its own connection. */
const APPLIES_IN_FLIGHT = 2;

/**
 * Streams the shard's accounts in batches through a pipeline: batch k+1 is read and decided while
 * batch k is gated (its state loads and audit COPY in PostgreSQL, its checks in Node) and earlier
 * batches are applied (each one transaction, up to APPLIES_IN_FLIGHT at once on their own
 * connections). Batches hold disjoint accounts, so their transactions are independent; at most
 * APPLIES_IN_FLIGHT + 2 batches are in memory.
 */
async function decideAll(deps: CycleDeps, writer: pg.ClientBase, strategy: CompiledStrategy, asOf: EpochDay, shard: Shard, batchSize: number, resumed: boolean, tally: Tally, options: CycleOptions): Promise<void> {
  const reader = await deps.pool.connect();
  const spare = await deps.pool.connect().catch((e: unknown) => {
    reader.release();
    throw e;
  });
  let failure: Error | undefined;
  const failed = new Set<pg.ClientBase>();
  const ctx = batchContext(deps, strategy, asOf, resumed);
  const idle: pg.ClientBase[] = [writer, spare];
  const inFlight = new Set<Promise<void>>();
  let applyError: unknown = null;
  const rethrow = () => {
    if (applyError !== null) throw applyError;
  };
  /** Waits for one apply to finish; the first failure of any apply surfaces here. */
  const settle = async () => {
    await Promise.race(inFlight).catch(() => {});
    rethrow();
  };
  let pendingGate: { gating: Promise<BatchWrites>; number: number } | null = null;
  try {
    let batch: SnapshotRow[] = [];
    let n = 0;
    const flush = async (rows: SnapshotRow[]) => {
      const number = ++n;
      rethrow();
      if (options.signal?.aborted) throw new CycleAborted('aborted');
      // This batch is gated while the next one is read and decided; the previous one goes to apply.
      const gating = gateBatch(deps, ctx, decideBatch(ctx, rows, tally), tally);
      gating.catch(() => {});
      const previous = pendingGate;
      pendingGate = { gating, number };
      if (previous) await startApply(previous);
    };
    const startApply = async ({ gating, number }: { gating: Promise<BatchWrites>; number: number }) => {
      const work = await gating;
      rethrow();
      while (idle.length === 0 || inFlight.size >= APPLIES_IN_FLIGHT) await settle();
      const client = idle.pop()!;
      let applying: Promise<void> | undefined;
      applying = (async () => {
        try {
          try {
            await applyBatch(client, ctx, work, tally, number, options);
          } catch (e) {
            failed.add(client); // a connection that failed mid-COPY is not reused
            throw e;
          }
          options.faults?.afterBatch?.(number);
          options.onProgress?.(tally.accounts);
        } catch (e) {
          applyError ??= e;
          throw e;
        } finally {
          inFlight.delete(applying!);
          if (!failed.has(client)) idle.push(client);
        }
      })();
      inFlight.add(applying);
      // A failure surfaces where the batch is next awaited; until then it must not count as unhandled.
      applying.catch(() => {});
    };
    // One backend for the scan (parallel workers would each rebuild the per-customer aggregates, and the
    // other core is Node's and the writers'), with enough memory that its hash tables (a million
    // accounts, customers, histories) stay in memory instead of spilling to temporary files.
    await reader.query(`set max_parallel_workers_per_gather = 0; set work_mem = '${SNAPSHOT_WORK_MEM}'`);
    for await (const lines of copyOutLineBatches(reader, cycleSnapshotSql(shard, ctx.window))) {
      for (const line of lines) {
        batch.push(parseSnapshotRow(line, asOf));
        if (batch.length === batchSize) {
          await flush(batch);
          batch = [];
        }
      }
    }
    if (batch.length) await flush(batch);
    if (pendingGate) await startApply(pendingGate);
    while (inFlight.size) await settle();
    rethrow();
    await reader.query('reset max_parallel_workers_per_gather; reset work_mem');
  } catch (e) {
    failure = e instanceof Error ? e : new Error(String(e));
    // Let batches still being gated or applied finish (or fail) before the clients go back.
    const gating = (pendingGate as { gating: Promise<BatchWrites> } | null)?.gating;
    await Promise.allSettled([...inFlight, ...(gating ? [gating] : [])]);
    throw e;
  } finally {
    reader.release(failure);
    spare.release(failure ?? (failed.has(spare) ? new Error('apply failed') : undefined));
  }
}

export interface BatchContext {
  strategy: CompiledStrategy;
  asOf: EpochDay;
  asOfText: string;
  resumed: boolean;
  instantAt: (minute: number, zone: string) => number;
  /** The start of the business day: compliance facts are as of this instant. */
  dayStart: number;
  unreachable: { acceptFlag: boolean; failedAttemptsMin: number };
  /** The instant and window compliance facts are read for. */
  window: FactWindow;
  strategyRef: { id: string; version: number };
}

export function batchContext(deps: CycleDeps, strategy: CompiledStrategy, asOf: EpochDay, resumed: boolean): BatchContext {
  const instantAt = instantFinder(asOf);
  const dayStart = instantAt(0, deps.timeZone);
  const pack = deps.packs.select(strategy.compliancePack, dayStart);
  const def = pack?.thirdParty.unreachable;
  return {
    strategy, asOf, asOfText: formatPlainDate(asOf), resumed, instantAt, dayStart,
    unreachable: def ? { acceptFlag: def.acceptFlag, failedAttemptsMin: def.failedAttemptsMin } : { acceptFlag: true, failedAttemptsMin: Number.MAX_SAFE_INTEGER },
    window: { at: dayStart, windowDays: def?.noRightPartyContactDays ?? 10, failedOutcomes: def ? [...def.failedOutcomes] : [] },
    strategyRef: { id: strategy.id, version: strategy.version },
  };
}

export interface Planned {
  key: string; decision: Decision; snap: AccountSnapshot; t: CompiledTreatment; at: number | null; point: ContactPoint | null;
  /** The account's entry in the batch's decisions (its treatments carried out today are collected there). */
  account: number;
  /** Once gated: when it goes out and the verdict (a contact the gate let through), else null. */
  outcome: { at: number; verdict: GateVerdict } | null;
}

/** What one batch writes, decided and gated, ready for its transaction. */
interface BatchWrites {
  /** Outbox rows, already encoded (one string per batch while it waits for its transaction). */
  messages: EncodedMessages;
  items: WorkItemInput[];
  placements: PlacementProposalInput[];
  accountActions: AccountActionInput[];
  /** States of accounts the strategy did not follow yet, encoded (most of a first day's writes). */
  newStates: CopyText;
  changedStates: StateWrite[];
  events: EventWrite[];
  drops: DropWrite[];
  /** Per channel, what the batch creates (counted once committed). */
  labels: string[];
}

interface DecidedAccount { row: SnapshotRow; snap: AccountSnapshot; decision: Decision; done: string[] | null }

interface BatchPlan {
  decided: DecidedAccount[];
  planned: Planned[];
  rowOf: Map<string, SnapshotRow>;
}

/** Decides every account of the batch (pure, synchronous) and plans the due treatments. */
function decideBatch(ctx: BatchContext, rows: readonly SnapshotRow[], tally: Tally): BatchPlan {
  const { strategy, asOf, asOfText } = ctx;
  const started = performance.now();
  const decided: DecidedAccount[] = [];
  const planned: Planned[] = [];
  const rowOf = new Map<string, SnapshotRow>();
  for (const row of rows) {
    rowOf.set(row.customerId, row);
    const snap = snapshotOf(row, asOf, ctx.unreachable);
    const decision = decide(strategy, snap, priorState(row, asOf));
    const account = decided.push({ row, snap, decision, done: null }) - 1;
    tally.accounts++;
    tally.statuses[decision.status]++;
    const segKey = `${decision.segment}\u0000${decision.stage}`;
    const seg = tally.segments.get(segKey);
    if (seg) seg.accounts++;
    else tally.segments.set(segKey, { segment: decision.segment, stage: decision.stage, accounts: 1 });
    for (const tr of decision.transitions) tally.transitions[tr.kind] = (tally.transitions[tr.kind] ?? 0) + 1;
    for (const t of decision.actions) {
      const at = t.sendAtMinute === null ? null : ctx.instantAt(t.sendAtMinute, snap.timeZone);
      planned.push({ key: actionKey(asOfText, snap.accountId, t), decision, snap, t, at, point: null, account, outcome: null });
    }
  }
  tally.treatmentsDue += planned.length;
  tally.timings.decide += performance.now() - started;
  return { decided, planned, rowOf };
}

/**
 * Gates the batch's contacts and builds what it writes. On a resumed date, what an earlier invocation
 * created or dropped is neither gated nor written again.
 */
async function gateBatch(deps: CycleDeps, ctx: BatchContext, plan: BatchPlan, tally: Tally): Promise<BatchWrites> {
  const { strategy, asOf, asOfText } = ctx;
  const { decided, planned, rowOf } = plan;

  const present = new Set<string>();
  const dropped = new Set<string>();
  if (ctx.resumed && planned.length) {
    const keys = planned.map((p) => p.key);
    const [messages, items, recommendations, drops] = await Promise.all([
      existingMessageKeys(deps.pool, keys), existingWorkItemKeys(deps.pool, keys), existingRecommendationKeys(deps.pool, keys), droppedKeys(deps.pool, keys),
    ]);
    for (const k of [...messages, ...items, ...recommendations]) present.add(k);
    for (const k of drops) dropped.add(k);
  }

  const drops: DropWrite[] = [];
  const dropOf = (p: Planned, reason: DropWrite['reason'], rules: unknown, auditRef: string | null): DropWrite => ({
    key: p.key, asOf: asOfText, accountId: p.snap.accountId, customerId: p.snap.customerId, stage: p.t.stage, treatment: p.t.id, channel: p.t.contactChannel ?? actionLabel(p.t),
    strategyId: strategy.id, strategyVersion: strategy.version, variant: p.decision.variant, reason, rules, auditRef,
  });
  const toGate: Planned[] = [];
  const fresh: Planned[] = [];
  const resumed = present.size > 0 || dropped.size > 0;
  for (const p of planned) {
    if (resumed && present.has(p.key)) { tally.alreadyPresent++; continue; }
    if (resumed && dropped.has(p.key)) continue;
    if (p.t.contactChannel !== null) {
      p.point = destinationFor(rowOf.get(p.snap.customerId)!.points, p.t.contactChannel);
      if (p.point === null) {
        drops.push(dropOf(p, 'no_contact_point', [{ rule: 'STRATEGY', code: 'no_contact_point' }], null));
        tally.dropped.no_contact_point++;
        continue;
      }
      toGate.push(p);
    } else fresh.push(p);
  }
  const gateStarted = performance.now();
  const verdicts = toGate.length ? await gate(deps, ctx, toGate, rowOf) : [];
  tally.gated += toGate.length;
  tally.timings.gate += performance.now() - gateStarted;
  const buildStarted = performance.now();
  for (let i = 0; i < toGate.length; i++) {
    const p = toGate[i]!;
    const v = verdicts[i]!;
    const decision = v.verdict.decision;
    if (decision === 'allow' && v.auditRef !== null) {
      p.outcome = { at: p.at!, verdict: v };
      fresh.push(p);
      continue;
    }
    const rules = v.verdict.rules.filter((r) => r.effect !== 'note');
    if (decision === 'block' || v.auditRef === null) {
      for (const r of rules) if (r.effect === 'block') bump(tally.blocked, `${r.ruleId} ${r.code}`);
      drops.push(dropOf(p, 'compliance_block', rules.map((r) => ({ rule: r.ruleId, code: r.code, effect: r.effect })), v.auditRef));
      tally.dropped.compliance_block++;
      continue;
    }
    // defer
    for (const r of rules) bump(tally.deferred, `${r.ruleId} ${r.code}`);
    if (v.verdict.until! - p.at! > strategy.deferDaysMax * DAY_MS) {
      drops.push(dropOf(p, 'deferred_too_far', rules.map((r) => ({ rule: r.ruleId, code: r.code, effect: r.effect, until: new Date(r.until ?? v.verdict.until!).toISOString() })), v.auditRef));
      tally.dropped.deferred_too_far++;
      continue;
    }
    p.outcome = { at: v.verdict.until!, verdict: v };
    fresh.push(p);
  }

  // What is carried out today: the fresh actions and those already present from an earlier invocation.
  for (const p of planned) {
    if (p.outcome !== null || p.t.contactChannel === null || (resumed && present.has(p.key))) {
      const entry = decided[p.account]!;
      if (entry.done) entry.done.push(p.t.id);
      else entry.done = [p.t.id];
    }
  }

  // Outbox rows and new states are encoded once the batch is built (BatchWrites keeps their COPY text).
  const messages: OutboxMessageInput[] = [];
  const newStates: StateWrite[] = [];
  const w: Omit<BatchWrites, 'messages' | 'newStates'> = { items: [], placements: [], accountActions: [], changedStates: [], events: [], drops, labels: [] };
  for (const p of fresh) {
    const ref = { id: ctx.strategyRef.id, version: ctx.strategyRef.version, variant: p.decision.variant };
    const o = p.outcome;
    // The decision trace kept with the action (the date is in the key; `strategy explain` gives the full trace).
    const trace: Record<string, unknown> = { segment: p.decision.segment, stage: p.t.stage, treatment: p.t.id };
    if (o) {
      trace.verdict = o.verdict.verdict.decision;
      trace.auditRef = o.verdict.auditRef;
      if (o.verdict.verdict.rules.length) trace.rules = o.verdict.verdict.rules.map((r) => `${r.ruleId}:${r.code}`);
    }
    w.labels.push(actionLabel(p.t));
    if (p.t.handover === 'outbox') {
      messages.push({
        idempotencyKey: p.key, customerId: p.snap.customerId, accountId: p.snap.accountId, channel: p.t.messageChannel!, partyRole: 'debtor',
        destinationRef: `${p.point!.kind}:${p.point!.position}`, templateId: p.t.templates![p.snap.language], language: p.snap.language, tone: p.t.tone,
        notBefore: new Date(o!.at), expiresAt: new Date(o!.at + DAY_MS), origin: 'cycle', strategy: ref, decision: trace,
      });
    } else if (p.t.handover === 'work') {
      w.items.push({
        idempotencyKey: p.key, customerId: p.snap.customerId, accountId: p.snap.accountId, kind: p.t.workKind!, priority: p.t.priority,
        notBefore: new Date(o!.at), dueBy: new Date(o!.at + p.t.dueDays * DAY_MS), reason: p.t.script ?? p.t.id, origin: 'cycle', strategy: ref, stage: p.t.stage,
        decision: { ...trace, tone: p.t.tone, purpose: p.t.purpose, destinationRef: `${p.point!.kind}:${p.point!.position}`, ...(p.t.offer ? { offer: p.t.offer } : {}) },
        teamId: p.snap.teamId,
      });
    } else if (p.t.handover === 'placement') {
      w.placements.push({
        idempotencyKey: p.key, accountId: p.snap.accountId, customerId: p.snap.customerId, kind: p.t.target!, agencyId: p.t.agencyId, legalStage: p.t.legalStage,
        proposedOn: asOfText, origin: 'cycle', strategy: ref, stage: p.t.stage, decision: trace,
      });
    } else {
      w.accountActions.push({
        idempotencyKey: p.key, accountId: p.snap.accountId, customerId: p.snap.customerId, action: p.t.action!, requestedOn: asOfText,
        reason: `strategy ${strategy.id} v${strategy.version}, segment ${p.decision.segment}, stage ${p.t.stage}`, origin: 'cycle', strategy: ref, stage: p.t.stage, decision: trace,
      });
    }
  }

  for (const { row, snap, decision, done } of decided) {
    if (decision.base === null) continue;
    const final = withTreatments(decision.base, done ?? [], asOf);
    const packed = packState(final);
    // Entering collections is the state's own record (collectionsSince); every later transition is an event.
    decision.transitions.forEach((tr, seq) => tr.kind !== 'entered' && w.events.push({
      accountId: snap.accountId, customerId: snap.customerId, occurredOn: asOfText, seq, kind: tr.kind, strategyId: strategy.id, strategyVersion: strategy.version,
      variant: decision.variant, segment: tr.segment, stage: tr.stage,
    }));
    if (packed === row.state) continue;
    (row.state === null ? newStates : w.changedStates).push({
      accountId: snap.accountId, customerId: snap.customerId, strategyId: strategy.id, strategyVersion: strategy.version, variant: decision.variant,
      status: final.status, segment: final.segment, ladder: final.ladder, stage: final.stage, changedOn: asOfText, state: packed,
    });
  }
  const writes: BatchWrites = { ...w, messages: encodeMessages(messages, { assumeNew: !ctx.resumed }), newStates: encodeStates(newStates) };
  tally.timings.decide += performance.now() - buildStarted;
  return writes;
}

/**
 * One transaction per batch: outbox rows, work items, proposals, account-action requests, dropped
 * contacts, transitions, and the strategy states last. On a date no earlier invocation touched, rows
 * are new by construction (their keys carry the date), so they are COPYed straight into their tables;
 * a resumed date goes through the idempotent paths.
 */
async function applyBatch(writer: pg.ClientBase, ctx: BatchContext, w: BatchWrites, tally: Tally, batchNumber: number, options: CycleOptions): Promise<void> {
  const started = performance.now();
  const fresh = !ctx.resumed;
  await writer.query('begin');
  try {
    const sent = await enqueueMessagesBulk(writer, w.messages);
    let worked = 0;
    for (let i = 0; i < w.items.length; i += WORK_ITEM_BATCH_MAX) worked += (await createWorkItems(writer, w.items.slice(i, i + WORK_ITEM_BATCH_MAX))).inserted;
    const placed = await proposePlacements(writer, w.placements);
    const requested = await requestAccountActions(writer, w.accountActions);
    await writeCycleOutcome(writer, { newStates: w.newStates, changedStates: w.changedStates, events: w.events, drops: w.drops, assumeNew: fresh });
    options.faults?.beforeCommit?.(batchNumber);
    await writer.query('commit');
    tally.actionsCreated += sent.inserted + worked + placed + requested;
    tally.alreadyPresent += sent.existing + (w.items.length - worked) + (w.placements.length - placed) + (w.accountActions.length - requested);
    for (const label of w.labels) tally.actions[label] = (tally.actions[label] ?? 0) + 1;
  } catch (e) {
    await writer.query('rollback').catch(() => {});
    throw e;
  } finally {
    tally.timings.apply += performance.now() - started;
  }
}

/**
 * The compliance gate for the batch's contacts. It loads and audits the compliance state itself; the
 * customers' contact profiles (time zone, contact points) come from the snapshot scan of this run
 * rather than a second read per batch.
 */
export async function gate(deps: CycleDeps, ctx: BatchContext, planned: readonly Planned[], rowOf: ReadonlyMap<string, SnapshotRow>): Promise<GateVerdict[]> {
  const bank = parseActor('bank')!;
  const robot = parseActor('robot')!;
  const proposals: GateProposal[] = planned.map((p) => ({
    id: p.key, customerId: p.snap.customerId, accountId: p.snap.accountId, at: p.at!, channel: p.t.contactChannel as GateProposal['channel'],
    actor: p.t.contactChannel === 'voice_robot' ? robot : bank, party: 'debtor', destination: p.point!.key,
    // Collection contacts are gated without text (the dispatcher checks the rendered text at send time);
    // another purpose must be stated so that holds can allow it.
    content: p.t.purpose === 'collection' ? null : { text: null, templateId: p.t.templates?.[p.snap.language] ?? p.t.script, purpose: p.t.purpose, slots: null, firstCommunication: false },
  }));
  const loadProfiles = async (_db: unknown, customerIds: readonly string[]) => {
    const out = new Map<string, ContactProfile>();
    for (const id of customerIds) {
      const row = rowOf.get(id);
      if (row) out.set(id, { timeZone: row.timeZone, points: row.points.map((p) => ({ kind: p.kind, value: p.key, partyRole: p.partyRole, verified: p.verified, source: p.source })) });
    }
    return out;
  };
  return checkProposedContacts({ ...complianceStore(deps.pool, deps.cipher), packs: deps.packs }, ctx.strategy.compliancePack, proposals, deps.clock.now().getTime(), { loadProfiles });
}

