/**
 * The shape of a strategy document (layer 1 of 3; semantics and cross-policy checks are in
 * domain/validate.ts). Unknown fields are errors, ids are lower-case slugs, times are HH:MM, amounts
 * are decimal strings. Channels are plain strings here so that the semantic layer can name an
 * unknown one with its path.
 */
import { z } from 'zod';
import { parsePlainDate } from '../../kernel/dates.ts';
import type { Condition } from './domain/conditions.ts';
import { OPERATORS } from './domain/conditions.ts';
import { TONES, TREATMENT_PURPOSES, WORK_KINDS, type StrategyDocument } from './domain/document.ts';
import type { Issue } from './domain/validate.ts';

const id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'must be a lower-case id: letters, digits and -, at most 48 characters');
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time HH:MM');
const decimal = z.string().regex(/^\d+(?:\.\d+)?$/, 'must be a decimal string such as "0.05"');
const text = z.string().max(500);
const scalar = z.union([z.number(), z.string().max(200), z.boolean(), z.null()]);

export const conditionSchema: z.ZodType<Condition> = z.lazy(() => z.union([
  z.strictObject({ all: z.array(conditionSchema).min(1).max(50) }),
  z.strictObject({ any: z.array(conditionSchema).min(1).max(50) }),
  z.strictObject({ not: conditionSchema }),
  z.strictObject({ fact: z.string().min(1).max(64), op: z.enum(OPERATORS), value: z.union([scalar, z.array(scalar)]) }),
]));

const cadence = z.strictObject({
  everyDays: z.int().min(1).max(365),
  maxPerStage: z.int().min(1).max(100),
  afterDays: z.int().min(0).max(365).optional(),
});

const base = {
  id,
  description: text.optional(),
  when: conditionSchema.optional(),
  cadence,
  sendAt: clock.optional(),
};

const treatmentSchema = z.discriminatedUnion('type', [
  z.strictObject({
    ...base, type: z.literal('message'), channel: z.string().min(1).max(32),
    templates: z.strictObject({ 'zh-CN': z.string().min(1).max(100), en: z.string().min(1).max(100) }),
    tone: z.enum(TONES), purpose: z.enum(TREATMENT_PURPOSES).optional(),
  }),
  z.strictObject({
    ...base, type: z.literal('work'), kind: z.enum(WORK_KINDS), tone: z.enum(TONES).optional(), purpose: z.enum(TREATMENT_PURPOSES).optional(),
    priority: z.int().min(0).max(1000), dueDays: z.int().min(1).max(30).optional(), script: z.string().min(1).max(100).optional(),
    offer: z.strictObject({
      type: z.literal('installments'), monthsMax: z.int().min(1).max(600),
      interestReductionPercent: z.number().min(0).max(100).optional(), tailored: z.boolean().optional(),
    }).optional(),
  }),
  z.strictObject({
    ...base, type: z.literal('placement'), target: z.enum(['agency', 'legal']),
    legalStage: z.enum(['mediation', 'payment_order', 'arbitration', 'litigation', 'enforcement']).optional(),
    agencyId: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/).optional(),
  }),
  z.strictObject({ ...base, type: z.literal('account_action'), action: z.enum(['freeze', 'restrict']) }),
]);

export const strategyDocumentSchema = z.strictObject({
  id,
  version: z.int().min(1).max(1_000_000),
  effectiveFrom: z.string().refine((t) => parsePlainDate(t) !== null, 'must be a valid date "YYYY-MM-DD"'),
  description: text.optional(),
  compliancePack: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/, 'must be a compliance pack id such as cn'),
  settings: z.strictObject({
    sendAt: clock,
    deferDaysMax: z.int().min(0).max(30),
    assignmentSalt: z.string().min(1).max(64).optional(),
  }),
  channelCosts: z.strictObject({
    sms: decimal.optional(), email: decimal.optional(), letter: decimal.optional(), voice_robot: decimal.optional(), app_push: decimal.optional(),
    agent_call: decimal.optional(), field_visit: decimal.optional(),
  }).optional(),
  costCurrency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as CNY').optional(),
  segments: z.array(z.strictObject({ id, description: text.optional(), priority: z.int().min(0).max(100_000).optional(), when: conditionSchema.optional(), ladder: id })).min(1).max(100),
  ladders: z.array(z.strictObject({
    id, description: text.optional(),
    stages: z.array(z.strictObject({ id, description: text.optional(), entry: conditionSchema.optional(), treatments: z.array(treatmentSchema).max(20) })).min(1).max(30),
  })).min(1).max(50),
  variants: z.array(z.strictObject({ id, description: text.optional(), percent: z.int().min(1).max(100), ladders: z.record(id, id).optional() })).min(1).max(10),
});

/** Shape errors with their paths (unknown keys reported on the key itself). */
export function shapeIssues(doc: unknown): { value: StrategyDocument } | { issues: Issue[] } {
  const parsed = strategyDocumentSchema.safeParse(doc);
  if (parsed.success) return { value: parsed.data as StrategyDocument };
  return {
    issues: parsed.error.issues.flatMap((issue): Issue[] => {
      const path = issue.path.map((k) => (typeof k === 'number' ? k : String(k)));
      if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => ({ path: [...path, k], code: 'unknown_field', message: 'unknown field' }));
      return [{ path, code: 'invalid_shape', message: issue.message }];
    }),
  };
}
