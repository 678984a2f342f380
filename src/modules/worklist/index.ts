/** Public surface of the worklist module: work items (queues, assignment and contact outcomes build on them). */
export { createWorkItems, WORK_ITEM_BATCH_MAX, WORK_ITEM_KINDS, type WorkItemInput, type WorkItemKind } from './work-items.repository.ts';
export { existingWorkItemKeys } from './work-item-keys.repository.ts';
