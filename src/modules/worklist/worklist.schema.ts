/**
 * zod schemas of the worklist: its settings document (policies/worklist/default.json) and the commands
 * of the collector's desk (teams, skills, reassign, callbacks, contacts, right-party check, outcomes, notes).
 */
import { z } from 'zod';
import { parsePlainDate } from '../../kernel/dates.ts';
import { limits } from '../../kernel/limits.ts';
import { CONTACT_OUTCOMES, DELINQUENCY_REASONS, DISPOSITIONS } from './domain/vocabulary.ts';

const plainDate = z.string().refine((s) => parsePlainDate(s) !== null, 'must be a real date "YYYY-MM-DD"');

export const worklistSettingsSchema = z.strictObject({
  id: z.string().min(1),
  version: z.int().min(1),
  effectiveFrom: plainDate,
  description: z.string().optional(),
  queue: z.strictObject({
    /** A claimed item is the collector's for this long unless released or completed; then it times out. */
    lockMinutes: z.int().min(1).max(24 * 60),
    /** Candidates ranked per `next` (the best by stored priority; callbacks first). */
    candidatesMax: z.int().min(1).max(10_000),
    /** Items tried per `next` before answering that nothing can be worked now. */
    claimAttemptsMax: z.int().min(1).max(100),
    /** An item the gate blocked (no time given) is not offered again for this long. */
    gateRetryMinutes: z.int().min(1).max(7 * 24 * 60),
  }),
  priority: z.strictObject({
    callbackBonus: z.int().min(0).max(1_000_000),
    urgencyLastMinutes: z.int().min(0).max(24 * 60),
    urgencyBonusMax: z.int().min(0).max(1_000_000),
  }),
  contact: z.strictObject({
    /** A contact session (and its token) lasts this long. */
    sessionMinutes: z.int().min(1).max(24 * 60),
    /** Failed right-party checks before the contact may not be verified any more. */
    rightPartyAttemptsMax: z.int().min(1).max(10),
  }),
  callback: z.strictObject({
    daysAheadMax: z.int().min(1).max(366),
    priority: z.int().min(-1_000_000).max(1_000_000),
    /** A callback is due within this many minutes of its time (work_items.due_by). */
    dueWithinMinutes: z.int().min(1).max(24 * 60),
  }),
});
export type WorklistSettings = z.infer<typeof worklistSettingsSchema>;

const id = z.string().min(1).max(limits.idLengthMax);
const teamId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, _ and -, up to 64');
const username = z.string().regex(/^[a-z0-9][a-z0-9._-]{2,63}$/, 'a username');
const instant = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)), 'must be an ISO instant with an offset, e.g. 2026-06-30T10:00:00+08:00');
const phoneRef = z.string().regex(/^phone:\d{1,3}$/, 'a phone of the customer: "phone:0", "phone:1", …');
const token = z.string().min(20).max(200);
const skillList = (item: z.ZodType<string>) => z.array(item).max(50);

export const teamSchema = z.strictObject({ teamId, name: z.string().min(1).max(100) });
export const skillsSchema = z.strictObject({
  languages: skillList(z.enum(['zh-CN', 'en'])).optional(),
  buckets: skillList(z.string().min(1).max(16)).optional(),
  regions: skillList(z.string().min(1).max(64)).optional(),
  available: z.boolean().optional(),
});
export type SkillsCommand = z.infer<typeof skillsSchema>;

export const reassignSchema = z.strictObject({ to: username });
export const callbackSchema = z.strictObject({
  accountId: id, at: instant, destinationRef: phoneRef, note: z.string().min(1).max(4000).optional(), idempotencyKey: z.string().min(1).max(200).optional(),
});
export type CallbackCommand = z.infer<typeof callbackSchema>;

export const startContactSchema = z.strictObject({
  accountId: id, destinationRef: phoneRef, workItemId: z.int().min(1).optional(), channel: z.enum(['voice_agent', 'field_visit']).default('voice_agent'),
});
export type StartContactCommand = z.infer<typeof startContactSchema>;

export const rightPartySchema = z.strictObject({
  token,
  name: z.string().min(1).max(limits.nameLengthMax),
  nationalIdLast4: z.string().regex(/^[0-9A-Za-z]{4}$/, 'the last four characters of the national id').optional(),
  nationalId: z.string().regex(/^[0-9A-Za-z]{6,32}$/, '6–32 letters or digits').optional(),
}).refine((b) => (b.nationalIdLast4 === undefined) !== (b.nationalId === undefined), { message: 'give nationalIdLast4 or nationalId (one of them)', path: ['nationalIdLast4'] });
export type RightPartyCommand = z.infer<typeof rightPartySchema>;

export const outcomeSchema = z.strictObject({
  token,
  outcome: z.enum(CONTACT_OUTCOMES),
  disposition: z.enum(DISPOSITIONS).optional(),
  delinquencyReason: z.enum(DELINQUENCY_REASONS).optional(),
  note: z.string().min(1).max(4000).optional(),
  callbackAt: instant.optional(),
});
export type OutcomeCommand = z.infer<typeof outcomeSchema>;

export const noteSchema = z.strictObject({ accountId: id, text: z.string().min(1).max(4000) });
