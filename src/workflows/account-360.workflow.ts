/**
 * The Account 360: everything a collector needs about one account in one call — the customer (PII
 * masked; unmasking is the audited POST /accounts/:id/unmask), the customer's accounts, balances,
 * aging, statements, payments with their allocation, the contact history from the ledger, notes,
 * work items, documents, complaints, and the compliance state right now (may I call, which number,
 * the next allowed time, and why; each answer is an audited gate verdict).
 *
 * Debt details (amounts, days past due, statements, payments) go to front-line callers (who work the
 * queue but do not supervise it) only on an open contact of theirs whose right-party check passed;
 * everyone else (supervisors, back office, auditors) sees them as the account view does.
 */
import type pg from 'pg';
import type { Clock } from '../kernel/clock.ts';
import { formatAmount } from '../kernel/money.ts';
import { err, ok, type Result } from '../kernel/result.ts';
import type { EpochDay } from '../kernel/dates.ts';
import { loadDefaultAgingPolicy } from '../modules/delinquency/index.ts';
import { can, type Principal } from '../modules/identity/index.ts';
import { contactHistory, type ContactHistoryEntry, type PackSet } from '../modules/compliance/index.ts';
import { customerAccounts, customerPhones, type PiiCipher } from '../modules/portfolio/index.ts';
import { listItems, listNotes, type NoteView, type WorklistSettings } from '../modules/worklist/index.ts';
import { accountAllocation, type AccountAllocation, type PaymentsSettings } from '../modules/payments/index.ts';
import { listEvidence, type EvidenceMeta } from '../modules/arrangements/index.ts';
import { showAccount, type AccountView } from './account-view.workflow.ts';
import { releasingContact, type GateSummary } from './collector-desk.workflow.ts';
import { checkProposedContacts, complianceStore, parseActor } from '../modules/compliance/index.ts';
import { actorOf } from './collector-desk.workflow.ts';
import { accountArrangementsView, type AccountArrangementsView } from './arrangements-desk.workflow.ts';

export interface Account360Deps { pool: pg.Pool; cipher: PiiCipher; clock: Clock; packs: PackSet; packId: string; settings: WorklistSettings; payments: PaymentsSettings }

/** Limits of the lists in one 360. */
export const ACCOUNT_360_LIMITS = { contactHistory: 200, notes: 100, workItems: 50 } as const;

export interface ComplianceNow {
  checkedAt: string;
  pack: string;
  mayCallNow: boolean;
  /** The number to call now (the first debtor number the gate allows). */
  number: { ref: string; masked: string } | null;
  /** When no debtor number may be called now: the earliest time one may. */
  nextAllowedAt: string | null;
  numbers: ({ ref: string; masked: string; party: string; verified: boolean } & GateSummary)[];
}

export interface Account360 {
  asOf: string;
  customer: AccountView['customer'];
  account: AccountView['account'];
  accounts: { id: string; currency: string; status: string; bucket: string | null; daysPastDue: number | null; balance: string | null; overdue: string | null; agedAsOf: string | null }[];
  debt: {
    released: boolean;
    /** Why not: right_party_check_required. */
    reason: string | null;
    contactId: number | null;
    details: null | {
      balances: AccountView['balances']; daysPastDue: number; bucket: string; lateCountCumulative: number; lateCountConsecutive: number; oldestUnpaidDueOn: string | null;
      hostSnapshot: AccountView['hostSnapshot']; statements: AccountView['statements']; payments: AccountAllocation['payments']; openByComponent: Record<string, string>;
      /** Promises to pay, agreed arrangements (instalments met / missed, what was paid to each) and proposals with their decisions. */
      promises: AccountArrangementsView['promises']; plans: AccountArrangementsView['plans']; proposals: AccountArrangementsView['proposals'];
    };
  };
  contactHistory: ContactHistoryEntry[];
  notes: NoteView[];
  workItems: { id: number; kind: string; status: string; priority: number; assignedTo: string | null; lockedBy: string | null; notBefore: string; reason: string | null }[];
  /** Hardship evidence on file (metadata; the content is the audited GET /evidence/:id). */
  documents: EvidenceMeta[];
  /** No complaints module exists yet: always empty, and `complaintsTracked` says so (an open complaint hold shows in `compliance`). */
  complaints: unknown[];
  complaintsTracked: false;
  compliance: ComplianceNow | null;
}

/** Front-line callers get debt details only through a verified contact. */
export function debtGated(principal: Principal): boolean {
  return can(principal, 'worklist:work') && !can(principal, 'worklist:supervise');
}

async function complianceNow(deps: Account360Deps, principal: Principal, customerId: string, accountId: string): Promise<ComplianceNow> {
  const now = deps.clock.now().getTime();
  const phones = await customerPhones(deps.pool, customerId);
  const actor = parseActor(actorOf(principal))!;
  const verdicts = phones.length === 0 ? [] : await checkProposedContacts({ ...complianceStore(deps.pool, deps.cipher), packs: deps.packs }, deps.packId, phones.map((p) => ({
    id: `360:${accountId}:${p.ref}`, customerId, accountId, at: now, channel: 'voice_agent' as const, actor, party: p.partyRole, destination: p.key, content: null,
  })), now);
  const numbers = phones.map((p, i) => {
    const v = verdicts[i]!;
    return {
      ref: p.ref, masked: p.masked, party: p.partyRole, verified: p.verified, decision: v.verdict.decision, until: v.verdict.until === null ? null : new Date(v.verdict.until).toISOString(),
      auditRef: v.auditRef, rules: v.verdict.rules.map((r) => ({ ruleId: r.ruleId, code: r.code, effect: r.effect, message: r.message })),
    };
  });
  const debtor = numbers.filter((n) => n.party === 'debtor');
  const allowed = debtor.find((n) => n.decision === 'allow') ?? null;
  const untils = debtor.flatMap((n) => (n.decision === 'defer' && n.until ? [n.until] : [])).sort();
  const pack = deps.packs.select(deps.packId, now);
  return {
    checkedAt: new Date(now).toISOString(), pack: pack ? `${pack.id}@${pack.version}` : deps.packId, mayCallNow: allowed !== null,
    number: allowed ? { ref: allowed.ref, masked: allowed.masked } : null, nextAllowedAt: allowed ? null : (untils[0] ?? null), numbers,
  };
}

export async function account360(deps: Account360Deps, principal: Principal, accountId: string, asOf: EpochDay, contact: { contactId: number; token: string } | null): Promise<Result<Account360, 'account_not_found' | 'right_party_check_required'>> {
  const view = await showAccount(deps.pool, accountId, asOf, await loadDefaultAgingPolicy(), principal.scope);
  if (!view.ok) return view;
  const v = view.value;
  let released = !debtGated(principal);
  let contactId: number | null = null;
  if (contact) {
    const s = await releasingContact(deps, principal, contact.contactId, contact.token);
    if (!s.ok || s.value.customerId !== v.customer.id) return err('right_party_check_required', s.ok ? `contact ${contact.contactId} is with another customer` : s.message);
    released = true;
    contactId = contact.contactId;
  }
  const [accounts, history, notes, items, allocation, compliance, documents, arrangements] = await Promise.all([
    customerAccounts(deps.pool, v.customer.id),
    contactHistory(deps.pool, v.customer.id, ACCOUNT_360_LIMITS.contactHistory),
    listNotes(deps.pool, v.customer.id, ACCOUNT_360_LIMITS.notes),
    listItems(deps.pool, { scope: principal.scope, teamId: null, status: null, assignedTo: null, limit: ACCOUNT_360_LIMITS.workItems, now: deps.clock.now(), accountId }),
    released ? accountAllocation(deps.pool, deps.payments, accountId) : Promise.resolve(null),
    can(principal, 'compliance:check') ? complianceNow(deps, principal, v.customer.id, accountId) : Promise.resolve(null),
    listEvidence(deps.pool, v.customer.id),
    released ? accountArrangementsView(deps, principal, accountId) : Promise.resolve(null),
  ]);
  const money = (m: bigint | null, currency: string) => (m === null ? null : formatAmount(m, currency));
  return ok({
    asOf: v.asOf,
    customer: v.customer,
    account: v.account,
    // The customer's other accounts as the last aging run left them; this one aged as of the date asked.
    accounts: accounts.map((a) => (a.account_id === accountId
      ? { id: a.account_id, currency: a.currency, status: a.status, agedAsOf: released ? v.asOf : null, bucket: released ? v.bucket : null, daysPastDue: released ? v.daysPastDue : null,
          balance: released ? v.balances.balance : null, overdue: released ? v.balances.overdue : null }
      : {
        id: a.account_id, currency: a.currency, status: a.status, agedAsOf: released ? a.as_of : null,
        bucket: released ? a.bucket : null, daysPastDue: released ? a.days_past_due : null,
        balance: released ? money(a.balance_minor, a.currency) : null, overdue: released ? money(a.overdue_minor, a.currency) : null,
      })),
    debt: released
      ? {
        released: true, reason: null, contactId,
        details: {
          balances: v.balances, daysPastDue: v.daysPastDue, bucket: v.bucket, lateCountCumulative: v.lateCountCumulative, lateCountConsecutive: v.lateCountConsecutive,
          oldestUnpaidDueOn: v.oldestUnpaidDueOn, hostSnapshot: v.hostSnapshot, statements: v.statements,
          // Payments up to the as-of date, with their allocation as the history stands now.
          payments: (allocation?.payments ?? []).filter((p) => p.postedOn <= v.asOf), openByComponent: allocation?.open ?? {},
          promises: arrangements!.promises, plans: arrangements!.plans, proposals: arrangements!.proposals,
        },
      }
      : { released: false, reason: 'right_party_check_required', contactId: null, details: null },
    contactHistory: history,
    notes,
    workItems: items.map((i) => ({ id: i.workItemId, kind: i.kind, status: i.status, priority: i.priority, assignedTo: i.assignedTo, lockedBy: i.lockedBy, notBefore: i.notBefore.toISOString(), reason: i.reason })),
    documents,
    complaints: [],
    complaintsTracked: false,
    compliance,
  });
}
