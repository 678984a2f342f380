/**
 * Payment allocation: which part of the debt each payment paid, by a waterfall that is a setting
 * (default fees → interest → principal, oldest statement first). Pure and exact (bigint minor units):
 * every payment's lines sum to its amount — nothing is created or lost; what finds nothing left to pay
 * is an overpayment (a credit).
 *
 * Model. A statement's principal / interest / fees are the components of its closing balance (the
 * parts always add up to it; a statement without them is one unclassified amount). Walking the
 * account's history in date order (payments on a statement's date belong to that statement), each
 * statement's new charges per component are what it reports beyond what is still open from older
 * statements: a "vintage" per statement and component. A payment pays open vintages in waterfall
 * order; a reversal (a negative payment naming the one it reverses) undoes that payment's lines
 * exactly, re-opening what it had paid. A statement reporting less than is open (a credit, a waiver,
 * a payment we never saw) reduces the open amounts oldest first; that is not a payment and is not
 * allocated.
 */
import { assert } from '../../../kernel/assert.ts';
import type { EpochDay } from '../../../kernel/dates.ts';

export const BALANCE_COMPONENTS = ['fees', 'interest', 'principal'] as const;
export type BalanceComponent = (typeof BALANCE_COMPONENTS)[number];
/** Where a payment's money went: a component, a balance without breakdown, or nothing (an overpayment). */
export type AllocationTarget = BalanceComponent | 'unclassified' | 'overpayment';

export interface Waterfall {
  /** The components in the order they are paid (each exactly once). */
  order: readonly BalanceComponent[];
  /** Which statement's charges are paid first. */
  statements: 'oldest_first' | 'newest_first';
  /** by_component: all fees (every statement), then all interest …; by_statement: one statement's fees, interest, principal, then the next. */
  grouping: 'by_component' | 'by_statement';
}

export const DEFAULT_WATERFALL: Waterfall = Object.freeze({ order: ['fees', 'interest', 'principal'], statements: 'oldest_first', grouping: 'by_component' }) as Waterfall;

export interface StatementInput {
  statementDate: EpochDay;
  closingBalanceMinor: bigint;
  principalMinor: bigint | null;
  interestMinor: bigint | null;
  feesMinor: bigint | null;
}

export interface PaymentInput {
  paymentId: string;
  postedOn: EpochDay;
  /** Positive for a payment; negative for a reversal, which names the payment it reverses. */
  amountMinor: bigint;
  reverses: string | null;
}

export interface AllocationLine {
  target: AllocationTarget;
  /** The statement whose charge was paid (null for an overpayment). */
  statementDate: EpochDay | null;
  amountMinor: bigint;
}

export interface PaymentAllocation { paymentId: string; postedOn: EpochDay; amountMinor: bigint; lines: AllocationLine[] }

export interface AllocationResult {
  /** One per payment, in the order they were applied (date, then input order). */
  payments: PaymentAllocation[];
  /** What is still open per component after the whole history; `overpayment`: the total paid beyond what was open (not reversed). */
  open: Record<AllocationTarget, bigint>;
}

type Slot = 'fees' | 'interest' | 'principal' | 'unclassified';
const SLOTS: readonly Slot[] = ['fees', 'interest', 'principal', 'unclassified'];

interface Vintage { statementDate: EpochDay; open: Record<Slot, bigint> }

const zero = (): Record<Slot, bigint> => ({ fees: 0n, interest: 0n, principal: 0n, unclassified: 0n });
const positive = (v: bigint) => (v > 0n ? v : 0n);

/** What a statement says is owed per slot. */
function reported(s: StatementInput): Record<Slot, bigint> {
  if (s.principalMinor === null && s.interestMinor === null && s.feesMinor === null) return { ...zero(), unclassified: positive(s.closingBalanceMinor) };
  const fees = positive(s.feesMinor ?? 0n);
  const interest = positive(s.interestMinor ?? 0n);
  const principal = positive(s.principalMinor ?? 0n);
  // Parts that do not add up to the balance: the rest is unclassified (never negative).
  return { fees, interest, principal, unclassified: positive(s.closingBalanceMinor - (s.feesMinor ?? 0n) - (s.interestMinor ?? 0n) - (s.principalMinor ?? 0n)) };
}

function validateWaterfall(w: Waterfall): void {
  assert(w.order.length === BALANCE_COMPONENTS.length && new Set(w.order).size === w.order.length && w.order.every((c) => BALANCE_COMPONENTS.includes(c)),
    `a waterfall orders each of ${BALANCE_COMPONENTS.join(', ')} exactly once`);
}

/** Allocates every payment of one account. Inputs may be in any order; same-day payments keep their input order. */
export function allocatePayments(statements: readonly StatementInput[], payments: readonly PaymentInput[], waterfall: Waterfall = DEFAULT_WATERFALL): AllocationResult {
  validateWaterfall(waterfall);
  const stmts = [...statements].sort((a, b) => a.statementDate - b.statementDate);
  const pays = payments.map((p, i) => ({ p, i })).sort((a, b) => a.p.postedOn - b.p.postedOn || a.i - b.i).map((x) => x.p);
  const vintages: Vintage[] = [];
  const byId = new Map<string, PaymentAllocation>();
  const reversed = new Set<string>();
  const out: PaymentAllocation[] = [];
  let credit = 0n;
  let si = 0;
  const applyStatementsBefore = (day: EpochDay) => {
    // A payment on a statement's date is in that statement: statements dated before the payment come first.
    for (; si < stmts.length && stmts[si]!.statementDate < day; si++) applyStatement(vintages, stmts[si]!);
  };
  for (const p of pays) {
    applyStatementsBefore(p.postedOn);
    let alloc: PaymentAllocation;
    if (p.amountMinor > 0n) {
      assert(p.reverses === null, `payment ${p.paymentId}: a positive amount cannot reverse another payment`);
      const lines = pay(vintages, p.amountMinor, waterfall);
      const over = p.amountMinor - lines.reduce((s, l) => s + l.amountMinor, 0n);
      if (over > 0n) {
        lines.push({ target: 'overpayment', statementDate: null, amountMinor: over });
        credit += over;
      }
      alloc = { paymentId: p.paymentId, postedOn: p.postedOn, amountMinor: p.amountMinor, lines };
    } else {
      assert(p.amountMinor < 0n, `payment ${p.paymentId}: an amount of zero moves no money`);
      const original = p.reverses === null ? undefined : byId.get(p.reverses);
      let lines: AllocationLine[];
      if (original && !reversed.has(original.paymentId) && original.amountMinor === -p.amountMinor) {
        reversed.add(original.paymentId);
        lines = original.lines.map((l) => ({ ...l, amountMinor: -l.amountMinor }));
        for (const l of original.lines) reopen(vintages, l);
        credit -= original.lines.filter((l) => l.target === 'overpayment').reduce((s, l) => s + l.amountMinor, 0n);
      } else {
        // Not a clean reversal of a payment seen here (the services never store one): the money leaves the credit.
        lines = [{ target: 'overpayment', statementDate: null, amountMinor: p.amountMinor }];
        credit += p.amountMinor;
      }
      alloc = { paymentId: p.paymentId, postedOn: p.postedOn, amountMinor: p.amountMinor, lines };
    }
    assert(alloc.lines.reduce((s, l) => s + l.amountMinor, 0n) === alloc.amountMinor, `payment ${p.paymentId}: allocation must equal the amount`);
    byId.set(p.paymentId, alloc);
    out.push(alloc);
  }
  for (; si < stmts.length; si++) applyStatement(vintages, stmts[si]!);
  const open: Record<AllocationTarget, bigint> = { ...zero(), overpayment: credit };
  for (const v of vintages) for (const s of SLOTS) open[s] += v.open[s];
  return { payments: out, open };
}

function applyStatement(vintages: Vintage[], s: StatementInput): void {
  const target = reported(s);
  const vintage: Vintage = { statementDate: s.statementDate, open: zero() };
  for (const slot of SLOTS) {
    let openNow = 0n;
    for (const v of vintages) openNow += v.open[slot];
    const delta = target[slot] - openNow;
    if (delta > 0n) vintage.open[slot] = delta;
    else if (delta < 0n) reduceOldestFirst(vintages, slot, -delta);
  }
  vintages.push(vintage);
}

function reduceOldestFirst(vintages: Vintage[], slot: Slot, amount: bigint): void {
  let left = amount;
  for (const v of vintages) {
    if (left === 0n) return;
    const take = v.open[slot] < left ? v.open[slot] : left;
    v.open[slot] -= take;
    left -= take;
  }
}

function pay(vintages: Vintage[], amount: bigint, w: Waterfall): AllocationLine[] {
  const ordered = w.statements === 'oldest_first' ? vintages : [...vintages].reverse();
  const slots: Slot[] = [...w.order, 'unclassified'];
  const visits: [Vintage, Slot][] = [];
  if (w.grouping === 'by_component') for (const s of slots) for (const v of ordered) visits.push([v, s]);
  else for (const v of ordered) for (const s of slots) visits.push([v, s]);
  const lines: AllocationLine[] = [];
  let left = amount;
  for (const [v, s] of visits) {
    if (left === 0n) break;
    const take = v.open[s] < left ? v.open[s] : left;
    if (take === 0n) continue;
    v.open[s] -= take;
    left -= take;
    lines.push({ target: s, statementDate: v.statementDate, amountMinor: take });
  }
  return lines;
}

function reopen(vintages: Vintage[], line: AllocationLine): void {
  if (line.target === 'overpayment') return;
  const v = vintages.find((x) => x.statementDate === line.statementDate);
  assert(v !== undefined, `reversal: no statement ${line.statementDate} to re-open`);
  v.open[line.target] += line.amountMinor;
}
