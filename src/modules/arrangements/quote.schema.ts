/** The request for an arrangement quote (HTTP, CLI), one shape per arrangement type. */
import { z } from 'zod';
import { parsePlainDate } from '../../kernel/dates.ts';

const plainDate = z.string().refine((s) => parsePlainDate(s) !== null, 'must be a real date "YYYY-MM-DD"');
const percent = z.number().min(0).max(100).refine((p) => Math.abs(Math.round(p * 100) - p * 100) < 1e-6, 'at most two decimals');
const amount = z.string().regex(/^\d+(?:\.\d+)?$/, 'must be a decimal string such as "8000.00"').refine((t) => /[1-9]/.test(t), 'must be more than zero');

export const quoteRequestSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('installments'), months: z.int().min(1).max(600), firstDueOn: plainDate.optional(), waiveFees: z.boolean().default(false), waiveInterest: z.boolean().default(false), asOf: plainDate.optional() }),
  z.strictObject({ type: z.literal('extension'), days: z.int().min(1).max(3650), asOf: plainDate.optional() }),
  z.strictObject({ type: z.literal('waiver'), feesPercent: percent.default(0), interestPercent: percent.default(0), payBy: plainDate.optional(), asOf: plainDate.optional() }),
  z.strictObject({ type: z.literal('settlement'), amount, payBy: plainDate.optional(), asOf: plainDate.optional() }),
]);
export type QuoteRequestInput = z.infer<typeof quoteRequestSchema>;
