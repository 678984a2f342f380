/**
 * The outbox dispatcher. One round (`dispatchOnce`):
 *   1. recover rows whose dispatcher stopped mid-send (lease expired): in doubt → dead, letters → pending;
 *   2. claim due rows (FOR UPDATE SKIP LOCKED, marked 'sending' for this claim);
 *   3. read the facts in bulk (accounts, customers, contact points), pick the template counterpart and
 *      render it, pick the destination;
 *   4. re-check compliance at send time with the rendered text (one gate call per round, every verdict
 *      audited): defer → back to pending at `until`, block → 'blocked';
 *   5. hand the allowed messages to their channel's provider, paced by a token bucket per provider;
 *   6. write every outcome, the provider references and the contact-ledger rows in one transaction:
 *      accepted → 'sent' (ledger `sent`), transient → 'failed' with exponential backoff or 'dead' after
 *      the limit, permanent → 'dead', in doubt → 'dead' (ledger `sent`: it may have gone out);
 *   7. apply delivery receipts that were waiting for this round's provider ids.
 * Phones are decrypted only for step 5, and only for messages the gate allowed.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { inTransaction } from '../../db/index.ts';
import { todayIn, type Clock } from '../../kernel/clock.ts';
import { currencyMinorDigits } from '../../kernel/money.ts';
import { seededRng, type Rng } from '../../kernel/rng.ts';
import {
  checkProposedContacts, parseActor, recordContactAttempts, type BulkAttemptCommand, type ComplianceStore, type GateProposal, type PackSet, type Verdict,
} from '../compliance/index.ts';
import { templateValues, type AccountFacts, type BankFacts } from './domain/message-values.ts';
import { TokenBucket } from './domain/rate-limit.ts';
import { afterTransientFailure, DEFAULT_RETRY_POLICY, type RetryPolicy } from './domain/retry.ts';
import { renderTemplate, renderedFullText, type RenderedMessage, type TemplateChannel, type TemplateDocument } from './domain/template.ts';
import * as repo from './dispatch.repository.ts';
import { applyPendingReceipts } from './inbound.service.ts';
import type { ChannelProvider, OutboundMessage, PostalRecipient, SendResult } from './providers/provider.ts';
import type { TemplateSet } from './template-catalog.service.ts';

export interface ContactPointFacts {
  kind: 'phone' | 'email' | 'address';
  position: number;
  partyRole: 'debtor' | 'guarantor' | 'contact';
  verified: boolean;
  value: string | null;
  valueEncrypted: Buffer | null;
  valueHmac: Buffer | null;
  masked: string | null;
  details: Record<string, unknown> | null;
}

export interface CustomerFacts { customerId: string; name: string; language: 'zh-CN' | 'en'; timeZone: string }

/** Where the dispatcher reads the facts it renders with (wired by the composition root: src/workflows/message-data.workflow.ts). */
export interface MessageDataSource {
  accounts(accountIds: readonly string[], asOfDay: number): Promise<Map<string, AccountFacts>>;
  customers(customerIds: readonly string[]): Promise<Map<string, CustomerFacts>>;
  contactPoints(customerIds: readonly string[]): Promise<Map<string, ContactPointFacts[]>>;
}

export interface DispatcherDeps {
  pool: pg.Pool;
  clock: Clock;
  cipher: { decrypt(sealed: Buffer): string; hmac(text: string): Buffer };
  store: ComplianceStore;
  packs: PackSet;
  packId: string;
  templates: () => Promise<TemplateSet>;
  data: MessageDataSource;
  bank: BankFacts;
  /** The bank's zone: what "today" is for deadlines, letter dates and print batches. */
  timeZone: string;
  providers: readonly ChannelProvider[];
  /** Builds the one-click unsubscribe link of an e-mail. */
  unsubscribeUrl: (messageId: number) => string | null;
  log?: { info(message: string): void; warn(message: string): void };
}

export interface DispatcherOptions {
  /** Names this dispatcher in claims (several may run at once). */
  id?: string;
  batchSize?: number;
  /** Rounds `drain` runs at once (default 1). */
  lanes?: number;
  /** A row 'sending' for longer than this belongs to a dispatcher that stopped. */
  leaseMs?: number;
  retry?: RetryPolicy;
  seed?: number;
  /** Monotonic milliseconds and a sleep, for pacing (tests replace them). */
  monotonic?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface RoundSummary {
  claimed: number;
  sent: number;
  deferred: number;
  blocked: number;
  retrying: number;
  dead: number;
  inDoubt: number;
  cancelled: number;
  recovered: number;
  /** Robot calls put back because the debtor is being called right now (tried again next round). */
  postponed: number;
}

const ZERO: RoundSummary = { claimed: 0, sent: 0, deferred: 0, blocked: 0, retrying: 0, dead: 0, inDoubt: 0, cancelled: 0, recovered: 0, postponed: 0 };

const KIND_OF: Record<TemplateChannel, ContactPointFacts['kind']> = { sms: 'phone', voice_robot: 'phone', email: 'email', letter: 'address' };

function maskEmail(address: string): string {
  const at = address.indexOf('@');
  return at <= 1 ? '*' + address.slice(at) : address[0] + '***' + address.slice(at);
}

interface Prepared {
  row: repo.ClaimedRow;
  template: TemplateDocument;
  rendered: RenderedMessage;
  point: ContactPointFacts;
  destinationKey: string;
  destinationMasked: string;
  recipient: PostalRecipient | null;
  provider: ChannelProvider;
  verdict?: Verdict;
  auditRef?: string | null;
  result?: SendResult;
}

export class Dispatcher {
  readonly id: string;
  readonly #batchSize: number;
  readonly #lanes: number;
  readonly #leaseMs: number;
  readonly #retry: RetryPolicy;
  readonly #rng: Rng;
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #providers = new Map<TemplateChannel, ChannelProvider>();
  readonly #monotonic: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  #claims = 0;
  /** Milliseconds spent per stage since the dispatcher was made (benchmarks, diagnostics). */
  readonly stageMs = { recover: 0, claim: 0, prepare: 0, gate: 0, send: 0, record: 0, receipts: 0 };

  constructor(private readonly deps: DispatcherDeps, options: DispatcherOptions = {}) {
    this.id = options.id ?? `dispatcher-${randomUUID().slice(0, 8)}`;
    this.#batchSize = options.batchSize ?? 500;
    this.#lanes = options.lanes ?? 1;
    this.#leaseMs = options.leaseMs ?? 10 * 60_000;
    this.#retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.#rng = seededRng(options.seed ?? 1);
    this.#monotonic = options.monotonic ?? (() => performance.now());
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    for (const p of deps.providers) {
      if (this.#providers.has(p.channel)) throw new Error(`two providers for channel ${p.channel}: ${this.#providers.get(p.channel)!.name} and ${p.name}`);
      this.#providers.set(p.channel, p);
      if (p.ratePerSecond !== null) this.#buckets.set(p.name, new TokenBucket(p.ratePerSecond, Math.max(1, Math.ceil(p.ratePerSecond / 10)), this.#monotonic()));
    }
  }

  channels(): TemplateChannel[] {
    return [...this.#providers.keys()];
  }

  /** One round; returns what happened to the rows it claimed. */
  async dispatchOnce(): Promise<RoundSummary> {
    const round = await this.#sendRound();
    return round.record();
  }

  /**
   * Claims, renders, gates and sends one batch; `record` then writes its outcomes (the caller may
   * start the next batch while the previous one is being recorded: the rows are different, and a row
   * is 'sending' until its outcome is written, so nothing is claimed twice).
   */
  async #sendRound(): Promise<{ claimed: number; record: () => Promise<RoundSummary> }> {
    const { pool, clock } = this.deps;
    const now = clock.now().getTime();
    let t = performance.now();
    const lap = (stage: keyof Dispatcher['stageMs']) => {
      const at = performance.now();
      this.stageMs[stage] += at - t;
      t = at;
    };
    const recovered = await repo.recoverExpiredLeases(pool, { now, leaseMs: this.#leaseMs, limit: this.#batchSize });
    lap('recover');
    const claimedBy = `${this.id}:${++this.#claims}`;
    const rows = await repo.claimDue(pool, { now, limit: this.#batchSize, channels: this.channels(), claimedBy });
    lap('claim');
    const summary: RoundSummary = { ...ZERO, claimed: rows.length, recovered: recovered.inDoubt + recovered.requeued };
    if (rows.length === 0) return { claimed: 0, record: async () => summary };
    const outcomes: repo.RowOutcome[] = [];
    const ledger: BulkAttemptCommand[] = [];
    const refs: { provider: string; providerMessageId: string; messageId: number; part: number }[] = [];
    const prepared = await this.#prepare(rows, now, outcomes, summary);
    lap('prepare');
    await this.#gate(prepared, now, outcomes, summary);
    lap('gate');
    const allowed = prepared.filter((p) => p.verdict?.decision === 'allow');
    await this.#send(allowed);
    lap('send');
    const today = todayIn(clock, this.deps.timeZone);
    for (const p of allowed) this.#settle(p, now, today, outcomes, ledger, refs, summary);
    const record = async () => {
      let r = performance.now();
      await inTransaction(pool, async (client) => {
        const recorded = await recordContactAttempts(this.deps.store, ledger, client);
        const attemptIds = new Map<number, number>();
        recorded.forEach((x, i) => {
          if (!x.ok) throw new Error(`contact ledger: ${x.message}`);
          attemptIds.set(Number(ledger[i]!.idempotencyKey.split(':')[1]), x.value.attemptId);
        });
        for (const o of outcomes) if (attemptIds.has(o.messageId)) o.attemptId = attemptIds.get(o.messageId)!;
        await repo.insertProviderRefs(client, refs);
        await repo.writeOutcomes(client, outcomes);
      });
      this.stageMs.record += performance.now() - r;
      r = performance.now();
      if (refs.length) await applyPendingReceipts({ pool, store: this.deps.store, clock });
      this.stageMs.receipts += performance.now() - r;
      return summary;
    };
    return { claimed: rows.length, record };
  }

  /**
   * Rounds until nothing is due (or `maxRounds`); the sum of their summaries. Each round's recording
   * overlaps the next round's claim, render, gate and send (PostgreSQL writes while Node sends);
   * `lanes` such pipelines run at once, each claiming its own rows as separate dispatchers would.
   */
  async drain(maxRounds = 10_000): Promise<RoundSummary> {
    const total = { ...ZERO };
    const add = (s: RoundSummary) => {
      for (const k of Object.keys(total) as (keyof RoundSummary)[]) total[k] += s[k];
    };
    let rounds = 0;
    let empty = false;
    const lane = async () => {
      let recording: Promise<RoundSummary> | null = null;
      try {
        while (!empty && rounds < maxRounds) {
          rounds++;
          const round = await this.#sendRound();
          // Rows the previous round put back (postponed calls) are claimable only once it is recorded:
          // an empty round right after a busy one is tried again.
          const previous = recording ? await recording : null;
          if (previous) add(previous);
          recording = round.record();
          if (round.claimed === 0 && (previous === null || previous.claimed - previous.postponed === 0)) empty = true;
        }
      } finally {
        if (recording) add(await recording);
      }
    };
    await Promise.all(Array.from({ length: this.#lanes }, lane));
    return total;
  }

  async #prepare(rows: repo.ClaimedRow[], now: number, outcomes: repo.RowOutcome[], summary: RoundSummary): Promise<Prepared[]> {
    const { data, clock } = this.deps;
    const today = todayIn(clock, this.deps.timeZone);
    const live: repo.ClaimedRow[] = [];
    for (const row of rows) {
      if (row.expiresAt !== null && row.expiresAt <= now) {
        outcomes.push({ messageId: row.messageId, claimedBy: row.claimedBy, status: 'cancelled', uncountAttempt: true, lastError: 'expired: not sent before expires_at' });
        summary.cancelled++;
      } else live.push(row);
    }
    const accountIds = [...new Set(live.flatMap((r) => (r.accountId ? [r.accountId] : [])))];
    const customerIds = [...new Set(live.map((r) => r.customerId))];
    const [accounts, customers, points, templates] = await Promise.all([
      data.accounts(accountIds, today), data.customers(customerIds), data.contactPoints(customerIds), this.deps.templates(),
    ]);
    const out: Prepared[] = [];
    const dead = (row: repo.ClaimedRow, error: string) => {
      outcomes.push({ messageId: row.messageId, claimedBy: row.claimedBy, status: 'dead', lastError: error, nextAttemptAt: null });
      summary.dead++;
    };
    // The gate judges a round's contacts against the ledger, not against each other or against calls
    // another round has placed but not recorded yet: so that calls cannot pass a per-day cap together,
    // a debtor gets at most one robot call at a time.
    const voiceCustomers = [...new Set(live.filter((r) => r.channel === 'voice_robot').map((r) => r.customerId))];
    const calling = new Set<string>(voiceCustomers.length ? await repo.customersBeingCalled(this.deps.pool, voiceCustomers, live[0]!.claimedBy) : []);
    for (const row of live) {
      if (row.channel === 'voice_robot') {
        if (calling.has(row.customerId)) {
          outcomes.push({ messageId: row.messageId, claimedBy: row.claimedBy, status: 'pending', uncountAttempt: true, nextAttemptAt: now, lastError: 'postponed: one robot call per debtor at a time' });
          summary.postponed++;
          continue;
        }
        calling.add(row.customerId);
      }
      const customer = customers.get(row.customerId);
      if (!customer) { dead(row, `customer_not_found: ${row.customerId}`); continue; }
      const account = row.accountId ? accounts.get(row.accountId) ?? null : null;
      if (row.accountId && !account) { dead(row, `account_not_found: ${row.accountId}`); continue; }
      const provider = this.#providers.get(row.channel as TemplateChannel)!;
      const template = templates.resolve(row.templateId, { language: row.language ?? customer.language, tone: row.tone }, today);
      if (!template.ok) { dead(row, `${template.code}: ${template.message}`); continue; }
      if (template.value.channel !== row.channel) { dead(row, `template_channel_mismatch: ${template.value.id} is a ${template.value.channel} template, the message is ${row.channel}`); continue; }
      const point = pickDestination(row, points.get(row.customerId) ?? []);
      if (!point) { dead(row, `no_destination: no ${KIND_OF[row.channel as TemplateChannel]} ${row.destinationRef ?? `for the ${row.partyRole}`}`); continue; }
      const values = templateValues({
        account, customerName: customer.name, bank: this.deps.bank, language: template.value.language, today,
        minorDigits: (c) => currencyMinorDigits(c) ?? 2, messageValues: row.variables,
        unsubscribeUrl: row.channel === 'email' ? this.deps.unsubscribeUrl(row.messageId) : null,
      });
      const rendered = renderTemplate(template.value, values);
      if (!rendered.ok) { dead(row, `${rendered.code}: ${rendered.message}`); continue; }
      const { key, masked, recipient } = destinationOf(point, customer.name);
      out.push({ row, template: template.value, rendered: rendered.value, point, destinationKey: key, destinationMasked: masked, recipient, provider });
    }
    return out;
  }

  async #gate(prepared: Prepared[], now: number, outcomes: repo.RowOutcome[], summary: RoundSummary): Promise<void> {
    if (prepared.length === 0) return;
    const proposals: GateProposal[] = prepared.map((p) => ({
      id: `outbox:${p.row.messageId}`, customerId: p.row.customerId, accountId: p.row.accountId, at: now, channel: p.row.channel as TemplateChannel,
      actor: parseActor(p.row.channel === 'voice_robot' ? `robot:${p.provider.name}` : 'bank')!, party: p.row.partyRole, destination: p.destinationKey,
      content: {
        text: renderedFullText(p.rendered), templateId: `${p.template.id}@${p.template.version}`, purpose: p.template.purpose,
        slots: p.row.channel === 'letter' ? p.rendered.slots : null, firstCommunication: false,
      },
    }));
    const verdicts = await checkProposedContacts({ ...this.deps.store, packs: this.deps.packs }, this.deps.packId, proposals, now);
    prepared.forEach((p, i) => {
      const v = verdicts[i]!;
      p.verdict = v.verdict;
      p.auditRef = v.auditRef;
      if (v.verdict.decision === 'allow') return;
      const rules = v.verdict.rules.filter((r) => r.effect !== 'note').map((r) => ({ rule: r.ruleId, code: r.code, effect: r.effect, until: r.until === null ? null : new Date(r.until).toISOString(), message: r.message }));
      const verdict = { decision: v.verdict.decision, until: v.verdict.until === null ? null : new Date(v.verdict.until).toISOString(), rules };
      const reason = rules.map((r) => `${r.rule} ${r.code}`).join(', ');
      if (v.verdict.decision === 'defer') {
        outcomes.push({ messageId: p.row.messageId, claimedBy: p.row.claimedBy, status: 'pending', uncountAttempt: true, nextAttemptAt: v.verdict.until, lastError: `deferred: ${reason}`, verdictRef: v.auditRef, verdict });
        summary.deferred++;
      } else {
        outcomes.push({ messageId: p.row.messageId, claimedBy: p.row.claimedBy, status: 'blocked', nextAttemptAt: null, lastError: `blocked: ${reason}`, verdictRef: v.auditRef, verdict });
        summary.blocked++;
      }
    });
  }

  async #send(allowed: Prepared[]): Promise<void> {
    const running: Promise<void>[] = [];
    for (const p of allowed) {
      const bucket = this.#buckets.get(p.provider.name);
      if (bucket) {
        const wait = bucket.take(this.#monotonic());
        if (wait > 0) await this.#sleep(wait);
      }
      // Decrypted only now, for this hand-over; never stored, never logged.
      const to = p.point.kind === 'phone' ? this.deps.cipher.decrypt(p.point.valueEncrypted!) : p.point.value!;
      const message: OutboundMessage = {
        messageId: p.row.messageId, idempotencyKey: p.row.idempotencyKey, channel: p.row.channel as TemplateChannel, to, toMasked: p.destinationMasked,
        rendered: p.rendered, language: p.rendered.language, recipient: p.recipient,
        unsubscribeUrl: p.row.channel === 'email' ? this.deps.unsubscribeUrl(p.row.messageId) : null,
      };
      running.push(p.provider.send(message).then(
        (result) => void (p.result = result),
        (e: Error) => void (p.result = { kind: 'in_doubt', error: `provider_error: ${e.message}` }),
      ));
    }
    await Promise.all(running);
  }

  #settle(p: Prepared, now: number, today: number, outcomes: repo.RowOutcome[], ledger: BulkAttemptCommand[], refs: { provider: string; providerMessageId: string; messageId: number; part: number }[], summary: RoundSummary): void {
    const r = p.result!;
    const base = { messageId: p.row.messageId, claimedBy: p.row.claimedBy, provider: p.provider.name, verdictRef: p.auditRef ?? null, verdict: { decision: 'allow' } };
    const what = {
      renderedTemplateId: p.template.id, renderedTemplateVersion: p.template.version, renderedLanguage: p.template.language,
      destinationKey: p.destinationKey, destinationMasked: p.destinationMasked,
      rendered: compactRendered(p.rendered, p.recipient),
    };
    const attempt = (outcome: 'sent' | 'failed' | 'bounced'): BulkAttemptCommand => ({
      idempotencyKey: `outbox:${p.row.messageId}:${outcome === 'sent' ? 'sent' : `attempt-${p.row.attempts}`}`,
      customerId: p.row.customerId, ...(p.row.accountId ? { accountId: p.row.accountId } : {}), at: new Date(now).toISOString(), channel: p.row.channel as TemplateChannel,
      actor: p.row.channel === 'voice_robot' ? `robot:${p.provider.name}` : 'bank', party: p.row.partyRole, destination: p.destinationKey, destinationMasked: p.destinationMasked,
      outcome, contentRef: `template:${p.template.id}@${p.template.version}`, ...(p.auditRef ? { verdictRef: p.auditRef } : {}),
    });
    switch (r.kind) {
      case 'accepted': {
        // Receipts come per provider id (one per SMS part over SMPP).
        const parts = Math.max(1, r.providerMessageIds.length);
        outcomes.push({ ...base, ...what, status: 'sent', sentAt: now, providerMessageId: r.providerMessageIds[0] ?? null, partsTotal: parts, nextAttemptAt: null, lastError: null,
          printBatch: p.row.channel === 'letter' ? formatDay(today) : null });
        r.providerMessageIds.forEach((id, i) => refs.push({ provider: p.provider.name, providerMessageId: id, messageId: p.row.messageId, part: i + 1 }));
        ledger.push(attempt('sent'));
        summary.sent++;
        return;
      }
      case 'transient': {
        const next = afterTransientFailure(this.#retry, p.row.attempts, now, this.#rng);
        if (next.kind === 'retry') {
          outcomes.push({ ...base, status: 'failed', nextAttemptAt: next.at, lastError: `transient (attempt ${p.row.attempts} of ${this.#retry.maxAttempts}): ${r.error}` });
          summary.retrying++;
        } else {
          outcomes.push({ ...base, status: 'dead', nextAttemptAt: null, lastError: `dead after ${p.row.attempts} attempts: ${r.error}` });
          summary.dead++;
        }
        return;
      }
      case 'permanent':
        outcomes.push({ ...base, ...what, status: 'dead', nextAttemptAt: null, lastError: `permanent: ${r.error}` });
        if (r.outcome) ledger.push(attempt(r.outcome));
        summary.dead++;
        return;
      case 'in_doubt':
        // It may have reached the debtor: recorded as sent (the counters err on the side of caution), never resent.
        outcomes.push({ ...base, ...what, status: 'dead', sentAt: now, nextAttemptAt: null, lastError: `in_doubt: ${r.error}; not sent again automatically` });
        ledger.push(attempt('sent'));
        summary.inDoubt++;
        return;
    }
  }
}

/** What was sent, without the parts this channel does not have (it is stored with every message). */
function compactRendered(r: RenderedMessage, recipient: PostalRecipient | null): Record<string, unknown> {
  const out: Record<string, unknown> = { templateId: r.templateId, version: r.version, channel: r.channel, language: r.language, text: r.text };
  if (r.subject !== null) out.subject = r.subject;
  if (r.html !== null) out.html = r.html;
  if (r.title !== null) out.title = r.title;
  if (r.sections.length) out.sections = r.sections;
  if (r.closing !== null) out.closing = r.closing;
  if (Object.keys(r.slots).length) out.slots = r.slots;
  if (Object.keys(r.keys).length) out.keys = r.keys;
  if (recipient) out.recipient = recipient;
  return out;
}

function formatDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The contact point a message goes to: the one its reference names ('phone:0'), else the first
 * verified point of the channel's kind belonging to the message's party (by position), else the
 * first such point at all (the compliance gate then decides whether an unverified one may be used).
 */
export function pickDestination(row: { channel: string; partyRole: string; destinationRef: string | null }, points: readonly ContactPointFacts[]): ContactPointFacts | null {
  const kind = KIND_OF[row.channel as TemplateChannel];
  if (!kind) return null;
  if (row.destinationRef) {
    const m = /^(phone|email|address):(\d+)$/.exec(row.destinationRef);
    if (!m || m[1] !== kind) return null;
    return points.find((p) => p.kind === kind && p.position === Number(m[2])) ?? null;
  }
  const candidates = points.filter((p) => p.kind === kind && p.partyRole === row.partyRole).sort((a, b) => a.position - b.position);
  return candidates.find((p) => p.verified) ?? candidates[0] ?? null;
}

/** The compliance key, the masked form and (letters) the postal block of a contact point; phones stay sealed. */
export function destinationOf(point: ContactPointFacts, name: string): { key: string; masked: string; recipient: PostalRecipient | null } {
  if (point.kind === 'phone') return { key: `tel:${point.valueHmac!.toString('hex')}`, masked: point.masked ?? '***', recipient: null };
  if (point.kind === 'email') return { key: point.value!.trim().toLowerCase(), masked: maskEmail(point.value!), recipient: null };
  const d = point.details ?? {};
  const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : null);
  const cityLine = [str('region'), str('city'), str('postalCode')].filter(Boolean).join(' ');
  const lines = [point.value!, cityLine, str('country')].filter((l): l is string => !!l);
  return { key: point.value!, masked: [...point.value!].slice(0, 6).join('') + '****', recipient: { name, lines } };
}

/** Runs rounds until stopped: as fast as rows are due, idle `intervalMs` between empty rounds. */
export class DispatcherLoop {
  #running = false;
  #stopped: Promise<void> = Promise.resolve();
  #wake: (() => void) | null = null;

  constructor(private readonly dispatcher: Dispatcher, private readonly intervalMs: number, private readonly log: { warn(message: string): void } = { warn: () => {} }) {}

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#stopped = (async () => {
      while (this.#running) {
        let claimed = 0;
        try {
          claimed = (await this.dispatcher.drain()).claimed;
        } catch (e) {
          this.log.warn(`dispatcher ${this.dispatcher.id}: round failed: ${(e as Error).message}`);
        }
        if (claimed === 0 && this.#running) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, this.intervalMs);
            this.#wake = () => { clearTimeout(timer); resolve(); };
          });
          this.#wake = null;
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#stopped;
  }
}
