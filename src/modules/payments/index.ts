/**
 * Public surface of the payments module: post payments by API or file (idempotent by payment id),
 * reverse them (new negative entries), and allocate them over fees, interest and principal by a
 * waterfall that is a setting (policies/payments/default.json). The money is stored in portfolio's
 * append-only `payments` table, so aging and arrangement evaluation see posted payments as they see
 * the bank feed's.
 */
export {
  allocatePayments, BALANCE_COMPONENTS, DEFAULT_WATERFALL,
  type AllocationLine, type AllocationResult, type AllocationTarget, type BalanceComponent, type PaymentAllocation, type PaymentInput, type StatementInput, type Waterfall,
} from './domain/allocation.ts';
export {
  paymentsSettingsSchema, postPaymentSchema, postPaymentsBodySchema, reversalSchema, PAYMENTS_PER_REQUEST_MAX, PAYMENT_ID,
  type PaymentsSettings, type PostPaymentCommand, type ReversalCommand,
} from './payments.schema.ts';
export {
  loadPaymentsSettings, validatePaymentsSettings, postPayments, reversePayment, accountAllocation,
  type PaymentError, type LineError, type PostedPayment, type PostLine, type PostOptions, type AccountAllocation, type AllocationLineView,
} from './payments.service.ts';
export { parsePaymentFile, paymentFileFormat, PAYMENT_FILE_FORMATS, type PaymentFileFormat, type FileError, type ParsedFile } from './payment-file.ts';
