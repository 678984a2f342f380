/**
 * Shapes of the communications module's documents and commands (zod): message templates, the bank
 * settings templates read (official hotline and URL, repayment channels, letterhead), and a message
 * enqueued by hand (staff, API, CLI).
 */
import { z } from 'zod';
import {
  LETTER_SLOTS, TEMPLATE_CHANNELS, TEMPLATE_LANGUAGES, TEMPLATE_PARTIES, TEMPLATE_PURPOSES, TONES, VOICE_KEY_ACTIONS, type TemplateDocument,
} from './domain/template.ts';

const text = (max: number) => z.string().min(1).max(max);
const plainDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD').refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'is not a real date');
export const TEMPLATE_ID = /^[a-z0-9][a-z0-9-]{2,79}$/;

export const templateDocumentSchema = z.strictObject({
  id: z.string().regex(TEMPLATE_ID, 'must be 3–80 lower-case letters, digits and -'),
  version: z.int().min(1).max(1_000_000),
  effectiveFrom: plainDate,
  family: z.string().regex(/^[a-z0-9][a-z0-9-]{1,79}$/, 'must be lower-case letters, digits and -'),
  channel: z.enum(TEMPLATE_CHANNELS),
  language: z.enum(TEMPLATE_LANGUAGES),
  tone: z.enum(TONES),
  purpose: z.enum(TEMPLATE_PURPOSES),
  party: z.enum(TEMPLATE_PARTIES).default('debtor'),
  description: z.string().max(500).default(''),
  subject: text(200).nullable().default(null),
  body: text(5_000),
  html: text(50_000).nullable().default(null),
  title: text(200).nullable().default(null),
  sections: z.array(z.strictObject({ heading: text(200).nullable().default(null), text: text(5_000) })).max(30).default([]),
  closing: text(2_000).nullable().default(null),
  slots: z.partialRecord(z.enum(LETTER_SLOTS), text(5_000)).default({}),
  keys: z.record(z.string().regex(/^[0-9*#]$/, 'a key is one of 0–9, * or #'), z.enum(VOICE_KEY_ACTIONS)).default({}),
});

export type TemplateDocumentInput = z.input<typeof templateDocumentSchema>;

/** Validates a template document (shape only; `lintTemplate` and the pack lint judge its content). */
export function parseTemplateDocument(value: unknown): { ok: true; value: TemplateDocument } | { ok: false; issues: { field: string; message: string }[] } {
  const r = templateDocumentSchema.safeParse(value);
  if (r.success) return { ok: true, value: r.data as TemplateDocument };
  return { ok: false, issues: r.error.issues.map((i) => ({ field: i.path.length ? i.path.map(String).join('.') : '$', message: i.message })) };
}

const localized = z.strictObject({ 'zh-CN': text(500), en: text(500) });

/**
 * The bank's own details (policies/bank.json, or the file RECOURSE_BANK_SETTINGS names): what
 * templates say about the sender, and where customers verify that a message is genuine.
 */
export const bankSettingsSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
  name: localized,
  address: localized,
  verificationHotline: z.string().regex(/^[0-9+\- ]{3,20}$/, 'a phone number such as 95500 or 400-820-0000'),
  verificationUrl: z.url({ protocol: /^https$/ }),
  repaymentChannels: localized,
  disputeChannel: localized,
  collectionsDepartment: localized,
  seal: localized,
  /** `deadline` when a message sets none: this many days after the day it is sent. */
  deadlineDays: z.int().min(1).max(90),
});
export type BankSettings = z.infer<typeof bankSettingsSchema>;

const id = z.string().min(1).max(64);

/** A message enqueued by a person or an API client (POST /messages, `recourse outbox enqueue`). */
export const enqueueCommandSchema = z.strictObject({
  idempotencyKey: text(200),
  accountId: id,
  channel: z.enum(TEMPLATE_CHANNELS),
  templateId: z.string().regex(TEMPLATE_ID),
  language: z.enum(TEMPLATE_LANGUAGES).optional(),
  tone: z.enum(TONES).optional(),
  partyRole: z.enum(TEMPLATE_PARTIES).optional(),
  destinationRef: z.string().regex(/^(phone|email|address):\d{1,3}$/, 'a contact point reference such as phone:0').optional(),
  notBefore: z.iso.datetime({ offset: true }).optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  variables: z.strictObject({ deadline: text(40).optional(), collectorName: text(100).optional() }).optional(),
});
export type EnqueueCommand = z.infer<typeof enqueueCommandSchema>;
