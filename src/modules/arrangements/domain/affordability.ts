/**
 * Affordability (还款能力): can the customer pay what the arrangement asks, from what they declare
 * they earn and spend? Disposable income = income − expenses; an instalment plan is affordable when its
 * largest instalment is at most a share of that (a setting); a one-off payment when it fits savings plus
 * that share of disposable income for each month until it is due. Exact money, pure.
 */
import type { Quote } from './quote.ts';
import { addMonths } from '../../../kernel/dates.ts';

export interface Declared { monthlyIncomeMinor: bigint; monthlyExpensesMinor: bigint; savingsMinor: bigint }
export interface AffordabilityRule { /** Share of disposable income an arrangement may take each month, in percent. */ maxSharePercent: number }

export interface Affordability {
  disposableMinor: bigint;
  /** What the customer can pay by the due date (one-off) or per month (plans). */
  capacityMinor: bigint;
  /** What the arrangement asks: the largest instalment (plans) or the one payment. */
  askedMinor: bigint;
  affordable: boolean;
}

export function assessAffordability(declared: Declared, q: Quote, rule: AffordabilityRule): Affordability {
  const disposable = declared.monthlyIncomeMinor - declared.monthlyExpensesMinor;
  const perMonth = disposable > 0n ? (disposable * BigInt(Math.round(rule.maxSharePercent * 100))) / 10_000n : 0n;
  if (q.installments.length > 1) {
    const asked = q.installments.reduce((m, i) => (i.amountMinor > m ? i.amountMinor : m), 0n);
    return { disposableMinor: disposable, capacityMinor: perMonth, askedMinor: asked, affordable: asked <= perMonth };
  }
  const due = q.installments[0]!.dueOn;
  let months = 0;
  while (addMonths(q.asOf, months + 1) <= due) months++;
  const capacity = declared.savingsMinor + perMonth * BigInt(Math.max(1, months));
  const asked = q.installments[0]!.amountMinor;
  return { disposableMinor: disposable, capacityMinor: capacity, askedMinor: asked, affordable: asked <= capacity };
}
