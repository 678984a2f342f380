/**
 * Semantic and cross-policy validation of a strategy document that passed the shape check. Returns
 * every problem with its path; an empty list means the document may be compiled and published.
 *
 * Semantics: ids, references, conditions (known facts, operators, values), unreachable segments,
 * stages and ladders, segments that overlap without a priority, unknown channels and templates,
 * variant splits. Cross-policy (a strategy can never weaken compliance): cadences above the pack's
 * contact caps, send times outside its windows, treatments its holds would always block, purposes
 * the gate cannot check without text, plan offers longer than the arrangement settings allow.
 */
import { currencyMinorDigits, parseAmount } from '../../../kernel/money.ts';
import {
  TooComplex, conjoin, covers, factsOf, impliesTrue, isLeaf, overlaps, toDnf, validateCondition,
  type Clause, type Condition, type ConditionContext, type Issue, type PathKey,
} from './conditions.ts';
import { MESSAGE_CHANNELS, type StrategyDocument, type TreatmentDocument } from './document.ts';
import { LANGUAGES } from './facts.ts';
import type { TemplateCatalog } from './template-catalog.ts';

export type { Issue, PathKey };

/** Local window in minutes after midnight, end exclusive. */
export interface MinuteWindow { startMinute: number; endMinute: number }

/** What validation needs to know of the compliance pack the strategy names (pure data, built from the compiled pack). */
export interface PackFacts {
  id: string;
  version: number;
  /** Per compliance channel; absent = unrestricted; a null day kind = no contact on such days. */
  windows: Readonly<Record<string, { workday: MinuteWindow | null; restday: MinuteWindow | null; holiday: MinuteWindow | null } | undefined>>;
  /** Per-day caps on calls (per destination or per debtor), by channel. */
  dailyCaps: readonly { ruleId: string; max: number; channels: readonly string[] }[];
  /** Caps over consecutive days. */
  rollingCaps: readonly { ruleId: string; max: number; days: number; channels: readonly string[] }[];
  /** Holds by flag kind, with the purposes each still allows. */
  holds: Readonly<Record<string, { ruleId: string; exceptPurposes: readonly string[] } | undefined>>;
  /** Content rules that need the text of a message (the cycle gates without text). */
  requiredText: readonly { ruleId: string; channels: readonly string[]; purposes: readonly string[] | null; exceptPurposes: readonly string[] }[];
}

export interface ValidationContext extends ConditionContext {
  templates: TemplateCatalog;
  /** The compliance pack in effect at the document's effectiveFrom; null when there is none. */
  pack: PackFacts | null;
  /** Currencies of the portfolio: every amount in a condition must be exact in each. */
  currencies: readonly string[];
  /** Longest repayment plan in months (arrangement settings; CN-09: 60). */
  planTermMonthsMax: number;
}

/** The compliance channel a treatment contacts through (null: not a contact). */
export function contactChannelOf(t: TreatmentDocument): string | null {
  if (t.type === 'message') return t.channel;
  if (t.type === 'work') return t.kind === 'agent_call' ? 'voice_agent' : 'field_visit';
  return null;
}

const VOICE = new Set(['voice_agent', 'voice_robot']);
const FLAG_FACTS: readonly [string, string][] = [['hardship', 'hardship'], ['disputed', 'disputed'], ['complaintOpen', 'complaint_open']];

export function parseClockMinute(text: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

const formatMinute = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

export function validateStrategy(doc: StrategyDocument, ctx: ValidationContext): Issue[] {
  const issues: Issue[] = [];
  const add = (path: PathKey[], code: string, message: string) => issues.push({ path, code, message });

  duplicateIds(doc, add);
  if (!ctx.pack) add(['compliancePack'], 'compliance_pack_unknown', `no version of compliance pack ${JSON.stringify(doc.compliancePack)} is in effect on ${doc.effectiveFrom}`);
  if (doc.costCurrency !== undefined && currencyMinorDigits(doc.costCurrency) === null) add(['costCurrency'], 'unknown_currency', `unknown currency ${JSON.stringify(doc.costCurrency)}`);
  for (const [channel, cost] of Object.entries(doc.channelCosts ?? {})) {
    if (doc.costCurrency && currencyMinorDigits(doc.costCurrency) !== null && !parseAmount(cost!, doc.costCurrency).ok) add(['channelCosts', channel], 'invalid_value', `${cost} is not an exact amount in ${doc.costCurrency}`);
  }

  // Conditions first: the analyses below need every fact and value to be known.
  const conditions: { c: Condition; path: PathKey[] }[] = [];
  doc.segments.forEach((s, i) => s.when && conditions.push({ c: s.when, path: ['segments', i, 'when'] }));
  doc.ladders.forEach((l, li) => l.stages.forEach((st, si) => {
    if (st.entry) conditions.push({ c: st.entry, path: ['ladders', li, 'stages', si, 'entry'] });
    st.treatments.forEach((t, ti) => t.when && conditions.push({ c: t.when, path: ['ladders', li, 'stages', si, 'treatments', ti, 'when'] }));
  }));
  const conditionIssues = conditions.flatMap(({ c, path }) => [...validateCondition(c, path, ctx), ...moneyExactness(c, path, ctx.currencies)]);
  issues.push(...conditionIssues);

  const ladderIds = new Set(doc.ladders.map((l) => l.id));
  doc.segments.forEach((s, i) => { if (!ladderIds.has(s.ladder)) add(['segments', i, 'ladder'], 'unknown_ladder', `no ladder ${JSON.stringify(s.ladder)} (have ${[...ladderIds].join(', ')})`); });
  variants(doc, ladderIds, add);
  doc.ladders.forEach((l, li) => l.stages.forEach((st, si) => st.treatments.forEach((t, ti) => treatment(t, ['ladders', li, 'stages', si, 'treatments', ti], doc, ctx, add))));
  if (ctx.pack) doc.ladders.forEach((l, li) => l.stages.forEach((st, si) => stageCaps(st.treatments, ['ladders', li, 'stages', si], ctx.pack!, add)));

  if (conditionIssues.length === 0) {
    try {
      analyse(doc, ctx, add);
    } catch (e) {
      if (!(e instanceof TooComplex)) throw e;
      add([], 'condition_too_complex', 'a condition has too many alternatives to analyse; split it across segments or stages');
    }
  }
  return issues;
}

type Add = (path: PathKey[], code: string, message: string) => void;

function duplicateIds(doc: StrategyDocument, add: Add): void {
  const once = (items: readonly { id: string }[], path: (i: number) => PathKey[], what: string, seen = new Map<string, string>()) => {
    items.forEach((item, i) => {
      const at = path(i);
      const prior = seen.get(item.id);
      if (prior !== undefined) add([...at, 'id'], 'duplicate_id', `${what} id ${JSON.stringify(item.id)} is used twice (also ${prior})`);
      else seen.set(item.id, formatPath(at));
    });
  };
  once(doc.segments, (i) => ['segments', i], 'segment');
  once(doc.ladders, (i) => ['ladders', i], 'ladder');
  once(doc.variants, (i) => ['variants', i], 'variant');
  // Stage ids are unique across the document: they name the stage in stored states and idempotency keys.
  const stages = new Map<string, string>();
  doc.ladders.forEach((l, li) => {
    once(l.stages, (si) => ['ladders', li, 'stages', si], 'stage', stages);
    l.stages.forEach((st, si) => once(st.treatments, (ti) => ['ladders', li, 'stages', si, 'treatments', ti], 'treatment'));
  });
}

function moneyExactness(c: Condition, path: PathKey[], currencies: readonly string[]): Issue[] {
  if ('all' in c) return c.all.flatMap((x, i) => moneyExactness(x, [...path, 'all', i], currencies));
  if ('any' in c) return c.any.flatMap((x, i) => moneyExactness(x, [...path, 'any', i], currencies));
  if ('not' in c) return moneyExactness(c.not, [...path, 'not'], currencies);
  if (!['balance', 'overdue', 'creditLimit'].includes(c.fact)) return [];
  const values = Array.isArray(c.value) ? c.value : [c.value];
  return values.flatMap((v, i) => {
    if (typeof v !== 'string') return [];
    const trimmed = v.includes('.') ? v.replace(/\.?0+$/, '') : v;
    return currencies.flatMap((cur) => {
      const parsed = parseAmount(trimmed, cur, { allowNegative: true });
      return parsed.ok ? [] : [{ path: Array.isArray(c.value) ? [...path, 'value', i] : [...path, 'value'], code: 'amount_not_exact', message: `${v} is not exact in ${cur}, a currency of the portfolio (${parsed.message})` }];
    });
  });
}

function variants(doc: StrategyDocument, ladderIds: ReadonlySet<string>, add: Add): void {
  const total = doc.variants.reduce((s, v) => s + v.percent, 0);
  if (total !== 100) add(['variants'], 'variant_split_invalid', `variant shares add up to ${total}%, not 100%`);
  const used = new Set(doc.segments.map((s) => s.ladder));
  doc.variants.forEach((v, vi) => {
    for (const [from, to] of Object.entries(v.ladders ?? {})) {
      if (!used.has(from)) add(['variants', vi, 'ladders', from], 'unknown_ladder', `no segment uses a ladder ${JSON.stringify(from)}: nothing to replace`);
      if (!ladderIds.has(to)) add(['variants', vi, 'ladders', from], 'unknown_ladder', `no ladder ${JSON.stringify(to)}`);
    }
  });
}

function treatment(t: TreatmentDocument, path: PathKey[], doc: StrategyDocument, ctx: ValidationContext, add: Add): void {
  if (t.type === 'message') {
    if (!(MESSAGE_CHANNELS as readonly string[]).includes(t.channel)) {
      add([...path, 'channel'], 'unknown_channel', `unknown channel ${JSON.stringify(t.channel)} for a message (known: ${MESSAGE_CHANNELS.join(', ')}; agent calls and visits are "type": "work")`);
    } else {
      for (const language of LANGUAGES) {
        const id = t.templates[language];
        const entry = ctx.templates.find(id);
        const at = [...path, 'templates', language];
        if (!entry) add(at, 'unknown_template', `unknown template ${JSON.stringify(id)} (the catalog has ${ctx.templates.ids().filter((x) => ctx.templates.find(x)!.channel === t.channel).join(', ') || 'none'} for ${t.channel})`);
        else {
          if (entry.channel !== t.channel) add(at, 'template_channel_mismatch', `template ${id} is for ${entry.channel}, not ${t.channel}`);
          if (entry.language !== language) add(at, 'template_language_mismatch', `template ${id} is in ${entry.language}, not ${language}`);
          if (entry.tone !== null && entry.tone !== t.tone) add(at, 'template_tone_mismatch', `template ${id} is ${entry.tone}, the treatment is ${t.tone}`);
        }
      }
    }
  }
  if (t.type === 'work' && t.offer && t.offer.monthsMax > ctx.planTermMonthsMax) {
    add([...path, 'offer', 'monthsMax'], 'offer_term_exceeds_limit', `a plan offer of up to ${t.offer.monthsMax} months is above the ${ctx.planTermMonthsMax}-month limit (CN-09, arrangement settings plan.termMonthsMax)`);
  }
  if (t.type === 'placement') {
    if (t.target === 'legal' && !t.legalStage) add([...path, 'legalStage'], 'legal_stage_missing', 'a legal placement names its legal stage (mediation, payment_order, arbitration, litigation, enforcement)');
    if (t.target === 'agency' && t.legalStage) add([...path, 'legalStage'], 'invalid_value', 'an agency placement has no legal stage');
    if (t.target === 'legal' && t.agencyId) add([...path, 'agencyId'], 'invalid_value', 'a legal placement names no agency');
  }
  const channel = contactChannelOf(t);
  if ((t.type === 'placement' || t.type === 'account_action') && t.sendAt) add([...path, 'sendAt'], 'invalid_value', 'only contacts have a send time');
  if (!channel || !ctx.pack || (t.type === 'message' && !(MESSAGE_CHANNELS as readonly string[]).includes(t.channel))) return;
  // Cross-policy: the planned time must be inside the pack's window on a workday.
  const sendAt = t.sendAt ?? doc.settings.sendAt;
  const minute = parseClockMinute(sendAt);
  const w = ctx.pack.windows[channel];
  if (w && minute !== null) {
    if (!w.workday && !w.restday && !w.holiday) add([...path], 'channel_not_allowed_by_pack', `${ctx.pack.id} allows no ${channel} contact on any day`);
    else if (w.workday && (minute < w.workday.startMinute || minute >= w.workday.endMinute)) {
      add([...path, t.sendAt ? 'sendAt' : 'channel'], 'send_time_outside_pack_window', `${channel} at ${sendAt} is outside ${ctx.pack.id}'s window ${formatMinute(w.workday.startMinute)}–${formatMinute(w.workday.endMinute)}`);
    }
  }
  const purpose = (t.type === 'message' || t.type === 'work') ? (t.purpose ?? 'collection') : 'collection';
  if (purpose !== 'collection') {
    // The cycle gates collection contacts without text (the dispatcher re-checks the rendered text);
    // any other purpose must be stated, and a content rule needing text would then always block it.
    const rule = ctx.pack.requiredText.find((r) => r.channels.includes(channel) && (r.purposes === null || r.purposes.includes(purpose)) && !r.exceptPurposes.includes(purpose));
    if (rule) add([...path, 'purpose'], 'content_check_impossible', `${rule.ruleId} needs the text of a ${channel} message, which the daily cycle does not have: a ${purpose} ${channel} would always be blocked (use an agent call or a letter)`);
  }
}

function stageCaps(treatments: readonly TreatmentDocument[], path: PathKey[], pack: PackFacts, add: Add): void {
  const voice = treatments.filter((t) => VOICE.has(contactChannelOf(t) ?? ''));
  for (const cap of pack.dailyCaps) {
    const counted = voice.filter((t) => cap.channels.includes(contactChannelOf(t)!));
    if (counted.length > cap.max) add([...path, 'treatments'], 'cadence_exceeds_pack_cap', `${counted.length} call treatments can fall on one day, above ${cap.ruleId}'s ${cap.max} per day`);
  }
  for (const cap of pack.rollingCaps) {
    const counted = voice.filter((t) => cap.channels.includes(contactChannelOf(t)!));
    const most = counted.reduce((n, t) => n + Math.min(t.cadence.maxPerStage, Math.ceil(cap.days / t.cadence.everyDays)), 0);
    if (most > cap.max) add([...path, 'treatments'], 'cadence_exceeds_pack_cap', `the call cadences allow ${most} calls in ${cap.days} days, above ${cap.ruleId}'s ${cap.max}`);
  }
}

/** Reachability, overlaps and holds, on conditions already known to be valid. */
function analyse(doc: StrategyDocument, ctx: ValidationContext, add: Add): void {
  const order = doc.segments.map((s, i) => ({ s, i, dnf: toDnf(s.when, ctx) }))
    .sort((a, b) => (a.s.priority ?? Infinity) - (b.s.priority ?? Infinity) || a.i - b.i);
  if (!doc.segments.some((s) => s.when === undefined)) {
    add(['segments'], 'no_default_segment', 'every account must land in a segment: add a last segment without "when" (the default)');
  }
  order.forEach((x, k) => {
    if (x.dnf.length === 0) {
      add(['segments', x.i, 'when'], 'segment_unreachable', `segment ${x.s.id} can never match: its conditions contradict each other`);
      return;
    }
    for (const y of order.slice(0, k)) {
      const samePriority = (x.s.priority ?? null) === (y.s.priority ?? null);
      if (samePriority && overlaps(x.dnf, y.dnf)) {
        add(['segments', x.i, 'priority'], 'segments_overlap_without_priority',
          `segments ${y.s.id} and ${x.s.id} can match the same account but have ${x.s.priority === undefined ? 'no priority' : `the same priority ${x.s.priority}`}: give them different priorities`);
      } else if (!samePriority && covers(y.dnf, x.dnf, ctx)) {
        add(['segments', x.i, 'when'], 'segment_unreachable', `segment ${x.s.id} can never match: segment ${y.s.id} (priority ${y.s.priority ?? 'none'}) is evaluated first and matches every account it would`);
      }
    }
  });

  // Which segments reach each ladder (directly or through a variant).
  const reach = new Map<string, { id: string; dnf: Clause[]; index: number }[]>();
  for (const x of order) {
    const targets = new Set([x.s.ladder, ...doc.variants.flatMap((v) => (v.ladders?.[x.s.ladder] ? [v.ladders[x.s.ladder]!] : []))]);
    for (const t of targets) reach.set(t, [...(reach.get(t) ?? []), { id: x.s.id, dnf: x.dnf, index: x.i }]);
  }
  doc.ladders.forEach((l, li) => {
    const segments = reach.get(l.id) ?? [];
    if (segments.length === 0) {
      add(['ladders', li], 'ladder_unreachable', `no segment or variant leads to ladder ${l.id}`);
      return;
    }
    l.stages.forEach((st, si) => {
      const entry = toDnf(st.entry, ctx);
      const path: PathKey[] = ['ladders', li, 'stages', si];
      if (entry.length === 0) add([...path, 'entry'], 'stage_unreachable', `stage ${st.id} can never be entered: its entry conditions contradict each other`);
      else if (segments.every((s) => conjoin(entry, s.dnf).length === 0)) {
        add([...path, 'entry'], 'stage_unreachable', `stage ${st.id} can never be entered: its entry conditions never hold for accounts of segment ${segments.map((s) => s.id).join(', ')}`);
      }
      const next = l.stages[si + 1];
      if (next && covers(toDnf(next.entry, ctx), [new Map()], ctx)) {
        add([...path], 'stage_skipped', `stage ${st.id} is left the day it is entered: the next stage ${next.id} has no entry condition that can fail`);
      }
      // Holds: a segment only for flagged accounts can never contact them for a purpose the hold forbids.
      st.treatments.forEach((t, ti) => {
        const channel = contactChannelOf(t);
        if (!channel || !ctx.pack) return;
        const purpose = (t.type === 'message' || t.type === 'work') ? (t.purpose ?? 'collection') : 'collection';
        for (const [fact, flagKind] of FLAG_FACTS) {
          const hold = ctx.pack.holds[flagKind];
          if (!hold || hold.exceptPurposes.includes(purpose)) continue;
          const flagged = segments.filter((s) => impliesTrue(s.dnf, fact) || impliesTrue(conjoin(entry, s.dnf), fact));
          if (flagged.length === segments.length) {
            add([...path, 'treatments', ti, 'purpose'], 'treatment_always_blocked', `every account of segment ${flagged.map((s) => s.id).join(', ')} is flagged ${flagKind}, and ${hold.ruleId} holds ${purpose} contact: use purpose ${hold.exceptPurposes.join(' or ') || '(none allowed)'}`);
          }
        }
      });
    });
  });
}

/** "$.ladders[0].stages[2].entry" */
export function formatPath(path: readonly PathKey[]): string {
  return '$' + path.map((k) => (typeof k === 'number' ? `[${k}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`)).join('');
}

export { factsOf, isLeaf };
