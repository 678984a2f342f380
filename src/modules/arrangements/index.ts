/**
 * Public surface of the arrangements module (the minimal core the daily cycle needs): promises to pay
 * and instalment plans — record, judge kept/broken and met/missed as of a date, bulk states for
 * strategy snapshots. Quotes, approvals, waivers, settlements and payment allocation extend it later
 * (docs/arrangements.md).
 */
export { instalmentSchedule, type Instalment } from './domain/schedule.ts';
export {
  arrangementSettingsSchema, recordPlanSchema, recordPromiseSchema, tolerancesIn,
  type ArrangementSettings, type RecordPlanCommand, type RecordPromiseCommand,
} from './arrangements.schema.ts';
export {
  accountArrangements, arrangementStates, evaluateArrangements, loadDefaultArrangementSettings, recordPlan, recordPromise,
  type EvaluationSummary, type RecordError,
} from './arrangements.service.ts';
export { arrangementStatesSql, arrangementStateOf, ARRANGEMENT_STATE_COLUMNS, type ArrangementListing, type ArrangementState } from './arrangements.repository.ts';
