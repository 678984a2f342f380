/** Public surface of the communications module: the outbox (templates, dispatcher and providers build on it). */
export {
  enqueueMessages, ENQUEUE_BATCH_MAX, OUTBOX_CHANNELS,
  type EnqueueResult, type OutboxChannel, type OutboxMessageInput, type RequestOrigin,
} from './outbox.repository.ts';
export { enqueueMessagesBulk, existingMessageKeys } from './outbox-bulk.repository.ts';
