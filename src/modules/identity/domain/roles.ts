/**
 * Roles, permissions and data scopes: who may call what, and which accounts they see. Pure data;
 * routes name a permission (src/http/access.ts), services ask `can`.
 */

export const ROLES = ['admin', 'strategy_manager', 'compliance_officer', 'supervisor', 'collector', 'agency_user', 'legal', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Actions a route or command may require. Add one here (and to the roles that hold it) when a new
 * route needs a permission no existing one describes.
 */
export const PERMISSIONS = [
  /** Read accounts in the caller's data scope (PII masked). */
  'accounts:read',
  /** Bulk export of accounts in scope (audited, reason required). */
  'accounts:export',
  /** See a national id or phone number in clear (audited, reason required). */
  'pii:unmask',
  /** Import bank feeds. */
  'imports:write',
  /** Assign accounts to teams, place them with agencies, set legal stages. */
  'assignments:write',
  /** Approve a waiver of fees or interest (arrangements module). */
  'waivers:approve',
  /** Read the access audit trail. */
  'audit:read',
  /** Create, disable and reset staff users; create and revoke API tokens. */
  'users:manage',
  /** Ask the compliance gate whether a contact may happen (what-if, or against the stored state: audited). */
  'compliance:check',
  /** Record contact attempts, flags and holds, opt-outs and consents for debtors in scope. */
  'compliance:record',
  /** Clear a flag or hold, withdraw an opt-out: lifts a protection, so not for front-line roles. */
  'compliance:clear',
  /** Read message templates and preview them with an account's data (accounts in scope). */
  'templates:read',
  /** Publish a new template version (after its lint passes). */
  'templates:publish',
  /** Read the outbox: messages, their status, verdicts and captured promises (accounts in scope). */
  'messages:read',
  /** Enqueue a message by hand for an account in scope (the dispatcher still re-checks compliance). */
  'messages:send',
  /** Report what providers saw later: bounces, robot-call outcomes (the bank's relay or voice platform). */
  'messages:callback',
  /** Work the queue: take the next case, contact debtors (right-party check, outcomes, notes), schedule callbacks. */
  'worklist:work',
  /** Supervise queues: see a team's items, reassign them, manage teams and collectors' skills. */
  'worklist:supervise',
  /** Post payments (API or file). */
  'payments:post',
  /** Reverse a posted payment (a new negative entry). */
  'payments:reverse',
  /** Quote and propose arrangements (promises, plans, waivers, settlements) and upload hardship evidence for accounts in scope. */
  'arrangements:propose',
  /** Decide the approval inbox: arrangements beyond the proposer's authority, placements, account actions (within one's own tier). */
  'approvals:decide',
  /** Read hardship evidence files (audited). */
  'evidence:read',
  /** Request an account action (freeze, restrict spending, lift) for approval. */
  'account_actions:request',
  /** Read strategies and their versions, validate drafts, explain an account's decision, see cycle runs and the champion/challenger report. */
  'strategy:read',
  /** Publish a new strategy version (it takes effect from its effectiveFrom). */
  'strategy:publish',
  /** Read the portfolio-wide dashboards: aggregates over every account (no account ids, no personal data). */
  'reports:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: PERMISSIONS,
  strategy_manager: ['accounts:read', 'accounts:export', 'compliance:check', 'templates:read', 'messages:read', 'strategy:read', 'strategy:publish', 'approvals:decide', 'reports:read'],
  // Publishing a template is a compliance act: the lint is the pack's, the approval the compliance officer's.
  // Reviews strategies (cross-policy checks, verdicts in explanations) but does not publish them.
  compliance_officer: ['accounts:read', 'accounts:export', 'pii:unmask', 'audit:read', 'compliance:check', 'compliance:record', 'compliance:clear', 'templates:read', 'templates:publish', 'messages:read', 'strategy:read', 'evidence:read', 'reports:read'],
  supervisor: ['accounts:read', 'accounts:export', 'pii:unmask', 'assignments:write', 'waivers:approve', 'compliance:check', 'compliance:record', 'compliance:clear', 'templates:read', 'messages:read', 'messages:send', 'strategy:read', 'worklist:work', 'worklist:supervise', 'payments:post', 'arrangements:propose', 'approvals:decide', 'evidence:read', 'account_actions:request', 'reports:read'],
  collector: ['accounts:read', 'compliance:check', 'compliance:record', 'templates:read', 'messages:read', 'messages:send', 'worklist:work', 'arrangements:propose', 'account_actions:request'],
  // Masked PII and no bulk export: an agency sees only what its placed accounts need.
  agency_user: ['accounts:read', 'compliance:check', 'compliance:record', 'templates:read', 'messages:read', 'messages:send', 'worklist:work', 'arrangements:propose'],
  legal: ['accounts:read', 'accounts:export', 'pii:unmask', 'compliance:check', 'compliance:record', 'templates:read', 'messages:read', 'messages:send', 'evidence:read', 'account_actions:request'],
  // Read-only: reads accounts (masked) and the audit trail, changes nothing.
  auditor: ['accounts:read', 'audit:read', 'templates:read', 'messages:read', 'reports:read'],
};

export function isRole(text: string): text is Role {
  return (ROLES as readonly string[]).includes(text);
}

export function isPermission(text: string): text is Permission {
  return (PERMISSIONS as readonly string[]).includes(text);
}

/** Which accounts a caller sees. */
export type DataScope =
  | { kind: 'all' }
  | { kind: 'team'; teamId: string }
  | { kind: 'agency'; agencyId: string }
  | { kind: 'legal' };

/**
 * Collectors see their team's accounts; a supervisor with a team, that team's (without one, all);
 * agency users only the accounts placed with their agency; legal only accounts in a legal stage;
 * everyone else every account.
 */
export function dataScopeOf(user: { role: Role; teamId: string | null; agencyId: string | null }): DataScope {
  switch (user.role) {
    case 'collector':
      return { kind: 'team', teamId: user.teamId ?? '' };
    case 'supervisor':
      return user.teamId ? { kind: 'team', teamId: user.teamId } : { kind: 'all' };
    case 'agency_user':
      return { kind: 'agency', agencyId: user.agencyId ?? '' };
    case 'legal':
      return { kind: 'legal' };
    default:
      return { kind: 'all' };
  }
}

/** Team and agency ids: lower-case letters, digits, _ and -, up to 64. */
export const TEAM_OR_AGENCY_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const USERNAME = /^[a-z0-9][a-z0-9._-]{2,63}$/;
export const LEGAL_STAGES = ['mediation', 'payment_order', 'arbitration', 'litigation', 'enforcement'] as const;
export type LegalStage = (typeof LEGAL_STAGES)[number];
