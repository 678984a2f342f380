/**
 * Letters: a proof PDF of one account's letter (`recourse letters render`), and the daily print file
 * (`recourse letters batch`): every letter the dispatcher put into a date's print batch, one PDF, in
 * message order, with its SHA-256 recorded.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { err, ok, type Result } from '../../kernel/result.ts';
import { formatDate, type BankFacts } from './domain/message-values.ts';
import type { RenderedMessage, TemplateLanguage } from './domain/template.ts';
import { destinationOf, pickDestination, type MessageDataSource } from './dispatcher.service.ts';
import { printBatchLetters, recordPrintBatch } from './dispatch.repository.ts';
import { renderLettersPdf, type LetterInput } from './providers/letter-pdf.ts';
import type { PostalRecipient } from './providers/provider.ts';
import { previewTemplate, type PreviewDeps, type PreviewError } from './template.service.ts';
import { parsePlainDate } from '../../kernel/dates.ts';

const letterhead = (bank: BankFacts, language: TemplateLanguage) => ({ bankName: bank.name[language], address: bank.address[language], hotline: bank.verificationHotline, url: bank.verificationUrl });

export type LetterError = PreviewError | 'not_a_letter_template' | 'no_postal_address';

/** The letter one account would get, as a PDF (not sent, not recorded: a proof). */
export async function renderLetterProof(deps: PreviewDeps, templateId: string, accountId: string, want: { language?: TemplateLanguage }, today: number, now: number): Promise<Result<{ pdf: Buffer; rendered: RenderedMessage }, LetterError>> {
  const preview = await previewTemplate(deps, templateId, accountId, want, today, now);
  if (!preview.ok) return preview;
  const r = preview.value.rendered;
  if (r.channel !== 'letter') return err('not_a_letter_template', `template ${templateId} is a ${r.channel} template, not a letter`);
  const points = (await deps.data.contactPoints([preview.value.customerId])).get(preview.value.customerId) ?? [];
  const point = pickDestination({ channel: 'letter', partyRole: 'debtor', destinationRef: null }, points);
  const customer = (await deps.data.customers([preview.value.customerId])).get(preview.value.customerId)!;
  if (!point) return err('no_postal_address', `customer ${preview.value.customerId} has no postal address`);
  const recipient = destinationOf(point, customer.name).recipient!;
  const pdf = await renderLettersPdf([{ rendered: r, recipient, letterhead: letterhead(deps.bank, r.language), reference: `PROOF-${accountId}`, dateText: formatDate(today, r.language) }], { title: r.title ?? templateId, author: deps.bank.name[r.language] });
  return ok({ pdf, rendered: r });
}

export type BatchError = 'invalid_date' | 'print_batch_empty';

/** Renders the print batch of `batchDate` (YYYY-MM-DD) into one PDF and records it. */
export async function renderPrintBatch(db: pg.Pool, bank: BankFacts, batchDate: string, renderedBy: string, now: number): Promise<Result<{ pdf: Buffer; letters: number; sha256: string }, BatchError>> {
  const day = parsePlainDate(batchDate);
  if (day === null) return err('invalid_date', `${JSON.stringify(batchDate)} is not a date (YYYY-MM-DD)`);
  const rows = await printBatchLetters(db, batchDate);
  if (rows.length === 0) return err('print_batch_empty', `no letters in the print batch of ${batchDate}`);
  const inputs: LetterInput[] = rows.map((row) => {
    // Stored without the parts a channel lacks (dispatcher compactRendered).
    const rendered = { subject: null, html: null, title: null, sections: [], closing: null, slots: {}, keys: {}, ...(row.rendered as object) } as unknown as RenderedMessage & { recipient: PostalRecipient };
    return { rendered, recipient: rendered.recipient, letterhead: letterhead(bank, rendered.language), reference: `L${batchDate.replace(/-/g, '')}-${row.messageId}`, dateText: formatDate(day, rendered.language) };
  });
  const pdf = await renderLettersPdf(inputs, { title: `Print batch ${batchDate}`, author: bank.name['zh-CN'] });
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  await recordPrintBatch(db, { batchDate, letters: rows.length, sha256, at: now, by: renderedBy });
  return ok({ pdf, letters: rows.length, sha256 });
}

export type { MessageDataSource };
