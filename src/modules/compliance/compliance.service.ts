/**
 * Use cases of the compliance gate: check proposed contacts against the stored state (snapshot →
 * decide → apply: every verdict is appended to the audit chain), and record what the state is made
 * of (contact attempts, flags, opt-outs incl. inbound 退订/STOP replies, consents, time zones).
 */
import type pg from 'pg';
import { inTransaction } from '../../db/index.ts';
import { err, ok, type Result } from '../../kernel/result.ts';
import { contactProfiles, type ContactProfile } from '../portfolio/index.ts';
import { appendToChain, type AppendResult, type AuditEvent } from './audit.repository.ts';
import { canonicalJson, sha256 } from './domain/audit-chain.ts';
import { check, unavailableVerdict, type Verdict } from './domain/check.ts';
import { DAY_MS } from './domain/local-time.ts';
import { recogniseOptOutReply } from './domain/opt-out-reply.ts';
import { normalizeDestination, type ContactContent, type DebtorSnapshot } from './domain/snapshot.ts';
import { parseActor, type Actor, type Channel, type ChannelSelector, type Party } from './domain/vocabulary.ts';
import * as repo from './compliance.repository.ts';
import type { ConsentCommand, OptOutCommand, RecordAttemptCommand, SetFlagCommand } from './compliance.schema.ts';
import type { PackSet } from './pack-loader.ts';

export const COMPLIANCE_CHAIN = 'compliance';
/** Customers whose state is loaded and decided per round (memory bound of the bulk path). */
const CUSTOMERS_PER_ROUND = 20_000;

export interface GateDeps { pool: pg.Pool; packs: PackSet }

export interface GateProposal {
  id: string;
  customerId: string;
  accountId: string | null;
  at: number;
  channel: Channel;
  actor: Actor;
  party: Party;
  destination: string;
  content: ContactContent | null;
}

export interface GateVerdict { customerId: string; verdict: Verdict; auditRef: string | null }

export interface GateOptions {
  /** Test seam: a failing snapshot load must fail closed. */
  loadState?: typeof repo.loadComplianceState;
  loadProfiles?: typeof contactProfiles;
}

function snapshotOf(customerId: string, profile: ContactProfile, state: repo.ComplianceState): DebtorSnapshot {
  return {
    customerId,
    timeZones: [...new Set([profile.timeZone, ...(state.extraZones.get(customerId) ?? [])])],
    destinations: profile.points.map((p) => ({ value: normalizeDestination(p.value), role: p.partyRole, verified: p.verified, source: p.source })),
    flags: state.flags.get(customerId) ?? [],
    optOuts: (state.optOuts.get(customerId) ?? []).map((o) => ({ ...o, destination: o.destination === null ? null : normalizeDestination(o.destination) })),
    consents: state.consents.get(customerId) ?? [],
    history: state.history.get(customerId) ?? [],
  };
}

/**
 * Checks proposed contacts against the stored compliance state and appends every verdict to the
 * audit chain. Fails closed: a snapshot that cannot be read gives `block compliance_state_unavailable`;
 * an audit append that fails gives `block compliance_audit_unavailable` (no unrecorded allow).
 */
export async function checkProposedContacts(deps: GateDeps, packId: string, proposals: readonly GateProposal[], now: number, options: GateOptions = {}): Promise<GateVerdict[]> {
  const byCustomer = new Map<string, Indexed[]>();
  proposals.forEach((p, index) => {
    const list = byCustomer.get(p.customerId);
    if (list) list.push({ p, index });
    else byCustomer.set(p.customerId, [{ p, index }]);
  });
  const customers = [...byCustomer.keys()];
  const results: GateVerdict[] = new Array(proposals.length);
  for (let i = 0; i < customers.length; i += CUSTOMERS_PER_ROUND) {
    const round = customers.slice(i, i + CUSTOMERS_PER_ROUND);
    const decided = await decideRound(deps, packId, round, byCustomer, now, options);
    await recordRound(deps.pool, decided);
    for (const d of decided) results[d.index] = { customerId: d.customerId, verdict: d.verdict, auditRef: d.auditRef };
  }
  return results;
}

interface Indexed { p: GateProposal; index: number }
interface Decided extends GateVerdict { inputDigest: string; proposal: GateProposal; index: number }

async function decideRound(deps: GateDeps, packId: string, customers: string[], byCustomer: Map<string, Indexed[]>, now: number, options: GateOptions): Promise<Decided[]> {
  const items = customers.flatMap((c) => byCustomer.get(c)!);
  let minAt = Infinity;
  let maxAt = -Infinity;
  for (const { p } of items) {
    if (p.at < minAt) minAt = p.at;
    if (p.at > maxAt) maxAt = p.at;
  }
  const packNow = deps.packs.select(packId, now);
  const lookbackDays = packNow?.historyLookbackDays ?? 400;
  let profiles: Map<string, ContactProfile>;
  let state: repo.ComplianceState;
  try {
    [profiles, state] = await Promise.all([
      (options.loadProfiles ?? contactProfiles)(deps.pool, customers),
      (options.loadState ?? repo.loadComplianceState)(deps.pool, customers, minAt - (lookbackDays + 1) * DAY_MS, maxAt + 8 * DAY_MS),
    ]);
  } catch (e) {
    const reason = `the compliance state could not be read (${(e as Error).message})`;
    return items.map(({ p, index }) => ({ customerId: p.customerId, verdict: unavailableVerdict(packNow ?? { id: packId, version: 0 }, p, now, reason), auditRef: null, inputDigest: sha256(canonicalJson(p)), proposal: p, index }));
  }
  const out: Decided[] = [];
  for (const customerId of customers) {
    const profile = profiles.get(customerId);
    const snapshot = profile ? snapshotOf(customerId, profile, state) : null;
    const snapshotDigest = sha256(canonicalJson(snapshot));
    for (const { p, index } of byCustomer.get(customerId)!) {
      const pack = deps.packs.select(packId, p.at);
      const verdict = !pack
        ? unavailableVerdict({ id: packId, version: 0 }, p, now, `no version of pack ${packId} is in effect at ${new Date(p.at).toISOString()}`)
        : snapshot === null ? unavailableVerdict(pack, p, now, `unknown customer ${customerId}`) : check(pack, p, snapshot, now);
      out.push({ customerId, verdict, auditRef: null, inputDigest: sha256(canonicalJson({ proposal: p, snapshotDigest })), proposal: p, index });
    }
  }
  return out;
}

function auditEvent(d: Decided): AuditEvent {
  const v = d.verdict;
  const p = d.proposal;
  return {
    kind: 'compliance.verdict', occurredAt: v.checkedAt, subject: d.customerId, inputDigest: d.inputDigest,
    payload: {
      verdictId: v.id, decision: v.decision, until: v.until, at: v.at, pack: v.pack,
      contact: { accountId: p.accountId, channel: p.channel, actor: p.actor.text, party: p.party, destination: p.destination, purpose: p.content?.purpose ?? null, templateId: p.content?.templateId ?? null },
      rules: v.rules.map((r) => ({ ruleId: r.ruleId, effect: r.effect, code: r.code, until: r.until, ...(r.details ? { details: r.details } : {}) })),
      unreachable: v.context.unreachable,
    },
  };
}

async function recordRound(pool: pg.Pool, decided: Decided[]): Promise<void> {
  if (decided.length === 0) return;
  let appended: AppendResult;
  try {
    appended = await inTransaction(pool, (client) => appendToChain(client, COMPLIANCE_CHAIN, decided.map(auditEvent)));
  } catch (e) {
    const reason = `the audit log could not be written (${(e as Error).message})`;
    for (const d of decided) {
      d.verdict = {
        ...d.verdict, decision: 'block', until: null,
        rules: [...d.verdict.rules, { ruleId: 'X-01', effect: 'block', code: 'compliance_audit_unavailable', until: null, message: { zh: `无法写入审计日志，拒绝联系：${reason}`, en: `audit log unavailable, contact blocked: ${reason}` } }],
      };
    }
    return;
  }
  decided.forEach((d, i) => (d.auditRef = `${COMPLIANCE_CHAIN}:${appended.firstSeq + i}`));
}

// ── recording the state ─────────────────────────────────────────────────────────────────────────

export type RecordError = 'customer_not_found' | 'account_not_found' | 'correction_target_not_found' | 'idempotency_key_reused' | 'consent_not_found';

function foreignKeyError(e: unknown): RecordError | null {
  const pgErr = e as { code?: string; constraint?: string };
  if (pgErr.code !== '23503') return null;
  if (pgErr.constraint?.includes('account')) return 'account_not_found';
  if (pgErr.constraint?.includes('corrects')) return 'correction_target_not_found';
  return 'customer_not_found';
}

async function guarded<T>(work: () => Promise<T>, what: string): Promise<Result<T, RecordError>> {
  try {
    return ok(await work());
  } catch (e) {
    const code = foreignKeyError(e);
    if (!code) throw e;
    return err(code, `${what}: ${code.replace(/_/g, ' ')}`);
  }
}

export async function recordContactAttempt(pool: pg.Pool, cmd: RecordAttemptCommand): Promise<Result<{ attemptId: number; replayed: boolean }, RecordError>> {
  const actor = parseActor(cmd.actor)!;
  const { idempotencyKey, ...input } = cmd;
  const inputHash = sha256(canonicalJson({ ...input, destination: normalizeDestination(cmd.destination) }));
  if (idempotencyKey) {
    const prior = await repo.findAttemptByKey(pool, idempotencyKey);
    if (prior) {
      if (prior.inputHash !== inputHash) return err('idempotency_key_reused', `idempotency key ${JSON.stringify(idempotencyKey)} was used for a different contact attempt (#${prior.attemptId})`);
      return ok({ attemptId: prior.attemptId, replayed: true });
    }
  }
  if (cmd.corrects !== undefined) {
    const owner = await repo.attemptCustomer(pool, cmd.corrects);
    if (owner === null) return err('correction_target_not_found', `contact attempt #${cmd.corrects} does not exist`);
    if (owner !== cmd.customerId) return err('correction_target_not_found', `contact attempt #${cmd.corrects} belongs to another customer`);
  }
  return guarded(async () => ({
    attemptId: await repo.insertAttempt(pool, {
      customerId: cmd.customerId, accountId: cmd.accountId ?? null, at: Date.parse(cmd.at), channel: cmd.channel, actor: actor.text, actorKind: actor.kind, party: cmd.party,
      destination: normalizeDestination(cmd.destination), contentRef: cmd.contentRef ?? null, outcome: cmd.outcome, verdictRef: cmd.verdictRef ?? null,
      corrects: cmd.corrects ?? null, idempotencyKey: idempotencyKey ?? null, inputHash,
    }),
    replayed: false,
  }), `contact attempt for ${cmd.customerId}`);
}

const ms = (iso: string | undefined) => (iso === undefined ? null : Date.parse(iso));

export function setFlag(pool: pg.Pool, cmd: SetFlagCommand): Promise<Result<number, RecordError>> {
  return guarded(() => repo.insertFlagEvent(pool, {
    customerId: cmd.customerId, accountId: cmd.accountId ?? null, kind: cmd.kind, action: 'set', since: ms(cmd.since), until: ms(cmd.until),
    extended: cmd.extended ?? false, responded: cmd.responded ?? false, note: cmd.note ?? null, recordedBy: cmd.recordedBy ?? null,
  }), `flag ${cmd.kind} for ${cmd.customerId}`);
}

export function clearFlag(pool: pg.Pool, cmd: { customerId: string; accountId?: string; kind: SetFlagCommand['kind']; note?: string; recordedBy?: string }): Promise<Result<number, RecordError>> {
  return guarded(() => repo.insertFlagEvent(pool, {
    customerId: cmd.customerId, accountId: cmd.accountId ?? null, kind: cmd.kind, action: 'clear', since: null, until: null, extended: false, responded: false, note: cmd.note ?? null, recordedBy: cmd.recordedBy ?? null,
  }), `flag ${cmd.kind} for ${cmd.customerId}`);
}

export function recordOptOut(pool: pg.Pool, cmd: OptOutCommand, action: 'set' | 'clear' = 'set'): Promise<Result<number, RecordError>> {
  return guarded(() => repo.insertOptOutEvent(pool, {
    customerId: cmd.customerId, channel: cmd.channel, destination: cmd.destination === undefined ? null : normalizeDestination(cmd.destination), action, source: cmd.source, text: cmd.text ?? null, recordedBy: cmd.recordedBy ?? null,
  }), `opt-out for ${cmd.customerId}`);
}

/** An inbound SMS/e-mail reply: 退订, TD, STOP … becomes an opt-out of that channel from that sender. */
export async function handleInboundReply(pool: pg.Pool, reply: { customerId: string; channel: 'sms' | 'email' | 'app_push'; from: string; text: string }): Promise<Result<{ optOut: boolean; keyword: string | null; eventId: number | null }, RecordError>> {
  const r = recogniseOptOutReply(reply.text);
  if (!r.optOut) return ok({ optOut: false, keyword: null, eventId: null });
  const saved = await recordOptOut(pool, { customerId: reply.customerId, channel: reply.channel, destination: reply.from, source: `inbound_${reply.channel}`, text: reply.text });
  return saved.ok ? ok({ optOut: true, keyword: r.keyword, eventId: saved.value }) : saved;
}

export function recordConsent(pool: pg.Pool, cmd: ConsentCommand): Promise<Result<number, RecordError>> {
  return guarded(() => repo.insertConsent(pool, {
    customerId: cmd.customerId, kind: cmd.kind, channel: cmd.channel, windowStart: cmd.window?.start ?? null, windowEnd: cmd.window?.end ?? null,
    destination: cmd.destination === undefined ? null : normalizeDestination(cmd.destination), validFrom: ms(cmd.validFrom), validUntil: Date.parse(cmd.validUntil),
    recordingId: cmd.recordingId ?? null, recordedBy: cmd.recordedBy ?? null,
  }), `consent for ${cmd.customerId}`);
}

export async function revokeConsent(pool: pg.Pool, consentId: number, at: number): Promise<Result<true, RecordError>> {
  return (await repo.revokeConsent(pool, consentId, at)) ? ok(true) : err('consent_not_found', `consent ${consentId} does not exist or is already revoked`);
}

export function setTimeZones(pool: pg.Pool, customerId: string, zones: readonly string[], source: string): Promise<Result<void, RecordError>> {
  return guarded(() => inTransaction(pool, (c) => repo.replaceTimeZones(c, customerId, zones, source)), `time zones of ${customerId}`);
}

export type { ChannelSelector };
