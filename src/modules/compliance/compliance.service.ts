/**
 * Use cases of the compliance gate: check proposed contacts against the stored state (snapshot →
 * decide → apply: every verdict is appended to the audit chain), and record what the state is made
 * of (contact attempts, flags, opt-outs incl. inbound 退订/STOP replies, consents, time zones).
 */
import type pg from 'pg';
import { inTransaction } from '../../db/index.ts';
import { err, ok, type Result } from '../../kernel/result.ts';
import { contactProfiles, maskPhone, type ContactProfile } from '../portfolio/index.ts';
import { appendToChain, type AppendResult, type AuditEvent } from './audit.repository.ts';
import { canonicalJson, payloadText, sha256 } from './domain/audit-chain.ts';
import { check, unavailableVerdict, type Verdict } from './domain/check.ts';
import { DAY_MS } from './domain/local-time.ts';
import { recogniseOptOutReply } from './domain/opt-out-reply.ts';
import { PHONE_KEY_PREFIX, destinationKeyer, normalizeDestination, type ContactContent, type DebtorSnapshot } from './domain/snapshot.ts';
import { parseActor, type Actor, type Channel, type ChannelSelector, type Party } from './domain/vocabulary.ts';
import * as repo from './compliance.repository.ts';
import type { ConsentCommand, OptOutCommand, RecordAttemptCommand, SetFlagCommand } from './compliance.schema.ts';
import type { PackSet } from './pack-loader.service.ts';

export const COMPLIANCE_CHAIN = 'compliance';
/** Customers whose state is loaded and decided per round (memory bound of the bulk path). */
const CUSTOMERS_PER_ROUND = 20_000;

/**
 * The stored compliance state: the database and how a destination becomes its key (phones by blind
 * index: `destinationKeyer(cipher.hmac)`), so that no clear phone number is stored or compared.
 */
export interface ComplianceStore { pool: pg.Pool; destinationKey: (destination: string) => string }

export interface GateDeps extends ComplianceStore { packs: PackSet }

/** The store over a pool, keying phones with the PII cipher's blind index. */
export function complianceStore(pool: pg.Pool, cipher: { hmac(text: string): Buffer }): ComplianceStore {
  return { pool, destinationKey: destinationKeyer((text) => cipher.hmac(text)) };
}

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
  proposals.forEach((proposal, index) => {
    const key = deps.destinationKey(proposal.destination);
    const p = key === proposal.destination ? proposal : { ...proposal, destination: key };
    const list = byCustomer.get(p.customerId);
    if (list) list.push({ p, index });
    else byCustomer.set(p.customerId, [{ p, index }]);
  });
  const customers = [...byCustomer.keys()];
  const results: GateVerdict[] = new Array(proposals.length);
  const packNow = deps.packs.select(packId, now);
  const lookbackDays = packNow?.historyLookbackDays ?? 400;
  const rounds: string[][] = [];
  for (let i = 0; i < customers.length; i += CUSTOMERS_PER_ROUND) rounds.push(customers.slice(i, i + CUSTOMERS_PER_ROUND));
  // The next round's state loads (in PostgreSQL) while this round is decided and recorded (in Node).
  const load = (round: string[]) => loadRound(deps, round, byCustomer, lookbackDays, options);
  // Likewise the previous round's audit COPY streams while this round is decided; rounds are still
  // appended in order, and nothing is returned before every verdict is recorded (or blocked).
  let next = rounds.length ? load(rounds[0]!) : null;
  let recording: Promise<void> = Promise.resolve();
  const publish = (decided: Decided[]) => {
    for (const d of decided) results[d.index] = { customerId: d.customerId, verdict: d.verdict, auditRef: d.auditRef };
  };
  for (let r = 0; r < rounds.length; r++) {
    const loaded = await next!;
    next = r + 1 < rounds.length ? load(rounds[r + 1]!) : null;
    const decided = await decideRound(deps, packId, rounds[r]!, byCustomer, loaded, now);
    await recording;
    recording = recordRound(deps.pool, decided).then(() => publish(decided));
  }
  await recording;
  return results;
}

interface Indexed { p: GateProposal; index: number }
interface Decided extends GateVerdict { inputDigest: string; proposal: GateProposal; index: number }
type Loaded = { profiles: Map<string, ContactProfile>; state: repo.ComplianceState } | { error: string };

async function loadRound(deps: GateDeps, customers: string[], byCustomer: Map<string, Indexed[]>, lookbackDays: number, options: GateOptions): Promise<Loaded> {
  let minAt = Infinity;
  let maxAt = -Infinity;
  for (const c of customers) {
    for (const { p } of byCustomer.get(c)!) {
      if (p.at < minAt) minAt = p.at;
      if (p.at > maxAt) maxAt = p.at;
    }
  }
  try {
    const [profiles, state] = await Promise.all([
      (options.loadProfiles ?? contactProfiles)(deps.pool, customers),
      (options.loadState ?? repo.loadComplianceState)(deps.pool, customers, minAt - (lookbackDays + 1) * DAY_MS, maxAt + 8 * DAY_MS),
    ]);
    return { profiles, state };
  } catch (e) {
    return { error: `the compliance state could not be read (${(e as Error).message})` };
  }
}

/** Yields to the event loop every few thousand debtors so the previous round's audit COPY keeps streaming. */
const YIELD_EVERY_CUSTOMERS = 2_000;
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A digest of one proposal (fields in a fixed order, JSON-quoted so no field can run into the next). */
function proposalDigestText(p: GateProposal): string {
  const c = p.content;
  return JSON.stringify([p.id, p.customerId, p.accountId, p.at, p.channel, p.actor.text, p.party, p.destination, c?.purpose ?? null, c?.templateId ?? null, c?.text ?? null, c?.slots ?? null, c?.firstCommunication ?? null]);
}

/** Content is not copied into the audit row (it can be long); its digest is. */
function contentDigest(c: ContactContent): string {
  return sha256(JSON.stringify([c.purpose, c.templateId, c.text, c.slots, c.firstCommunication]));
}

async function decideRound(deps: GateDeps, packId: string, customers: string[], byCustomer: Map<string, Indexed[]>, loaded: Loaded, now: number): Promise<Decided[]> {
  const out: Decided[] = [];
  if ('error' in loaded) {
    const packNow = deps.packs.select(packId, now);
    for (const c of customers) {
      for (const { p, index } of byCustomer.get(c)!) {
        out.push({ customerId: c, verdict: unavailableVerdict(packNow ?? { id: packId, version: 0 }, p, now, loaded.error), auditRef: null, inputDigest: sha256(proposalDigestText(p)), proposal: p, index });
      }
    }
    return out;
  }
  const { profiles, state } = loaded;
  let n = 0;
  for (const customerId of customers) {
    if (++n % YIELD_EVERY_CUSTOMERS === 0) await yieldToLoop();
    const profile = profiles.get(customerId);
    const snapshot = profile ? snapshotOf(customerId, profile, state) : null;
    // Digests of inputs built by this code in a fixed key order: JSON.stringify is stable for them.
    const snapshotDigest = sha256(payloadText(snapshot));
    for (const { p, index } of byCustomer.get(customerId)!) {
      const pack = deps.packs.select(packId, p.at);
      const verdict = !pack
        ? unavailableVerdict({ id: packId, version: 0 }, p, now, `no version of pack ${packId} is in effect at ${new Date(p.at).toISOString()}`)
        : snapshot === null ? unavailableVerdict(pack, p, now, `unknown customer ${customerId}`) : check(pack, p, snapshot, now);
      // The proposal itself is in the audit payload (hashed by the chain); the input digest pins the snapshot it was judged on.
      out.push({ customerId, verdict, auditRef: null, inputDigest: snapshotDigest, proposal: p, index });
    }
  }
  return out;
}

const q = JSON.stringify;

/**
 * The audit payload: compact (a million a day), written straight as JSON text, nulls omitted; rule
 * messages follow from rule id, code and pack version.
 */
function auditEvent(d: Decided): AuditEvent {
  const v = d.verdict;
  const p = d.proposal;
  let contact = `{"channel":"${p.channel}","actor":${q(p.actor.text)},"party":"${p.party}","destination":${q(p.destination)}`;
  if (p.accountId !== null) contact += `,"accountId":${q(p.accountId)}`;
  if (p.content) contact += `,"purpose":"${p.content.purpose}"${p.content.templateId ? `,"templateId":${q(p.content.templateId)}` : ''},"contentDigest":"${contentDigest(p.content)}"`;
  let rules = '';
  for (const r of v.rules) {
    rules += `${rules ? ',' : ''}{"rule":"${r.ruleId}","code":"${r.code}","effect":"${r.effect}"${r.until !== null ? `,"until":${r.until}` : ''}${r.details ? `,"details":${q(r.details)}` : ''}}`;
  }
  let pack = `${v.pack.id}@${v.pack.version}`;
  for (const o of v.pack.overrides) pack += `+${o.id}@${o.version}`;
  const payloadJson = `{"id":${q(v.id)},"decision":"${v.decision}","at":${v.at}${v.until !== null ? `,"until":${v.until}` : ''},"pack":${q(pack)},"contact":${contact}},"rules":[${rules}]${v.context.unreachable ? `,"unreachable":${q(v.context.unreachable)}` : ''}}`;
  return { kind: 'compliance.verdict', occurredAt: v.checkedAt, subject: d.customerId, inputDigest: d.inputDigest, payload: null, payloadJson };
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

/** How a recorded destination may be shown: phones masked (138****5678), e-mail as z***@example.com. */
function maskedDestination(destination: string): string | null {
  if (destination.startsWith(PHONE_KEY_PREFIX)) return null; // a key given as is: the number is not known here
  const normalized = normalizeDestination(destination);
  if (/^\+?\d{5,20}$/.test(normalized)) return maskPhone(normalized);
  const at = normalized.indexOf('@');
  return at > 0 ? `${normalized[0]}***${normalized.slice(at)}` : normalized;
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

/**
 * Records one contact attempt in the ledger. A caller that names the destination by its key (a phone's
 * `tel:` blind index, as the worklist does) passes the masked form it holds in `known.destinationMasked`.
 */
export async function recordContactAttempt(store: ComplianceStore, cmd: RecordAttemptCommand, known: { destinationMasked?: string | null } = {}): Promise<Result<{ attemptId: number; replayed: boolean }, RecordError>> {
  const { pool } = store;
  const actor = parseActor(cmd.actor)!;
  const { idempotencyKey, ...input } = cmd;
  const destination = store.destinationKey(cmd.destination);
  const inputHash = sha256(canonicalJson({ ...input, destination }));
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
      destination, destinationMasked: maskedDestination(cmd.destination) ?? known.destinationMasked ?? null, contentRef: cmd.contentRef ?? null, outcome: cmd.outcome, verdictRef: cmd.verdictRef ?? null,
      corrects: cmd.corrects ?? null, idempotencyKey: idempotencyKey ?? null, inputHash,
    }),
    replayed: false,
  }), `contact attempt for ${cmd.customerId}`);
}

/** What `recordContactAttempts` takes: a ledger row with its idempotency key (required in bulk). */
export type BulkAttemptCommand = RecordAttemptCommand & {
  idempotencyKey: string;
  /** How the destination may be shown, when the caller passes a key (`tel:…`) whose number it knows masked. */
  destinationMasked?: string | null;
};

/**
 * Records many attempts in one statement (the dispatcher's path: thousands a second), on `db` (a
 * transaction's client, so the attempts commit with what they record) or the store's pool. Same rules
 * as `recordContactAttempt`: a key already stored with the same input is a replay, with another input
 * `idempotency_key_reused`; corrections must name an attempt of the same customer (checked by the
 * foreign key; the bulk caller only corrects attempts it recorded itself).
 */
export async function recordContactAttempts(store: ComplianceStore, cmds: readonly BulkAttemptCommand[], db: pg.ClientBase | pg.Pool = store.pool): Promise<Result<{ attemptId: number; replayed: boolean }, RecordError>[]> {
  const rows: repo.AttemptRow[] = cmds.map((cmd) => {
    const actor = parseActor(cmd.actor);
    if (!actor) throw new Error(`recordContactAttempts: ${JSON.stringify(cmd.actor)} is not an actor`);
    const { idempotencyKey, destinationMasked, ...input } = cmd;
    const destination = store.destinationKey(cmd.destination);
    return {
      customerId: cmd.customerId, accountId: cmd.accountId ?? null, at: Date.parse(cmd.at), channel: cmd.channel, actor: actor.text, actorKind: actor.kind, party: cmd.party,
      destination, destinationMasked: destinationMasked !== undefined ? destinationMasked : maskedDestination(cmd.destination), contentRef: cmd.contentRef ?? null, outcome: cmd.outcome, verdictRef: cmd.verdictRef ?? null,
      corrects: cmd.corrects ?? null, idempotencyKey, inputHash: sha256(canonicalJson({ ...input, destination })),
    };
  });
  const stored = await repo.insertAttempts(db, rows);
  return rows.map((row) => {
    const s = stored.get(row.idempotencyKey!);
    if (!s) throw new Error(`recordContactAttempts: attempt ${row.idempotencyKey} neither inserted nor found`);
    if (!s.inserted && s.inputHash !== row.inputHash) return err('idempotency_key_reused', `idempotency key ${JSON.stringify(row.idempotencyKey)} was used for a different contact attempt (#${s.attemptId})`);
    return ok({ attemptId: s.attemptId, replayed: !s.inserted });
  });
}

const ms = (iso: string | undefined) => (iso === undefined ? null : Date.parse(iso));

export function setFlag({ pool }: ComplianceStore, cmd: SetFlagCommand): Promise<Result<number, RecordError>> {
  return guarded(() => repo.insertFlagEvent(pool, {
    customerId: cmd.customerId, accountId: cmd.accountId ?? null, kind: cmd.kind, action: 'set', since: ms(cmd.since), until: ms(cmd.until),
    extended: cmd.extended ?? false, responded: cmd.responded ?? false, note: cmd.note ?? null, recordedBy: cmd.recordedBy ?? null,
  }), `flag ${cmd.kind} for ${cmd.customerId}`);
}

export function clearFlag({ pool }: ComplianceStore, cmd: { customerId: string; accountId?: string; kind: SetFlagCommand['kind']; note?: string; recordedBy?: string }): Promise<Result<number, RecordError>> {
  return guarded(() => repo.insertFlagEvent(pool, {
    customerId: cmd.customerId, accountId: cmd.accountId ?? null, kind: cmd.kind, action: 'clear', since: null, until: null, extended: false, responded: false, note: cmd.note ?? null, recordedBy: cmd.recordedBy ?? null,
  }), `flag ${cmd.kind} for ${cmd.customerId}`);
}

export function recordOptOut(store: ComplianceStore, cmd: OptOutCommand, action: 'set' | 'clear' = 'set'): Promise<Result<number, RecordError>> {
  return guarded(() => repo.insertOptOutEvent(store.pool, {
    customerId: cmd.customerId, channel: cmd.channel, destination: cmd.destination === undefined ? null : store.destinationKey(cmd.destination), action, source: cmd.source, text: cmd.text ?? null, recordedBy: cmd.recordedBy ?? null,
  }), `opt-out for ${cmd.customerId}`);
}

/** An inbound SMS/e-mail reply: 退订, TD, STOP … becomes an opt-out of that channel from that sender. */
export async function handleInboundReply(store: ComplianceStore, reply: { customerId: string; channel: 'sms' | 'email' | 'app_push'; from: string; text: string }): Promise<Result<{ optOut: boolean; keyword: string | null; eventId: number | null }, RecordError>> {
  const r = recogniseOptOutReply(reply.text);
  if (!r.optOut) return ok({ optOut: false, keyword: null, eventId: null });
  const saved = await recordOptOut(store, { customerId: reply.customerId, channel: reply.channel, destination: reply.from, source: `inbound_${reply.channel}`, text: reply.text });
  return saved.ok ? ok({ optOut: true, keyword: r.keyword, eventId: saved.value }) : saved;
}

export function recordConsent(store: ComplianceStore, cmd: ConsentCommand): Promise<Result<number, RecordError>> {
  return guarded(() => repo.insertConsent(store.pool, {
    customerId: cmd.customerId, kind: cmd.kind, channel: cmd.channel, windowStart: cmd.window?.start ?? null, windowEnd: cmd.window?.end ?? null,
    destination: cmd.destination === undefined ? null : store.destinationKey(cmd.destination), validFrom: ms(cmd.validFrom), validUntil: Date.parse(cmd.validUntil),
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
