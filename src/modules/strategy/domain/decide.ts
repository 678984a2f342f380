/**
 * The decision for one account on one day: a pure function of (compiled strategy, snapshot, the
 * account's strategy state before that day). Order of the exits (issue 5 §1):
 *   cured (nothing past due) → current; an open repayment plan → plan monitoring; an open promise to
 *   pay → paused until it is judged; otherwise the first matching segment's ladder, escalating stage by
 *   stage while the next stage's entry conditions hold, then the current stage's due treatments.
 * With `explain`, the decision carries a trace: every fact, each segment condition and stage entry with
 * the values it saw and whether it held, and why each treatment is or is not due.
 */
import type { EpochDay } from '../../../kernel/dates.ts';
import type { Explained } from './conditions.ts';
import type { CompiledLadder, CompiledStage, CompiledStrategy, CompiledTreatment } from './compile.ts';
import { observeFacts, type AccountSnapshot, type FactContext, type FactValue } from './facts.ts';
import type { Status, StrategyState } from './state.ts';

export const TRANSITION_KINDS = ['entered', 'segment_changed', 'escalated', 'paused', 'plan_monitoring', 'resumed', 'cured'] as const;
export type TransitionKind = (typeof TRANSITION_KINDS)[number];
export interface Transition { kind: TransitionKind; segment: string | null; stage: string | null }

export interface TreatmentCheck {
  treatment: string;
  due: boolean;
  /** Each cadence check with the value it saw. */
  checks: { check: 'maxPerStage' | 'everyDays' | 'afterDays' | 'when'; expected: unknown; observed: unknown; held: boolean }[];
  when: Explained | null;
}

export interface DecisionTrace {
  facts: Record<string, FactValue>;
  variant: { id: string; point: number };
  exit: 'cured' | 'plan' | 'promise' | null;
  segments: { segment: string; priority: number | null; matched: boolean; condition: Explained | null }[];
  stages: { stage: string; entry: Explained | null; held: boolean; factsOfStage: { stageDays: number; stageTreatments: number; paidInStage: boolean } }[];
  treatments: TreatmentCheck[];
}

export interface Decision {
  accountId: string;
  variant: string;
  status: Status;
  segment: string | null;
  ladder: string | null;
  stage: string | null;
  /** Treatments due today, in stage order. */
  actions: readonly CompiledTreatment[];
  transitions: readonly Transition[];
  /** The state after today's transitions, before any treatment is carried out (null: nothing to keep). */
  base: StrategyState | null;
  trace: DecisionTrace | null;
}

const NO_ACTIONS: readonly CompiledTreatment[] = Object.freeze([]);

function treatmentsIn(state: StrategyState): number {
  let n = 0;
  for (const t of state.treatments) n += t.count;
  return n;
}

export function decide(strategy: CompiledStrategy, snap: AccountSnapshot, prior: StrategyState | null, options: { explain?: boolean } = {}): Decision {
  const asOf = snap.asOf;
  const { variant, point } = strategy.variantOf(snap.accountId);
  const ctx: FactContext = { snap, stageEnteredOn: asOf, stageTreatments: 0, collectionsSince: asOf, cures: prior?.cures ?? 0 };
  const inEpisode = prior !== null && prior.status !== 'current';
  if (inEpisode) ctx.collectionsSince = prior.collectionsSince;
  const trace: DecisionTrace | null = options.explain
    ? { facts: {}, variant: { id: variant.id, point }, exit: null, segments: [], stages: [], treatments: [] }
    : null;
  const out = (status: Status, base: StrategyState | null, transitions: Transition[], actions: readonly CompiledTreatment[] = NO_ACTIONS): Decision => {
    if (trace) trace.facts = observeFacts(ctx);
    return {
      accountId: snap.accountId, variant: variant.id, status, segment: base?.segment ?? null, ladder: base?.ladder ?? null, stage: base?.stage ?? null,
      actions, transitions, base, trace,
    };
  };

  if (snap.daysPastDue === 0) {
    if (trace) trace.exit = 'cured';
    if (!inEpisode) return out('current', prior, []);
    const cured: StrategyState = { ...prior, status: 'current', stage: null, stageEnteredOn: asOf, cures: prior.cures + 1, treatments: [] };
    return out('current', cured, [{ kind: 'cured', segment: prior.segment, stage: null }]);
  }
  if (snap.activePlan !== null || snap.activePromise !== null) {
    const status: Status = snap.activePlan !== null ? 'plan' : 'paused';
    if (trace) trace.exit = snap.activePlan !== null ? 'plan' : 'promise';
    const base: StrategyState = inEpisode
      ? { ...prior, status }
      : { status, segment: null, ladder: null, stage: null, stageEnteredOn: asOf, collectionsSince: asOf, cures: prior?.cures ?? 0, treatments: [] };
    const changed = !inEpisode || prior.status !== status;
    return out(status, base, changed ? [{ kind: status === 'plan' ? 'plan_monitoring' : 'paused', segment: base.segment, stage: base.stage }] : []);
  }

  const rules = strategy.rules(snap.currency);
  let segment = rules.segments[rules.segments.length - 1]!;
  for (const s of rules.segments) {
    const matched = trace ? explainInto(trace, s.id, s.priority, s.hasWhen ? s.when.explain(ctx) : null) : s.when.test(ctx);
    if (matched) {
      segment = s;
      break;
    }
  }
  const ladder = rules.ladders.get(variant.ladderOf(segment.ladder))!;
  const transitions: Transition[] = [];
  if (inEpisode && (prior.status === 'paused' || prior.status === 'plan')) transitions.push({ kind: 'resumed', segment: prior.segment, stage: prior.stage });
  let index: number;
  let state: StrategyState;
  const stayed = inEpisode && prior.segment === segment.id && prior.ladder === ladder.id && (prior.stage === null || ladder.indexOf.has(prior.stage));
  if (stayed) {
    index = prior.stage === null ? -1 : ladder.indexOf.get(prior.stage)!;
    state = prior.status === 'active' ? prior : { ...prior, status: 'active' };
  } else {
    index = -1;
    state = { status: 'active', segment: segment.id, ladder: ladder.id, stage: null, stageEnteredOn: asOf, collectionsSince: ctx.collectionsSince, cures: ctx.cures, treatments: [] };
    transitions.push({ kind: inEpisode && prior.segment !== null ? 'segment_changed' : 'entered', segment: segment.id, stage: null });
  }
  index = escalate(ladder, index, state, ctx, trace, (stage) => {
    state = { ...state, stage: stage.id, stageEnteredOn: asOf, treatments: [] };
    // Entering a ladder straight into its first stage is one transition, not two.
    const last = transitions[transitions.length - 1];
    if (last && (last.kind === 'entered' || last.kind === 'segment_changed') && last.stage === null) last.stage = stage.id;
    else transitions.push({ kind: 'escalated', segment: segment.id, stage: stage.id });
  });
  if (index < 0) return out('active', state, transitions);
  ctx.stageEnteredOn = state.stageEnteredOn;
  ctx.stageTreatments = treatmentsIn(state);
  const stage = ladder.stages[index]!;
  const actions = dueTreatments(stage, state, ctx, asOf, trace);
  return out('active', state, transitions, actions);
}

function explainInto(trace: DecisionTrace, segment: string, priority: number | null, condition: Explained | null): boolean {
  const matched = condition === null || condition.held;
  trace.segments.push({ segment, priority, matched, condition });
  return matched;
}

/** Moves up the ladder while the next stage's entry holds (facts of the stage being left); returns the final index. */
function escalate(ladder: CompiledLadder, from: number, state: StrategyState, ctx: FactContext, trace: DecisionTrace | null, enter: (stage: CompiledStage) => void): number {
  let index = from;
  let current = state;
  for (let next = index + 1; next < ladder.stages.length; next++) {
    const stage = ladder.stages[next]!;
    ctx.stageEnteredOn = current.stageEnteredOn;
    ctx.stageTreatments = treatmentsIn(current);
    let held: boolean;
    if (trace) {
      const entry = stage.hasEntry ? stage.entry.explain(ctx) : null;
      held = entry === null || entry.held;
      const snap = ctx.snap;
      trace.stages.push({
        stage: stage.id, entry, held,
        factsOfStage: { stageDays: snap.asOf - ctx.stageEnteredOn, stageTreatments: ctx.stageTreatments, paidInStage: snap.lastPaymentOn !== null && snap.lastPaymentOn >= ctx.stageEnteredOn },
      });
    } else held = stage.entry.test(ctx);
    if (!held) break;
    enter(stage);
    index = next;
    current = { ...current, stageEnteredOn: ctx.snap.asOf, treatments: [] };
  }
  return index;
}

function dueTreatments(stage: CompiledStage, state: StrategyState, ctx: FactContext, asOf: EpochDay, trace: DecisionTrace | null): readonly CompiledTreatment[] {
  let actions: CompiledTreatment[] | null = null;
  const stageDays = asOf - state.stageEnteredOn;
  for (const t of stage.treatments) {
    let count = 0;
    let lastOn: number | null = null;
    for (const done of state.treatments) {
      if (done.id === t.id) {
        count = done.count;
        lastOn = done.lastOn;
        break;
      }
    }
    const underMax = count < t.maxPerStage;
    const spaced = lastOn === null || asOf - lastOn >= t.everyDays;
    const late = stageDays >= t.afterDays;
    let due = underMax && spaced && late;
    if (trace) {
      const when = t.hasWhen ? t.when.explain(ctx) : null;
      due = due && (when === null || when.held);
      trace.treatments.push({
        treatment: t.id, due, when,
        checks: [
          { check: 'maxPerStage', expected: t.maxPerStage, observed: count, held: underMax },
          { check: 'everyDays', expected: t.everyDays, observed: lastOn === null ? null : asOf - lastOn, held: spaced },
          { check: 'afterDays', expected: t.afterDays, observed: stageDays, held: late },
          ...(when ? [{ check: 'when' as const, expected: 'condition', observed: when.held, held: when.held }] : []),
        ],
      });
    } else if (due && t.hasWhen) due = t.when.test(ctx);
    if (due) (actions ??= []).push(t);
  }
  return actions ?? NO_ACTIONS;
}
