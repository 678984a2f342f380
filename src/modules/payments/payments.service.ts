/**
 * Use cases of the payments module: post payments (API or file; idempotent by payment id), reverse one
 * (a new negative entry, never an edit), and show how an account's payments were allocated.
 *
 * Idempotency by payment id: the same id with the same content (account, date, amount in minor units,
 * channel, reference) answers the original result again; the same id with different content is
 * `payment_id_conflict`, naming the fields that differ. This holds for payments the bank feed imported
 * too (they share the `payments` table). A batch is all or nothing.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import { inTransaction } from '../../db/index.ts';
import { formatPlainDate, parsePlainDate } from '../../kernel/dates.ts';
import { formatAmount, parseAmount } from '../../kernel/money.ts';
import { err, ok, type Result } from '../../kernel/result.ts';
import { accountsById, appendPayments, findPaymentsById, moneyHistories, type LedgerPayment } from '../portfolio/index.ts';
import { allocatePayments, type AllocationLine, type AllocationResult, type Waterfall } from './domain/allocation.ts';
import { paymentsSettingsSchema, type PaymentsSettings, type PostPaymentCommand, type ReversalCommand } from './payments.schema.ts';
import * as repo from './payments.repository.ts';

const SETTINGS_URL = new URL('../../../policies/payments/default.json', import.meta.url);
let shipped: Promise<PaymentsSettings> | undefined;

export function validatePaymentsSettings(doc: unknown): Result<PaymentsSettings, 'invalid_policy'> {
  const parsed = paymentsSettingsSchema.safeParse(doc);
  if (!parsed.success) return err('invalid_policy', parsed.error.issues.map((i) => `$.${i.path.join('.')}: ${i.message}`).join('; '));
  return ok(Object.freeze(parsed.data));
}

/** The shipped settings (policies/payments/default.json); an invalid shipped file is a packaging bug, so it throws. */
export function loadPaymentsSettings(): Promise<PaymentsSettings> {
  shipped ??= readFile(SETTINGS_URL, 'utf8').then((text) => {
    const r = validatePaymentsSettings(JSON.parse(text));
    if (!r.ok) throw new Error(`${SETTINGS_URL.pathname}: ${r.message}`);
    return r.value;
  });
  return shipped;
}

export type PaymentError =
  | 'invalid_payment' | 'account_not_found' | 'payment_id_conflict' | 'payment_not_found' | 'payment_already_reversed'
  | 'cannot_reverse_a_reversal' | 'reversal_before_payment';

export interface LineError { index: number; line: number | null; field: string; message: string; code: 'invalid_payment' | 'account_not_found' | 'payment_id_conflict' }

export interface AllocationLineView { target: string; statementDate: string | null; amount: string }
export interface PostedPayment {
  paymentId: string; accountId: string; currency: string; postedOn: string; amount: string; channel: string | null; reverses: string | null;
  replayed: boolean; allocation: AllocationLineView[];
}

export interface PostOptions { source: 'api' | 'file' | 'cli'; postedBy: string; fileName?: string; now: Date }
export interface PostLine extends PostPaymentCommand { line?: number }

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const waterfallOf = (s: PaymentsSettings): Waterfall => s.waterfall;
const policyOf = (s: PaymentsSettings) => `${s.id}@${s.version}`;

/** The content that must match on a re-send, as one hash (amounts in minor units: "500" and "500.00" are the same payment). */
function contentHash(c: { paymentId: string; accountId: string; postedOn: string; amountMinor: bigint; channel: string | null; reference: string | null }): string {
  return sha256(JSON.stringify([c.paymentId, c.accountId, c.postedOn, c.amountMinor.toString(), c.channel, c.reference]));
}

function differences(a: { accountId: string; postedOn: string; amountMinor: bigint; channel: string | null }, b: typeof a, currency: string): string[] {
  const out: string[] = [];
  if (a.accountId !== b.accountId) out.push(`accountId ${b.accountId} ≠ ${a.accountId}`);
  if (a.postedOn !== b.postedOn) out.push(`postedOn ${b.postedOn} ≠ ${a.postedOn}`);
  if (a.amountMinor !== b.amountMinor) out.push(`amount ${formatAmount(b.amountMinor, currency)} ≠ ${formatAmount(a.amountMinor, currency)}`);
  if (a.channel !== b.channel) out.push(`channel ${b.channel ?? '(none)'} ≠ ${a.channel ?? '(none)'}`);
  return out;
}

const lineViews = (lines: readonly AllocationLine[], currency: string): AllocationLineView[] =>
  lines.map((l) => ({ target: l.target, statementDate: l.statementDate === null ? null : formatPlainDate(l.statementDate), amount: formatAmount(l.amountMinor, currency) }));
const storedLines = (lines: readonly AllocationLine[]): repo.StoredLine[] =>
  lines.map((l) => ({ target: l.target, statementDate: l.statementDate === null ? null : formatPlainDate(l.statementDate), amountMinor: l.amountMinor.toString() }));
const storedViews = (lines: readonly repo.StoredLine[], currency: string): AllocationLineView[] =>
  lines.map((l) => ({ target: l.target, statementDate: l.statementDate, amount: formatAmount(BigInt(l.amountMinor), currency) }));

/** Allocation of every payment of these accounts as the history stands (one query each for statements and payments). */
async function allocationsOf(db: pg.ClientBase | pg.Pool, accountIds: readonly string[], waterfall: Waterfall, extra: ReadonlyMap<string, readonly LedgerPayment[]> = new Map(), asOf: string | null = null): Promise<Map<string, AllocationResult>> {
  const histories = await moneyHistories(db, accountIds);
  const out = new Map<string, AllocationResult>();
  for (const [accountId, h] of histories) {
    const payments = [...h.payments, ...(extra.get(accountId) ?? [])].filter((p) => asOf === null || p.postedOn <= asOf);
    out.set(accountId, allocatePayments(
      h.statements.filter((s) => asOf === null || s.statementDate <= asOf).map((s) => ({ statementDate: parsePlainDate(s.statementDate)!, closingBalanceMinor: s.closingBalanceMinor, principalMinor: s.principalMinor, interestMinor: s.interestMinor, feesMinor: s.feesMinor })),
      payments.map((p) => ({ paymentId: p.paymentId, postedOn: parsePlainDate(p.postedOn)!, amountMinor: p.amountMinor, reverses: p.reverses })),
      waterfall,
    ));
  }
  return out;
}

interface Prepared { index: number; line: number | null; cmd: PostLine; accountId: string; customerId: string; currency: string; amountMinor: bigint; hash: string }

/**
 * Posts payments: all or nothing. Returns one result per input line (a line repeating an earlier one,
 * or a payment already stored with the same content, is `replayed`), or every error with its line.
 */
export async function postPayments(pool: pg.Pool, settings: PaymentsSettings, lines: readonly PostLine[], options: PostOptions): Promise<Result<PostedPayment[], PaymentError>> {
  const accounts = await accountsById(pool, lines.map((l) => l.accountId));
  const errors: LineError[] = [];
  const prepared: Prepared[] = [];
  const firstById = new Map<string, Prepared>();
  lines.forEach((cmd, index) => {
    const line = cmd.line ?? null;
    const fail = (field: string, message: string, code: LineError['code'] = 'invalid_payment') => errors.push({ index, line, field, message, code });
    const account = accounts.get(cmd.accountId);
    if (!account) return fail('accountId', `no account ${JSON.stringify(cmd.accountId)}`, 'account_not_found');
    const amount = parseAmount(cmd.amount, account.currency);
    if (!amount.ok) return fail('amount', amount.message);
    const hash = contentHash({ paymentId: cmd.paymentId, accountId: cmd.accountId, postedOn: cmd.postedOn, amountMinor: amount.value, channel: cmd.channel ?? null, reference: cmd.reference ?? null });
    const p: Prepared = { index, line, cmd, accountId: cmd.accountId, customerId: account.customerId, currency: account.currency, amountMinor: amount.value, hash };
    const earlier = firstById.get(cmd.paymentId);
    if (earlier && earlier.hash !== hash) return fail('paymentId', `payment ${cmd.paymentId} appears again${earlier.line === null ? '' : ` (first on line ${earlier.line})`} with different content`, 'payment_id_conflict');
    if (!earlier) firstById.set(cmd.paymentId, p);
    prepared.push(p);
  });
  if (errors.length) return invalid(errors);
  for (let attempt = 0; ; attempt++) {
    try {
      return await inTransaction(pool, (client) => postPrepared(client, settings, prepared, firstById, options));
    } catch (e) {
      // A concurrent post of the same id won the insert: judge again against what it stored.
      if ((e as { code?: string }).code === '23505' && attempt < 2) continue;
      throw e;
    }
  }
}

function invalid(errors: LineError[]): Result<never, PaymentError> {
  const code: PaymentError = errors.some((e) => e.code === 'payment_id_conflict') ? 'payment_id_conflict'
    : errors.every((e) => e.code === 'account_not_found') ? 'account_not_found' : 'invalid_payment';
  const at = (e: LineError) => (e.line === null ? `payments[${e.index}]` : `line ${e.line}`);
  return err(code, errors.slice(0, 20).map((e) => `${at(e)}: ${e.field}: ${e.message}`).join('; ') + (errors.length > 20 ? `; … ${errors.length - 20} more` : ''), { errors });
}

async function postPrepared(client: pg.PoolClient, settings: PaymentsSettings, prepared: Prepared[], firstById: Map<string, Prepared>, options: PostOptions): Promise<Result<PostedPayment[], PaymentError>> {
  await repo.lockAccounts(client, prepared.map((p) => p.accountId));
  const ids = [...firstById.keys()];
  const [postings, stored] = await Promise.all([repo.findPostings(client, ids), findPaymentsById(client, ids)]);
  const errors: LineError[] = [];
  const fresh: Prepared[] = [];
  for (const p of firstById.values()) {
    const posting = postings.get(p.cmd.paymentId);
    const row = stored.get(p.cmd.paymentId);
    if (posting) {
      if (posting.inputHash !== p.hash) {
        const diff = row ? differences(row, { accountId: p.accountId, postedOn: p.cmd.postedOn, amountMinor: p.amountMinor, channel: p.cmd.channel ?? null }, p.currency) : [];
        if (posting.reference !== (p.cmd.reference ?? null)) diff.push(`reference ${p.cmd.reference ?? '(none)'} ≠ ${posting.reference ?? '(none)'}`);
        errors.push({ index: p.index, line: p.line, field: 'paymentId', code: 'payment_id_conflict', message: `payment ${p.cmd.paymentId} was already posted with other content (${diff.join(', ') || 'different content'}); post a correction as a new payment or a reversal` });
      }
    } else if (row) {
      const diff = differences(row, { accountId: p.accountId, postedOn: p.cmd.postedOn, amountMinor: p.amountMinor, channel: p.cmd.channel ?? null }, p.currency);
      if (row.reverses !== null) diff.unshift(`it is the reversal of ${row.reverses}`);
      if (diff.length) errors.push({ index: p.index, line: p.line, field: 'paymentId', code: 'payment_id_conflict', message: `payment ${p.cmd.paymentId} is already stored with other content (${diff.join(', ')})` });
    } else {
      fresh.push(p);
    }
  }
  if (errors.length) return invalid(errors);
  const newRows = fresh.map((p): LedgerPayment => ({ paymentId: p.cmd.paymentId, accountId: p.accountId, postedOn: p.cmd.postedOn, amountMinor: p.amountMinor, channel: p.cmd.channel ?? null, reverses: null }));
  const extra = new Map<string, LedgerPayment[]>();
  for (const r of newRows) extra.set(r.accountId, [...(extra.get(r.accountId) ?? []), r]);
  // Allocated as the history stands with the new payments applied after every stored one of the same day.
  const allocations = await allocationsOf(client, [...new Set(prepared.map((p) => p.accountId))], waterfallOf(settings), extra);
  const lineOf = new Map<string, AllocationLine[]>();
  for (const result of allocations.values()) for (const a of result.payments) lineOf.set(a.paymentId, a.lines);
  await appendPayments(client, newRows);
  await repo.insertPostings(client, fresh.map((p) => ({
    paymentId: p.cmd.paymentId, customerId: p.customerId, accountId: p.accountId, source: options.source, inputHash: p.hash, reference: p.cmd.reference ?? null,
    fileName: options.fileName ?? null, fileLine: p.line, reason: null, postedBy: options.postedBy, policy: policyOf(settings), allocation: storedLines(lineOf.get(p.cmd.paymentId)!),
  })), options.now);
  const freshIds = new Set(fresh.map((p) => p.cmd.paymentId));
  const seen = new Set<string>();
  return ok(prepared.map((p) => {
    const id = p.cmd.paymentId;
    const replayed = !freshIds.has(id) || seen.has(id);
    seen.add(id);
    const posting = postings.get(id);
    const allocation = posting ? storedViews(posting.allocation, p.currency) : lineViews(lineOf.get(id) ?? [], p.currency);
    return { paymentId: id, accountId: p.accountId, currency: p.currency, postedOn: p.cmd.postedOn, amount: formatAmount(p.amountMinor, p.currency), channel: p.cmd.channel ?? null, reverses: null, replayed, allocation };
  }));
}

/**
 * Reverses a payment: a new payment `reversalId` with the negated amount, naming the original (at most
 * one reversal per payment; a reversal cannot be reversed). Idempotent by `reversalId`.
 */
export async function reversePayment(pool: pg.Pool, settings: PaymentsSettings, paymentId: string, cmd: ReversalCommand, options: PostOptions): Promise<Result<PostedPayment & { reason: string }, PaymentError>> {
  return inTransaction(pool, async (client) => {
    const original = (await findPaymentsById(client, [paymentId])).get(paymentId);
    if (!original) return err('payment_not_found', `no payment ${JSON.stringify(paymentId)}`);
    if (original.reverses !== null) return err('cannot_reverse_a_reversal', `payment ${paymentId} is itself the reversal of ${original.reverses}; post a new payment instead`);
    await repo.lockAccounts(client, [original.accountId]);
    const { currency, customerId } = (await accountsById(client, [original.accountId])).get(original.accountId)!;
    const amountMinor = -original.amountMinor;
    // A reversal's content: which payment, when, why (the reason is part of it: the same id with another reason is another reversal).
    const hash = contentHash({ paymentId: cmd.reversalId, accountId: original.accountId, postedOn: cmd.postedOn, amountMinor, channel: original.channel, reference: `reverses:${paymentId}:${cmd.reason}` });
    const existing = (await findPaymentsById(client, [cmd.reversalId])).get(cmd.reversalId);
    if (existing) {
      const posting = (await repo.findPostings(client, [cmd.reversalId])).get(cmd.reversalId);
      if (!posting || posting.inputHash !== hash) {
        return err('payment_id_conflict', `payment id ${cmd.reversalId} is already used${existing.reverses === paymentId ? ' by this payment\'s reversal with another date or reason' : existing.reverses ? ` by the reversal of ${existing.reverses}` : ' by a payment'}`);
      }
      return ok({ ...view(existing, currency, true, storedViews(posting.allocation, currency)), reason: cmd.reason });
    }
    const already = await repo.reversalOf(client, paymentId);
    if (already) return err('payment_already_reversed', `payment ${paymentId} was already reversed by ${already}`);
    if (cmd.postedOn < original.postedOn) return err('reversal_before_payment', `a reversal on ${cmd.postedOn} cannot precede the payment (${original.postedOn})`);
    const row: LedgerPayment = { paymentId: cmd.reversalId, accountId: original.accountId, postedOn: cmd.postedOn, amountMinor, channel: original.channel, reverses: paymentId };
    const allocation = (await allocationsOf(client, [original.accountId], waterfallOf(settings), new Map([[original.accountId, [row]]]))).get(original.accountId)!;
    const lines = allocation.payments.find((a) => a.paymentId === cmd.reversalId)!.lines;
    await appendPayments(client, [row]);
    await repo.insertPostings(client, [{
      paymentId: cmd.reversalId, customerId, accountId: original.accountId,
      source: options.source, inputHash: hash, reference: null, fileName: null, fileLine: null, reason: cmd.reason, postedBy: options.postedBy, policy: policyOf(settings),
      allocation: storedLines(lines),
    }], options.now);
    return ok({ ...view(row, currency, false, lineViews(lines, currency)), reason: cmd.reason });
  });
}

function view(p: LedgerPayment, currency: string, replayed: boolean, allocation: AllocationLineView[]): PostedPayment {
  return { paymentId: p.paymentId, accountId: p.accountId, currency, postedOn: p.postedOn, amount: formatAmount(p.amountMinor, currency), channel: p.channel, reverses: p.reverses, replayed, allocation };
}

export interface AccountAllocation {
  accountId: string; currency: string; policy: string;
  /** Minor units open per component (fees, interest, principal, unclassified) and overpaid. */
  openMinor: Record<string, bigint>;
  payments: { paymentId: string; postedOn: string; amount: string; reverses: string | null; allocation: AllocationLineView[] }[];
  open: Record<string, string>;
}

/**
 * How every payment of the account is allocated as its history stands now (or only the statements
 * and payments up to `asOf`), and what is still open per component.
 */
export async function accountAllocation(db: pg.Pool | pg.ClientBase, settings: PaymentsSettings, accountId: string, asOf: string | null = null): Promise<AccountAllocation | null> {
  const account = (await accountsById(db, [accountId])).get(accountId);
  if (!account) return null;
  const histories = await moneyHistories(db, [accountId]);
  const reverses = new Map(histories.get(accountId)!.payments.map((p) => [p.paymentId, p.reverses]));
  const result = (await allocationsOf(db, [accountId], waterfallOf(settings), new Map(), asOf)).get(accountId)!;
  return {
    accountId, currency: account.currency, policy: policyOf(settings),
    payments: result.payments.map((a) => ({ paymentId: a.paymentId, postedOn: formatPlainDate(a.postedOn), amount: formatAmount(a.amountMinor, account.currency), reverses: reverses.get(a.paymentId) ?? null, allocation: lineViews(a.lines, account.currency) })),
    open: Object.fromEntries(Object.entries(result.open).map(([k, v]) => [k, formatAmount(v, account.currency)])),
    openMinor: { ...result.open },
  };
}
