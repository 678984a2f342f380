/**
 * Pack documents → compiled packs. Three layers, failing closed: shape (zod), meaning (rule ids,
 * lexicon categories), and bank overrides, which may only narrow a pack: a change that widens a
 * limit is refused with an error naming the field. Pure: the loader does the file reading.
 */
import { err, ok, type Result } from '../../kernel/result.ts';
import { parsePlainDate } from '../../kernel/dates.ts';
import type { HolidayCalendar, DayKind } from './domain/calendar.ts';
import { DAY_KINDS } from './domain/calendar.ts';
import { compileLexicon, type CompiledLexicon } from './domain/content-lint.ts';
import { parseClock } from './domain/local-time.ts';
import type { DayWindows, Pack } from './domain/pack.ts';
import type { LocalWindow } from './domain/snapshot.ts';
import type { Channel, FlagKind, Outcome, Party, Purpose } from './domain/vocabulary.ts';
import {
  issuePaths, lexiconDocumentSchema, overrideDocumentSchema, packDocumentSchema,
  type LexiconDocument, type OverrideDocument, type PackDocument,
} from './compliance.schema.ts';

export interface PolicyIssue { path: string; message: string }
export type PolicyError = 'invalid_policy' | 'override_widens_pack';

function issues<T>(parsed: { success: true; data: T } | { success: false; error: import('zod').ZodError }): Result<T, 'invalid_policy'> {
  if (parsed.success) return ok(parsed.data);
  const list = issuePaths(parsed.error).map((i) => ({ path: i.field, message: i.message }));
  return err('invalid_policy', list.map((i) => `${i.path}: ${i.message}`).join('; '), list);
}

export function validatePackDocument(doc: unknown, lexicon?: LexiconDocument): Result<PackDocument, 'invalid_policy'> {
  const parsed = issues(packDocumentSchema.safeParse(doc));
  if (!parsed.ok) return parsed;
  const problems: PolicyIssue[] = [];
  const d = parsed.value;
  if (d.effectiveTo !== null && d.effectiveTo <= d.effectiveFrom) problems.push({ path: '$.effectiveTo', message: 'must be after effectiveFrom' });
  if (lexicon) {
    const known = new Set(Object.keys(lexicon.categories));
    if (d.content.lexicon !== lexicon.id) problems.push({ path: '$.content.lexicon', message: `unknown lexicon ${JSON.stringify(d.content.lexicon)} (have ${lexicon.id})` });
    d.content.prohibited.categories.forEach((c, i) => known.has(c) || problems.push({ path: `$.content.prohibited.categories[${i}]`, message: `unknown lexicon category ${JSON.stringify(c)}` }));
    d.content.restricted.forEach((r, j) => r.categories.forEach((c, i) => known.has(c) || problems.push({ path: `$.content.restricted[${j}].categories[${i}]`, message: `unknown lexicon category ${JSON.stringify(c)}` })));
  }
  if (problems.length) return err('invalid_policy', problems.map((i) => `${i.path}: ${i.message}`).join('; '), problems);
  return ok(d);
}

export function validateLexiconDocument(doc: unknown): Result<LexiconDocument, 'invalid_policy'> {
  const parsed = issues(lexiconDocumentSchema.safeParse(doc));
  if (!parsed.ok) return parsed;
  const problems: PolicyIssue[] = [];
  for (const [id, c] of Object.entries(parsed.value.categories)) {
    for (const lang of ['zh', 'en'] as const) {
      c[lang].forEach((p, i) => {
        try {
          new RegExp(p, 'iu');
        } catch (e) {
          problems.push({ path: `$.categories.${id}.${lang}[${i}]`, message: `not a regular expression: ${(e as Error).message}` });
        }
      });
    }
  }
  if (problems.length) return err('invalid_policy', problems.map((i) => `${i.path}: ${i.message}`).join('; '), problems);
  return ok(parsed.value);
}

export function validateOverrideDocument(doc: unknown): Result<OverrideDocument, 'invalid_policy'> {
  return issues(overrideDocumentSchema.safeParse(doc));
}

// ── narrowing ────────────────────────────────────────────────────────────────────────────────────

type WindowText = 'none' | { start: string; end: string };
type ChannelWindowsDoc = 'unrestricted' | Partial<Record<'default' | DayKind, WindowText>>;

function resolveDays(w: ChannelWindowsDoc): Record<DayKind, WindowText> | 'unrestricted' {
  if (w === 'unrestricted') return w;
  const out = {} as Record<DayKind, WindowText>;
  for (const k of DAY_KINDS) out[k] = w[k] ?? w.default ?? 'none';
  return out;
}

const minutes = (w: WindowText): LocalWindow | null => (w === 'none' ? null : { startMinute: parseClock(w.start)!, endMinute: parseClock(w.end)! });

class Narrowing {
  readonly problems: PolicyIssue[] = [];
  constructor(readonly packName: string) {}
  widen(path: string, message: string) {
    this.problems.push({ path: `$.changes.${path}`, message: `${message}: an override may only narrow ${this.packName}` });
  }
  atMost(path: string, value: number, limit: number) { if (value > limit) this.widen(path, `${value} is more than ${limit}`); }
  atLeast(path: string, value: number, limit: number) { if (value < limit) this.widen(path, `${value} is less than ${limit}`); }
  mustStay(path: string, value: boolean, packValue: boolean, stricter: boolean) {
    if (value !== packValue && value !== stricter) this.widen(path, `${value} relaxes ${packValue}`);
  }
  superset<T>(path: string, values: readonly T[], packValues: readonly T[]) {
    const missing = packValues.filter((v) => !values.includes(v));
    if (missing.length) this.widen(path, `drops ${missing.join(', ')}`);
  }
  subset<T>(path: string, values: readonly T[], packValues: readonly T[]) {
    const extra = values.filter((v) => !packValues.includes(v));
    if (extra.length) this.widen(path, `adds ${extra.join(', ')}`);
  }
}

/** The pack with the override's changes, or every change that would widen it. */
export function applyOverride(pack: PackDocument, o: OverrideDocument): Result<PackDocument, PolicyError> {
  if (o.pack !== pack.id) return err('invalid_policy', `$.pack: override ${o.id} is for pack ${o.pack}, not ${pack.id}`);
  const n = new Narrowing(`${pack.id} v${pack.version}`);
  const out = structuredClone(pack) as PackDocument;
  const c = o.changes;
  if (c.defaultTimeZones) out.defaultTimeZones = [...new Set([...pack.defaultTimeZones, ...c.defaultTimeZones])];
  if (c.timeWindows) narrowWindows(n, pack, out, c.timeWindows);
  for (const key of ['unansweredCap', 'connectedCap', 'rollingCallCap'] as const) {
    const change = c[key];
    if (!change) continue;
    const base = pack[key];
    if (!base) {
      const whole = { ...change } as NonNullable<PackDocument[typeof key]>;
      if (!whole.ruleId || whole.max === undefined || !whole.channels || !whole.outcomes) n.problems.push({ path: `$.changes.${key}`, message: `${pack.id} has no ${key}: an added one needs ruleId, max, channels, outcomes${key === 'rollingCallCap' ? ', days, consentExempt' : ''}` });
      (out as Record<string, unknown>)[key] = whole;
      continue;
    }
    if (change.max !== undefined) n.atMost(`${key}.max`, change.max, base.max);
    if (change.channels) n.superset(`${key}.channels`, change.channels, base.channels);
    if (change.outcomes) n.superset(`${key}.outcomes`, change.outcomes, base.outcomes);
    if ('days' in change && change.days !== undefined && 'days' in base) n.atLeast(`${key}.days`, change.days, base.days);
    if ('consentExempt' in change && change.consentExempt !== undefined && 'consentExempt' in base) n.mustStay(`${key}.consentExempt`, change.consentExempt, base.consentExempt, false);
    (out as Record<string, unknown>)[key] = { ...base, ...change };
  }
  if (c.conversationCooldown) {
    const base = pack.conversationCooldown;
    const change = c.conversationCooldown;
    if (base) {
      if (change.days !== undefined) n.atLeast('conversationCooldown.days', change.days, base.days);
      if (change.channels) n.superset('conversationCooldown.channels', change.channels, base.channels);
      if (change.outcomes) n.superset('conversationCooldown.outcomes', change.outcomes, base.outcomes);
      if (change.consentExempt !== undefined) n.mustStay('conversationCooldown.consentExempt', change.consentExempt, base.consentExempt, false);
    } else if (!change.ruleId || !change.days || !change.channels || !change.outcomes || change.consentExempt === undefined) {
      n.problems.push({ path: '$.changes.conversationCooldown', message: `${pack.id} has none: an added one needs ruleId, days, channels, outcomes, consentExempt` });
    }
    out.conversationCooldown = { ...(base ?? {}), ...change } as PackDocument['conversationCooldown'];
  }
  if (c.thirdParty) narrowThirdParty(n, pack, out, c.thirdParty);
  if (c.contactData) narrowContactData(n, pack, out, c.contactData);
  if (c.holds) narrowHolds(n, pack, out, c.holds);
  if (c.artificialVoiceConsent) {
    const base = pack.artificialVoiceConsent;
    if (base) n.superset('artificialVoiceConsent.channels', c.artificialVoiceConsent.channels, base.channels);
    else if (!c.artificialVoiceConsent.ruleId) n.problems.push({ path: '$.changes.artificialVoiceConsent.ruleId', message: 'required when the pack has no artificialVoiceConsent rule' });
    out.artificialVoiceConsent = { ruleId: c.artificialVoiceConsent.ruleId ?? base!.ruleId, channels: c.artificialVoiceConsent.channels };
  }
  if (c.content) {
    // Content changes only add: more prohibited categories, more restrictions, more required content.
    if (c.content.prohibitedCategories) out.content.prohibited.categories = [...new Set([...pack.content.prohibited.categories, ...c.content.prohibitedCategories])];
    out.content.restricted = [...pack.content.restricted, ...(c.content.restricted ?? [])];
    out.content.required = [...pack.content.required, ...(c.content.required ?? [])];
  }
  if (c.repaymentPlans) {
    const base = pack.repaymentPlans;
    const change = c.repaymentPlans;
    if (base) {
      if (change.termMonthsMax !== undefined) n.atMost('repaymentPlans.termMonthsMax', change.termMonthsMax, base.termMonthsMax);
      for (const key of ['businessDayDueDates', 'evidenceRequired', 'affordabilityRequired'] as const) {
        if (change[key] !== undefined) n.mustStay(`repaymentPlans.${key}`, change[key], base[key], true);
      }
    } else if (!change.ruleId || change.termMonthsMax === undefined || change.businessDayDueDates === undefined || change.evidenceRequired === undefined || change.affordabilityRequired === undefined) {
      n.problems.push({ path: '$.changes.repaymentPlans', message: `${pack.id} has none: an added one needs ruleId, termMonthsMax, businessDayDueDates, evidenceRequired, affordabilityRequired` });
    }
    out.repaymentPlans = { ...(base ?? {}), ...change } as PackDocument['repaymentPlans'];
  }
  if (n.problems.length) return err('override_widens_pack', `override ${o.id} v${o.version}: ` + n.problems.map((p) => `${p.path}: ${p.message}`).join('; '), n.problems);
  return ok(out);
}

function narrowWindows(n: Narrowing, pack: PackDocument, out: PackDocument, change: NonNullable<OverrideDocument['changes']['timeWindows']>): void {
  if (change.consentMayWiden !== undefined) n.mustStay('timeWindows.consentMayWiden', change.consentMayWiden, pack.timeWindows.consentMayWiden, false);
  out.timeWindows.consentMayWiden = change.consentMayWiden ?? pack.timeWindows.consentMayWiden;
  for (const [ch, w] of Object.entries(change.channels ?? {}) as [Channel, ChannelWindowsDoc][]) {
    const base = resolveDays((pack.timeWindows.channels[ch] ?? 'unrestricted') as ChannelWindowsDoc);
    if (w === 'unrestricted') {
      if (base !== 'unrestricted') n.widen(`timeWindows.channels.${ch}`, '"unrestricted" lifts the pack\'s hours');
      continue;
    }
    const merged = {} as Record<DayKind, WindowText>;
    for (const k of DAY_KINDS) {
      const value = w[k] ?? w.default ?? (base === 'unrestricted' ? { start: '00:00', end: '24:00' } : base[k]);
      merged[k] = value;
      if (base === 'unrestricted') continue;
      const path = `timeWindows.channels.${ch}.${w[k] ? k : 'default'}`;
      const b = minutes(base[k]);
      const v = minutes(value);
      if (v === null) continue;
      if (b === null) n.widen(path, `allows ${k}s, which ${pack.id} closes`);
      else {
        if (v.startMinute < b.startMinute) n.widen(`${path}.start`, `${(value as { start: string }).start} is earlier than ${(base[k] as { start: string }).start} on ${k}s`);
        if (v.endMinute > b.endMinute) n.widen(`${path}.end`, `${(value as { end: string }).end} is later than ${(base[k] as { end: string }).end} on ${k}s`);
      }
    }
    out.timeWindows.channels[ch] = merged;
  }
}

function narrowThirdParty(n: Narrowing, pack: PackDocument, out: PackDocument, c: NonNullable<OverrideDocument['changes']['thirdParty']>): void {
  const base = pack.thirdParty;
  if (c.requireUnreachable !== undefined) n.mustStay('thirdParty.requireUnreachable', c.requireUnreachable, base.requireUnreachable, true);
  if (c.locateOnly !== undefined) n.mustStay('thirdParty.locateOnly', c.locateOnly, base.locateOnly, true);
  const u = c.unreachable ?? {};
  if (u.acceptFlag !== undefined) n.mustStay('thirdParty.unreachable.acceptFlag', u.acceptFlag, base.unreachable.acceptFlag, false);
  if (u.noRightPartyContactDays !== undefined) n.atLeast('thirdParty.unreachable.noRightPartyContactDays', u.noRightPartyContactDays, base.unreachable.noRightPartyContactDays);
  if (u.failedAttemptsMin !== undefined) n.atLeast('thirdParty.unreachable.failedAttemptsMin', u.failedAttemptsMin, base.unreachable.failedAttemptsMin);
  if (u.failedOutcomes) n.subset('thirdParty.unreachable.failedOutcomes', u.failedOutcomes, base.unreachable.failedOutcomes);
  let per = base.perThirdParty;
  if (c.perThirdParty) {
    if (per) {
      if (c.perThirdParty.max !== undefined) n.atMost('thirdParty.perThirdParty.max', c.perThirdParty.max, per.max);
      if (c.perThirdParty.lookbackDays !== undefined) n.atLeast('thirdParty.perThirdParty.lookbackDays', c.perThirdParty.lookbackDays, per.lookbackDays);
      if (c.perThirdParty.outcomes) n.superset('thirdParty.perThirdParty.outcomes', c.perThirdParty.outcomes, per.outcomes);
    } else if (!c.perThirdParty.ruleId || c.perThirdParty.max === undefined || !c.perThirdParty.lookbackDays || !c.perThirdParty.outcomes) {
      n.problems.push({ path: '$.changes.thirdParty.perThirdParty', message: 'an added limit needs ruleId, max, lookbackDays, outcomes' });
    }
    per = { ...(per ?? {}), ...c.perThirdParty } as typeof per;
  }
  out.thirdParty = { ...base, ...c, unreachable: { ...base.unreachable, ...u }, perThirdParty: per } as PackDocument['thirdParty'];
}

function narrowContactData(n: Narrowing, pack: PackDocument, out: PackDocument, c: NonNullable<OverrideDocument['changes']['contactData']>): void {
  const base = pack.contactData;
  if (c.requireVerified !== undefined) n.mustStay('contactData.requireVerified', c.requireVerified, base.requireVerified, true);
  if (c.allowedSources !== undefined) {
    if (c.allowedSources === null) { if (base.allowedSources !== null) n.widen('contactData.allowedSources', 'null allows every source'); }
    else if (base.allowedSources !== null) n.subset('contactData.allowedSources', c.allowedSources, base.allowedSources);
  }
  if (c.deniedSources) n.superset('contactData.deniedSources', c.deniedSources, base.deniedSources);
  out.contactData = { ...base, ...c } as PackDocument['contactData'];
}

function narrowHolds(n: Narrowing, pack: PackDocument, out: PackDocument, c: NonNullable<OverrideDocument['changes']['holds']>): void {
  for (const [kind, change] of Object.entries(c)) {
    if (!change) continue;
    const base = pack.holds[kind];
    const path = `holds.${kind}`;
    if (!base) {
      if (!change.ruleId) n.problems.push({ path: `$.changes.${path}.ruleId`, message: `${pack.id} has no ${kind} hold: an added one needs a ruleId` });
      out.holds[kind] = { exceptPurposes: [], days: null, extensionDays: null, reopenAfterDays: null, ...change } as PackDocument['holds'][string];
      continue;
    }
    if (change.exceptPurposes) n.subset(`${path}.exceptPurposes`, change.exceptPurposes, base.exceptPurposes);
    for (const f of ['days', 'extensionDays', 'reopenAfterDays'] as const) {
      const v = change[f];
      if (v === undefined) continue;
      const b = base[f];
      if (b === null && v !== null) n.widen(`${path}.${f}`, `${v} ends a hold that ${pack.id} keeps until cleared`);
      else if (b !== null && v !== null) n.atLeast(`${path}.${f}`, v, b);
    }
    out.holds[kind] = { ...base, ...change } as PackDocument['holds'][string];
  }
}

// ── compile ──────────────────────────────────────────────────────────────────────────────────────

const set = <T>(xs: readonly T[]) => new Set(xs) as ReadonlySet<T>;
const setOrNull = <T>(xs: readonly T[] | null) => (xs === null ? null : set(xs));

/** Frozen, ready-to-evaluate data; the hot loop never reads a document. */
export function compilePack(doc: PackDocument, calendar: HolidayCalendar, lexicon: CompiledLexicon, overrides: readonly { id: string; version: number }[] = []): Pack {
  const channels: Partial<Record<Channel, DayWindows>> = {};
  for (const [ch, w] of Object.entries(doc.timeWindows.channels) as [Channel, ChannelWindowsDoc][]) {
    const r = resolveDays(w);
    if (r === 'unrestricted') continue;
    channels[ch] = Object.freeze({ workday: minutes(r.workday), restday: minutes(r.restday), holiday: minutes(r.holiday) });
  }
  const cap = (c: PackDocument['unansweredCap']) => (c ? { ruleId: c.ruleId, max: c.max, channels: set(c.channels), outcomes: set(c.outcomes) } : null);
  const tp = doc.thirdParty;
  const holds: Partial<Record<FlagKind, Pack['holds'][FlagKind]>> = {};
  for (const [kind, h] of Object.entries(doc.holds)) {
    if (!h) continue;
    holds[kind as FlagKind] = { ruleId: h.ruleId, exceptPurposes: set(h.exceptPurposes as Purpose[]), days: h.days, extensionDays: h.extensionDays, reopenAfterDays: h.reopenAfterDays };
  }
  const lookback = Math.max(
    2, (doc.rollingCallCap?.days ?? 0) + 1, (doc.conversationCooldown?.days ?? 0) + 1, tp.unreachable.noRightPartyContactDays + 1, (tp.perThirdParty?.lookbackDays ?? 0) + 1,
  );
  const pack: Pack = {
    id: doc.id, version: doc.version, effectiveFrom: parsePlainDate(doc.effectiveFrom)!, effectiveTo: doc.effectiveTo === null ? null : parsePlainDate(doc.effectiveTo)!,
    overrides, defaultTimeZones: doc.defaultTimeZones, calendar,
    timeWindows: { ruleId: doc.timeWindows.ruleId, channels, consentMayWiden: doc.timeWindows.consentMayWiden },
    unansweredCap: cap(doc.unansweredCap),
    connectedCap: cap(doc.connectedCap),
    rollingCallCap: doc.rollingCallCap ? { ...cap(doc.rollingCallCap)!, days: doc.rollingCallCap.days, consentExempt: doc.rollingCallCap.consentExempt } : null,
    conversationCooldown: doc.conversationCooldown
      ? { ruleId: doc.conversationCooldown.ruleId, days: doc.conversationCooldown.days, channels: set(doc.conversationCooldown.channels), outcomes: set(doc.conversationCooldown.outcomes), consentExempt: doc.conversationCooldown.consentExempt }
      : null,
    thirdParty: {
      ruleId: tp.ruleId, requireUnreachable: tp.requireUnreachable, locateOnly: tp.locateOnly,
      unreachable: { ...tp.unreachable, failedOutcomes: set(tp.unreachable.failedOutcomes as Outcome[]) },
      perThirdParty: tp.perThirdParty ? { ...tp.perThirdParty, outcomes: set(tp.perThirdParty.outcomes as Outcome[]) } : null,
    },
    contactData: { ruleId: doc.contactData.ruleId, requireVerified: doc.contactData.requireVerified, allowedSources: setOrNull(doc.contactData.allowedSources), deniedSources: set(doc.contactData.deniedSources) },
    optOutRuleId: doc.optOut.ruleId,
    holds,
    artificialVoiceConsent: doc.artificialVoiceConsent ? { ruleId: doc.artificialVoiceConsent.ruleId, channels: set(doc.artificialVoiceConsent.channels) } : null,
    content: {
      lexicon,
      prohibited: { ruleId: doc.content.prohibited.ruleId, categories: doc.content.prohibited.categories },
      restricted: doc.content.restricted.map((r) => ({ ruleId: r.ruleId, parties: setOrNull(r.parties as Party[] | null), purposes: setOrNull(r.purposes as Purpose[] | null), categories: r.categories })),
      required: doc.content.required.map((r) => ({
        ruleId: r.ruleId, code: r.code, channels: set(r.channels), purposes: setOrNull(r.purposes as Purpose[] | null), exceptPurposes: set(r.exceptPurposes as Purpose[]),
        firstCommunication: r.firstCommunication, anyOf: r.anyOf, allOf: r.allOf, slots: r.slots, message: r.message,
      })),
    },
    historyLookbackDays: lookback,
    repaymentPlans: doc.repaymentPlans ? { ...doc.repaymentPlans } : null,
  };
  return deepFreeze(pack);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value) && !(value instanceof Set) && !(value instanceof Map) && !(value instanceof RegExp)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export { compileLexicon };
