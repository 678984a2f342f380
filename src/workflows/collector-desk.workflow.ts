/**
 * The collector's desk, across worklist, compliance, portfolio and identity:
 *   next case   — rank the collector's claimable items (stored priority, due callbacks, time left in
 *                 today's contact window), claim one with SKIP LOCKED, and hand it out only when the
 *                 compliance gate allows the contact now (else hold it until the gate's time);
 *   callbacks   — scheduled only at a time the gate allows, returned to their owner from that time;
 *   contacts    — a contact session per call or visit (the gate's verdict, a token), the right-party
 *                 check (核身) that releases debt details for that contact, and its outcome into the
 *                 contact ledger with disposition, delinquency reason and a note that passed the
 *                 compliance language check.
 */
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { inTransaction } from '../db/index.ts';
import type { Clock } from '../kernel/clock.ts';
import { err, ok, type Result } from '../kernel/result.ts';
import {
  checkProposedContacts, complianceStore, lintWithPack, parseActor, recordContactAttempt, windowStatus,
  type ContentFinding, type FiredRule, type GateVerdict, type PackSet,
} from '../modules/compliance/index.ts';
import { customerIdentity, customerPhones, findAccount, type PhonePoint, type PiiCipher } from '../modules/portfolio/index.ts';
import { customersOutOfScope, type DataScope, type Principal } from '../modules/identity/index.ts';
import {
  RIGHT_PARTY_DISPOSITIONS, channelOfKind, checkRightParty, claimFirst, closeSession, completeItem, countRightPartyAttempt, findOutcome, findSession, holdItem,
  holdsItem, insertCallback, insertNote, insertOutcome, insertSession, queueCandidates, queueTeamOf, rankCandidates, reasonCategory, recordGate, skillsOf, verifiedSession,
  type CallbackCommand, type OutcomeCommand, type RightPartyCommand, type SessionRow, type StartContactCommand, type WorkItemRow, type WorklistSettings,
} from '../modules/worklist/index.ts';
import { accountVisible } from './account-view.workflow.ts';

export interface DeskDeps {
  pool: pg.Pool;
  cipher: PiiCipher;
  clock: Clock;
  packs: PackSet;
  packId: string;
  settings: WorklistSettings;
}

export type DeskError =
  | 'account_not_found' | 'work_item_not_held' | 'destination_not_found' | 'contact_not_allowed' | 'callback_outside_contact_window' | 'callback_time_invalid'
  | 'contact_not_found' | 'contact_closed' | 'right_party_check_locked' | 'right_party_check_not_applicable' | 'right_party_not_verified' | 'right_party_check_required'
  | 'note_language_prohibited' | 'outcome_invalid' | 'outcome_already_recorded' | 'idempotency_key_reused' | 'customer_not_found' | 'correction_target_not_found' | 'consent_not_found';

const MINUTE_MS = 60_000;
const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** Whether a data scope sees an account (or, for a customer-level item, any account of the customer). */
export async function seesAccount(pool: pg.Pool, scope: DataScope, accountId: string | null, customerId: string): Promise<boolean> {
  if (accountId !== null) return accountVisible(pool, accountId, scope);
  return (await customersOutOfScope(pool, scope, [customerId])).length === 0;
}

/** The ledger actor of a principal: `bank:NAME`, or `agency:ID:NAME` for an agency's user. */
export function actorOf(principal: Principal): string {
  const name = principal.name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64) || 'operator';
  const actor = principal.scope.kind === 'agency' ? `agency:${principal.scope.agencyId}:${name}` : `bank:${name}`;
  return parseActor(actor) ? actor : 'bank';
}

export interface GateSummary { decision: 'allow' | 'block' | 'defer'; until: string | null; auditRef: string | null; rules: { ruleId: string; code: string; effect: string; message: { zh: string; en: string } }[] }

const summary = (v: GateVerdict): GateSummary => ({
  decision: v.verdict.decision, until: v.verdict.until === null ? null : new Date(v.verdict.until).toISOString(), auditRef: v.auditRef,
  rules: v.verdict.rules.map((r: FiredRule) => ({ ruleId: r.ruleId, code: r.code, effect: r.effect, message: r.message })),
});

/** Asks the gate (audited) about calling each of these numbers at `at`; verdicts in the same order. */
async function gate(deps: DeskDeps, principal: Principal, customerId: string, accountId: string | null, channel: 'voice_agent' | 'field_visit', phones: readonly PhonePoint[], at: number): Promise<GateVerdict[]> {
  if (phones.length === 0) return [];
  const actor = parseActor(actorOf(principal))!;
  return checkProposedContacts({ ...complianceStore(deps.pool, deps.cipher), packs: deps.packs }, deps.packId, phones.map((p) => ({
    id: `desk:${customerId}:${p.ref}:${at}`, customerId, accountId, at, channel, actor, party: p.partyRole, destination: p.key, content: null,
  })), deps.clock.now().getTime());
}

/** The numbers a case may be called on: the callback's own, else the debtor's (verified first). */
function phonesFor(item: { destinationRef: string | null }, phones: readonly PhonePoint[]): PhonePoint[] {
  if (item.destinationRef !== null) return phones.filter((p) => p.ref === item.destinationRef);
  return phones.filter((p) => p.partyRole === 'debtor').sort((a, b) => Number(b.verified) - Number(a.verified) || a.position - b.position);
}

// ── next case ─────────────────────────────────────────────────────────────────────────────────

export interface NextCase {
  workItem: { id: number; kind: string; customerId: string; accountId: string | null; priority: number; score: number; reason: string | null; stage: string | null; notBefore: string; dueBy: string | null; lockedUntil: string };
  destination: { ref: string; masked: string; party: string } | null;
  compliance: GateSummary | null;
}

/** The collector's next case, claimed for them until the lock times out; null when nothing can be worked now. */
export async function nextCase(deps: DeskDeps, principal: Principal): Promise<NextCase | null> {
  const now = deps.clock.now();
  const s = deps.settings;
  const skills = await skillsOf(deps.pool, principal.name);
  if (!skills.available) return null;
  const candidates = await queueCandidates(deps.pool, { now, user: principal.name, scope: principal.scope, teamId: queueTeamOf(principal.scope), skills, limit: s.queue.candidatesMax });
  const pack = deps.packs.select(deps.packId, now.getTime());
  const ranked = rankCandidates(candidates.map((row) => ({ row, workItemId: row.workItemId, kind: row.kind, priority: row.priority, notBefore: row.notBefore.getTime() })), (c) => {
    const channel = channelOfKind(c.kind);
    if (channel === null) return null;
    if (!pack) return { open: false, closesAt: null }; // no pack in effect: fail closed
    const w = windowStatus(pack, channel, [c.row.timeZone], now.getTime());
    return { open: w.open, closesAt: w.closesAt };
  }, s.priority, now.getTime());
  const lockUntil = new Date(now.getTime() + s.queue.lockMinutes * MINUTE_MS);
  const scores = new Map(ranked.map((r) => [r.candidate.workItemId, r.score]));
  let remaining = ranked.map((r) => r.candidate.workItemId);
  // Each round claims the best item nobody else holds; the gate may still send it back (then the next).
  for (let attempt = 0; attempt < s.queue.claimAttemptsMax && remaining.length > 0; attempt++) {
    const item = await claimFirst(deps.pool, remaining, principal.name, now, lockUntil);
    if (!item) return null; // every ranked item was taken meanwhile
    remaining = remaining.filter((id) => id !== item.workItemId);
    const handed = await gateClaimed(deps, principal, item, now);
    if (handed) return { workItem: workItemView(item, scores.get(item.workItemId)!), ...handed };
  }
  return null;
}

function workItemView(item: WorkItemRow, score: number): NextCase['workItem'] {
  return {
    id: item.workItemId, kind: item.kind, customerId: item.customerId, accountId: item.accountId, priority: item.priority, score, reason: item.reason, stage: item.stage,
    notBefore: item.notBefore.toISOString(), dueBy: item.dueBy?.toISOString() ?? null, lockedUntil: item.lockedUntil!.toISOString(),
  };
}

/** A claimed item goes out only when the gate allows the contact now; otherwise it waits for the gate's time. */
async function gateClaimed(deps: DeskDeps, principal: Principal, item: WorkItemRow, now: Date): Promise<Omit<NextCase, 'workItem'> | null> {
  const channel = channelOfKind(item.kind);
  if (channel === null) return { destination: null, compliance: null };
  const phones = phonesFor(item, await customerPhones(deps.pool, item.customerId));
  const verdicts = await gate(deps, principal, item.customerId, item.accountId, channel, phones, now.getTime());
  const allowed = verdicts.findIndex((v) => v.verdict.decision === 'allow');
  if (allowed >= 0) {
    const phone = phones[allowed]!;
    const gateInfo = summary(verdicts[allowed]!);
    await recordGate(deps.pool, item.workItemId, { at: now.toISOString(), destinationRef: phone.ref, ...gateInfo });
    return { destination: { ref: phone.ref, masked: phone.masked, party: phone.partyRole }, compliance: gateInfo };
  }
  const untils = verdicts.flatMap((v) => (v.verdict.decision === 'defer' && v.verdict.until !== null ? [v.verdict.until] : []));
  const heldUntil = untils.length ? Math.min(...untils) : now.getTime() + deps.settings.queue.gateRetryMinutes * MINUTE_MS;
  await holdItem(deps.pool, item.workItemId, principal.name, now, new Date(heldUntil), {
    at: now.toISOString(), decision: phones.length === 0 ? 'no_contact_point' : untils.length ? 'defer' : 'block',
    numbers: verdicts.map((v, i) => ({ ref: phones[i]!.ref, ...summary(v) })),
  });
  return null;
}

// ── callbacks ─────────────────────────────────────────────────────────────────────────────────

async function phoneOf(deps: DeskDeps, customerId: string, ref: string): Promise<PhonePoint | null> {
  return (await customerPhones(deps.pool, customerId)).find((p) => p.ref === ref) ?? null;
}

async function visibleAccount(deps: DeskDeps, principal: Principal, accountId: string) {
  const account = await findAccount(deps.pool, accountId);
  if (!account || !(await accountVisible(deps.pool, accountId, principal.scope))) return null;
  return account;
}

export interface ScheduledCallback { workItemId: number; accountId: string; at: string; destination: { ref: string; masked: string }; assignedTo: string; existing: boolean; compliance: GateSummary }

/**
 * Schedules a callback at `at` on one of the customer's numbers: refused unless the gate allows a call
 * then (outside the window the answer names the next allowed time). It comes back to the collector who
 * scheduled it, from that time, before their ordinary work.
 */
export async function scheduleCallback(deps: DeskDeps, principal: Principal, cmd: CallbackCommand, origin: 'staff' | 'api' | 'cli' = 'staff'): Promise<Result<ScheduledCallback, DeskError>> {
  const now = deps.clock.now().getTime();
  const at = Date.parse(cmd.at);
  if (at <= now) return err('callback_time_invalid', `a callback must be in the future (${cmd.at} is not after ${new Date(now).toISOString()})`, { field: 'at' });
  if (at > now + deps.settings.callback.daysAheadMax * 1440 * MINUTE_MS) return err('callback_time_invalid', `a callback is at most ${deps.settings.callback.daysAheadMax} days ahead (settings: callback.daysAheadMax)`, { field: 'at' });
  const account = await visibleAccount(deps, principal, cmd.accountId);
  if (!account) return err('account_not_found', `no account ${JSON.stringify(cmd.accountId)}`);
  const phone = await phoneOf(deps, account.customer_id, cmd.destinationRef);
  if (!phone) return err('destination_not_found', `customer ${account.customer_id} has no ${cmd.destinationRef}`, { field: 'destinationRef' });
  const [verdict] = await gate(deps, principal, account.customer_id, account.account_id, 'voice_agent', [phone], at);
  const gateInfo = summary(verdict!);
  if (gateInfo.decision === 'defer') {
    return err('callback_outside_contact_window', `a call to ${phone.masked} at ${cmd.at} is not allowed${gateInfo.until ? `; the next allowed time is ${gateInfo.until}` : ''} (${gateInfo.rules.filter((r) => r.effect === 'defer').map((r) => `${r.ruleId} ${r.code}`).join(', ')})`, { nextAllowedAt: gateInfo.until, compliance: gateInfo });
  }
  if (gateInfo.decision === 'block') {
    return err('contact_not_allowed', `a call to ${phone.masked} is not allowed (${gateInfo.rules.filter((r) => r.effect === 'block').map((r) => `${r.ruleId} ${r.code}`).join(', ')})`, { compliance: gateInfo });
  }
  const key = cmd.idempotencyKey ?? `callback:${principal.name}:${account.account_id}:${cmd.destinationRef}:${at}`;
  const created = await insertCallback(deps.pool, {
    idempotencyKey: key, customerId: account.customer_id, accountId: account.account_id, notBefore: new Date(at), dueBy: new Date(at + deps.settings.callback.dueWithinMinutes * MINUTE_MS),
    priority: deps.settings.callback.priority, reason: cmd.note ?? 'callback', requestedBy: principal.name, assignedTo: principal.name, teamId: null, destinationRef: cmd.destinationRef, origin,
  });
  return ok({ workItemId: created.workItemId, accountId: account.account_id, at: new Date(at).toISOString(), destination: { ref: phone.ref, masked: phone.masked }, assignedTo: principal.name, existing: created.existing, compliance: gateInfo });
}

// ── contacts ──────────────────────────────────────────────────────────────────────────────────

export interface StartedContact {
  contactId: number; token: string; expiresAt: string; accountId: string; customerId: string; destination: { ref: string; masked: string; party: string }; compliance: GateSummary;
}

/** Starts a contact (a call now, or a visit): only when the gate allows it now. The token releases debt details once the right party is verified. */
export async function startContact(deps: DeskDeps, principal: Principal, cmd: StartContactCommand): Promise<Result<StartedContact, DeskError>> {
  const now = deps.clock.now();
  const account = await visibleAccount(deps, principal, cmd.accountId);
  if (!account) return err('account_not_found', `no account ${JSON.stringify(cmd.accountId)}`);
  if (cmd.workItemId !== undefined && !(await holdsItem(deps.pool, cmd.workItemId, principal.name, now))) {
    return err('work_item_not_held', `work item ${cmd.workItemId} is not held by ${principal.name} (take it with next, or its lock timed out)`);
  }
  const phone = await phoneOf(deps, account.customer_id, cmd.destinationRef);
  if (!phone) return err('destination_not_found', `customer ${account.customer_id} has no ${cmd.destinationRef}`, { field: 'destinationRef' });
  const [verdict] = await gate(deps, principal, account.customer_id, account.account_id, cmd.channel, [phone], now.getTime());
  const gateInfo = summary(verdict!);
  if (gateInfo.decision !== 'allow') {
    return err('contact_not_allowed', `contacting ${phone.masked} now is not allowed: ${gateInfo.rules.filter((r) => r.effect !== 'note').map((r) => `${r.ruleId} ${r.code}`).join(', ')}${gateInfo.until ? `; next allowed ${gateInfo.until}` : ''}`, { compliance: gateInfo });
  }
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + deps.settings.contact.sessionMinutes * MINUTE_MS);
  const contactId = await insertSession(deps.pool, {
    tokenHash: sha256(token), customerId: account.customer_id, accountId: account.account_id, workItemId: cmd.workItemId ?? null, collector: principal.name,
    actor: actorOf(principal), channel: cmd.channel, party: phone.partyRole, destinationRef: phone.ref, destinationKey: phone.key, destinationMasked: phone.masked,
    verdictRef: gateInfo.auditRef, startedAt: now, expiresAt,
  });
  return ok({ contactId, token, expiresAt: expiresAt.toISOString(), accountId: account.account_id, customerId: account.customer_id, destination: { ref: phone.ref, masked: phone.masked, party: phone.partyRole }, compliance: gateInfo });
}

/** The caller's own session, with the right token (anything else is "not found": no oracle for other people's contacts). */
async function ownSession(deps: DeskDeps, principal: Principal, contactId: number, token: string): Promise<Result<SessionRow, DeskError>> {
  const s = await findSession(deps.pool, contactId);
  if (!s || s.collector !== principal.name || !s.tokenHash.equals(sha256(token))) return err('contact_not_found', `no contact ${contactId} of yours with this token`);
  return ok(s);
}

export interface RightPartyAnswer { contactId: number; passed: boolean; attemptsLeft: number; verifiedAt: string | null }

/** The right-party check on an open contact with the debtor: name plus national id (last four, or whole). Limited attempts. */
export async function verifyRightParty(deps: DeskDeps, principal: Principal, contactId: number, cmd: RightPartyCommand): Promise<Result<RightPartyAnswer, DeskError>> {
  const now = deps.clock.now();
  const found = await ownSession(deps, principal, contactId, cmd.token);
  if (!found.ok) return found;
  const s = found.value;
  const max = deps.settings.contact.rightPartyAttemptsMax;
  if (s.rpcVerifiedAt !== null) return ok({ contactId, passed: true, attemptsLeft: max - s.rpcAttempts, verifiedAt: s.rpcVerifiedAt.toISOString() });
  if (s.closedAt !== null || s.expiresAt <= now) return err('contact_closed', `contact ${contactId} is ${s.closedAt !== null ? 'closed' : 'expired'}; start a new one`);
  if (s.party !== 'debtor') return err('right_party_check_not_applicable', `contact ${contactId} is with a ${s.party}, not the debtor: debt details are not disclosed to them (CN-04)`);
  if (s.rpcAttempts >= max) return err('right_party_check_locked', `the right-party check failed ${max} times on contact ${contactId}: no debt details on this contact`);
  const stored = await customerIdentity(deps.pool, s.customerId);
  if (!stored) return err('contact_not_found', `no contact ${contactId}`);
  const hmacs = cmd.nationalId === undefined ? [] : [...new Set([cmd.nationalId, cmd.nationalId.toUpperCase()])].map((v) => deps.cipher.hmac(v));
  const result = hmacs.length
    ? hmacs.map((h) => checkRightParty(stored, { name: cmd.name, nationalIdHmac: h })).find((r) => r.passed) ?? checkRightParty(stored, { name: cmd.name, nationalIdHmac: hmacs[0]! })
    : checkRightParty(stored, { name: cmd.name, nationalIdLast4: cmd.nationalIdLast4 });
  const used = await countRightPartyAttempt(deps.pool, contactId, max, result.passed, result.factors, now);
  if (used === null) return err('right_party_check_locked', `no right-party check attempts left on contact ${contactId}`);
  return ok({ contactId, passed: result.passed, attemptsLeft: max - used, verifiedAt: result.passed ? now.toISOString() : null });
}

/** The open, verified contact that releases debt details to this caller, or why not. */
export async function releasingContact(deps: DeskDeps, principal: Principal, contactId: number, token: string): Promise<Result<SessionRow, DeskError>> {
  const s = await verifiedSession(deps.pool, contactId, sha256(token), principal.name, deps.clock.now());
  if (!s) return err('right_party_check_required', `debt details are released only on an open contact of yours whose right-party check passed (contact ${contactId})`);
  return ok(s);
}

export interface RecordedOutcome { contactId: number; attemptId: number; noteId: number | null; callbackWorkItemId: number | null; workItemDone: boolean; replayed: boolean }

function lintNote(deps: Pick<DeskDeps, 'packs' | 'packId'>, text: string, at: number): ContentFinding[] | null {
  return lintWithPack(deps.packs, deps.packId, at, {
    content: { text, templateId: null, purpose: 'collection', slots: null, firstCommunication: false }, channel: 'voice_agent', party: 'debtor',
  });
}

/** A note that passed the compliance language check (the pack version it was checked under), or the findings that refuse it. */
export function checkedNote(deps: Pick<DeskDeps, 'packs' | 'packId'>, text: string, at: number): Result<string, 'note_language_prohibited'> {
  const findings = lintNote(deps, text, at);
  if (findings === null) return err('note_language_prohibited', `no version of pack ${deps.packId} is in effect to check the note against`);
  const refusing = findings.filter((f) => f.code === 'prohibited_language');
  if (refusing.length) {
    return err('note_language_prohibited', `the note uses language the compliance pack prohibits: ${refusing.map((f) => `${f.ruleId} ${f.category ?? f.code}${f.match ? ` ("${f.match}")` : ''}`).join(', ')}`, { findings: refusing });
  }
  const pack = deps.packs.select(deps.packId, at)!;
  return ok(`${pack.id}@${pack.version}`);
}

/**
 * The outcome of a contact: one ledger row (idempotent per contact), the disposition, the delinquency
 * reason, a note (refused whole when its language is prohibited), an optional callback (refused unless
 * the gate allows it then); closes the contact and completes its work item. Nothing is written when
 * any part is refused.
 */
export async function recordOutcome(deps: DeskDeps, principal: Principal, contactId: number, cmd: OutcomeCommand): Promise<Result<RecordedOutcome, DeskError>> {
  const now = deps.clock.now();
  const found = await ownSession(deps, principal, contactId, cmd.token);
  if (!found.ok) return found;
  const s = found.value;
  const prior = await findOutcome(deps.pool, contactId);
  if (prior) {
    const same = prior.outcome === cmd.outcome && prior.disposition === (cmd.disposition ?? null) && prior.delinquencyReason === (cmd.delinquencyReason ?? null);
    if (!same) return err('outcome_already_recorded', `contact ${contactId} already has its outcome (${prior.outcome}); record a new contact`);
    return ok({ contactId, attemptId: prior.attemptId, noteId: prior.noteId, callbackWorkItemId: null, workItemDone: true, replayed: true });
  }
  if (s.closedAt !== null) return err('contact_closed', `contact ${contactId} is closed`);
  const rightParty = cmd.outcome === 'connected_right_party';
  if (rightParty && s.rpcVerifiedAt === null) {
    return err('right_party_not_verified', `the outcome connected_right_party needs the right-party check to pass first (POST /worklist/contacts/${contactId}/right-party-check); a person who did not pass it is a third party`);
  }
  if (cmd.disposition && RIGHT_PARTY_DISPOSITIONS.has(cmd.disposition) && !rightParty) {
    return err('outcome_invalid', `disposition ${cmd.disposition} needs a conversation with the verified debtor (outcome connected_right_party)`, { field: 'disposition' });
  }
  if (cmd.delinquencyReason && !rightParty) return err('outcome_invalid', 'the delinquency reason is learned from the verified debtor (outcome connected_right_party)', { field: 'delinquencyReason' });
  let checkedUnder: string | null = null;
  if (cmd.note !== undefined) {
    const c = checkedNote(deps, cmd.note, now.getTime());
    if (!c.ok) return c;
    checkedUnder = c.value;
  }
  let callbackAt: number | null = null;
  if (cmd.callbackAt !== undefined) {
    callbackAt = Date.parse(cmd.callbackAt);
    const phones = (await customerPhones(deps.pool, s.customerId)).filter((p) => p.ref === s.destinationRef);
    const [verdict] = await gate(deps, principal, s.customerId, s.accountId, 'voice_agent', phones, callbackAt);
    if (callbackAt <= now.getTime() || !verdict || verdict.verdict.decision !== 'allow') {
      const info = verdict ? summary(verdict) : null;
      return err('callback_outside_contact_window', `a callback at ${cmd.callbackAt} is not allowed${info?.until ? `; the next allowed time is ${info.until}` : ''}`, { field: 'callbackAt', nextAllowedAt: info?.until ?? null, compliance: info });
    }
  }
  const attempt = await recordContactAttempt(complianceStore(deps.pool, deps.cipher), {
    customerId: s.customerId, ...(s.accountId ? { accountId: s.accountId } : {}), at: s.startedAt.toISOString(), channel: s.channel, actor: s.actor, party: s.party,
    destination: s.destinationKey, outcome: cmd.outcome, ...(s.verdictRef ? { verdictRef: s.verdictRef } : {}), contentRef: `contact-session:${contactId}`,
    idempotencyKey: `contact-session:${contactId}`,
  }, { destinationMasked: s.destinationMasked });
  if (!attempt.ok) return attempt;
  return inTransaction(deps.pool, async (client) => {
    const noteId = cmd.note !== undefined
      ? await insertNote(client, { customerId: s.customerId, accountId: s.accountId, contactId, text: cmd.note, checkedUnder: checkedUnder!, author: principal.name, at: now })
      : null;
    await insertOutcome(client, {
      contactId, customerId: s.customerId, accountId: s.accountId, attemptId: attempt.value.attemptId, outcome: cmd.outcome, disposition: cmd.disposition ?? null,
      delinquencyReason: cmd.delinquencyReason ?? null, reasonCategory: cmd.delinquencyReason ? reasonCategory(cmd.delinquencyReason) : null, noteId, recordedBy: principal.name,
    }, now);
    await closeSession(client, contactId, now);
    const workItemDone = s.workItemId !== null && (await completeItem(client, s.workItemId, principal.name, now));
    let callbackWorkItemId: number | null = null;
    if (callbackAt !== null) {
      const cb = await insertCallback(client, {
        idempotencyKey: `callback:contact:${contactId}`, customerId: s.customerId, accountId: s.accountId ?? '', notBefore: new Date(callbackAt),
        dueBy: new Date(callbackAt + deps.settings.callback.dueWithinMinutes * MINUTE_MS), priority: deps.settings.callback.priority, reason: 'callback requested on a contact',
        requestedBy: principal.name, assignedTo: principal.name, teamId: null, destinationRef: s.destinationRef, origin: 'staff',
      });
      callbackWorkItemId = cb.workItemId;
    }
    return ok({ contactId, attemptId: attempt.value.attemptId, noteId, callbackWorkItemId, workItemDone, replayed: false });
  });
}

/** A note on an account outside a contact, after the compliance language check. */
export async function addNote(deps: DeskDeps, principal: Principal, cmd: { accountId: string; text: string }): Promise<Result<{ noteId: number; checkedUnder: string }, DeskError>> {
  const now = deps.clock.now();
  const account = await visibleAccount(deps, principal, cmd.accountId);
  if (!account) return err('account_not_found', `no account ${JSON.stringify(cmd.accountId)}`);
  const checked = checkedNote(deps, cmd.text, now.getTime());
  if (!checked.ok) return checked;
  const noteId = await insertNote(deps.pool, { customerId: account.customer_id, accountId: account.account_id, contactId: null, text: cmd.text, checkedUnder: checked.value, author: principal.name, at: now });
  return ok({ noteId, checkedUnder: checked.value });
}
