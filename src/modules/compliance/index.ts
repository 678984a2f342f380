/**
 * Public surface of the compliance module: "may we contact this person, this way, with this content,
 * at this moment?" (check), the content lint and inbound opt-out recognition other modules use, the
 * contact ledger and compliance state, and the hash-chained audit log any module may append to.
 */
export { check, evaluateUnreachable, unavailableVerdict, windowStatus, type FiredRule, type Verdict, type UnreachableEvaluation, type Effect, type WindowStatus } from './domain/check.ts';
export { lintContent, normaliseText, type ContentFinding, type LintInput } from './domain/content-lint.ts';
export { recogniseOptOutReply, type OptOutReply } from './domain/opt-out-reply.ts';
export { normalizeDestination, destinationKeyer, PHONE_KEY_PREFIX, type ContactContent, type DebtorSnapshot, type ProposedContact, type HistoryEntry } from './domain/snapshot.ts';
export type { Pack } from './domain/pack.ts';
export type { HolidayCalendar, DayKind } from './domain/calendar.ts';
export * from './domain/vocabulary.ts';
export { canonicalJson, sha256, type ChainBreak, type ChainSummary } from './domain/audit-chain.ts';
export { DEFAULT_PACK_ID, chineseCalendar, loadPackSet, shippedPackSet, buildPackSet, type PackSet } from './pack-loader.service.ts';
export { applyOverride, validatePackDocument, validateOverrideDocument } from './pack.schema.ts';
export { checkLine, parseCheckLine } from './check-line.service.ts';
export { toContent, verdictJson, verdictLine, type VerdictLine } from './check-input.schema.ts';
export {
  checkLineSchema, consentSchema, contentInputSchema, optOutSchema, recordAttemptSchema, setFlagSchema, issuePaths,
  type CheckLine, type ConsentCommand, type OptOutCommand, type RecordAttemptCommand, type SetFlagCommand,
} from './compliance.schema.ts';
export {
  COMPLIANCE_CHAIN, complianceStore, checkProposedContacts, clearFlag, handleInboundReply, recordConsent, recordContactAttempt, recordContactAttempts, recordOptOut, revokeConsent, setFlag, setTimeZones,
  type BulkAttemptCommand, type ComplianceStore, type GateProposal, type GateVerdict, type RecordError,
} from './compliance.service.ts';
export { appendAudited, verifyAuditLog, type AuditVerification } from './audit.service.ts';
export type { AuditEvent, AppendResult } from './audit.repository.ts';
export { gateLineSchema, toGateProposal, type GateLine } from './gate-input.schema.ts';
export { contactHistory, type ContactHistoryEntry } from './compliance.repository.ts';

import { lintContent, type ContentFinding, type LintInput } from './domain/content-lint.ts';
import type { PackSet } from './pack-loader.service.ts';

/** Lints content (a template, a collector note) under the version of `packId` in effect at `at`. */
export function lintWithPack(packs: PackSet, packId: string, at: number, input: LintInput): ContentFinding[] | null {
  const pack = packs.select(packId, at);
  return pack ? lintContent(pack, input) : null;
}
