/**
 * Arrangement settings (policies/arrangements/*.json: tolerance and grace of promises and instalments,
 * when a plan breaks) and the commands that record a promise to pay or a repayment plan.
 */
import { z } from 'zod';
import { parsePlainDate } from '../../kernel/dates.ts';
import { parseAmount, type CurrencyCode } from '../../kernel/money.ts';
import { err, ok, type Result } from '../../kernel/result.ts';

const plainDate = z.string().refine((text) => parsePlainDate(text) !== null, 'must be a valid date "YYYY-MM-DD"');
const decimal = z.string().regex(/^\d+(?:\.\d+)?$/, 'must be a non-negative decimal string such as "10.00"');
const positiveDecimal = z.string().regex(/^\d+(?:\.\d+)?$/, 'must be a decimal string such as "1500.00"').refine((t) => /[1-9]/.test(t), 'must be more than zero');

export const arrangementSettingsSchema = z.strictObject({
  id: z.string().min(1),
  version: z.int().min(1),
  effectiveFrom: plainDate,
  description: z.string().optional(),
  promise: z.strictObject({
    /** Days after the promised date a payment still keeps the promise. */
    graceDays: z.int().min(0).max(30),
    /** A promise is kept when the payments reach the promised amount minus this. */
    tolerance: decimal,
    /** How far ahead a promised date may be. */
    daysAheadMax: z.int().min(1).max(366),
  }),
  instalment: z.strictObject({ graceDays: z.int().min(0).max(60), tolerance: decimal }),
  plan: z.strictObject({
    /** Missed instalments (each judged after its grace) that break the plan. */
    missedInstalmentsToBreak: z.int().min(1).max(12),
    /** Longest plan in months: CN-09 (2011 Art. 70) caps a personalised plan at 60. */
    termMonthsMax: z.int().min(1).max(600),
  }),
});
export type ArrangementSettings = z.infer<typeof arrangementSettingsSchema>;

/** The settings' tolerances in minor units of one currency (trailing zeros dropped: "10.00" is 10 JPY). */
export function tolerancesIn(settings: ArrangementSettings, currency: CurrencyCode): Result<{ promiseMinor: bigint; instalmentMinor: bigint }, 'invalid_settings'> {
  const one = (text: string) => parseAmount(text.includes('.') ? text.replace(/\.?0+$/, '') : text, currency);
  const p = one(settings.promise.tolerance);
  const i = one(settings.instalment.tolerance);
  if (!p.ok) return err('invalid_settings', `promise.tolerance ${settings.promise.tolerance}: ${p.message}`);
  if (!i.ok) return err('invalid_settings', `instalment.tolerance ${settings.instalment.tolerance}: ${i.message}`);
  return ok({ promiseMinor: p.value, instalmentMinor: i.value });
}

const idempotencyKey = z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');
const who = z.string().min(1).max(100);

export const recordPromiseSchema = z.strictObject({
  accountId: z.string().min(1).max(64),
  /** Exact decimal in the account's currency. */
  amount: positiveDecimal,
  /** The date the debtor promised to pay by. */
  promisedOn: plainDate,
  /** The business date the promise was made (default: today). */
  createdOn: plainDate.optional(),
  channel: z.enum(['voice_agent', 'voice_robot', 'field_visit', 'sms', 'email', 'letter', 'app_push', 'portal', 'branch']).optional(),
  note: z.string().max(500).optional(),
  recordedBy: who,
  idempotencyKey: idempotencyKey.optional(),
});
export type RecordPromiseCommand = z.infer<typeof recordPromiseSchema>;

export const recordPlanSchema = z.strictObject({
  accountId: z.string().min(1).max(64),
  /** What the plan repays in total (exact decimal in the account's currency). */
  total: positiveDecimal,
  instalments: z.int().min(1).max(600),
  firstDueOn: plainDate,
  everyMonths: z.int().min(1).max(12).default(1),
  /** The business date the plan was agreed (default: today); payments from this date count. */
  startsOn: plainDate.optional(),
  /** Interest reduction granted with the plan (hardship), in percent. */
  interestReductionPercent: z.number().min(0).max(100).optional(),
  note: z.string().max(500).optional(),
  recordedBy: who,
  idempotencyKey: idempotencyKey.optional(),
});
export type RecordPlanCommand = z.input<typeof recordPlanSchema>;
