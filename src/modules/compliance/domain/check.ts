/**
 * "May we contact this person, this way, with this content, at this moment?" — a pure function of
 * (pack, proposed contact, snapshot, now). It returns allow, block, or defer with `until` (the
 * earliest instant found at which every rule passes), plus every rule that fired with its rule id
 * (COMPLIANCE.md), reason code and a message in zh-CN and en.
 */
import { isWeekend } from './calendar.ts';
import { lintContent } from './content-lint.ts';
import { DAY_MS, formatClock, instantAtLocal, localDay, localParts } from './local-time.ts';
import type { DayWindows, HoldRule, Pack, UnreachableDefinition } from './pack.ts';
import type { Consent, DebtorSnapshot, Flag, HistoryEntry, LocalWindow, ProposedContact } from './snapshot.ts';
import { selectorCovers, type Decision, type Outcome } from './vocabulary.ts';

export type Effect = 'block' | 'defer' | 'note';

export interface FiredRule {
  ruleId: string;
  effect: Effect;
  code: string;
  until: number | null;
  message: { zh: string; en: string };
  details?: Record<string, unknown>;
}

export interface UnreachableEvaluation {
  definition: { acceptFlag: boolean; noRightPartyContactDays: number; failedAttemptsMin: number; failedOutcomes: Outcome[] };
  flagged: boolean;
  lastRightPartyContactAt: number | null;
  failedAttempts: number;
  unreachable: boolean;
}

export interface Verdict {
  id: string;
  decision: Decision;
  until: number | null;
  rules: FiredRule[];
  pack: { id: string; version: number; overrides: readonly { id: string; version: number }[] };
  /** The instant the contact would happen (what the rules evaluated). */
  at: number;
  checkedAt: number;
  context: { timeZones: readonly string[]; unreachable: UnreachableEvaluation | null; contentChecked: boolean };
}

/** Fixpoint rounds when looking for the earliest allowed instant (each round moves past one obstacle). */
const DEFER_ROUNDS_MAX = 24;
/** How far ahead a closed contact window is searched for its next opening. */
const WINDOW_SEARCH_DAYS = 21;

interface Ctx {
  pack: Pack;
  contact: ProposedContact;
  snap: DebtorSnapshot;
  t: number;
  zones: readonly string[];
  fired: FiredRule[];
  unreachable: UnreachableEvaluation | null;
}

/** The state of the debtor could not be read: fail closed. */
export function unavailableVerdict(pack: { id: string; version: number; overrides?: readonly { id: string; version: number }[] }, contact: { id: string; at: number }, now: number, reason: string): Verdict {
  return {
    id: contact.id, decision: 'block', until: null, at: contact.at, checkedAt: now,
    pack: { id: pack.id, version: pack.version, overrides: [...(pack.overrides ?? [])] },
    rules: [{
      ruleId: 'X-01', effect: 'block', code: 'compliance_state_unavailable', until: null, details: { reason },
      message: { zh: `无法读取合规状态，拒绝联系：${reason}`, en: `compliance state unavailable, contact blocked: ${reason}` },
    }],
    context: { timeZones: [], unreachable: null, contentChecked: false },
  };
}

export function check(pack: Pack, contact: ProposedContact, snapshot: DebtorSnapshot | null, now: number): Verdict {
  if (snapshot === null) return unavailableVerdict(pack, contact, now, 'no snapshot for this debtor');
  const first = evaluate(pack, contact, snapshot, contact.at);
  const verdict: Verdict = {
    id: contact.id, decision: 'allow', until: null, at: contact.at, checkedAt: now, rules: first.fired,
    pack: { id: pack.id, version: pack.version, overrides: pack.overrides },
    context: { timeZones: first.zones, unreachable: first.unreachable, contentChecked: contact.content !== null },
  };
  if (first.fired.some((r) => r.effect === 'block')) {
    verdict.decision = 'block';
    return verdict;
  }
  let until = latestUntil(first.fired);
  if (until === null) return verdict;
  for (let round = 0; round < DEFER_ROUNDS_MAX; round++) {
    const later = evaluate(pack, { ...contact, at: until }, snapshot, until);
    const blocking = later.fired.filter((r) => r.effect === 'block');
    if (blocking.length) {
      verdict.decision = 'block';
      verdict.rules = [...first.fired, ...blocking];
      return verdict;
    }
    const next = latestUntil(later.fired);
    if (next === null) {
      verdict.decision = 'defer';
      verdict.until = until;
      return verdict;
    }
    until = next;
  }
  verdict.decision = 'block';
  verdict.rules = [...first.fired, {
    ruleId: pack.timeWindows.ruleId, effect: 'block', code: 'no_allowed_time_found', until: null,
    message: { zh: '近期找不到允许联系的时间', en: 'no allowed time found in the search horizon' },
  }];
  return verdict;
}

function latestUntil(fired: readonly FiredRule[]): number | null {
  let until: number | null = null;
  for (const r of fired) if (r.effect === 'defer' && r.until !== null && (until === null || r.until > until)) until = r.until;
  return until;
}

function evaluate(pack: Pack, contact: ProposedContact, snap: DebtorSnapshot, t: number): Ctx {
  const ctx: Ctx = { pack, contact, snap, t, zones: snap.timeZones.length ? snap.timeZones : pack.defaultTimeZones, fired: [], unreachable: null };
  checkContactData(ctx);
  checkOptOuts(ctx);
  checkHolds(ctx);
  checkThirdParty(ctx);
  checkTimeWindows(ctx);
  checkDailyCaps(ctx);
  checkRollingCap(ctx);
  checkCooldown(ctx);
  checkArtificialVoice(ctx);
  checkContent(ctx);
  return ctx;
}

function fire(ctx: Ctx, ruleId: string, effect: Effect, code: string, zh: string, en: string, until: number | null = null, details?: Record<string, unknown>): void {
  ctx.fired.push(details ? { ruleId, effect, code, until, message: { zh, en }, details } : { ruleId, effect, code, until, message: { zh, en } });
}

const iso = (ms: number) => new Date(ms).toISOString();

// ── contact details (CN-17), opt-outs, holds ────────────────────────────────────────────────────

function checkContactData(ctx: Ctx): void {
  const { contact, pack } = ctx;
  const rule = pack.contactData;
  const d = ctx.snap.destinations.find((x) => x.value === contact.destination);
  if (!d) return fire(ctx, rule.ruleId, 'block', 'destination_unknown', '联系方式不在债务人的联系信息中', 'the destination is not one of the debtor\'s contact points');
  if (d.role !== contact.party) {
    return fire(ctx, rule.ruleId, 'block', 'party_role_mismatch', `该联系方式属于${d.role}，不是${contact.party}`, `the destination belongs to a ${d.role}, not a ${contact.party}`);
  }
  if (rule.requireVerified && !d.verified) fire(ctx, rule.ruleId, 'block', 'destination_unverified', '联系方式未经核实，不得用于催收', 'the destination is not verified and may not be used for collection');
  if (d.source !== null && rule.deniedSources.has(d.source)) {
    fire(ctx, rule.ruleId, 'block', 'destination_source_unlawful', `联系方式来源不合法（${d.source}）`, `the destination comes from an unlawful source (${d.source})`);
  } else if (rule.allowedSources && (d.source === null || !rule.allowedSources.has(d.source))) {
    fire(ctx, rule.ruleId, 'block', 'destination_source_not_allowed', `联系方式来源未获准用于催收（${d.source ?? '未知'}）`, `the destination's source is not allowed for collection (${d.source ?? 'unknown'})`);
  }
}

function checkOptOuts(ctx: Ctx): void {
  const { contact, pack } = ctx;
  for (const o of ctx.snap.optOuts) {
    if (!selectorCovers(o.channel, contact.channel) || (o.destination !== null && o.destination !== contact.destination)) continue;
    const ruleId = contact.party === 'contact' ? pack.thirdParty.ruleId : pack.optOutRuleId;
    return fire(ctx, ruleId, 'block', 'opted_out', `对方已拒绝通过${o.channel}联系`, `the person opted out of ${o.channel}${o.destination ? ' at this destination' : ''}`);
  }
}

const active = (f: Flag, t: number) => (f.since === null || f.since <= t) && (f.until === null || t < f.until);

function holdEnd(hold: HoldRule, f: Flag, party: string): number | null {
  if (f.until !== null) return f.until;
  if (f.since === null) return null;
  if (hold.days !== null) return f.since + (hold.days + (f.extended && hold.extensionDays !== null ? hold.extensionDays : 0)) * DAY_MS;
  if (hold.reopenAfterDays !== null && !f.responded && party === 'debtor') return f.since + hold.reopenAfterDays * DAY_MS;
  return null;
}

function checkHolds(ctx: Ctx): void {
  const { contact, pack, t } = ctx;
  const purpose = contact.content?.purpose ?? 'collection';
  for (const f of ctx.snap.flags) {
    const hold = pack.holds[f.kind];
    if (!hold || !active(f, t)) continue;
    if (f.accountId !== null && contact.accountId !== null && f.accountId !== contact.accountId) continue;
    if (hold.exceptPurposes.has(purpose)) continue;
    const end = holdEnd(hold, f, contact.party);
    if (end !== null && end <= t) continue;
    const zh = `${HOLD_NAMES[f.kind]?.zh ?? f.kind}：暂停催收联系${end === null ? '' : `至 ${iso(end)}`}`;
    const en = `${HOLD_NAMES[f.kind]?.en ?? f.kind}: collection contact is on hold${end === null ? '' : ` until ${iso(end)}`}`;
    fire(ctx, hold.ruleId, end === null ? 'block' : 'defer', `hold_${f.kind}`, zh, en, end);
  }
}

const HOLD_NAMES: Record<string, { zh: string; en: string }> = {
  disputed: { zh: '债务有争议', en: 'debt disputed' },
  complaint_open: { zh: '投诉处理中', en: 'complaint under review' },
  hardship: { zh: '困难救助（宽限）中', en: 'hardship forbearance' },
  debt_advice: { zh: '债务咨询暂停期', en: 'debt-advice pause' },
  breathing_space: { zh: '法定喘息期', en: 'statutory breathing space' },
  capacity_concern: { zh: '行为能力存疑', en: 'mental-capacity concern' },
  deceased: { zh: '债务人已故', en: 'debtor deceased' },
  bankrupt: { zh: '债务人破产', en: 'debtor bankrupt' },
  attorney: { zh: '债务人已委托律师', en: 'debtor represented by an attorney' },
  cease: { zh: '债务人要求停止联系', en: 'cease-communication request' },
};

// ── third parties (CN-04, US-09) ─────────────────────────────────────────────────────────────────

export function evaluateUnreachable(def: UnreachableDefinition, snap: DebtorSnapshot, t: number): UnreachableEvaluation {
  const windowStart = t - def.noRightPartyContactDays * DAY_MS;
  let last: number | null = null;
  let failed = 0;
  for (const h of snap.history) {
    if (h.party !== 'debtor' || h.at > t) continue;
    if (h.outcome === 'connected_right_party' && (last === null || h.at > last)) last = h.at;
    if (h.at > windowStart && def.failedOutcomes.has(h.outcome)) failed++;
  }
  const flagged = def.acceptFlag && snap.flags.some((f) => f.kind === 'unreachable' && active(f, t));
  const reachedRecently = last !== null && last > windowStart;
  return {
    definition: { acceptFlag: def.acceptFlag, noRightPartyContactDays: def.noRightPartyContactDays, failedAttemptsMin: def.failedAttemptsMin, failedOutcomes: [...def.failedOutcomes] },
    flagged, lastRightPartyContactAt: last, failedAttempts: failed,
    unreachable: !reachedRecently && (flagged || failed >= def.failedAttemptsMin),
  };
}

function checkThirdParty(ctx: Ctx): void {
  const { contact, pack, t } = ctx;
  if (contact.party !== 'contact') return;
  const rule = pack.thirdParty;
  const u = (ctx.unreachable = evaluateUnreachable(rule.unreachable, ctx.snap, t));
  if (rule.requireUnreachable && !u.unreachable) {
    fire(ctx, rule.ruleId, 'block', 'debtor_not_unreachable', '债务人并未失联，不得联系第三方', 'the debtor is not unreachable: third parties may not be contacted', null,
      { lastRightPartyContactAt: u.lastRightPartyContactAt, failedAttempts: u.failedAttempts, flagged: u.flagged });
  }
  if (rule.locateOnly && contact.content?.purpose !== 'locate') {
    fire(ctx, rule.ruleId, 'block', 'third_party_not_locate_only', '联系第三方只能用于查找债务人（purpose: locate）', 'a third party may only be contacted to locate the debtor (purpose: locate)');
  }
  const per = rule.perThirdParty;
  if (per) {
    const since = t - per.lookbackDays * DAY_MS;
    let n = 0;
    for (const h of ctx.snap.history) if (h.party === 'contact' && h.destination === contact.destination && h.at > since && per.outcomes.has(h.outcome)) n++;
    if (n >= per.max) fire(ctx, per.ruleId, 'block', 'third_party_contact_limit', `已联系过该第三方 ${n} 次`, `this third party was already contacted ${n} time(s)`);
  }
}

// ── local-time windows (CN-01, US-01, UK-04, X-03) ──────────────────────────────────────────────

function windowOn(pack: Pack, windows: DayWindows, day: number): LocalWindow | null {
  const kind = pack.calendar.dayKind(day);
  if (kind) return windows[kind];
  // Beyond the calendar's data the day may be a holiday: only what both windows allow.
  const plain = windows[isWeekend(day) ? 'restday' : 'workday'];
  const holiday = windows.holiday;
  if (!plain || !holiday) return null;
  const w = { startMinute: Math.max(plain.startMinute, holiday.startMinute), endMinute: Math.min(plain.endMinute, holiday.endMinute) };
  return w.startMinute < w.endMinute ? w : null;
}

const inside = (w: LocalWindow | null, msOfDay: number) => w !== null && msOfDay >= w.startMinute * 60_000 && msOfDay < w.endMinute * 60_000;
const consentActive = (c: Consent, t: number) => (c.validFrom === null || c.validFrom <= t) && (c.validUntil === null || t < c.validUntil);

function timeConsents(ctx: Ctx): Consent[] {
  if (!ctx.pack.timeWindows.consentMayWiden) return [];
  return ctx.snap.consents.filter((c) => c.kind === 'contact_time' && selectorCovers(c.channel, ctx.contact.channel) && (c.destination === null || c.destination === ctx.contact.destination));
}

function checkTimeWindows(ctx: Ctx): void {
  const { pack, contact, t } = ctx;
  const windows = pack.timeWindows.channels[contact.channel];
  if (!windows) return;
  const consents = timeConsents(ctx);
  for (const zone of ctx.zones) {
    const { day, msOfDay } = localParts(zone, t);
    const w = windowOn(pack, windows, day);
    if (inside(w, msOfDay)) continue;
    const consent = consents.find((c) => consentActive(c, t) && inside(c.window ?? { startMinute: 0, endMinute: 1440 }, msOfDay));
    const local = `${formatClock(Math.floor(msOfDay / 60_000))}:${String(Math.floor(msOfDay / 1000) % 60).padStart(2, '0')}`;
    if (consent) {
      fire(ctx, pack.timeWindows.ruleId, 'note', 'consent_widened_window', `${zone} 当地时间 ${local} 在允许时段外，但有债务人同意（${consent.id ?? '无编号'}）`,
        `${local} in ${zone} is outside the window but the debtor consented (${consent.id ?? 'no id'})`, null, { zone, consentId: consent.id });
      continue;
    }
    const span = w ? `${formatClock(w.startMinute)}–${formatClock(w.endMinute)}` : (pack.calendar.dayKind(day) ?? 'unknown day');
    const next = nextOpening(pack, windows, consents, zone, day, t);
    if (next === null) {
      fire(ctx, pack.timeWindows.ruleId, 'block', 'no_contact_window', `${zone} 近期无允许联系的时段`, `no contact window in ${zone} in the next ${WINDOW_SEARCH_DAYS} days`, null, { zone });
    } else {
      fire(ctx, pack.timeWindows.ruleId, 'defer', 'outside_contact_hours', `${zone} 当地时间 ${local} 不在允许时段（${span}）内`,
        `${local} in ${zone} is outside the allowed hours (${span})`, next, { zone, localTime: local });
    }
  }
}

function nextOpening(pack: Pack, windows: DayWindows, consents: readonly Consent[], zone: string, today: number, t: number): number | null {
  for (let d = today; d <= today + WINDOW_SEARCH_DAYS; d++) {
    let best: number | null = null;
    const w = windowOn(pack, windows, d);
    if (w) {
      const open = instantAtLocal(zone, d, w.startMinute);
      const close = instantAtLocal(zone, d, w.endMinute);
      if (open > t) best = open;
      else if (close > t) best = t + 1; // open now but for sub-second rounding: one tick later
    }
    for (const c of consents) {
      const cw = c.window ?? { startMinute: 0, endMinute: 1440 };
      const open = instantAtLocal(zone, d, cw.startMinute);
      if (open > t && consentActive(c, open) && (best === null || open < best)) best = open;
    }
    if (best !== null) return best;
  }
  return null;
}

// ── counters (CN-02, CN-03, US-02, US-03) ───────────────────────────────────────────────────────

const sameDebt = (h: HistoryEntry, accountId: string | null) => h.accountId === null || accountId === null || h.accountId === accountId;

function checkDailyCaps(ctx: Ctx): void {
  const { pack, contact, t } = ctx;
  const un = pack.unansweredCap;
  const co = pack.connectedCap;
  const unApplies = un !== null && un.channels.has(contact.channel);
  const coApplies = co !== null && co.channels.has(contact.channel) && contact.party === 'debtor';
  if (!unApplies && !coApplies) return;
  for (const zone of ctx.zones) {
    const day = localDay(zone, t);
    let unanswered = 0;
    let connected = 0;
    for (const h of ctx.snap.history) {
      if (unApplies && h.destination === contact.destination && un.channels.has(h.channel) && un.outcomes.has(h.outcome) && localDay(zone, h.at) === day) unanswered++;
      if (coApplies && h.party === 'debtor' && co.channels.has(h.channel) && co.outcomes.has(h.outcome) && localDay(zone, h.at) === day) connected++;
    }
    const tomorrow = instantAtLocal(zone, day + 1, 0);
    if (unApplies && unanswered >= un.max) {
      fire(ctx, un.ruleId, 'defer', 'daily_unanswered_attempts_reached', `该号码今日（${zone}）已有 ${unanswered} 次未接通，上限 ${un.max}`,
        `${unanswered} unanswered attempts to this destination today in ${zone} (at most ${un.max})`, tomorrow, { zone, count: unanswered, max: un.max });
    }
    if (coApplies && connected >= co.max) {
      fire(ctx, co.ruleId, 'defer', 'daily_connected_calls_reached', `债务人今日（${zone}）已接通 ${connected} 次，上限 ${co.max}`,
        `${connected} connected calls with the debtor today in ${zone} (at most ${co.max}, bank, agencies and robots together)`, tomorrow, { zone, count: connected, max: co.max });
    }
  }
}

function hasConsent(ctx: Ctx, kind: Consent['kind']): Consent | undefined {
  return ctx.snap.consents.find((c) => c.kind === kind && selectorCovers(c.channel, ctx.contact.channel) && consentActive(c, ctx.t) && (c.destination === null || c.destination === ctx.contact.destination));
}

function checkRollingCap(ctx: Ctx): void {
  const { pack, contact, t } = ctx;
  const cap = pack.rollingCallCap;
  if (!cap || !cap.channels.has(contact.channel) || contact.party !== 'debtor') return;
  if (cap.consentExempt && hasConsent(ctx, 'call_request')) return;
  for (const zone of ctx.zones) {
    const day = localDay(zone, t);
    const days: number[] = [];
    for (const h of ctx.snap.history) {
      if (h.party !== 'debtor' || !cap.channels.has(h.channel) || !cap.outcomes.has(h.outcome) || !sameDebt(h, contact.accountId)) continue;
      const d = localDay(zone, h.at);
      if (d > day - cap.days && d <= day + cap.days) days.push(d);
    }
    const inWindow = (end: number) => days.filter((d) => d > end - cap.days && d <= end).length;
    const count = inWindow(day);
    if (count < cap.max) continue;
    let free = day + 1;
    while (free <= day + cap.days && inWindow(free) >= cap.max) free++;
    fire(ctx, cap.ruleId, 'defer', 'rolling_call_limit_reached', `${cap.days} 天内已呼叫 ${count} 次（上限 ${cap.max}）`,
      `${count} calls about this debt in ${cap.days} consecutive days (at most ${cap.max})`, instantAtLocal(zone, free, 0), { zone, count, max: cap.max });
  }
}

function checkCooldown(ctx: Ctx): void {
  const { pack, contact, t } = ctx;
  const rule = pack.conversationCooldown;
  if (!rule || !rule.channels.has(contact.channel) || contact.party !== 'debtor') return;
  if (rule.consentExempt && hasConsent(ctx, 'call_request')) return;
  let last: number | null = null;
  for (const h of ctx.snap.history) {
    if (h.party === 'debtor' && h.at <= t && rule.outcomes.has(h.outcome) && rule.channels.has(h.channel) && sameDebt(h, contact.accountId) && (last === null || h.at > last)) last = h.at;
  }
  if (last === null) return;
  for (const zone of ctx.zones) {
    const firstDay = localDay(zone, last);
    if (localDay(zone, t) >= firstDay + rule.days) continue;
    fire(ctx, rule.ruleId, 'defer', 'conversation_cooldown', `${iso(last)} 已与债务人通话，${rule.days} 天内不得再呼叫`,
      `a conversation took place at ${iso(last)}: no call within ${rule.days} days (the conversation day is day 1)`, instantAtLocal(zone, firstDay + rule.days, 0), { zone });
  }
}

function checkArtificialVoice(ctx: Ctx): void {
  const rule = ctx.pack.artificialVoiceConsent;
  if (!rule || !rule.channels.has(ctx.contact.channel) || hasConsent(ctx, 'artificial_voice')) return;
  fire(ctx, rule.ruleId, 'block', 'artificial_voice_without_consent', '无事先明示同意，不得使用人工智能或录音语音呼叫', 'no prior express consent for an artificial or prerecorded voice call');
}

function checkContent(ctx: Ctx): void {
  const { contact } = ctx;
  if (!contact.content) return;
  for (const f of lintContent(ctx.pack, { content: contact.content, channel: contact.channel, party: contact.party })) {
    fire(ctx, f.ruleId, 'block', f.code, f.message.zh, f.message.en, null, f.category ? { category: f.category, match: f.match } : { missing: f.match });
  }
}

/** Whether a channel's contact window is open at `at` in every zone, and when it closes (the earliest close). */
export interface WindowStatus {
  /** No window applies to the channel (e.g. letters): always open, no close. */
  unrestricted: boolean;
  open: boolean;
  /** While open: the earliest instant at which the window closes in one of the zones. */
  closesAt: number | null;
}

/**
 * The contact window of `channel` right now, over every plausible zone, without consents (queues rank
 * work by the time left in today's window; whether a contact may really happen is `check`'s answer).
 */
export function windowStatus(pack: Pack, channel: ProposedContact['channel'], timeZones: readonly string[], at: number): WindowStatus {
  const windows = pack.timeWindows.channels[channel];
  if (!windows) return { unrestricted: true, open: true, closesAt: null };
  let closesAt: number | null = null;
  for (const zone of timeZones.length ? timeZones : pack.defaultTimeZones) {
    const { day, msOfDay } = localParts(zone, at);
    const w = windowOn(pack, windows, day);
    if (!inside(w, msOfDay)) return { unrestricted: false, open: false, closesAt: null };
    const close = instantAtLocal(zone, day, w!.endMinute);
    if (closesAt === null || close < closesAt) closesAt = close;
  }
  return { unrestricted: false, open: true, closesAt };
}
