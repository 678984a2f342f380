/**
 * Public surface of the worklist module: work items (the hand-over from the daily cycle), collectors'
 * queues (teams, skills, claim with SKIP LOCKED, locks that time out, reassignment, callbacks), contact
 * sessions with the right-party check, contact outcomes with the delinquency reason, collector notes.
 */
export { createWorkItems, WORK_ITEM_BATCH_MAX, WORK_ITEM_KINDS, type WorkItemInput, type WorkItemKind } from './work-items.repository.ts';
export * from './domain/vocabulary.ts';
export { effectivePriority, rankCandidates, type PrioritySettings, type CandidateWindow } from './domain/priority.ts';
export { checkRightParty, normaliseName, type RightPartyResult, type StoredIdentity, type GivenIdentity } from './domain/right-party.ts';
export {
  worklistSettingsSchema, teamSchema, skillsSchema, reassignSchema, callbackSchema, startContactSchema, rightPartySchema, outcomeSchema, noteSchema,
  type WorklistSettings, type SkillsCommand, type CallbackCommand, type StartContactCommand, type RightPartyCommand, type OutcomeCommand,
} from './worklist.schema.ts';
export {
  loadWorklistSettings, validateWorklistSettings, queueTeamOf, setTeam, listTeams, setSkills, skillsOf, reassignWorkItem, releaseWorkItem, delinquencyReasonReport, type WorklistError,
} from './worklist.service.ts';
export {
  queueCandidates, claimFirst, holdItem, recordGate, holdsItem, findItem, listItems, completeItem, insertCallback,
  insertSession, findSession, countRightPartyAttempt, closeSession, verifiedSession, insertOutcome, findOutcome, insertNote, listNotes, delinquencyReasonCounts,
  type Candidate, type WorkItemRow, type Skills, type SessionRow, type OutcomeRow, type NoteView, type ReasonCount, type TeamRow, type CallbackRow,
} from './worklist.repository.ts';
export { existingWorkItemKeys } from './work-item-keys.repository.ts';
export { contactActivity, myQueue, type ContactActivityRow, type MyQueue } from './contact-activity.repository.ts';
