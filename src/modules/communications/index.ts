/**
 * Public surface of the communications module: the outbox (enqueue), templates (catalog, lint,
 * publish, preview), the dispatcher and its channel providers (SMPP, SMTP, print, robot voice,
 * console), what comes back from providers (receipts, replies, call outcomes, captured promises to
 * pay), and letters (proof PDF, daily print file).
 */
export {
  enqueueMessages, ENQUEUE_BATCH_MAX, OUTBOX_CHANNELS,
  type EnqueueResult, type OutboxChannel, type OutboxMessageInput, type RequestOrigin,
} from './outbox.repository.ts';
export {
  TEMPLATE_CHANNELS, TEMPLATE_LANGUAGES, TEMPLATE_VARIABLES, TEMPLATE_VARIABLE_NAMES, TONES, LETTER_SLOTS, renderTemplate, renderedFullText,
  type RenderedMessage, type TemplateChannel, type TemplateDocument, type TemplateLanguage, type Tone,
} from './domain/template.ts';
export { lintTemplate, SAMPLE_VALUES, type TemplateFinding } from './domain/template-lint.ts';
export { segmentSms, decodeShortMessage, isGsm7, DATA_CODING_UCS2, DATA_CODING_DEFAULT, ESM_CLASS_UDHI, type SmsSegments } from './domain/sms-encoding.ts';
export { formatDeliveryReceipt, parseDeliveryReceipt, isDeliveryReceipt, ESM_CLASS_DELIVERY_RECEIPT } from './domain/delivery-receipt.ts';
export { formatDate, formatMoney, maskedCard, type AccountFacts, type BankFacts } from './domain/message-values.ts';
export { afterTransientFailure, DEFAULT_RETRY_POLICY, type RetryPolicy } from './domain/retry.ts';
export { TokenBucket } from './domain/rate-limit.ts';
export { templateCatalog, shippedTemplates, loadTemplateSet, TemplateSet, type CatalogEntry } from './template-catalog.service.ts';
export { templateDocumentSchema, parseTemplateDocument, bankSettingsSchema, enqueueCommandSchema, TEMPLATE_ID, type BankSettings, type EnqueueCommand } from './template.schema.ts';
export { bankFacts, hasErrors, lintTemplateDocument, loadBankSettings, previewTemplate, publishTemplate, type Preview, type PreviewDeps } from './template.service.ts';
export {
  Dispatcher, DispatcherLoop, pickDestination, destinationOf,
  type ContactPointFacts, type CustomerFacts, type DispatcherDeps, type DispatcherOptions, type MessageDataSource, type RoundSummary,
} from './dispatcher.service.ts';
export {
  applyPendingReceipts, inboundSink, listPromiseCaptures, phoneForms, recordBounce, recordCallResult, recordInboundSms, takePromiseCapture,
  unsubscribeByToken, unsubscribeToken, type InboundDeps, type PromiseCapture, type SenderLookup,
} from './inbound.service.ts';
export { enqueueMessage, type EnqueueError } from './message.service.ts';
export { renderLetterProof, renderPrintBatch } from './letters.service.ts';
export { getMessage, listMessages, statusCounts, OUTBOX_STATUSES, type OutboxRow, type OutboxStatus } from './dispatch.repository.ts';
export { listPromiseCaptures as robotPromiseCaptures } from './inbound.service.ts';
export type { CallOutcome, CallResult, ChannelProvider, InboundSink, InboundText, OutboundMessage, ReceivedReceipt, SendResult, ProviderLog } from './providers/provider.ts';
export { CALL_OUTCOMES } from './providers/provider.ts';
export { ConsoleProvider } from './providers/console.provider.ts';
export { SmppProvider, SMPP_DEFAULTS, type SmppSettings } from './providers/smpp.provider.ts';
export { SmtpProvider, messageIdFor, type SmtpSettings } from './providers/email.provider.ts';
export { PrintBatchProvider } from './providers/print.provider.ts';
export { VoiceSimulator, type VoiceSimulatorOptions, type SimulatedCall } from './providers/voice.provider.ts';
export { renderLettersPdf, type LetterInput } from './providers/letter-pdf.ts';
export { encodeMessages, enqueueMessagesBulk, existingMessageKeys, type EncodedMessages } from './outbox-bulk.repository.ts';
