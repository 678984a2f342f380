/**
 * Public surface of the strategy module: strategy documents as data (shape, semantic and cross-policy
 * validation with paths and lines), compiled closures, the pure daily decision with its explain trace,
 * champion/challenger assignment, publish/list/get/diff of versions, collector-recorded circumstances,
 * the per-account strategy state the daily cycle keeps, and the recommendations needing approval.
 */
export { FACTS, DELINQUENCY_REASONS, LANGUAGES, observeFacts, type AccountSnapshot, type DelinquencyReason, type FactContext, type FactDefinition, type Language } from './domain/facts.ts';
export { compileCondition, toDnf, OPERATORS, type Condition, type Explained, type Issue, type PathKey } from './domain/conditions.ts';
export { MESSAGE_CHANNELS, WORK_KINDS, TONES, type StrategyDocument, type TreatmentDocument, type Tone, type MessageChannel, type WorkKind, type PlanOffer } from './domain/document.ts';
export { compileStrategy, type CompiledStrategy, type CompiledTreatment, type CompiledRules, type CompiledVariant } from './domain/compile.ts';
export { decide, TRANSITION_KINDS, type Decision, type DecisionTrace, type Transition, type TransitionKind } from './domain/decide.ts';
export { packState, unpackState, withTreatments, STATUSES, type Status, type StrategyState } from './domain/state.ts';
export { assignmentPoint, fnv1a32, ASSIGNMENT_POINTS } from './domain/variant.ts';
export { diffDocuments, type Change } from './domain/diff.ts';
export { DEFAULT_TEMPLATE_CATALOG, DEFAULT_TEMPLATES, templateCatalog, type TemplateCatalog, type TemplateEntry } from './domain/template-catalog.ts';
export { formatPath, validateStrategy, parseClockMinute, type PackFacts, type ValidationContext } from './domain/validate.ts';
export { strategyDocumentSchema, shapeIssues } from './strategy.schema.ts';
export {
  accountMarkers, diffStrategy, documentDigest, getStrategy, issueText, listStrategies, markAccount, packFactsOf, parseStrategyText, publishStrategy,
  readShippedStrategy, strategyInEffect, validateStrategyDocument, validateStrategyFile,
  type ActiveStrategy, type Published, type SourceDocument, type StrategyContext, type StrategyError, type StrategyIssue,
} from './strategy.service.ts';
export { droppedKeys, encodeStates, readState, writeCycleOutcome, type CycleOutcome, type DropWrite, type EventWrite, type StateWrite, type StoredVersion, type MarkerChange } from './strategy.repository.ts';
export {
  decideRecommendation, existingRecommendationKeys, listRecommendations, proposePlacements, requestAccountActions,
  type AccountActionInput, type PlacementProposalInput, type Recommendation,
} from './recommendations.repository.ts';
