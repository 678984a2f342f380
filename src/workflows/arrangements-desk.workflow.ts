/**
 * Arrangements at the collector's desk, across arrangements, payments (what is open per component),
 * delinquency (the amount past due), compliance (the pack's plan rules and calendar) and identity
 * (who may agree what): quotes first; proposals, approvals and the recorded arrangements build on them.
 */
import type pg from 'pg';
import type { Clock } from '../kernel/clock.ts';
import { formatPlainDate, parsePlainDate, type EpochDay } from '../kernel/dates.ts';
import { formatAmount, parseAmount } from '../kernel/money.ts';
import { err, ok, type Result } from '../kernel/result.ts';
import type { PackSet } from '../modules/compliance/index.ts';
import { loadDefaultAgingPolicy } from '../modules/delinquency/index.ts';
import { accountAllocation, type PaymentsSettings } from '../modules/payments/index.ts';
import {
  quote, requiredTier, type AuthorityDocument, type AuthorityReason, type DebtPosition, type PlanRules, type Quote, type QuoteError, type QuoteRequest, type QuoteRequestInput, type Tier,
} from '../modules/arrangements/index.ts';
import { showAccount } from './account-view.workflow.ts';

export interface ArrangementsDeskDeps {
  pool: pg.Pool;
  clock: Clock;
  packs: PackSet;
  packId: string;
  payments: PaymentsSettings;
  authority: AuthorityDocument;
  /** The bank's own longest plan (arrangement settings), applied with the pack's. */
  termMonthsMaxSetting: number | null;
}

export interface QuoteView {
  accountId: string;
  currency: string;
  type: Quote['type'];
  asOf: string;
  balance: string;
  owed: { fees: string; interest: string; principal: string; unclassified: string; overdue: string };
  waivedFees: string;
  waivedInterest: string;
  forgiven: string;
  total: string;
  termMonths: number;
  installments: { seq: number; dueOn: string; amount: string }[];
  rules: { termMonthsMax: number; rule: string; businessDayDueDates: boolean; evidenceRequired: boolean; affordabilityRequired: boolean; pack: string };
  authority: { requiredTier: Tier | null; reasons: AuthorityReason[] };
}

export type QuoteFailure = QuoteError | 'account_not_found' | 'invalid_request';

/** What the account owes as of a date: open per component (the allocation) and the amount past due (aging). */
export async function debtPosition(deps: Pick<ArrangementsDeskDeps, 'pool' | 'payments'>, accountId: string, asOf: EpochDay): Promise<{ currency: string; debt: DebtPosition } | null> {
  const asOfText = formatPlainDate(asOf);
  const [allocation, view] = await Promise.all([
    accountAllocation(deps.pool, deps.payments, accountId, asOfText),
    showAccount(deps.pool, accountId, asOf, await loadDefaultAgingPolicy()),
  ]);
  if (!allocation || !view.ok) return null;
  const overdue = view.value.balances.overdue === null ? null : parseAmount(view.value.balances.overdue, allocation.currency, { allowNegative: true });
  const o = allocation.openMinor;
  return {
    currency: allocation.currency,
    debt: { feesMinor: o.fees ?? 0n, interestMinor: o.interest ?? 0n, principalMinor: o.principal ?? 0n, unclassifiedMinor: o.unclassified ?? 0n, overdueMinor: overdue?.ok ? overdue.value : 0n },
  };
}

/** The plan rules in force on a date: the pack's (CN-09) and the bank's own limit, whichever is lower. */
export function planRules(deps: Pick<ArrangementsDeskDeps, 'packs' | 'packId' | 'termMonthsMaxSetting'>, asOf: EpochDay): PlanRules & { evidenceRequired: boolean; affordabilityRequired: boolean; pack: string } {
  // Noon UTC of the date: the same calendar date in every zone within ±12 hours (the pack is chosen by date).
  const pack = deps.packs.select(deps.packId, asOf * 86_400_000 + 12 * 3_600_000);
  const rule = pack?.repaymentPlans ?? null;
  const setting = deps.termMonthsMaxSetting;
  const packLimit = rule?.termMonthsMax ?? null;
  const useSetting = setting !== null && (packLimit === null || setting < packLimit);
  return {
    termMonthsMax: useSetting ? setting : (packLimit ?? 600),
    termRuleId: useSetting ? 'policies/arrangements/default.json plan.termMonthsMax' : (rule?.ruleId ?? 'no limit'),
    businessDayDueDates: rule?.businessDayDueDates ?? false,
    calendar: pack ? pack.calendar : null,
    evidenceRequired: rule?.evidenceRequired ?? false,
    affordabilityRequired: rule?.affordabilityRequired ?? false,
    pack: pack ? `${pack.id}@${pack.version}` : deps.packId,
  };
}

/** Turns the validated input into the domain's request (amounts parsed in the account's currency, default dates). */
export function toQuoteRequest(input: QuoteRequestInput, asOf: EpochDay, currency: string, payByDays: number): Result<QuoteRequest, 'invalid_request'> {
  const payBy = (text: string | undefined) => (text === undefined ? asOf + payByDays : parsePlainDate(text)!);
  switch (input.type) {
    case 'installments':
      return ok({ type: 'installments', asOf, months: input.months, ...(input.firstDueOn ? { firstDueOn: parsePlainDate(input.firstDueOn)! } : {}), waiveFees: input.waiveFees, waiveInterest: input.waiveInterest });
    case 'extension':
      return ok({ type: 'extension', asOf, days: input.days });
    case 'waiver':
      return ok({ type: 'waiver', asOf, feesPercent: input.feesPercent, interestPercent: input.interestPercent, payBy: payBy(input.payBy) });
    case 'settlement': {
      const amount = parseAmount(input.amount, currency);
      if (!amount.ok) return err('invalid_request', `amount ${input.amount}: ${amount.message}`, { field: 'amount' });
      return ok({ type: 'settlement', asOf, amountMinor: amount.value, payBy: payBy(input.payBy) });
    }
  }
}

/** A quote for an arrangement on one account as of a date (default: today): schedule, waivers, the rules and the authority it needs. */
export async function quoteArrangement(deps: ArrangementsDeskDeps, accountId: string, input: QuoteRequestInput, today: EpochDay): Promise<Result<{ view: QuoteView; quote: Quote; debt: DebtPosition }, QuoteFailure>> {
  const asOf = input.asOf ? parsePlainDate(input.asOf)! : today;
  const position = await debtPosition(deps, accountId, asOf);
  if (!position) return err('account_not_found', `no account ${JSON.stringify(accountId)}`);
  const request = toQuoteRequest(input, asOf, position.currency, deps.authority.payByDaysDefault);
  if (!request.ok) return request;
  const rules = planRules(deps, asOf);
  const q = quote(position.debt, request.value, rules);
  if (!q.ok) return q;
  const authority = requiredTier(deps.authority, q.value, position.debt, input.type === 'extension' ? input.days : null);
  const m = (v: bigint) => formatAmount(v, position.currency);
  const d = position.debt;
  return ok({
    quote: q.value, debt: d,
    view: {
      accountId, currency: position.currency, type: q.value.type, asOf: formatPlainDate(asOf), balance: m(q.value.balanceMinor),
      owed: { fees: m(d.feesMinor), interest: m(d.interestMinor), principal: m(d.principalMinor), unclassified: m(d.unclassifiedMinor), overdue: m(d.overdueMinor) },
      waivedFees: m(q.value.waivedFeesMinor), waivedInterest: m(q.value.waivedInterestMinor), forgiven: m(q.value.forgivenMinor), total: m(q.value.totalMinor),
      termMonths: q.value.termMonths,
      installments: q.value.installments.map((i) => ({ seq: i.seq, dueOn: formatPlainDate(i.dueOn), amount: m(i.amountMinor) })),
      rules: { termMonthsMax: rules.termMonthsMax, rule: rules.termRuleId, businessDayDueDates: rules.businessDayDueDates, evidenceRequired: rules.evidenceRequired, affordabilityRequired: rules.affordabilityRequired, pack: rules.pack },
      authority: { requiredTier: authority.tier, reasons: authority.reasons },
    },
  });
}

