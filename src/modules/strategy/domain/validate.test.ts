/**
 * Semantic and cross-policy validation: one case per error, each on a small valid document changed in
 * one place, checking the code and the path the error names (and that the valid base has none).
 */
import { describe, expect, it } from 'vitest';
import type { Condition } from './conditions.ts';
import type { StrategyDocument } from './document.ts';
import { DEFAULT_TEMPLATE_CATALOG } from './template-catalog.ts';
import { formatPath, validateStrategy, type PackFacts, type ValidationContext } from './validate.ts';

const W = (start: string, end: string) => {
  const m = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
  return { startMinute: m(start), endMinute: m(end) };
};
const day = (w: ReturnType<typeof W>) => ({ workday: w, restday: w, holiday: w });

/** The CN pack as validation sees it (the figures of policies/compliance/cn.json). */
export const CN_FACTS: PackFacts = {
  id: 'cn', version: 1,
  windows: Object.fromEntries(['sms', 'voice_agent', 'voice_robot', 'app_push', 'email', 'field_visit'].map((c) => [c, day(W('08:00', '22:00'))])),
  dailyCaps: [{ ruleId: 'CN-02', max: 6, channels: ['voice_agent', 'voice_robot'] }, { ruleId: 'CN-03', max: 3, channels: ['voice_agent', 'voice_robot'] }],
  rollingCaps: [],
  holds: { hardship: { ruleId: 'CN-09', exceptPurposes: ['forbearance', 'service'] }, disputed: { ruleId: 'CN-08', exceptPurposes: ['dispute_response', 'service'] } },
  requiredText: [{ ruleId: 'CN-12', channels: ['sms', 'email'], purposes: null, exceptPurposes: ['cease_confirmation'] }],
};

const ctx: ValidationContext = {
  buckets: ['M0', 'M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7+'], templates: DEFAULT_TEMPLATE_CATALOG, pack: CN_FACTS, currencies: ['CNY', 'JPY'], planTermMonthsMax: 60,
};

const sms = (id = 'sms', tone: 'gentle' | 'firm' = 'gentle') => ({
  id, type: 'message' as const, channel: 'sms', tone, templates: { 'zh-CN': `cn-sms-reminder-${tone}`, en: `en-sms-reminder-${tone}` }, cadence: { everyDays: 7, maxPerStage: 1 },
});
const call = (id = 'call', every = 2) => ({ id, type: 'work' as const, kind: 'agent_call' as const, priority: 50, cadence: { everyDays: every, maxPerStage: 5 } });
const robot = (id = 'robot') => ({
  id, type: 'message' as const, channel: 'voice_robot', tone: 'firm' as const, templates: { 'zh-CN': 'cn-voice-reminder-firm', en: 'en-voice-reminder-firm' }, cadence: { everyDays: 1, maxPerStage: 3 },
});

function base(): StrategyDocument {
  return {
    id: 'test', version: 1, effectiveFrom: '2026-01-01', compliancePack: 'cn', settings: { sendAt: '10:00', deferDaysMax: 3 },
    segments: [
      { id: 'big', priority: 10, when: { fact: 'balance', op: 'gte', value: '50000.00' }, ladder: 'firm' },
      { id: 'rest', priority: 20, ladder: 'main' },
    ],
    ladders: [
      { id: 'main', stages: [
        { id: 'remind', entry: { fact: 'daysPastDue', op: 'gte', value: 1 }, treatments: [sms()] },
        { id: 'calls', entry: { all: [{ fact: 'stageDays', op: 'gte', value: 7 }, { fact: 'paidInStage', op: 'eq', value: false }] }, treatments: [call()] },
      ] },
      { id: 'firm', stages: [{ id: 'firm-remind', treatments: [sms('sms', 'firm')] }] },
    ],
    variants: [{ id: 'champion', percent: 100 }],
  };
}

function issuesOf(change: (d: StrategyDocument) => void, context: ValidationContext = ctx) {
  const doc = base();
  change(doc);
  return validateStrategy(doc, context).map((i) => ({ path: formatPath(i.path), code: i.code, message: i.message }));
}

const lt = (fact: string, value: unknown): Condition => ({ fact, op: 'lt', value } as Condition);

describe('validateStrategy', () => {
  it('accepts the base document', () => {
    expect(issuesOf(() => {})).toEqual([]);
  });

  it.each<[string, (d: StrategyDocument) => void, string, string]>([
    ['an unknown fact', (d) => void (d.segments[0]!.when = { fact: 'balanse', op: 'gte', value: '1.00' }), '$.segments[0].when.fact', 'unknown_fact'],
    ['an operator the fact type does not allow', (d) => void (d.segments[0]!.when = { fact: 'bucket', op: 'gt', value: 'M2' }), '$.segments[0].when.op', 'operator_not_allowed'],
    ['a bucket the aging scheme does not have', (d) => void (d.segments[0]!.when = { fact: 'bucket', op: 'eq', value: 'M9' }), '$.segments[0].when.value', 'invalid_value'],
    ['an amount that is a number, not a decimal string', (d) => void (d.segments[0]!.when = { fact: 'balance', op: 'gte', value: 50000 }), '$.segments[0].when.value', 'invalid_value'],
    ['an amount not exact in a portfolio currency', (d) => void (d.segments[0]!.when = { fact: 'balance', op: 'gte', value: '50000.50' }), '$.segments[0].when.value', 'amount_not_exact'],
    ['a fractional day count', (d) => void (d.ladders[0]!.stages[0]!.entry = { fact: 'daysPastDue', op: 'gte', value: 1.5 }), '$.ladders[0].stages[0].entry.value', 'invalid_value'],
    ['an ordered comparison with null', (d) => void (d.segments[0]!.when = lt('riskScore', null)), '$.segments[0].when.value', 'invalid_value'],
    ['a duplicate segment id', (d) => void (d.segments[1]!.id = 'big'), '$.segments[1].id', 'duplicate_id'],
    ['a stage id used in two ladders', (d) => void (d.ladders[1]!.stages[0]!.id = 'remind'), '$.ladders[1].stages[0].id', 'duplicate_id'],
    ['a duplicate treatment id in a stage', (d) => void d.ladders[0]!.stages[0]!.treatments.push(sms('sms', 'firm')), '$.ladders[0].stages[0].treatments[1].id', 'duplicate_id'],
    ['a segment naming an unknown ladder', (d) => void (d.segments[0]!.ladder = 'nope'), '$.segments[0].ladder', 'unknown_ladder'],
    ['a ladder no segment or variant leads to', (d) => void d.ladders.push({ id: 'orphan', stages: [{ id: 'o1', treatments: [] }] }), '$.ladders[2]', 'ladder_unreachable'],
    ['no default segment', (d) => void (d.segments[1]!.when = { fact: 'daysPastDue', op: 'gte', value: 0 }), '$.segments', 'no_default_segment'],
    ['a segment whose conditions contradict each other', (d) => void (d.segments[0]!.when = { all: [{ fact: 'daysPastDue', op: 'gte', value: 30 }, { fact: 'daysPastDue', op: 'lt', value: 30 }] }), '$.segments[0].when', 'segment_unreachable'],
    ['a segment covered by one evaluated before it', (d) => void d.segments.splice(1, 0, { id: 'bigger', priority: 15, when: { fact: 'balance', op: 'gte', value: '60000.00' }, ladder: 'firm' }), '$.segments[1].when', 'segment_unreachable'],
    ['segments that overlap without a priority', (d) => void d.segments.splice(0, 1, { id: 'm2', when: { fact: 'bucket', op: 'eq', value: 'M2' }, ladder: 'firm' }, { id: 'late', when: { fact: 'daysPastDue', op: 'gte', value: 40 }, ladder: 'firm' }), '$.segments[1].priority', 'segments_overlap_without_priority'],
    ['segments that overlap with the same priority', (d) => void (d.segments.splice(1, 0, { id: 'late', priority: 10, when: { fact: 'daysPastDue', op: 'gte', value: 40 }, ladder: 'firm' })), '$.segments[1].priority', 'segments_overlap_without_priority'],
    ['a stage whose entry can never hold', (d) => void (d.ladders[0]!.stages[1]!.entry = { all: [{ fact: 'stageDays', op: 'gt', value: 5 }, { fact: 'stageDays', op: 'lt', value: 6 }] }), '$.ladders[0].stages[1].entry', 'stage_unreachable'],
    ['a stage whose entry never holds for the segments reaching its ladder', (d) => void (d.ladders[1]!.stages[0]!.entry = { fact: 'balance', op: 'lt', value: '1000.00' }), '$.ladders[1].stages[0].entry', 'stage_unreachable'],
    ['a stage left the day it is entered', (d) => void delete d.ladders[0]!.stages[1]!.entry, '$.ladders[0].stages[0]', 'stage_skipped'],
    ['an unknown channel', (d) => void ((d.ladders[0]!.stages[0]!.treatments[0] as { channel: string }).channel = 'wechat'), '$.ladders[0].stages[0].treatments[0].channel', 'unknown_channel'],
    ['an unknown template', (d) => void ((d.ladders[0]!.stages[0]!.treatments[0] as ReturnType<typeof sms>).templates.en = 'en-sms-nope'), '$.ladders[0].stages[0].treatments[0].templates.en', 'unknown_template'],
    ['a template of another channel', (d) => void ((d.ladders[0]!.stages[0]!.treatments[0] as ReturnType<typeof sms>).templates['zh-CN'] = 'cn-collection-letter'), '$.ladders[0].stages[0].treatments[0].templates["zh-CN"]', 'template_channel_mismatch'],
    ['a template in another language', (d) => void ((d.ladders[0]!.stages[0]!.treatments[0] as ReturnType<typeof sms>).templates.en = 'cn-sms-reminder-gentle'), '$.ladders[0].stages[0].treatments[0].templates.en', 'template_language_mismatch'],
    ['a template in another tone', (d) => void ((d.ladders[0]!.stages[0]!.treatments[0] as ReturnType<typeof sms>).tone = 'firm'), '$.ladders[0].stages[0].treatments[0].templates["zh-CN"]', 'template_tone_mismatch'],
    ['variant shares that do not add up to 100', (d) => void d.variants.push({ id: 'challenger', percent: 10 }), '$.variants', 'variant_split_invalid'],
    ['a variant replacing a ladder no segment uses', (d) => void (d.variants = [{ id: 'a', percent: 50 }, { id: 'b', percent: 50, ladders: { nope: 'main' } }]), '$.variants[1].ladders.nope', 'unknown_ladder'],
    ['a legal placement without a legal stage', (d) => void d.ladders[0]!.stages[1]!.treatments.push({ id: 'legal', type: 'placement', target: 'legal', cadence: { everyDays: 30, maxPerStage: 1 } }), '$.ladders[0].stages[1].treatments[1].legalStage', 'legal_stage_missing'],
    ['a compliance pack not in effect', (d) => void (d.compliancePack = 'xx'), '$.compliancePack', 'compliance_pack_unknown'],
  ])('reports %s', (_what, change, path, code) => {
    const context = code === 'compliance_pack_unknown' ? { ...ctx, pack: null } : ctx;
    const issues = issuesOf(change, context);
    expect(issues, JSON.stringify(issues)).toEqual(expect.arrayContaining([expect.objectContaining({ path, code })]));
  });

  describe('cross-policy: a strategy can never weaken compliance', () => {
    it('cadences above the pack’s daily call caps', () => {
      const issues = issuesOf((d) => void (d.ladders[0]!.stages[1]!.treatments = [call('c1', 1), call('c2', 1), robot('r1'), robot('r2')]));
      expect(issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: '$.ladders[0].stages[1].treatments', code: 'cadence_exceeds_pack_cap', message: expect.stringContaining('CN-03') })]));
      expect(issuesOf((d) => void (d.ladders[0]!.stages[1]!.treatments = [call('c1', 1), robot('r1')]))).toEqual([]);
    });

    it('cadences above a rolling cap (US Reg F 7 in 7)', () => {
      const us = { ...ctx, pack: { ...CN_FACTS, id: 'us-regf', dailyCaps: [], rollingCaps: [{ ruleId: 'US-02', max: 7, days: 7, channels: ['voice_agent', 'voice_robot'] }] } };
      const issues = issuesOf((d) => void (d.ladders[0]!.stages[1]!.treatments = [call('c1', 1), robot('r1')]), us);
      expect(issues).toEqual([expect.objectContaining({ code: 'cadence_exceeds_pack_cap', message: expect.stringContaining('8 calls in 7 days') })]);
    });

    it('a send time outside the pack’s window', () => {
      expect(issuesOf((d) => void (d.ladders[0]!.stages[0]!.treatments[0]!.sendAt = '07:30'))).toEqual([
        expect.objectContaining({ path: '$.ladders[0].stages[0].treatments[0].sendAt', code: 'send_time_outside_pack_window' }),
      ]);
      expect(issuesOf((d) => void (d.settings.sendAt = '22:00'))).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'send_time_outside_pack_window', path: '$.ladders[0].stages[0].treatments[0].channel' })]));
    });

    it('a channel the pack allows on no day', () => {
      const none = { ...ctx, pack: { ...CN_FACTS, windows: { ...CN_FACTS.windows, sms: { workday: null, restday: null, holiday: null } } } };
      expect(issuesOf(() => {}, none)).toEqual([
        expect.objectContaining({ path: '$.ladders[0].stages[0].treatments[0]', code: 'channel_not_allowed_by_pack' }),
        expect.objectContaining({ path: '$.ladders[1].stages[0].treatments[0]', code: 'channel_not_allowed_by_pack', message: 'cn allows no sms contact on any day' }),
      ]);
    });

    it('a treatment a hold would always block, for a segment only of flagged accounts', () => {
      const issues = issuesOf((d) => void (d.segments[0]!.when = { fact: 'hardship', op: 'eq', value: true }));
      expect(issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: '$.ladders[1].stages[0].treatments[0].purpose', code: 'treatment_always_blocked', message: expect.stringContaining('CN-09') })]));
      // Forbearance is what the hardship hold still allows (by an agent call: an SMS needs its text).
      expect(issuesOf((d) => {
        d.segments[0]!.when = { fact: 'hardship', op: 'eq', value: true };
        d.ladders[1]!.stages[0]!.treatments = [{ ...call('offer', 7), purpose: 'forbearance', offer: { type: 'installments', monthsMax: 24, interestReductionPercent: 50 } }];
      })).toEqual([]);
    });

    it('a purpose the gate cannot check without the text', () => {
      expect(issuesOf((d) => void ((d.ladders[0]!.stages[0]!.treatments[0] as ReturnType<typeof sms> & { purpose?: string }).purpose = 'forbearance'))).toEqual([
        expect.objectContaining({ path: '$.ladders[0].stages[0].treatments[0].purpose', code: 'content_check_impossible', message: expect.stringContaining('CN-12') }),
      ]);
    });

    it('a plan offer longer than the arrangement settings allow (CN-09: 60 months)', () => {
      expect(issuesOf((d) => void (d.ladders[0]!.stages[1]!.treatments = [{ ...call(), offer: { type: 'installments', monthsMax: 72 } }]))).toEqual([
        expect.objectContaining({ path: '$.ladders[0].stages[1].treatments[0].offer.monthsMax', code: 'offer_term_exceeds_limit' }),
      ]);
    });
  });

  it('names a condition too complex to analyse instead of hanging', () => {
    const facts = ['daysPastDue', 'lateCountCumulative', 'lateCountConsecutive', 'stageDays', 'stageTreatments', 'daysInCollections', 'pastCures', 'brokenPromises', 'keptPromises', 'brokenPlans'];
    // 3^10 alternatives, every one of them possible.
    const wide = { all: facts.map((fact) => ({ any: [1, 2, 3].map((value) => ({ fact, op: 'eq', value })) })) } as Condition;
    expect(issuesOf((d) => void (d.segments[0]!.when = wide))).toEqual([expect.objectContaining({ code: 'condition_too_complex' })]);
  });
});
