/**
 * The collector desk's API (docs/collector-workflow.md, docs/http-api.md): the next case, contacts with
 * their token (x-contact-token), the right-party check, debt details, outcomes, notes, the Account 360,
 * quotes, proposals and promises to pay. Shapes as the routes answer them.
 */
import { api } from '../../api/client.ts';
import type { AccountView } from '../portfolio/api.ts';

export interface GateRule { ruleId: string; code: string; effect: string; message: { zh: string; en: string } }
export interface Gate { decision: 'allow' | 'block' | 'defer'; until: string | null; auditRef: string | null; rules: GateRule[] }

export interface NextCase {
  workItem: { id: number; kind: string; customerId: string; accountId: string | null; priority: number; score: number; reason: string | null; stage: string | null; notBefore: string; dueBy: string | null; lockedUntil: string };
  destination: { ref: string; masked: string; party: string } | null;
  compliance: Gate | null;
}

export interface MyItem { id: number; kind: string; accountId: string | null; priority: number; reason: string | null; notBefore: string; lockedUntil: string | null; destinationRef: string | null }
export interface MyQueue { held: MyItem[]; assigned: MyItem[]; team: { teamId: string; openItems: number; inProgress: number } | null }

export interface ComplianceNumber { ref: string; masked: string; party: string; verified: boolean; decision: Gate['decision']; until: string | null; auditRef: string | null; rules: GateRule[] }
export interface ComplianceNow { checkedAt: string; pack: string; mayCallNow: boolean; number: { ref: string; masked: string } | null; nextAllowedAt: string | null; numbers: ComplianceNumber[] }

export interface Account360 {
  asOf: string;
  customer: AccountView['customer'];
  account: AccountView['account'];
  accounts: { id: string; currency: string; status: string; bucket: string | null; daysPastDue: number | null; balance: string | null; overdue: string | null }[];
  debt: {
    released: boolean; reason: string | null; contactId: number | null;
    details: null | {
      balances: AccountView['balances']; daysPastDue: number; bucket: string;
      promises?: { promiseId: number; amount: string; currency: string; promisedOn: string; status: string }[];
      plans?: { planId: number; kind: string; total: string; currency: string; status: string }[];
      proposals?: { proposalId: number; type: string; status: string; requiredTier: string; quote: { total: string; termMonths: number; currency: string } }[];
    };
  };
  contactHistory: { at?: string; channel?: string; actor?: string; party?: string; destinationMasked?: string | null; outcome?: string }[];
  notes: { noteId?: number; text?: string; author?: string; createdAt?: string }[];
  workItems: { id: number; kind: string; status: string; priority: number; assignedTo: string | null; lockedBy: string | null; notBefore: string; reason: string | null }[];
  compliance: ComplianceNow | null;
}

export interface Contact { contactId: number; token: string; expiresAt: string; accountId: string; customerId: string; destination: { ref: string; masked: string; party: string }; compliance: Gate }
export interface RightPartyResult { contactId: number; passed: boolean; attemptsLeft: number; verifiedAt: string | null }
export interface Debt { contactId: number; accountId: string; currency: string; balance: string | null; overdue: string | null; minimumDue: string | null; dueDate: string | null; daysPastDue: number; bucket: string; lastPaymentOn: string | null }
export interface OutcomeResult { contactId: number; attemptId: number; noteId: number | null; callbackWorkItemId: number | null; workItemDone: boolean; replayed: boolean }

export const CONTACT_OUTCOMES = ['connected_right_party', 'connected_third_party', 'no_answer', 'busy', 'rejected', 'powered_off', 'voicemail', 'wrong_number'] as const;
export const DISPOSITIONS = ['promise_to_pay', 'paid_already', 'will_pay_no_date', 'refused_to_pay', 'dispute_raised', 'hardship_claimed', 'callback_requested', 'message_left', 'wrong_party', 'no_contact'] as const;
/** Dispositions that need the verified debtor on the line (connected_right_party). */
export const RIGHT_PARTY_DISPOSITIONS: readonly string[] = ['promise_to_pay', 'paid_already', 'will_pay_no_date', 'refused_to_pay', 'dispute_raised', 'hardship_claimed'];
export const SUBJECTIVE_REASONS = ['worse_finances', 'unstable_income', 'overspending', 'forgot'] as const;
export const OBJECTIVE_REASONS = ['economic_shock', 'disaster', 'illness', 'accident'] as const;
export type Outcome = (typeof CONTACT_OUTCOMES)[number];

export interface OutcomeInput { outcome: Outcome; disposition?: string; delinquencyReason?: string; note?: string; callbackAt?: string }

export interface QuoteInput { type: 'installments'; months: number; firstDueOn?: string; waiveFees?: boolean; waiveInterest?: boolean }
export interface QuoteView {
  accountId: string; currency: string; type: string; asOf: string; balance: string;
  owed: { fees: string; interest: string; principal: string; unclassified: string; overdue: string };
  waivedFees: string; waivedInterest: string; forgiven: string; total: string; termMonths: number;
  installments: { seq: number; dueOn: string; amount: string }[];
  rules: { termMonthsMax: number; rule: string; businessDayDueDates: boolean; evidenceRequired: boolean; affordabilityRequired: boolean; pack: string };
  authority: { requiredTier: string | null; reasons: { limit: string; value: string; tier: string | null }[] };
}
export interface ProposalView { proposalId: number; accountId: string; type: string; status: 'proposed' | 'approved' | 'rejected' | 'withdrawn'; requiredTier: string; proposedBy: string; decidedBy: string | null; planId: number | null; quote: { total: string; termMonths: number; currency: string } }
export interface ProposeInput { quote: QuoteInput; declared?: { monthlyIncome: string; monthlyExpenses: string }; evidenceIds?: number[]; note?: string }
export interface PromiseInput { amount: string; promisedOn: string; note?: string }
export interface PromiseResult { promiseId: number; replayed: boolean; captureTaken: boolean }

/**
 * How far ahead a promise to pay may fall (policies/arrangements/default.json `promise.daysAheadMax`):
 * checked in the form so the collector hears it at once; the server refuses it anyway (shown at the field).
 */
export const PROMISE_DAYS_AHEAD_MAX = 30;

const enc = encodeURIComponent;
const token = (t: string) => ({ 'x-contact-token': t });
/** The contact a front-line caller works under (debt details, quotes, promises need it). */
export interface ContactSession { contactId: number; token: string }
const onContact = (c: ContactSession | null) => (c ? { query: { contactId: c.contactId }, headers: token(c.token) } : { query: {}, headers: undefined });

export const deskApi = {
  next: () => api.get<{ case: NextCase | null }>('/worklist/next'),
  mine: () => api.get<MyQueue>('/worklist/mine'),
  release: (workItemId: number) => api.post<{ workItemId: number; status: 'open' }>(`/worklist/items/${workItemId}/release`),
  account360: (accountId: string, contact: ContactSession | null, signal?: AbortSignal) => {
    const c = onContact(contact);
    return api.get<Account360>(`/accounts/${enc(accountId)}/360`, c.query, signal, c.headers);
  },
  startContact: (accountId: string, destinationRef: string, workItemId: number | undefined) =>
    api.post<Contact>('/worklist/contacts', { accountId, destinationRef, ...(workItemId ? { workItemId } : {}) }),
  rightPartyCheck: (c: ContactSession, name: string, nationalIdLast4: string) =>
    api.post<RightPartyResult>(`/worklist/contacts/${c.contactId}/right-party-check`, { token: c.token, name, nationalIdLast4 }),
  debt: (c: ContactSession, signal?: AbortSignal) => api.get<Debt>(`/worklist/contacts/${c.contactId}/debt`, undefined, signal, token(c.token)),
  outcome: (c: ContactSession, input: OutcomeInput) => api.post<OutcomeResult>(`/worklist/contacts/${c.contactId}/outcome`, { token: c.token, ...input }),
  note: (accountId: string, text: string) => api.post<{ noteId: number; checkedUnder: string }>('/worklist/notes', { accountId, text }),
  quote: (accountId: string, contact: ContactSession | null, input: QuoteInput) => {
    const c = onContact(contact);
    return api.post<QuoteView>(`/accounts/${enc(accountId)}/arrangements/quote${c.query.contactId ? `?contactId=${c.query.contactId}` : ''}`, input, c.headers);
  },
  propose: (accountId: string, contact: ContactSession | null, input: ProposeInput) => {
    const c = onContact(contact);
    return api.post<ProposalView>(`/accounts/${enc(accountId)}/arrangements${c.query.contactId ? `?contactId=${c.query.contactId}` : ''}`, input, c.headers);
  },
  uploadEvidence: (accountId: string, file: File) => api.upload<{ evidenceId: number; mediaType: string; sizeBytes: number; sha256: string }>(`/accounts/${enc(accountId)}/evidence?description=${enc(file.name.slice(0, 200) || 'evidence')}`, file),
  promise: (accountId: string, contact: ContactSession | null, input: PromiseInput) => {
    const c = onContact(contact);
    return api.post<PromiseResult>(`/accounts/${enc(accountId)}/promises${c.query.contactId ? `?contactId=${c.query.contactId}` : ''}`, input, c.headers);
  },
};

export const deskKeys = {
  next: ['desk', 'next'] as const,
  mine: ['desk', 'mine'] as const,
  account360: (accountId: string, contactId: number | null) => ['desk', '360', accountId, contactId] as const,
  debt: (contactId: number) => ['desk', 'debt', contactId] as const,
  quote: (accountId: string, contactId: number | null, input: object) => ['desk', 'quote', accountId, contactId, input] as const,
};
