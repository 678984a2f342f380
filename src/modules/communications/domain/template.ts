/**
 * Message templates: versioned documents per channel, language and tone with `{{variable}}`
 * placeholders, and their rendering. Pure: a template and its values in, text out (or the variables
 * that had no value). Values are inserted as they are into text parts and HTML-escaped in HTML parts.
 */
import { err, ok, type Result } from '../../../kernel/result.ts';

export const TEMPLATE_CHANNELS = ['sms', 'email', 'letter', 'voice_robot'] as const;
export type TemplateChannel = (typeof TEMPLATE_CHANNELS)[number];
export const TEMPLATE_LANGUAGES = ['zh-CN', 'en'] as const;
export type TemplateLanguage = (typeof TEMPLATE_LANGUAGES)[number];
export const TONES = ['gentle', 'neutral', 'firm'] as const;
export type Tone = (typeof TONES)[number];
export const TEMPLATE_PURPOSES = ['reminder', 'collection', 'locate', 'service'] as const;
export type TemplatePurpose = (typeof TEMPLATE_PURPOSES)[number];
export const TEMPLATE_PARTIES = ['debtor', 'guarantor', 'contact'] as const;
export type TemplateParty = (typeof TEMPLATE_PARTIES)[number];

/**
 * Every variable a template may use. Account data comes from the portfolio at send time; bank data from
 * the bank settings (RECOURSE_BANK_SETTINGS); `deadline` and `collectorName` may be set per message.
 */
export const TEMPLATE_VARIABLES = {
  customerName: 'the cardholder’s name (持卡人姓名)',
  maskedCardNumber: 'the card, masked: only its last four characters (卡号后四位)',
  overdueAmount: 'amount past due (逾期金额)',
  minimumDue: 'minimum payment of the latest statement (最低还款额)',
  totalBalance: 'balance owed (欠款总额)',
  dueDate: 'due date of the oldest unpaid statement, else the latest (到期还款日)',
  daysPastDue: 'days past due (逾期天数)',
  repaymentChannels: 'how to repay (还款渠道), bank setting',
  deadline: 'pay by this date (还款期限): the message’s own value, else today + the bank’s deadlineDays',
  verificationHotline: 'the bank’s official hotline to verify this message (官方核实热线), bank setting',
  verificationUrl: 'the bank’s official web page to verify this message (官方核实网址), bank setting',
  collectorName: 'who is collecting: the message’s own value (agency or collector), else the bank’s collections department',
  bankName: 'the bank (sender identity), bank setting',
  bankAddress: 'the bank’s postal address (letterhead), bank setting',
  disputeChannel: 'how to raise a dispute and submit evidence (异议渠道), bank setting',
  letterDate: 'the date the letter is issued',
  unsubscribeUrl: 'e-mail: the one-click unsubscribe link of this message',
} as const;
export type TemplateVariable = keyof typeof TEMPLATE_VARIABLES;
export const TEMPLATE_VARIABLE_NAMES = Object.keys(TEMPLATE_VARIABLES) as TemplateVariable[];

/** Variables that tell the debt: never in a template for a third party (CN-04, US-09, UK-07). */
export const DEBT_DETAIL_VARIABLES: readonly TemplateVariable[] = ['maskedCardNumber', 'overdueAmount', 'minimumDue', 'totalBalance', 'dueDate', 'daysPastDue'];
/** Set by the message (strategy, staff) rather than read from the account. */
export const MESSAGE_VARIABLES: readonly TemplateVariable[] = ['deadline', 'collectorName'];

/** The items of a CN collection letter (2011 Art. 69, CN-07), as the compliance pack names its slots. */
export const LETTER_SLOTS = ['cardholderName', 'balance', 'reasonAndLegalBasis', 'rightsAndObligations', 'accountRepaymentAndDisputeChannels', 'bankContact', 'seal'] as const;
export type LetterSlot = (typeof LETTER_SLOTS)[number];

export interface LetterSection { heading: string | null; text: string }

export interface TemplateDocument {
  id: string;
  version: number;
  /** A business date (YYYY-MM-DD) in the bank's zone: the version applies from then on. */
  effectiveFrom: string;
  /** Counterparts share a family: cn-sms-reminder-gentle and en-sms-reminder-firm are both "sms-reminder". */
  family: string;
  channel: TemplateChannel;
  language: TemplateLanguage;
  tone: Tone;
  purpose: TemplatePurpose;
  party: TemplateParty;
  description: string;
  /** E-mail subject. */
  subject: string | null;
  /** SMS text, e-mail text part, robot script (spoken), or the letter's salutation and opening. */
  body: string;
  /** E-mail HTML part. */
  html: string | null;
  /** Letters: title, sections, closing, and the Art. 69 items as named slots. */
  title: string | null;
  sections: readonly LetterSection[];
  closing: string | null;
  slots: Readonly<Partial<Record<LetterSlot, string>>>;
  /** Robot voice: what each key means ("1": "promise_to_pay"). */
  keys: Readonly<Record<string, VoiceKeyAction>>;
}

export const VOICE_KEY_ACTIONS = ['promise_to_pay', 'transfer_to_agent', 'repeat', 'dispute'] as const;
export type VoiceKeyAction = (typeof VOICE_KEY_ACTIONS)[number];

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;
/** A letter section may show a slot's text: `{{slot:balance}}`. */
const SLOT_REFERENCE = /\{\{\s*slot:([A-Za-z]+)\s*\}\}/g;

/** Slot names a text refers to. */
export function slotReferences(text: string | null): string[] {
  if (!text) return [];
  return [...new Set([...text.matchAll(SLOT_REFERENCE)].map((m) => m[1]!))];
}

/** Replaces slot references with the slots' template text (variables are filled afterwards). */
function expandSlots(text: string, slots: TemplateDocument['slots']): string {
  return text.replace(SLOT_REFERENCE, (_m, name: string) => slots[name as LetterSlot] ?? '');
}

/** Names used in one text, in order of first use. */
export function placeholders(text: string | null): string[] {
  if (!text) return [];
  const seen = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER)) seen.add(m[1]!);
  return [...seen];
}

/** Every text of a template with where it sits, for linting and rendering. */
export function templateTexts(t: TemplateDocument): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [{ path: 'body', text: t.body }];
  if (t.subject !== null) out.push({ path: 'subject', text: t.subject });
  if (t.html !== null) out.push({ path: 'html', text: t.html });
  if (t.title !== null) out.push({ path: 'title', text: t.title });
  t.sections.forEach((s, i) => {
    if (s.heading !== null) out.push({ path: `sections[${i}].heading`, text: s.heading });
    out.push({ path: `sections[${i}].text`, text: s.text });
  });
  if (t.closing !== null) out.push({ path: 'closing', text: t.closing });
  for (const [slot, text] of Object.entries(t.slots)) if (text !== undefined) out.push({ path: `slots.${slot}`, text });
  return out;
}

/** Every variable a template uses. */
export function templateVariables(t: TemplateDocument): string[] {
  return [...new Set(templateTexts(t).flatMap((x) => placeholders(x.text)))];
}

export type TemplateValues = Readonly<Partial<Record<TemplateVariable, string>>>;

export interface RenderedMessage {
  templateId: string;
  version: number;
  channel: TemplateChannel;
  language: TemplateLanguage;
  subject: string | null;
  text: string;
  html: string | null;
  title: string | null;
  sections: LetterSection[];
  closing: string | null;
  slots: Partial<Record<LetterSlot, string>>;
  keys: Readonly<Record<string, VoiceKeyAction>>;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

function fill(text: string, values: TemplateValues, missing: Set<string>, escape: boolean): string {
  return text.replace(SLOT_REFERENCE, '').replace(PLACEHOLDER, (_m, name: string) => {
    const value = values[name as TemplateVariable];
    if (value === undefined || value === '') {
      missing.add(name);
      return '';
    }
    return escape ? escapeHtml(value) : value;
  });
}

/** Renders every part; fails with `template_variable_missing` naming each variable without a value. */
export function renderTemplate(t: TemplateDocument, values: TemplateValues): Result<RenderedMessage, 'template_variable_missing'> {
  const missing = new Set<string>();
  const text = (s: string | null) => (s === null ? null : fill(s, values, missing, false));
  const slots: Partial<Record<LetterSlot, string>> = {};
  for (const [slot, s] of Object.entries(t.slots)) if (s !== undefined) slots[slot as LetterSlot] = fill(s, values, missing, false);
  const rendered: RenderedMessage = {
    templateId: t.id, version: t.version, channel: t.channel, language: t.language,
    subject: text(t.subject), text: fill(t.body, values, missing, false), html: t.html === null ? null : fill(t.html, values, missing, true),
    title: text(t.title), sections: t.sections.map((s) => ({ heading: text(s.heading), text: fill(expandSlots(s.text, t.slots), values, missing, false) })),
    closing: text(t.closing), slots, keys: t.keys,
  };
  if (missing.size) return err('template_variable_missing', `template ${t.id} v${t.version}: no value for ${[...missing].join(', ')}`, { missing: [...missing] });
  return ok(rendered);
}

/**
 * The whole text a reader sees, for the compliance lint and the contact's content digest: subject,
 * body, letter title, sections, closing and slots.
 */
export function renderedFullText(r: RenderedMessage): string {
  return [r.subject, r.title, r.text, ...r.sections.flatMap((s) => [s.heading, s.text]), r.closing, ...Object.values(r.slots)].filter((s): s is string => !!s).join('\n');
}
