/**
 * zod schemas of the payments module: its settings (policies/payments/default.json: the allocation
 * waterfall, the file limit) and the commands that post a payment or reverse one.
 */
import { z } from 'zod';
import { parsePlainDate } from '../../kernel/dates.ts';
import { limits } from '../../kernel/limits.ts';
import { BALANCE_COMPONENTS } from './domain/allocation.ts';

const plainDate = z.string().refine((s) => parsePlainDate(s) !== null, 'must be a real date "YYYY-MM-DD"');
/** The feed's id rule (docs/feed-format.md), so posted payments and feed payments share one id space. */
export const PAYMENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:\-/]*$/;
const id = z.string().min(1).max(limits.idLengthMax).regex(PAYMENT_ID, 'letters, digits and . _ : - / (starting with a letter or digit)');
const amount = z.string().regex(/^\d+(?:\.\d+)?$/, 'must be a decimal string such as "500.00"').refine((t) => /[1-9]/.test(t), 'must be more than zero');

export const paymentsSettingsSchema = z.strictObject({
  id: z.string().min(1),
  version: z.int().min(1),
  effectiveFrom: plainDate,
  description: z.string().optional(),
  waterfall: z.strictObject({
    order: z.array(z.enum(BALANCE_COMPONENTS)).length(BALANCE_COMPONENTS.length).refine((o) => new Set(o).size === o.length, 'each component exactly once'),
    statements: z.enum(['oldest_first', 'newest_first']),
    grouping: z.enum(['by_component', 'by_statement']),
  }),
  file: z.strictObject({ linesMax: z.int().min(1).max(10_000_000) }),
});
export type PaymentsSettings = z.infer<typeof paymentsSettingsSchema>;

export const postPaymentSchema = z.strictObject({
  paymentId: id,
  accountId: id,
  postedOn: plainDate,
  /** Exact decimal in the account's currency. */
  amount,
  channel: z.string().min(1).max(32).optional(),
  /** The bank's own reference (transaction number); part of the content compared on a re-send. */
  reference: z.string().min(1).max(100).optional(),
});
export type PostPaymentCommand = z.infer<typeof postPaymentSchema>;

/** POST /payments: at most this many per request (larger batches go as a file). */
export const PAYMENTS_PER_REQUEST_MAX = 1_000;
export const postPaymentsBodySchema = z.strictObject({ payments: z.array(postPaymentSchema).min(1).max(PAYMENTS_PER_REQUEST_MAX) });

export const reversalSchema = z.strictObject({
  /** The reversal's own payment id (idempotency: the same id and content give the same result). */
  reversalId: id,
  postedOn: plainDate,
  reason: z.string().min(5).max(500),
});
export type ReversalCommand = z.infer<typeof reversalSchema>;
