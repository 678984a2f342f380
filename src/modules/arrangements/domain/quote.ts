/**
 * Arrangement quotes in exact money: what the customer pays, when, and what is waived or forgiven, for
 * the four arrangements collectors offer (DOMAIN.md §3):
 *   installments (分期)  — the balance (less any waived fees / interest) in N monthly instalments;
 *   extension (延期)     — the amount past due paid later, in one payment;
 *   waiver (减免)        — part of the fees and / or interest waived if the rest is paid by a date;
 *   settlement (一次性结清) — a lump sum below the balance settles the debt, the rest forgiven.
 * Every schedule sums exactly to its total (the remainder of an even split goes on the last
 * instalment); due dates move to the next business day where the rules say so. Pure: the debt, the
 * rules and the calendar are given.
 */
import { addMonths, type EpochDay } from '../../../kernel/dates.ts';
import { err, ok, type Result } from '../../../kernel/result.ts';
import { assert } from '../../../kernel/assert.ts';
import { nextBusinessDay, type BusinessCalendar } from './business-days.ts';

export const ARRANGEMENT_TYPES = ['installments', 'extension', 'waiver', 'settlement'] as const;
export type ArrangementType = (typeof ARRANGEMENT_TYPES)[number];

/** What is owed as of the quote's date, by component (unclassified: a balance the host sent without breakdown). */
export interface DebtPosition {
  feesMinor: bigint;
  interestMinor: bigint;
  principalMinor: bigint;
  unclassifiedMinor: bigint;
  /** The amount past due (aging), what an extension defers. */
  overdueMinor: bigint;
}

export const balanceOf = (d: DebtPosition): bigint => d.feesMinor + d.interestMinor + d.principalMinor + d.unclassifiedMinor;

export type QuoteRequest =
  | { type: 'installments'; asOf: EpochDay; months: number; firstDueOn?: EpochDay; waiveFees?: boolean; waiveInterest?: boolean }
  | { type: 'extension'; asOf: EpochDay; days: number }
  | { type: 'waiver'; asOf: EpochDay; feesPercent: number; interestPercent: number; payBy: EpochDay }
  | { type: 'settlement'; asOf: EpochDay; amountMinor: bigint; payBy: EpochDay };

export interface PlanRules {
  /** The longest plan in months (the pack's CN-09 limit, or the bank's when lower). */
  termMonthsMax: number;
  /** Which rule sets that limit (named in the refusal). */
  termRuleId: string;
  businessDayDueDates: boolean;
  calendar: BusinessCalendar | null;
}

export interface ScheduledInstalment { seq: number; dueOn: EpochDay; amountMinor: bigint }

export interface Quote {
  type: ArrangementType;
  asOf: EpochDay;
  balanceMinor: bigint;
  waivedFeesMinor: bigint;
  waivedInterestMinor: bigint;
  /** Forgiven once the arrangement is completed (a settlement's discount). */
  forgivenMinor: bigint;
  /** What the customer pays: the sum of the instalments. */
  totalMinor: bigint;
  installments: ScheduledInstalment[];
  /** Months from the quote's date to the last agreed due date (rounded up; before any business-day move). */
  termMonths: number;
}

export type QuoteError = 'plan_term_exceeds_limit' | 'nothing_owed' | 'quote_invalid';

/** Equal instalments of whole minor units, the remainder on the last: always sums to `total`. */
export function splitEvenly(totalMinor: bigint, count: number): bigint[] {
  assert(Number.isInteger(count) && count >= 1, 'at least one instalment');
  assert(totalMinor >= BigInt(count), 'every instalment is at least one minor unit');
  const base = totalMinor / BigInt(count);
  const out = Array.from({ length: count }, () => base);
  out[count - 1] = base + (totalMinor - base * BigInt(count));
  return out;
}

const due = (day: EpochDay, rules: PlanRules) => (rules.businessDayDueDates && rules.calendar ? nextBusinessDay(day, rules.calendar) : day);

/** Whole months from `from` to `to`, rounded up (a plan due 2 months and 3 days out runs 3 months). */
export function monthsBetween(from: EpochDay, to: EpochDay): number {
  let months = 0;
  while (addMonths(from, months) < to) months++;
  return months;
}

/** Floor of amount × percent / 100, percent with up to two decimals given as a number. */
export function percentOf(amountMinor: bigint, percent: number): bigint {
  const hundredths = BigInt(Math.round(percent * 100));
  return (amountMinor * hundredths) / 10_000n;
}

export function quote(debt: DebtPosition, request: QuoteRequest, rules: PlanRules): Result<Quote, QuoteError> {
  const balance = balanceOf(debt);
  if (balance <= 0n) return err('nothing_owed', 'the account owes nothing as of this date: there is nothing to arrange');
  const base = { type: request.type, asOf: request.asOf, balanceMinor: balance, waivedFeesMinor: 0n, waivedInterestMinor: 0n, forgivenMinor: 0n };
  let result: Quote;
  switch (request.type) {
    case 'installments': {
      if (!Number.isInteger(request.months) || request.months < 1) return err('quote_invalid', 'months must be a whole number of at least 1', { field: 'months' });
      const waivedFees = request.waiveFees ? debt.feesMinor : 0n;
      const waivedInterest = request.waiveInterest ? debt.interestMinor : 0n;
      const total = balance - waivedFees - waivedInterest;
      if (total < BigInt(request.months)) return err('quote_invalid', `${total} minor units cannot be split into ${request.months} instalments`, { field: 'months' });
      const first = request.firstDueOn ?? addMonths(request.asOf, 1);
      if (first <= request.asOf) return err('quote_invalid', 'the first instalment must fall after the quote date', { field: 'firstDueOn' });
      const installments = splitEvenly(total, request.months).map((amountMinor, i) => ({ seq: i + 1, dueOn: due(addMonths(first, i), rules), amountMinor }));
      result = { ...base, waivedFeesMinor: waivedFees, waivedInterestMinor: waivedInterest, totalMinor: total, installments, termMonths: monthsBetween(request.asOf, addMonths(first, request.months - 1)) };
      break;
    }
    case 'extension': {
      if (!Number.isInteger(request.days) || request.days < 1) return err('quote_invalid', 'an extension is at least one day', { field: 'days' });
      if (debt.overdueMinor <= 0n) return err('nothing_owed', 'nothing is past due: there is nothing to extend');
      const dueOn = due(request.asOf + request.days, rules);
      result = { ...base, totalMinor: debt.overdueMinor, installments: [{ seq: 1, dueOn, amountMinor: debt.overdueMinor }], termMonths: monthsBetween(request.asOf, request.asOf + request.days) };
      break;
    }
    case 'waiver': {
      for (const [field, p] of [['feesPercent', request.feesPercent], ['interestPercent', request.interestPercent]] as const) {
        if (!(p >= 0 && p <= 100) || Math.abs(Math.round(p * 100) - p * 100) > 1e-6) return err('quote_invalid', `${field} must be a percentage from 0 to 100 with at most two decimals`, { field });
      }
      if (request.payBy <= request.asOf) return err('quote_invalid', 'payBy must fall after the quote date', { field: 'payBy' });
      const waivedFees = percentOf(debt.feesMinor, request.feesPercent);
      const waivedInterest = percentOf(debt.interestMinor, request.interestPercent);
      if (waivedFees + waivedInterest === 0n) return err('quote_invalid', 'the waiver waives nothing (no fees or interest owed at these percentages)', { field: 'feesPercent' });
      const total = balance - waivedFees - waivedInterest;
      const dueOn = due(request.payBy, rules);
      result = { ...base, waivedFeesMinor: waivedFees, waivedInterestMinor: waivedInterest, totalMinor: total, installments: [{ seq: 1, dueOn, amountMinor: total }], termMonths: monthsBetween(request.asOf, request.payBy) };
      break;
    }
    case 'settlement': {
      if (request.amountMinor <= 0n || request.amountMinor > balance) return err('quote_invalid', 'a settlement is more than zero and at most the balance', { field: 'amount' });
      if (request.payBy <= request.asOf) return err('quote_invalid', 'payBy must fall after the quote date', { field: 'payBy' });
      const dueOn = due(request.payBy, rules);
      result = { ...base, forgivenMinor: balance - request.amountMinor, totalMinor: request.amountMinor, installments: [{ seq: 1, dueOn, amountMinor: request.amountMinor }], termMonths: monthsBetween(request.asOf, request.payBy) };
      break;
    }
  }
  if (result.termMonths > rules.termMonthsMax) {
    return err('plan_term_exceeds_limit', `a term of ${result.termMonths} months is above the limit of ${rules.termMonthsMax} months (${rules.termRuleId})`, { rule: rules.termRuleId, termMonthsMax: rules.termMonthsMax, termMonths: result.termMonths });
  }
  assert(result.installments.reduce((s, i) => s + i.amountMinor, 0n) === result.totalMinor, 'a schedule sums exactly to its total');
  return ok(result);
}
