/**
 * Compiles a validated strategy document once into frozen closures: segment conditions, stage entry
 * conditions and treatment conditions become predicates (per account currency, since amounts become
 * minor units), variants become hash ranges. The daily cycle never reads the document itself.
 */
import { assert } from '../../../kernel/assert.ts';
import { parsePlainDate, type EpochDay } from '../../../kernel/dates.ts';
import { parseAmount } from '../../../kernel/money.ts';
import { compileCondition, type CompiledCondition } from './conditions.ts';
import type { MessageChannel, PlanOffer, StrategyDocument, Tone, TreatmentDocument, TreatmentPurpose, WorkKind } from './document.ts';
import type { Language } from './facts.ts';
import { parseClockMinute, contactChannelOf } from './validate.ts';
import { assignmentPoint, pick, splitRanges, type SplitRange } from './variant.ts';

export type Handover = 'outbox' | 'work' | 'placement' | 'account_action';

export interface CompiledTreatment {
  id: string;
  stage: string;
  handover: Handover;
  /** The compliance channel of a contact (voice_agent for agent calls); null for placements and account actions. */
  contactChannel: string | null;
  messageChannel: MessageChannel | null;
  workKind: WorkKind | null;
  templates: Readonly<Record<Language, string>> | null;
  tone: Tone | null;
  purpose: TreatmentPurpose;
  everyDays: number;
  maxPerStage: number;
  afterDays: number;
  /** Planned local minute of the day (contacts only). */
  sendAtMinute: number | null;
  when: CompiledCondition;
  hasWhen: boolean;
  priority: number;
  dueDays: number;
  script: string | null;
  offer: Readonly<PlanOffer> | null;
  target: 'agency' | 'legal' | null;
  legalStage: string | null;
  agencyId: string | null;
  action: 'freeze' | 'restrict' | null;
}

export interface CompiledStage { id: string; index: number; entry: CompiledCondition; hasEntry: boolean; treatments: readonly CompiledTreatment[] }
export interface CompiledLadder { id: string; stages: readonly CompiledStage[]; indexOf: ReadonlyMap<string, number> }
export interface CompiledSegment { id: string; priority: number | null; when: CompiledCondition; hasWhen: boolean; ladder: string }
export interface CompiledRules { segments: readonly CompiledSegment[]; ladders: ReadonlyMap<string, CompiledLadder> }
export interface CompiledVariant { id: string; percent: number; ladderOf(ladderId: string): string }

export interface CompiledStrategy {
  id: string;
  version: number;
  compliancePack: string;
  effectiveFrom: EpochDay;
  sendAtMinute: number;
  deferDaysMax: number;
  salt: string;
  variants: readonly CompiledVariant[];
  variantOf(accountId: string): { variant: CompiledVariant; point: number };
  /** The rules for accounts in `currency` (compiled on first use, then cached). */
  rules(currency: string): CompiledRules;
  /** Cost per contact in minor units of costCurrency, by message channel or work kind. */
  costs: Readonly<Record<string, bigint>>;
  costCurrency: string | null;
  document: StrategyDocument;
}

function compileTreatment(t: TreatmentDocument, stage: string, doc: StrategyDocument, currency: string): CompiledTreatment {
  const channel = contactChannelOf(t);
  const sendAt = channel === null ? null : parseClockMinute(t.sendAt ?? doc.settings.sendAt);
  assert(channel === null || sendAt !== null, `treatment ${t.id}: send time must be HH:MM`);
  return Object.freeze({
    id: t.id, stage,
    handover: t.type === 'message' ? 'outbox' : t.type === 'work' ? 'work' : t.type,
    contactChannel: channel,
    messageChannel: t.type === 'message' ? (t.channel as MessageChannel) : null,
    workKind: t.type === 'work' ? t.kind : null,
    templates: t.type === 'message' ? Object.freeze({ ...t.templates }) : null,
    tone: t.type === 'message' ? t.tone : t.type === 'work' ? (t.tone ?? null) : null,
    purpose: t.type === 'message' || t.type === 'work' ? (t.purpose ?? 'collection') : 'collection',
    everyDays: t.cadence.everyDays, maxPerStage: t.cadence.maxPerStage, afterDays: t.cadence.afterDays ?? 0,
    sendAtMinute: sendAt,
    when: compileCondition(t.when, currency), hasWhen: t.when !== undefined,
    priority: t.type === 'work' ? t.priority : 0,
    dueDays: t.type === 'work' ? (t.dueDays ?? 1) : 0,
    script: t.type === 'work' ? (t.script ?? null) : null,
    offer: t.type === 'work' && t.offer ? Object.freeze({ ...t.offer }) : null,
    target: t.type === 'placement' ? t.target : null,
    legalStage: t.type === 'placement' ? (t.legalStage ?? null) : null,
    agencyId: t.type === 'placement' ? (t.agencyId ?? null) : null,
    action: t.type === 'account_action' ? t.action : null,
  } satisfies CompiledTreatment);
}

function compileRules(doc: StrategyDocument, currency: string): CompiledRules {
  const segments = doc.segments
    .map((s, i) => ({ s, i }))
    .sort((a, b) => (a.s.priority ?? Infinity) - (b.s.priority ?? Infinity) || a.i - b.i)
    .map(({ s }) => Object.freeze({ id: s.id, priority: s.priority ?? null, when: compileCondition(s.when, currency), hasWhen: s.when !== undefined, ladder: s.ladder }));
  const ladders = new Map<string, CompiledLadder>();
  for (const l of doc.ladders) {
    const stages = l.stages.map((st, index) => Object.freeze({
      id: st.id, index, entry: compileCondition(st.entry, currency), hasEntry: st.entry !== undefined,
      treatments: Object.freeze(st.treatments.map((t) => compileTreatment(t, st.id, doc, currency))),
    }));
    ladders.set(l.id, Object.freeze({ id: l.id, stages: Object.freeze(stages), indexOf: new Map(stages.map((s) => [s.id, s.index])) }));
  }
  return Object.freeze({ segments: Object.freeze(segments), ladders });
}

/** Compiles a document that passed validation (shape, semantics, cross-policy). */
export function compileStrategy(doc: StrategyDocument): CompiledStrategy {
  const sendAtMinute = parseClockMinute(doc.settings.sendAt);
  const effectiveFrom = parsePlainDate(doc.effectiveFrom);
  assert(sendAtMinute !== null && effectiveFrom !== null, `strategy ${doc.id}: validate it before compiling`);
  const variants: CompiledVariant[] = doc.variants.map((v) => {
    const map = new Map(Object.entries(v.ladders ?? {}));
    return Object.freeze({ id: v.id, percent: v.percent, ladderOf: (ladder: string) => map.get(ladder) ?? ladder });
  });
  const ranges: SplitRange<CompiledVariant>[] = splitRanges(variants.map((v) => ({ percent: v.percent, value: v })));
  const salt = doc.settings.assignmentSalt ?? doc.id;
  const byCurrency = new Map<string, CompiledRules>();
  const costs: Record<string, bigint> = {};
  for (const [channel, cost] of Object.entries(doc.channelCosts ?? {})) {
    const parsed = doc.costCurrency ? parseAmount(cost!, doc.costCurrency) : null;
    if (parsed?.ok) costs[channel] = parsed.value;
  }
  return Object.freeze({
    id: doc.id, version: doc.version, compliancePack: doc.compliancePack, effectiveFrom, sendAtMinute,
    deferDaysMax: doc.settings.deferDaysMax, salt, variants: Object.freeze(variants),
    variantOf(accountId: string) {
      const point = assignmentPoint(salt, accountId);
      return { variant: pick(ranges, point), point };
    },
    rules(currency: string) {
      let r = byCurrency.get(currency);
      if (!r) byCurrency.set(currency, (r = compileRules(doc, currency)));
      return r;
    },
    costs: Object.freeze(costs), costCurrency: doc.costCurrency ?? null, document: doc,
  });
}
