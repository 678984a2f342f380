/**
 * Public surface of the arrangements module: promises to pay and repayment plans (record, judge
 * kept/broken and met/missed as of a date, bulk states for strategy snapshots — the daily cycle's
 * core), quotes for the four arrangements (instalments, extension, waiver, settlement) in exact money
 * on business days, authority limits by tier, affordability, proposals and approvals, hardship evidence.
 */
export { instalmentSchedule, type Instalment } from './domain/schedule.ts';
export { allocateToInstalments, type InstalmentAllocation } from './domain/instalment-allocation.ts';
export {
  arrangementSettingsSchema, recordPlanSchema, recordPromiseSchema, tolerancesIn,
  type ArrangementSettings, type RecordPlanCommand, type RecordPromiseCommand,
} from './arrangements.schema.ts';
export {
  accountArrangements, arrangementStates, evaluateArrangements, loadDefaultArrangementSettings, recordPlan, recordPromise,
  type EvaluationSummary, type RecordError,
} from './arrangements.service.ts';
export { arrangementStatesSql, arrangementStateOf, ARRANGEMENT_STATE_COLUMNS, type ArrangementListing, type ArrangementState } from './arrangements.repository.ts';
export { ARRANGEMENT_TYPES, balanceOf, quote, splitEvenly, monthsBetween, type ArrangementType, type DebtPosition, type PlanRules, type Quote, type QuoteError, type QuoteRequest, type ScheduledInstalment } from './domain/quote.ts';
export { isBusinessDay, nextBusinessDay, type BusinessCalendar } from './domain/business-days.ts';
export { TIERS, atLeast, requiredTier, tierOf, type AuthorityPolicy, type AuthorityReason, type Tier } from './domain/authority.ts';
export { assessAffordability, type Affordability, type Declared } from './domain/affordability.ts';
export { EVIDENCE_TYPES, checkEvidence, sniffEvidenceType, type EvidenceError, type EvidenceType } from './domain/evidence.ts';
export { authorityDocumentSchema, loadAuthorityPolicy, validateAuthorityDocument, type AuthorityDocument } from './authority.schema.ts';
export { quoteRequestSchema, type QuoteRequestInput } from './quote.schema.ts';
export { uploadEvidence, readEvidence, listEvidence, evidenceMeta, type EvidenceMeta } from './evidence.service.ts';
export {
  approveProposal, findProposal, findProposalByKey, hasActivePlan, insertProposal, listProposals, promiseKeptRate, rejectProposal,
  type KeptRateRow, type NewProposal, type ProposalRow, type StoredQuote,
} from './proposals.repository.ts';
