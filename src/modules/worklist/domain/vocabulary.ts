/**
 * The collector's controlled vocabulary: what a contact's outcome may be (the ledger's outcomes a
 * person can observe on a call or visit), what came of it (disposition), and why the customer is late
 * (DOMAIN.md §1: subjective or objective reasons, for reporting).
 */

/** Ledger outcomes a collector records for a call or a visit (delivery outcomes belong to the dispatcher). */
export const CONTACT_OUTCOMES = [
  'connected_right_party', 'connected_third_party', 'no_answer', 'busy', 'rejected', 'powered_off', 'voicemail', 'wrong_number',
] as const;
export type ContactOutcome = (typeof CONTACT_OUTCOMES)[number];

export const DISPOSITIONS = [
  'promise_to_pay', 'paid_already', 'will_pay_no_date', 'refused_to_pay', 'dispute_raised', 'hardship_claimed',
  'callback_requested', 'message_left', 'wrong_party', 'no_contact',
] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/** Dispositions that need a conversation with the verified debtor. */
export const RIGHT_PARTY_DISPOSITIONS: ReadonlySet<Disposition> = new Set([
  'promise_to_pay', 'paid_already', 'will_pay_no_date', 'refused_to_pay', 'dispute_raised', 'hardship_claimed',
]);

export const SUBJECTIVE_REASONS = ['worse_finances', 'unstable_income', 'overspending', 'forgot'] as const;
export const OBJECTIVE_REASONS = ['economic_shock', 'disaster', 'illness', 'accident'] as const;
export const DELINQUENCY_REASONS = [...SUBJECTIVE_REASONS, ...OBJECTIVE_REASONS] as const;
export type DelinquencyReason = (typeof DELINQUENCY_REASONS)[number];
export type ReasonCategory = 'subjective' | 'objective';

export function reasonCategory(reason: DelinquencyReason): ReasonCategory {
  return (SUBJECTIVE_REASONS as readonly string[]).includes(reason) ? 'subjective' : 'objective';
}

/** The ledger channel a work item's contact uses (null: no contact, e.g. a review). */
export function channelOfKind(kind: string): 'voice_agent' | 'field_visit' | null {
  if (kind === 'agent_call' || kind === 'callback') return 'voice_agent';
  if (kind === 'field_visit') return 'field_visit';
  return null;
}
