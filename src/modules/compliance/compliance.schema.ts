/**
 * zod schemas of the compliance module: pack documents (policies/compliance/*.json), bank override
 * documents, the prohibited-language lexicon, the self-contained check line (NDJSON and HTTP) and
 * the commands that record ledger, flags, opt-outs and consents.
 */
import { z } from 'zod';
import { parsePlainDate } from '../../kernel/dates.ts';
import { limits } from '../../kernel/limits.ts';
import { isTimeZone, parseClock } from './domain/local-time.ts';
import {
  CHANNELS, CHANNEL_SELECTORS, CONSENT_KINDS, FLAGS, OUTCOMES, PARTIES, PURPOSES, parseActor,
} from './domain/vocabulary.ts';

export const RULE_ID = /^(CN|US|UK|EU|X)-\d{2}$|^BANK-[A-Za-z0-9_-]{1,40}$/;
const ruleId = z.string().regex(RULE_ID, 'must be a rule id of COMPLIANCE.md (CN-01, US-02, UK-09, X-01 …) or BANK-<name>');
const plainDate = z.string().refine((s) => parsePlainDate(s) !== null, 'must be a real date "YYYY-MM-DD"');
const clock = z.string().refine((s) => parseClock(s) !== null, 'must be a local time "HH:MM" (00:00–24:00)');
const timeZone = z.string().refine(isTimeZone, 'is not an IANA time zone such as Asia/Shanghai');
const channel = z.enum(CHANNELS);
const outcome = z.enum(OUTCOMES);
const purpose = z.enum(PURPOSES);
const party = z.enum(PARTIES);

export const windowSchema = z.strictObject({ start: clock, end: clock })
  .refine((w) => parseClock(w.start)! < parseClock(w.end)!, { message: 'start must be before end (windows do not cross midnight)' });
const windowOrNone = z.union([z.literal('none'), windowSchema]);
export const dayWindowsSchema = z.strictObject({
  default: windowOrNone.optional(), workday: windowOrNone.optional(), restday: windowOrNone.optional(), holiday: windowOrNone.optional(),
});
const channelWindows = z.union([z.literal('unrestricted'), dayWindowsSchema]);

const capSchema = z.strictObject({ ruleId, max: z.int().min(0).max(1000), channels: z.array(channel).min(1), outcomes: z.array(outcome).min(1) });
const rollingCapSchema = capSchema.extend({ days: z.int().min(1).max(366), consentExempt: z.boolean() });
const cooldownSchema = z.strictObject({ ruleId, days: z.int().min(1).max(366), channels: z.array(channel).min(1), outcomes: z.array(outcome).min(1), consentExempt: z.boolean() });
const unreachableSchema = z.strictObject({
  acceptFlag: z.boolean(), noRightPartyContactDays: z.int().min(1).max(3650), failedAttemptsMin: z.int().min(0).max(10_000), failedOutcomes: z.array(outcome).min(1),
});
const thirdPartySchema = z.strictObject({
  ruleId, requireUnreachable: z.boolean(), locateOnly: z.boolean(), unreachable: unreachableSchema,
  perThirdParty: z.strictObject({ ruleId, max: z.int().min(0).max(1000), lookbackDays: z.int().min(1).max(3650), outcomes: z.array(outcome).min(1) }).nullable(),
});
const sourceName = z.string().min(1).max(64);
const contactDataSchema = z.strictObject({ ruleId, requireVerified: z.boolean(), allowedSources: z.array(sourceName).nullable(), deniedSources: z.array(sourceName) });
const holdDays = z.int().min(1).max(3650).nullable();
/** Without defaults: an override names only what it changes. */
const holdFields = z.strictObject({
  ruleId, exceptPurposes: z.array(purpose), days: holdDays, extensionDays: holdDays, reopenAfterDays: holdDays,
  basis: z.enum(['law', 'our_reading', 'policy']).optional(),
});
const holdSchema = holdFields.extend({
  exceptPurposes: z.array(purpose).default([]), days: holdDays.default(null), extensionDays: holdDays.default(null), reopenAfterDays: holdDays.default(null),
});
const holdKind = z.enum(FLAGS.filter((f) => f !== 'unreachable') as [string, ...string[]]);
const requiredSchema = z.strictObject({
  ruleId, code: z.string().regex(/^[a-z][a-z0-9_]*$/), channels: z.array(channel).min(1),
  purposes: z.array(purpose).nullable().default(null), exceptPurposes: z.array(purpose).default([]),
  firstCommunication: z.boolean().nullable().default(null),
  anyOf: z.array(z.string().min(1)).default([]), allOf: z.array(z.string().min(1)).default([]), slots: z.array(z.string().min(1)).default([]),
  message: z.strictObject({ zh: z.string().min(1), en: z.string().min(1) }),
});
const restrictedSchema = z.strictObject({
  ruleId, parties: z.array(party).nullable().default(null), purposes: z.array(purpose).nullable().default(null), categories: z.array(z.string().min(1)).min(1),
});
const contentSchema = z.strictObject({
  lexicon: z.string().min(1),
  prohibited: z.strictObject({ ruleId, categories: z.array(z.string().min(1)).min(1) }),
  restricted: z.array(restrictedSchema),
  required: z.array(requiredSchema),
});

const repaymentPlansSchema = z.strictObject({
  ruleId,
  /** The longest plan, in months from the first instalment to the last. */
  termMonthsMax: z.int().min(1).max(600),
  /** Due dates that fall on a rest day or holiday move to the next business day (the pack's calendar). */
  businessDayDueDates: z.boolean(),
  /** A plan needs hardship evidence on file before it is agreed. */
  evidenceRequired: z.boolean(),
  /** A plan needs an ability-to-pay (affordability) assessment before it is agreed. */
  affordabilityRequired: z.boolean(),
});

export const packDocumentSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/),
  version: z.int().min(1),
  description: z.string().optional(),
  effectiveFrom: plainDate,
  effectiveTo: plainDate.nullable().default(null),
  defaultTimeZones: z.array(timeZone).min(1),
  calendar: z.enum(['cn', 'weekdays']),
  timeWindows: z.strictObject({ ruleId, consentMayWiden: z.boolean(), channels: z.partialRecord(channel, channelWindows) }),
  unansweredCap: capSchema.nullable(),
  connectedCap: capSchema.nullable(),
  rollingCallCap: rollingCapSchema.nullable(),
  conversationCooldown: cooldownSchema.nullable(),
  thirdParty: thirdPartySchema,
  contactData: contactDataSchema,
  optOut: z.strictObject({ ruleId }),
  holds: z.partialRecord(holdKind, holdSchema),
  artificialVoiceConsent: z.strictObject({ ruleId, channels: z.array(channel).min(1) }).nullable(),
  content: contentSchema,
  /** Repayment plans the rules bound (CN-09: a personalised instalment plan runs at most 60 months). Null: no rule (bank policy only). */
  repaymentPlans: repaymentPlansSchema.nullable().default(null),
});
export type PackDocument = z.infer<typeof packDocumentSchema>;

/** Overrides name only what they change; every change must narrow the pack (checked on load). */
export const overrideDocumentSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/),
  version: z.int().min(1),
  pack: z.string().min(1),
  description: z.string().optional(),
  effectiveFrom: plainDate,
  changes: z.strictObject({
    defaultTimeZones: z.array(timeZone).min(1).optional(),
    timeWindows: z.strictObject({ consentMayWiden: z.boolean().optional(), channels: z.partialRecord(channel, channelWindows).optional() }).optional(),
    unansweredCap: capSchema.partial().optional(),
    connectedCap: capSchema.partial().optional(),
    rollingCallCap: rollingCapSchema.partial().optional(),
    conversationCooldown: cooldownSchema.partial().optional(),
    thirdParty: z.strictObject({
      requireUnreachable: z.boolean().optional(), locateOnly: z.boolean().optional(), unreachable: unreachableSchema.partial().optional(),
      perThirdParty: thirdPartySchema.shape.perThirdParty.unwrap().partial().optional(),
    }).optional(),
    contactData: contactDataSchema.omit({ ruleId: true }).partial().optional(),
    holds: z.partialRecord(holdKind, holdFields.partial()).optional(),
    artificialVoiceConsent: z.strictObject({ ruleId: ruleId.optional(), channels: z.array(channel).min(1) }).optional(),
    content: z.strictObject({
      prohibitedCategories: z.array(z.string().min(1)).optional(),
      restricted: z.array(restrictedSchema).optional(),
      required: z.array(requiredSchema).optional(),
    }).optional(),
    repaymentPlans: repaymentPlansSchema.partial().optional(),
  }),
});
export type OverrideDocument = z.infer<typeof overrideDocumentSchema>;

export const lexiconDocumentSchema = z.strictObject({
  id: z.string().min(1),
  version: z.int().min(1),
  description: z.string().optional(),
  categories: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), z.strictObject({
    message: z.strictObject({ zh: z.string().min(1), en: z.string().min(1) }),
    zh: z.array(z.string().min(1)),
    en: z.array(z.string().min(1)),
  })),
});
export type LexiconDocument = z.infer<typeof lexiconDocumentSchema>;

// ── the self-contained check line (NDJSON / POST /compliance/check) ─────────────────────────────

const instant = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)), 'must be an ISO instant with an offset, e.g. 2026-06-30T13:59:59Z');
const id = z.string().min(1).max(limits.idLengthMax);
const destinationText = z.string().min(1).max(320);
const actor = z.string().refine((s) => parseActor(s) !== null, 'must be "bank", "bank:ID", "agency:ID", "agency:ID:AGENT", "robot" or "robot:ID"');
const history = z.strictObject({ at: instant, channel, destination: destinationText, party, actor, outcome, accountId: id.optional() });

export const contentInputSchema = z.union([
  z.string().max(20_000),
  z.strictObject({
    text: z.string().max(20_000).optional(), templateId: z.string().min(1).max(100).optional(), purpose: purpose.default('collection'),
    slots: z.record(z.string().min(1).max(64), z.string().max(5_000).nullable()).optional(), firstCommunication: z.boolean().default(false),
  }),
]);

const flagInput = z.union([
  z.enum(FLAGS),
  z.strictObject({ kind: z.enum(FLAGS), since: instant.optional(), until: instant.optional(), extended: z.boolean().optional(), responded: z.boolean().optional(), accountId: id.optional() }),
]);

export const debtorInputSchema = z.strictObject({
  timeZone: timeZone.optional(),
  timeZones: z.array(timeZone).min(1).max(10).optional(),
  destinations: z.array(z.strictObject({ value: destinationText, role: party, verified: z.boolean(), source: z.string().min(1).max(64).nullable().optional() })).max(100),
  flags: z.array(flagInput).max(50).default([]),
  optOuts: z.array(z.strictObject({ channel: z.enum(CHANNEL_SELECTORS), destination: destinationText.optional() })).max(100).default([]),
  consents: z.array(z.strictObject({
    id: z.string().min(1).max(100).optional(), kind: z.enum(CONSENT_KINDS), channel: z.enum(CHANNEL_SELECTORS), validFrom: instant.optional(), validUntil: instant,
    window: windowSchema.optional(), destination: destinationText.optional(),
  })).max(100).default([]),
}).refine((d) => !(d.timeZone && d.timeZones), { message: 'give timeZone or timeZones, not both' });

export const checkLineSchema = z.strictObject({
  id,
  at: instant,
  channel,
  actor,
  party,
  destination: destinationText,
  accountId: id.optional(),
  content: contentInputSchema.optional(),
  debtor: debtorInputSchema,
  history: z.array(history).max(limits.complianceHistoryMax).default([]),
});
export type CheckLine = z.infer<typeof checkLineSchema>;

// ── recording commands ───────────────────────────────────────────────────────────────────────────

export const recordAttemptSchema = z.strictObject({
  customerId: id, accountId: id.optional(), at: instant, channel, actor, party, destination: destinationText, outcome,
  contentRef: z.string().min(1).max(200).optional(), verdictRef: z.string().min(1).max(100).optional(), corrects: z.int().min(1).optional(),
  idempotencyKey: z.string().min(1).max(200).optional(),
});
export type RecordAttemptCommand = z.infer<typeof recordAttemptSchema>;

export const setFlagSchema = z.strictObject({
  customerId: id, accountId: id.optional(), kind: z.enum(FLAGS), since: instant.optional(), until: instant.optional(),
  extended: z.boolean().optional(), responded: z.boolean().optional(), note: z.string().max(2_000).optional(), recordedBy: z.string().min(1).max(100).optional(),
});
export type SetFlagCommand = z.infer<typeof setFlagSchema>;

export const optOutSchema = z.strictObject({
  customerId: id, channel: z.enum(CHANNEL_SELECTORS), destination: destinationText.optional(), source: z.string().min(1).max(64).default('agent'),
  text: z.string().max(2_000).optional(), recordedBy: z.string().min(1).max(100).optional(),
});
export type OptOutCommand = z.infer<typeof optOutSchema>;

export const consentSchema = z.strictObject({
  customerId: id, kind: z.enum(CONSENT_KINDS), channel: z.enum(CHANNEL_SELECTORS), validFrom: instant.optional(), validUntil: instant,
  window: windowSchema.optional(), destination: destinationText.optional(), recordingId: z.string().min(1).max(200).optional(), recordedBy: z.string().min(1).max(100).optional(),
});
export type ConsentCommand = z.infer<typeof consentSchema>;

/** "$.a.b[2]" paths for zod issues; unknown keys are reported on the key itself. */
export function issuePaths(error: z.ZodError): { field: string; message: string }[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => ({ field: jsonPath([...issue.path, k]), message: 'unknown field' }));
    return [{ field: jsonPath(issue.path), message: issue.message }];
  });
}

export function jsonPath(path: readonly PropertyKey[]): string {
  return '$' + path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
}
