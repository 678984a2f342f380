/**
 * Arrangements at the collector's desk, across arrangements, payments (what is open per component),
 * delinquency (the amount past due), compliance (the pack's plan rules and calendar) and identity
 * (who may agree what): quotes first; proposals, approvals and the recorded arrangements build on them.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Clock } from '../kernel/clock.ts';
import { inTransaction } from '../db/index.ts';
import { formatPlainDate, parsePlainDate, type EpochDay } from '../kernel/dates.ts';
import { formatAmount, parseAmount } from '../kernel/money.ts';
import { err, ok, type Result } from '../kernel/result.ts';
import type { PackSet } from '../modules/compliance/index.ts';
import { loadDefaultAgingPolicy } from '../modules/delinquency/index.ts';
import { accountAllocation, type PaymentsSettings } from '../modules/payments/index.ts';
import {
  accountArrangements, approveProposal, assessAffordability, atLeast, evidenceMeta, findProposal, findProposalByKey, hasActivePlan, insertProposal, listProposals, promiseKeptRate, quote, recordPromise,
  rejectProposal, requiredTier, tierOf,
  type Affordability, type ArrangementSettings, type AuthorityDocument, type AuthorityReason, type DebtPosition, type PlanRules, type ProposalRow, type Quote, type QuoteError,
  type QuoteRequest, type QuoteRequestInput, type RecordError, type RecordPromiseCommand, type StoredQuote, type Tier,
} from '../modules/arrangements/index.ts';
import { accountsById, appendAccountEvent, setAccountStatus, type PiiCipher } from '../modules/portfolio/index.ts';
import { assignAccount, findAssignment, type Principal } from '../modules/identity/index.ts';
import { decideRecommendation, existingRecommendationKeys, listRecommendations, requestAccountActions, type Recommendation } from '../modules/strategy/index.ts';
import { robotPromiseCaptures, takePromiseCapture } from '../modules/communications/index.ts';
import { accountVisible, showAccount, visibleAccounts } from './account-view.workflow.ts';
import { checkedNote } from './collector-desk.workflow.ts';

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


// ── proposals and approvals ───────────────────────────────────────────────────────────────────

export interface DeclaredInput { monthlyIncome: string; monthlyExpenses: string; savings?: string }
export interface ProposeInput { quote: QuoteRequestInput; declared?: DeclaredInput; evidenceIds?: number[]; note?: string; contactId?: number | null; idempotencyKey?: string }

export type ProposeFailure = QuoteFailure | 'note_language_prohibited' | 'evidence_required' | 'evidence_not_found' | 'affordability_required' | 'arrangement_unaffordable' | 'beyond_every_authority'
  | 'proposal_already_open' | 'plan_already_active' | 'idempotency_key_reused';
export type DecideFailure = 'proposal_not_found' | 'proposal_not_open' | 'authority_insufficient' | 'own_proposal' | 'plan_already_active' | 'recommendation_not_found' | 'agency_required' | 'invalid_request';

export interface ProposalView {
  proposalId: number; accountId: string; type: string; status: ProposalRow['status']; requiredTier: Tier; proposedBy: string; proposedAt: string;
  decidedBy: string | null; decidedAt: string | null; decisionNote: string | null; planId: number | null; replayed: boolean;
  quote: { currency: string; asOf: string; balance: string; total: string; waivedFees: string; waivedInterest: string; forgiven: string; termMonths: number; installments: { seq: number; dueOn: string; amount: string }[] };
  authority: unknown; affordability: unknown; evidenceIds: number[]; note: string | null;
}

/** The tier a caller acts at: the CLI's local operator at the manager's; API tokens at none (their proposals always wait). */
export function tierOfPrincipal(authority: AuthorityDocument, principal: Principal): Tier | null {
  return principal.kind === 'operator' ? 'manager' : tierOf(authority, principal.role);
}

const canonical = (v: unknown): unknown => (v && typeof v === 'object' && !Array.isArray(v)
  ? Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, canonical(x)]))
  : v);
const hashOf = (v: unknown) => createHash('sha256').update(JSON.stringify(canonical(v))).digest('hex');
const isUnique = (e: unknown, constraint: string) => (e as { code?: string; constraint?: string }).code === '23505' && (e as { constraint?: string }).constraint === constraint;

function proposalView(p: ProposalRow, replayed = false): ProposalView {
  const m = (v: string) => formatAmount(BigInt(v), p.currency);
  const q = p.quote;
  return {
    proposalId: p.proposalId, accountId: p.accountId, type: p.kind, status: p.status, requiredTier: p.requiredTier, proposedBy: p.proposedBy, proposedAt: p.proposedAt.toISOString(),
    decidedBy: p.decidedBy, decidedAt: p.decidedAt?.toISOString() ?? null, decisionNote: p.decisionNote, planId: p.planId, replayed,
    quote: {
      currency: p.currency, asOf: q.asOf, balance: m(q.balanceMinor), total: m(q.totalMinor), waivedFees: m(q.waivedFeesMinor), waivedInterest: m(q.waivedInterestMinor),
      forgiven: m(q.forgivenMinor), termMonths: q.termMonths, installments: q.installments.map((i) => ({ seq: i.seq, dueOn: i.dueOn, amount: m(i.amountMinor) })),
    },
    authority: p.authority, affordability: p.affordability, evidenceIds: p.evidenceIds, note: p.note,
  };
}

function storedQuote(q: Quote): StoredQuote {
  return {
    type: q.type, asOf: formatPlainDate(q.asOf), balanceMinor: q.balanceMinor.toString(), waivedFeesMinor: q.waivedFeesMinor.toString(), waivedInterestMinor: q.waivedInterestMinor.toString(),
    forgivenMinor: q.forgivenMinor.toString(), totalMinor: q.totalMinor.toString(), termMonths: q.termMonths,
    installments: q.installments.map((i) => ({ seq: i.seq, dueOn: formatPlainDate(i.dueOn), amountMinor: i.amountMinor.toString() })),
  };
}

/** The account event an agreed arrangement leaves (what the host must apply: waivers, forgiveness, new dates). */
async function agreedEvent(client: pg.ClientBase, p: ProposalRow, planId: number, approvedBy: string, today: EpochDay): Promise<void> {
  await appendAccountEvent(client, {
    accountId: p.accountId, occurredOn: formatPlainDate(today), kind: 'arrangement_agreed',
    data: {
      proposalId: p.proposalId, planId, type: p.kind, totalMinor: p.quote.totalMinor, waivedFeesMinor: p.quote.waivedFeesMinor, waivedInterestMinor: p.quote.waivedInterestMinor,
      forgivenMinor: p.quote.forgivenMinor, instalments: p.quote.installments.length, firstDueOn: p.quote.installments[0]!.dueOn, lastDueOn: p.quote.installments.at(-1)!.dueOn,
      requiredTier: p.requiredTier, proposedBy: p.proposedBy, approvedBy,
    },
  });
}

/**
 * Proposes an arrangement on an account: quoted now, checked against the pack's plan rules (hardship
 * evidence on file, an affordability assessment that passes) and the authority limits. Within the
 * proposer's authority it is agreed at once (the plan is written); beyond it, it waits in the inbox.
 */
export async function proposeArrangement(deps: ArrangementsDeskDeps, principal: Principal, accountId: string, input: ProposeInput, today: EpochDay): Promise<Result<ProposalView, ProposeFailure>> {
  const now = deps.clock.now();
  const hash = hashOf({ accountId, ...input, idempotencyKey: undefined, contactId: undefined });
  if (input.idempotencyKey) {
    const prior = await findProposalByKey(deps.pool, input.idempotencyKey);
    if (prior) return prior.inputHash === hash && prior.accountId === accountId ? ok(proposalView(prior, true)) : err('idempotency_key_reused', `idempotency key ${JSON.stringify(input.idempotencyKey)} was used for a different proposal (#${prior.proposalId})`);
  }
  const quoted = await quoteArrangement(deps, accountId, input.quote, today);
  if (!quoted.ok) return quoted;
  if (input.note) {
    const checked = checkedNote(deps, input.note, now.getTime());
    if (!checked.ok) return err(checked.code, checked.message, { ...(checked.details as object), field: 'note' });
  }
  const { quote: q, debt, view } = quoted.value;
  const asOf = q.asOf;
  const rules = planRules(deps, asOf);
  const account = (await accountsById(deps.pool, [accountId])).get(accountId)!;
  const isPlan = q.type === 'installments';
  const evidenceIds = [...new Set(input.evidenceIds ?? [])];
  if (evidenceIds.length) {
    const found = await evidenceMeta(deps.pool, evidenceIds);
    const foreign = evidenceIds.filter((id) => !found.some((e) => e.evidenceId === id && e.customerId === account.customerId));
    if (foreign.length) return err('evidence_not_found', `no evidence ${foreign.join(', ')} of this customer`, { field: 'evidenceIds' });
  }
  if (isPlan && rules.evidenceRequired && evidenceIds.length === 0) {
    return err('evidence_required', `${rules.pack} requires hardship evidence for a repayment plan (CN-09): upload it (POST /accounts/${accountId}/evidence) and name it in evidenceIds`, { field: 'evidenceIds', rule: 'CN-09' });
  }
  let affordability: (Affordability & { declared: DeclaredInput; maxSharePercent: number }) | null = null;
  if (input.declared) {
    const parse = (text: string | undefined, field: string) => {
      const r = parseAmount(text ?? '0', account.currency);
      return r.ok ? r.value : err('invalid_request', `declared.${field}: ${r.message}`, { field: `declared.${field}` });
    };
    const income = parse(input.declared.monthlyIncome, 'monthlyIncome');
    const expenses = parse(input.declared.monthlyExpenses, 'monthlyExpenses');
    const savings = parse(input.declared.savings, 'savings');
    for (const v of [income, expenses, savings]) if (typeof v !== 'bigint') return v;
    const a = assessAffordability({ monthlyIncomeMinor: income as bigint, monthlyExpensesMinor: expenses as bigint, savingsMinor: savings as bigint }, q, deps.authority.affordability);
    affordability = { ...a, declared: input.declared, maxSharePercent: deps.authority.affordability.maxSharePercent };
  }
  if (isPlan && rules.affordabilityRequired && affordability === null) {
    return err('affordability_required', `${rules.pack} requires an ability-to-pay assessment for a repayment plan (CN-09): give declared.monthlyIncome and declared.monthlyExpenses`, { field: 'declared', rule: 'CN-09' });
  }
  if (affordability && !affordability.affordable) {
    const m = (v: bigint) => formatAmount(v, account.currency);
    return err('arrangement_unaffordable', `the arrangement asks ${m(affordability.askedMinor)} where the declared finances allow ${m(affordability.capacityMinor)} (${affordability.maxSharePercent}% of ${m(affordability.disposableMinor)} disposable a month${q.installments.length === 1 ? ', plus savings' : ''})`, { affordability: jsonSafe(affordability) });
  }
  const authority = requiredTier(deps.authority, q, debt, input.quote.type === 'extension' ? input.quote.days : null);
  if (authority.tier === null) {
    return err('beyond_every_authority', `no tier may agree this: ${authority.reasons.filter((r) => r.tier === null).map((r) => `${r.limit} ${r.value}`).join(', ')} (policies/arrangements/authority.json)`, { authority });
  }
  if (await hasActivePlan(deps.pool, accountId)) return err('plan_already_active', `account ${accountId} already has an active arrangement`);
  const proposerTier = tierOfPrincipal(deps.authority, principal);
  const within = atLeast(proposerTier, authority.tier);
  try {
    const proposalId = await inTransaction(deps.pool, async (client) => {
      const id = await insertProposal(client, {
        idempotencyKey: input.idempotencyKey ?? null, inputHash: hash, accountId, customerId: account.customerId, currency: account.currency, kind: q.type,
        request: input.quote, quote: storedQuote(q), requiredTier: authority.tier!, authority: { ...authority, proposerTier, rules: view.rules },
        affordability: affordability ? jsonSafe(affordability) : null, evidenceIds, contactId: input.contactId ?? null, note: input.note ?? null, proposedBy: principal.name, proposedAt: now,
      });
      if (within) {
        const row = (await findProposal(client, id))!;
        const planId = await approveProposal(client, row, principal.name, `within the proposer's authority (${proposerTier})`, now);
        await agreedEvent(client, row, planId!, principal.name, today);
      }
      return id;
    });
    return ok(proposalView((await findProposal(deps.pool, proposalId))!));
  } catch (e) {
    if (isUnique(e, 'arrangement_proposals_open')) return err('proposal_already_open', `account ${accountId} already has an arrangement waiting for approval`);
    if (isUnique(e, 'repayment_plans_one_active')) return err('plan_already_active', `account ${accountId} already has an active arrangement`);
    if (input.idempotencyKey && isUnique(e, 'arrangement_proposals_idempotency_key_key')) return proposeArrangement(deps, principal, accountId, input, today);
    throw e;
  }
}

function jsonSafe<T>(v: T): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)));
}

/** Approves or rejects an open proposal: approving needs the tier it requires, and another person than the proposer (who may withdraw it). */
export async function decideArrangement(deps: ArrangementsDeskDeps, principal: Principal, proposalId: number, decision: 'approve' | 'reject', note: string | null, today: EpochDay): Promise<Result<ProposalView, DecideFailure>> {
  const now = deps.clock.now();
  const p = await findProposal(deps.pool, proposalId);
  if (!p || !(await accountVisible(deps.pool, p.accountId, principal.scope))) return err('proposal_not_found', `no proposal ${proposalId}`);
  if (p.status !== 'proposed') return err('proposal_not_open', `proposal ${proposalId} is ${p.status}${p.decidedBy ? ` (by ${p.decidedBy})` : ''}`);
  if (decision === 'reject') {
    const own = p.proposedBy === principal.name;
    if (!own && !atLeast(tierOfPrincipal(deps.authority, principal), p.requiredTier)) return err('authority_insufficient', `deciding proposal ${proposalId} needs a ${p.requiredTier}`);
    await rejectProposal(deps.pool, proposalId, principal.name, note, now, own ? 'withdrawn' : 'rejected');
    return ok(proposalView((await findProposal(deps.pool, proposalId))!));
  }
  if (p.proposedBy === principal.name) return err('own_proposal', `proposal ${proposalId} is yours: another person of tier ${p.requiredTier} or above approves it`);
  const tier = tierOfPrincipal(deps.authority, principal);
  if (!atLeast(tier, p.requiredTier)) {
    return err('authority_insufficient', `proposal ${proposalId} needs a ${p.requiredTier}'s approval; you act as ${tier ?? 'no tier'} (policies/arrangements/authority.json)`);
  }
  try {
    const planId = await inTransaction(deps.pool, async (client) => {
      const id = await approveProposal(client, p, principal.name, note, now);
      if (id !== null) await agreedEvent(client, p, id, principal.name, today);
      return id;
    });
    if (planId === null) return err('proposal_not_open', `proposal ${proposalId} was decided meanwhile`);
  } catch (e) {
    if (isUnique(e, 'repayment_plans_one_active')) return err('plan_already_active', `account ${p.accountId} already has an active arrangement`);
    throw e;
  }
  return ok(proposalView((await findProposal(deps.pool, proposalId))!));
}

/** The proposer takes back a proposal still waiting for approval (it becomes `withdrawn`). */
export async function withdrawProposal(deps: ArrangementsDeskDeps, principal: Principal, accountId: string, proposalId: number, note: string | null, today: EpochDay): Promise<Result<ProposalView, DecideFailure | 'not_your_proposal'>> {
  const p = await findProposal(deps.pool, proposalId);
  if (!p || p.accountId !== accountId || !(await accountVisible(deps.pool, p.accountId, principal.scope))) return err('proposal_not_found', `no proposal ${proposalId} on account ${accountId}`);
  if (p.proposedBy !== principal.name) return err('not_your_proposal', `proposal ${proposalId} is ${p.proposedBy}'s: only its proposer withdraws it (deciders reject it in the inbox)`);
  return decideArrangement(deps, principal, proposalId, 'reject', note, today);
}

export const listAccountProposals = async (deps: Pick<ArrangementsDeskDeps, 'pool'>, principal: Principal, accountId: string) =>
  (await listProposals(deps.pool, { scope: principal.scope, status: null, accountId, limit: 50 })).map((p) => proposalView(p));

/** The account's arrangements as the desk shows them: proposals with their decisions, promises, agreed arrangements with what was paid to each instalment. */
export async function accountArrangementsView(deps: Pick<ArrangementsDeskDeps, 'pool'>, principal: Principal, accountId: string) {
  const [proposals, listing] = await Promise.all([listAccountProposals(deps, principal, accountId), accountArrangements(deps.pool, accountId)]);
  const m = (v: bigint, currency: string) => formatAmount(v, currency);
  return {
    proposals,
    promises: listing.promises.map(({ amountMinor, paidMinor, ...p }) => ({ ...p, amount: m(amountMinor, p.currency), paid: paidMinor === null ? null : m(paidMinor, p.currency) })),
    plans: listing.plans.map(({ totalMinor, waivedFeesMinor, waivedInterestMinor, forgivenMinor, paidMinor, instalments, ...p }) => ({
      ...p, total: m(totalMinor, p.currency), waivedFees: m(waivedFeesMinor, p.currency), waivedInterest: m(waivedInterestMinor, p.currency), forgiven: m(forgivenMinor, p.currency),
      paid: m(paidMinor, p.currency),
      instalments: instalments.map(({ amountMinor, paidMinor: paidToIt, ...i }) => ({ ...i, amount: m(amountMinor, p.currency), paid: m(paidToIt, p.currency) })),
    })),
  };
}
export type AccountArrangementsView = Awaited<ReturnType<typeof accountArrangementsView>>;

// ── the inbox: arrangements, placements and account actions ───────────────────────────────────

export interface InboxItem {
  kind: 'arrangement' | 'placement' | 'account_action';
  id: number; accountId: string; what: string; requiredTier: Tier; mayDecide: boolean; proposedBy: string | null; proposedOn: string;
  origin: string; detail: unknown;
}

function recommendationTier(authority: AuthorityDocument, r: Recommendation): Tier {
  if (r.kind === 'placement') return r.what.startsWith('legal') ? authority.decisions.placement_legal : authority.decisions.placement_agency;
  return authority.decisions[r.what as 'freeze' | 'restrict' | 'lift'];
}

/** What waits for a decision in the caller's scope, oldest first, each with the tier it needs and whether the caller may decide it. */
export async function approvalInbox(deps: ArrangementsDeskDeps, principal: Principal, limit = 500): Promise<InboxItem[]> {
  const tier = tierOfPrincipal(deps.authority, principal);
  const [proposals, recommendations] = await Promise.all([
    listProposals(deps.pool, { scope: principal.scope, status: 'proposed', accountId: null, limit }),
    listRecommendations(deps.pool, { status: 'proposed', limit }),
  ]);
  const visible = await visibleAccounts(deps.pool, recommendations.map((r) => r.accountId), principal.scope);
  const items: InboxItem[] = [
    ...proposals.map((p): InboxItem => ({
      kind: 'arrangement', id: p.proposalId, accountId: p.accountId, what: p.kind, requiredTier: p.requiredTier,
      mayDecide: atLeast(tier, p.requiredTier) && p.proposedBy !== principal.name, proposedBy: p.proposedBy, proposedOn: p.proposedAt.toISOString().slice(0, 10), origin: 'staff',
      detail: proposalView(p),
    })),
    ...recommendations.filter((r) => visible.has(r.accountId)).map((r): InboxItem => {
      const need = recommendationTier(deps.authority, r);
      return {
        kind: r.kind, id: r.id, accountId: r.accountId, what: r.what, requiredTier: need, mayDecide: atLeast(tier, need), proposedBy: null, proposedOn: r.proposedOn,
        origin: r.strategy.id ? `strategy ${r.strategy.id} v${r.strategy.version} (${r.strategy.variant})` : 'staff', detail: { stage: r.stage, strategy: r.strategy },
      };
    }),
  ];
  return items.sort((a, b) => a.proposedOn.localeCompare(b.proposedOn) || a.kind.localeCompare(b.kind) || a.id - b.id);
}

/**
 * Decides a placement proposal or an account-action request of the strategy (or staff): approving a
 * placement places the account (agency, or legal stage: identity's assignment); approving an account
 * action sets the account's status and leaves an account event.
 */
export async function decideRecommendationAtDesk(deps: ArrangementsDeskDeps & { cipher: PiiCipher; config: { sessionIdleMinutes: number; sessionMaxHours: number } }, principal: Principal,
  kind: 'placement' | 'account_action', id: number, decision: 'approve' | 'reject', note: string | null, agencyId: string | null, today: EpochDay): Promise<Result<{ kind: string; id: number; status: string; applied: unknown }, DecideFailure>> {
  const [r] = await listRecommendations(deps.pool, { status: 'proposed', kind, id, limit: 1 });
  if (!r || !(await accountVisible(deps.pool, r.accountId, principal.scope))) {
    return err('recommendation_not_found', `no open ${kind.replace('_', ' ')} ${id} in your scope`);
  }
  const need = recommendationTier(deps.authority, r);
  if (!atLeast(tierOfPrincipal(deps.authority, principal), need)) return err('authority_insufficient', `deciding this ${r.what} needs a ${need}`);
  if (decision === 'reject') {
    if (!(await decideRecommendation(deps.pool, kind, id, 'rejected', principal.name, note))) return err('proposal_not_open', `${kind} ${id} was decided meanwhile`);
    return ok({ kind, id, status: 'rejected', applied: null });
  }
  if (kind === 'placement') {
    const [, target] = r.what.split(':');
    const legal = r.what.startsWith('legal');
    const agency = legal ? null : (target ?? agencyId);
    if (!legal && !agency) return err('agency_required', `placement ${id} names no agency: give agencyId`, { field: 'agencyId' });
    const current = await findAssignment(deps.pool, r.accountId);
    const assigned = await assignAccount({ pool: deps.pool, cipher: deps.cipher, clock: deps.clock, config: deps.config }, principal, r.accountId, {
      teamId: current?.team_id ?? null, agencyId: legal ? (current?.agency_id ?? null) : agency, legalStage: legal ? (target ?? null) : (current?.legal_stage ?? null),
    });
    if (!assigned.ok) return err('invalid_request', assigned.message);
    if (!(await decideRecommendation(deps.pool, kind, id, 'approved', principal.name, note))) return err('proposal_not_open', `${kind} ${id} was decided meanwhile`);
    return ok({ kind, id, status: 'approved', applied: assigned.value });
  }
  const status = ({ freeze: 'frozen', restrict: 'restricted', lift: 'open' } as const)[r.what as 'freeze' | 'restrict' | 'lift'];
  const applied = await inTransaction(deps.pool, async (client) => {
    if (!(await decideRecommendation(client, kind, id, 'approved', principal.name, note))) return null;
    const before = await setAccountStatus(client, r.accountId, status);
    const eventId = await appendAccountEvent(client, {
      accountId: r.accountId, occurredOn: formatPlainDate(today), kind: `account_${status === 'open' ? 'lifted' : status}`,
      data: { requestId: id, action: r.what, from: before?.previous ?? null, to: status, approvedBy: principal.name, note, origin: r.strategy.id ? 'strategy' : 'staff' },
    });
    return { status, previous: before?.previous ?? null, eventId };
  });
  if (applied === null) return err('proposal_not_open', `${kind} ${id} was decided meanwhile`);
  return ok({ kind, id, status: 'approved', applied });
}

/** A staff request to freeze, restrict or lift an account: it takes effect only when approved in the inbox. */
export async function requestAccountAction(deps: Pick<ArrangementsDeskDeps, 'pool'>, principal: Principal, accountId: string, action: 'freeze' | 'restrict' | 'lift', reason: string, today: EpochDay, idempotencyKey?: string): Promise<Result<{ requestId: number; status: string; replayed: boolean }, 'account_not_found' | 'account_action_already_requested'>> {
  const account = (await accountsById(deps.pool, [accountId])).get(accountId);
  if (!account || !(await accountVisible(deps.pool, accountId, principal.scope))) return err('account_not_found', `no account ${JSON.stringify(accountId)}`);
  const key = idempotencyKey ?? `staff:${principal.name}:${accountId}:${action}:${formatPlainDate(today)}`;
  const replayed = (await existingRecommendationKeys(deps.pool, [key])).length > 0;
  const inserted = replayed ? 0 : await requestAccountActions(deps.pool, [{
    idempotencyKey: key, accountId, customerId: account.customerId, action, requestedOn: formatPlainDate(today), reason, origin: 'staff', strategy: null, stage: null, decision: { requestedBy: principal.name },
  }]);
  const latest = (await listRecommendations(deps.pool, { accountId, limit: 1_000 })).filter((r) => r.kind === 'account_action' && r.what === action).sort((a, b) => b.id - a.id)[0];
  // Not inserted and not ours: one of this kind is already waiting (at most one open per account and action).
  if (!replayed && inserted === 0) return err('account_action_already_requested', `a ${action} of ${accountId} is already waiting for approval${latest ? ` (request ${latest.id})` : ''}`);
  return ok({ requestId: latest!.id, status: latest!.status, replayed });
}

// ── promises to pay ──────────────────────────────────────────────────────────────────────────

export interface PromiseInput { amount: string; promisedOn: string; channel?: RecordPromiseCommand['channel']; note?: string; captureId?: number; idempotencyKey?: string }

/** Records a promise to pay made to this caller (optionally the real one behind a robot call's key press, which is then taken). */
export async function recordPromiseAtDesk(deps: ArrangementsDeskDeps & { arrangementSettings: ArrangementSettings }, principal: Principal, accountId: string, input: PromiseInput, today: EpochDay): Promise<Result<{ promiseId: number; replayed: boolean; captureTaken: boolean }, RecordError | 'capture_not_found' | 'note_language_prohibited'>> {
  if (!(await accountVisible(deps.pool, accountId, principal.scope))) return err('account_not_found', `no account ${JSON.stringify(accountId)}`);
  if (input.note) {
    const checked = checkedNote(deps, input.note, deps.clock.now().getTime());
    if (!checked.ok) return err(checked.code, checked.message, { ...(checked.details as object), field: 'note' });
  }
  if (input.captureId !== undefined) {
    const capture = (await robotPromiseCaptures(deps.pool, 'new', 10_000)).find((c) => Number(c.captureId) === input.captureId && c.accountId === accountId);
    if (!capture) return err('capture_not_found', `no new robot promise capture ${input.captureId} for account ${accountId}`);
  }
  const r = await recordPromise(deps.pool, deps.arrangementSettings, {
    accountId, amount: input.amount, promisedOn: input.promisedOn, ...(input.channel ? { channel: input.channel } : {}), ...(input.note ? { note: input.note } : {}),
    recordedBy: principal.name, ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
  }, today);
  if (!r.ok) return r;
  const captureTaken = input.captureId !== undefined && (await takePromiseCapture(deps.pool, input.captureId, principal.name, deps.clock.now()));
  return ok({ ...r.value, captureTaken });
}

/** Kept rate per collector or team of the promises made from `from` to `to`, over the caller's scope. */
export const keptRate = (deps: Pick<ArrangementsDeskDeps, 'pool'>, principal: Principal, q: { from: string; to: string; by: 'collector' | 'team' }) =>
  promiseKeptRate(deps.pool, { ...q, scope: principal.scope });
