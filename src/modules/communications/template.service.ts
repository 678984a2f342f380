/**
 * Template use cases: lint (the template's own rules plus the compliance pack's content rules on the
 * template rendered with sample values), publish a new version (only when the lint has no error),
 * preview with an account's real data, and the bank settings templates read.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { err, ok, type Result } from '../../kernel/result.ts';
import { lintWithPack, type PackSet } from '../compliance/index.ts';
import { templateValues, type BankFacts } from './domain/message-values.ts';
import { lintTemplate, SAMPLE_VALUES, type TemplateFinding } from './domain/template-lint.ts';
import { renderTemplate, renderedFullText, templateVariables, type RenderedMessage, type TemplateDocument, type TemplateLanguage, type TemplateValues, type Tone } from './domain/template.ts';
import type { MessageDataSource } from './dispatcher.service.ts';
import { loadTemplateSet, type TemplateSet } from './template-catalog.service.ts';
import { insertTemplateVersion } from './template.repository.ts';
import { bankSettingsSchema, parseTemplateDocument, type BankSettings } from './template.schema.ts';
import { currencyMinorDigits } from '../../kernel/money.ts';

// ── bank settings ───────────────────────────────────────────────────────────────────────────────

const DEFAULT_BANK_FILE = fileURLToPath(new URL('../../../policies/bank.json', import.meta.url));

export type BankSettingsError = 'invalid_bank_settings';

/** Reads and validates the bank settings (RECOURSE_BANK_SETTINGS, else the shipped demo bank). */
export async function loadBankSettings(file: string | null): Promise<Result<BankSettings, BankSettingsError>> {
  const path = file ?? DEFAULT_BANK_FILE;
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    return err('invalid_bank_settings', `${path}: ${(e as Error).message}`);
  }
  const r = bankSettingsSchema.safeParse(doc);
  if (!r.success) return err('invalid_bank_settings', `${path}: ${r.error.issues.map((i) => `${i.path.join('.') || '$'}: ${i.message}`).join('; ')}`);
  return ok(r.data);
}

export function bankFacts(s: BankSettings): BankFacts {
  return {
    name: s.name, address: s.address, verificationHotline: s.verificationHotline, verificationUrl: s.verificationUrl,
    repaymentChannels: s.repaymentChannels, disputeChannel: s.disputeChannel, collectionsDepartment: s.collectionsDepartment, deadlineDays: s.deadlineDays,
  };
}

// ── lint and publish ────────────────────────────────────────────────────────────────────────────

/** Sample values with a visible stand-in for any variable the template uses that does not exist. */
function lintValues(t: TemplateDocument): TemplateValues {
  const values: Record<string, string> = { ...SAMPLE_VALUES[t.language] };
  for (const name of templateVariables(t)) values[name] ??= `[${name}]`;
  return values;
}

/** Lints a rendered message's text under the compliance pack in effect at `at`. */
export function packFindings(packs: PackSet, packId: string, at: number, t: TemplateDocument, rendered: RenderedMessage): TemplateFinding[] {
  const found = lintWithPack(packs, packId, at, {
    content: { text: renderedFullText(rendered), templateId: t.id, purpose: t.purpose, slots: t.channel === 'letter' ? rendered.slots : null, firstCommunication: false },
    channel: t.channel, party: t.party,
  });
  if (found === null) return [{ code: 'compliance_pack_unavailable', severity: 'error', path: '$', ruleId: 'X-01', message: { zh: `合规规则包 ${packId} 当前无有效版本`, en: `no version of compliance pack ${packId} is in effect` } }];
  return found.map((x) => ({ code: x.code, severity: 'error' as const, path: '$', ruleId: x.ruleId, message: x.message }));
}

export function lintTemplateDocument(t: TemplateDocument, packs: PackSet, packId: string, at: number): TemplateFinding[] {
  const own = lintTemplate(t);
  const sample = renderTemplate(t, lintValues(t));
  return sample.ok ? [...own, ...packFindings(packs, packId, at, t, sample.value)] : own;
}

export const hasErrors = (findings: readonly TemplateFinding[]): boolean => findings.some((f) => f.severity === 'error');

export type PublishError = 'invalid_template' | 'template_lint_failed' | 'template_version_not_newer';

export interface PublishDeps { pool: pg.Pool; packs: PackSet; packId: string }

/**
 * Publishes a new version: valid shape, no lint error, and a version above every existing one of
 * that id. The lint findings (warnings included) are stored with it.
 */
export async function publishTemplate(deps: PublishDeps, input: unknown, publishedBy: string, now: number): Promise<Result<{ template: TemplateDocument; findings: TemplateFinding[] }, PublishError>> {
  const parsed = parseTemplateDocument(input);
  if (!parsed.ok) return err('invalid_template', parsed.issues.map((i) => `${i.field}: ${i.message}`).join('; '), { errors: parsed.issues });
  const t = parsed.value;
  const findings = lintTemplateDocument(t, deps.packs, deps.packId, now);
  if (hasErrors(findings)) return err('template_lint_failed', `template ${t.id} v${t.version} has ${findings.filter((f) => f.severity === 'error').length} lint error(s): ${findings.filter((f) => f.severity === 'error').map((f) => `${f.path}: ${f.message.en}`).join('; ')}`, { findings });
  const set = await loadTemplateSet(deps.pool);
  const latest = set.versions(t.id)[0];
  if (latest && latest.version >= t.version) return err('template_version_not_newer', `template ${t.id} already has version ${latest.version}: publish version ${latest.version + 1} or higher`);
  const family = set.ids().map((id) => set.versions(id)[0]!).find((x) => x.family === t.family);
  if (family && family.channel !== t.channel) return err('invalid_template', `family ${t.family} holds ${family.channel} templates, not ${t.channel}`, { errors: [{ field: 'family', message: `holds ${family.channel} templates` }] });
  if (!(await insertTemplateVersion(deps.pool, t, findings, publishedBy))) return err('template_version_not_newer', `template ${t.id} version ${t.version} was published meanwhile`);
  return ok({ template: t, findings });
}

// ── preview ─────────────────────────────────────────────────────────────────────────────────────

export interface PreviewDeps {
  pool: pg.Pool;
  packs: PackSet;
  packId: string;
  data: MessageDataSource;
  bank: BankFacts;
  templates?: TemplateSet;
}

export type PreviewError = 'template_not_found' | 'template_not_effective' | 'account_not_found' | 'template_variable_missing';

export interface Preview {
  template: { id: string; version: number; channel: string; language: TemplateLanguage; tone: Tone; purpose: string; party: string };
  accountId: string;
  customerId: string;
  rendered: RenderedMessage;
  /** The compliance pack's content findings on this rendered text (what the dispatcher would check). */
  findings: TemplateFinding[];
}

/** Renders a template (or its counterpart in `language` / `tone`) with an account's data as of `today`. */
/**
 * Renders a template with an account's data. With `draft` (a parsed, unpublished document: the editor's
 * live preview) that document is rendered as it is, instead of the stored template the id resolves to.
 */
export async function previewTemplate(deps: PreviewDeps, templateId: string, accountId: string, want: { language?: TemplateLanguage; tone?: Tone; draft?: TemplateDocument }, today: number, now: number): Promise<Result<Preview, PreviewError>> {
  const set = want.draft ? null : deps.templates ?? (await loadTemplateSet(deps.pool));
  const accounts = await deps.data.accounts([accountId], today);
  const account = accounts.get(accountId);
  if (!account) return err('account_not_found', `no account ${JSON.stringify(accountId)}`);
  const t = want.draft ? ok(want.draft) : set!.resolve(templateId, { language: want.language ?? account.language, tone: want.tone ?? null }, today);
  if (!t.ok) return t;
  const values = templateValues({
    account, customerName: account.customerName, bank: deps.bank, language: t.value.language, today, minorDigits: (c) => currencyMinorDigits(c) ?? 2,
    messageValues: {}, unsubscribeUrl: t.value.channel === 'email' ? 'https://example.invalid/unsubscribe/PREVIEW' : null,
  });
  const rendered = renderTemplate(t.value, values);
  if (!rendered.ok) return rendered;
  return ok({
    template: { id: t.value.id, version: t.value.version, channel: t.value.channel, language: t.value.language, tone: t.value.tone, purpose: t.value.purpose, party: t.value.party },
    accountId, customerId: account.customerId, rendered: rendered.value, findings: packFindings(deps.packs, deps.packId, now, t.value, rendered.value),
  });
}
