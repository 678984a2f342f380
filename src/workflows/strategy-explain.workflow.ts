/**
 * `recourse strategy explain ACCOUNT --as-of D` and GET /accounts/:id/strategy-explanation: the
 * decision the daily cycle would take for one account on a date, with every fact, each segment
 * condition and stage entry with the values it saw and whether it held, why each treatment is (not)
 * due, and the compliance verdict for each contact it would make. The aging is computed for the date
 * (not read from the last run); the verdicts are real stored-state checks, so they are audited like
 * every stored-state check.
 */
import { formatPlainDate, parsePlainDate, type EpochDay } from '../kernel/dates.ts';
import { err, ok, type Result } from '../kernel/result.ts';
import { checkProposedContacts, complianceStore, parseActor, verdictJson, type GateProposal } from '../modules/compliance/index.ts';
import type { DataScope } from '../modules/identity/index.ts';
import { decide, packState, strategyInEffect, type DecisionTrace, type StrategyState, type Transition } from '../modules/strategy/index.ts';
import { showAccount } from './account-view.workflow.ts';
import { parseAmount } from '../kernel/money.ts';
import { accountSnapshotRow } from './cycle-snapshot.repository.ts';
import { actionKey, batchContext, destinationFor, priorState, snapshotOf, type CycleDeps } from './daily-cycle.workflow.ts';

export interface ExplainedAction {
  treatment: string;
  stage: string;
  /** outbox (message), work (agent call, visit), placement, account_action. */
  handover: string;
  channel: string;
  idempotencyKey: string;
  plannedAt: string | null;
  templateId: string | null;
  destinationRef: string | null;
  verdict: (ReturnType<typeof verdictJson> & { auditRef: string | null }) | null;
  /** What the cycle would do with it. */
  outcome: 'create' | 'create_deferred' | 'drop_blocked' | 'drop_deferred_too_far' | 'drop_no_contact_point';
}

export interface Explanation {
  accountId: string;
  asOf: string;
  strategy: { id: string; version: number; source: 'published' | 'shipped'; compliancePack: string };
  variant: DecisionTrace['variant'];
  status: string;
  segment: string | null;
  ladder: string | null;
  stage: string | null;
  exit: DecisionTrace['exit'];
  facts: DecisionTrace['facts'];
  segments: DecisionTrace['segments'];
  stages: DecisionTrace['stages'];
  treatments: DecisionTrace['treatments'];
  transitions: readonly Transition[];
  actions: ExplainedAction[];
  /** The strategy state the decision started from (the state before the date). */
  prior: StrategyState | null;
  state: string | null;
}

export type ExplainError = 'account_not_found' | 'invalid_strategy' | 'no_strategy_in_effect';

export async function explainAccount(deps: CycleDeps, accountId: string, asOf: EpochDay, scope: DataScope = { kind: 'all' }): Promise<Result<Explanation, ExplainError>> {
  const asOfText = formatPlainDate(asOf);
  const view = await showAccount(deps.pool, accountId, asOf, deps.agingPolicy, scope);
  if (!view.ok) return view;
  const active = await strategyInEffect(deps.pool, asOfText, deps.strategyContext);
  if (!active.ok) return err(active.code, active.message, active.details);
  const strategy = active.value.strategy;
  const ctx = batchContext(deps, strategy, asOf, false);
  const row = await accountSnapshotRow(deps.pool, accountId, asOf, ctx.window);
  if (!row) return err('account_not_found', `no account ${JSON.stringify(accountId)}`);
  const v = view.value;
  const toMinor = (text: string | null) => {
    const parsed = text === null ? null : parseAmount(text, row.currency, { allowNegative: true });
    return parsed?.ok ? parsed.value : 0n;
  };
  // The aging as of the date asked for, not as of the last run.
  Object.assign(row, {
    daysPastDue: v.daysPastDue, bucket: v.bucket, balanceMinor: toMinor(v.balances.balance), overdueMinor: toMinor(v.balances.overdue),
    lateCountCumulative: v.lateCountCumulative, lateCountConsecutive: v.lateCountConsecutive,
    lastPaymentOn: v.payments.length ? parsePlainDate(v.payments.at(-1)!.postedOn) : null,
  });
  const snap = snapshotOf(row, asOf, ctx.unreachable);
  const prior = priorState(row, asOf);
  const decision = decide(strategy, snap, prior, { explain: true });
  const trace = decision.trace!;
  const points = row.points;
  const actions: ExplainedAction[] = [];
  const proposals: { index: number; proposal: GateProposal }[] = [];
  for (const t of decision.actions) {
    const key = actionKey(asOfText, accountId, t);
    const at = t.sendAtMinute === null ? null : ctx.instantAt(t.sendAtMinute, snap.timeZone);
    const point = t.contactChannel === null ? null : destinationFor(points, t.contactChannel);
    actions.push({
      treatment: t.id, stage: t.stage, handover: t.handover, channel: t.contactChannel ?? t.target ?? t.action ?? '', idempotencyKey: key,
      plannedAt: at === null ? null : new Date(at).toISOString(), templateId: t.templates?.[snap.language] ?? t.script,
      destinationRef: point ? `${point.kind}:${point.position}` : null, verdict: null,
      outcome: t.contactChannel !== null && point === null ? 'drop_no_contact_point' : 'create',
    });
    if (t.contactChannel !== null && point !== null) {
      proposals.push({
        index: actions.length - 1,
        proposal: {
          id: key, customerId: snap.customerId, accountId, at: at!, channel: t.contactChannel as GateProposal['channel'], actor: parseActor(t.contactChannel === 'voice_robot' ? 'robot' : 'bank')!,
          party: 'debtor', destination: point.key,
          content: t.purpose === 'collection' ? null : { text: null, templateId: t.templates?.[snap.language] ?? t.script, purpose: t.purpose, slots: null, firstCommunication: false },
        },
      });
    }
  }
  if (proposals.length) {
    const verdicts = await checkProposedContacts({ ...complianceStore(deps.pool, deps.cipher), packs: deps.packs }, strategy.compliancePack, proposals.map((p) => p.proposal), deps.clock.now().getTime());
    proposals.forEach((p, i) => {
      const verdict = verdicts[i]!;
      const a = actions[p.index]!;
      a.verdict = { ...verdictJson(verdict.verdict), auditRef: verdict.auditRef };
      if (verdict.verdict.decision === 'block' || verdict.auditRef === null) a.outcome = 'drop_blocked';
      else if (verdict.verdict.decision === 'defer') a.outcome = verdict.verdict.until! - p.proposal.at > strategy.deferDaysMax * 86_400_000 ? 'drop_deferred_too_far' : 'create_deferred';
    });
  }
  return ok({
    accountId, asOf: asOfText, strategy: { id: strategy.id, version: strategy.version, source: active.value.source, compliancePack: strategy.compliancePack },
    variant: trace.variant, status: decision.status, segment: decision.segment, ladder: decision.ladder, stage: decision.stage, exit: trace.exit,
    facts: trace.facts, segments: trace.segments, stages: trace.stages, treatments: trace.treatments, transitions: decision.transitions, actions,
    prior, state: decision.base ? packState(decision.base) : null,
  });
}

