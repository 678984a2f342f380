/**
 * Letters as PDF (pdfkit, Noto Sans SC from @expo-google-fonts/noto-sans-sc: full TTFs, subset into
 * each file): A4, the bank's letterhead, date and reference, the recipient's postal block, title,
 * salutation, sections, closing and the seal, and the official verification line in the footer. One
 * document may hold many letters (the daily print file): each starts on a new page.
 */
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import type { RenderedMessage, TemplateLanguage } from '../domain/template.ts';
import type { PostalRecipient } from './provider.ts';

const require = createRequire(import.meta.url);
const FONT_REGULAR = require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
const FONT_BOLD = require.resolve('@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf');

export interface Letterhead {
  bankName: string;
  address: string;
  hotline: string;
  url: string;
}

export interface LetterInput {
  rendered: RenderedMessage;
  recipient: PostalRecipient;
  letterhead: Letterhead;
  /** Printed on the letter (the outbox message id, or "PREVIEW"). */
  reference: string;
  /** The issue date as the letter shows it. */
  dateText: string;
}

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 64;
const SEAL_RED = '#c8102e';

const labels: Record<TemplateLanguage, { ref: string; date: string; verify: (h: string, u: string) => string; page: (n: number, of: number) => string }> = {
  'zh-CN': { ref: '编号', date: '日期', verify: (h, u) => `本函真伪请通过官方热线 ${h} 或官方网址 ${u} 核实，谨防冒充诈骗。`, page: (n, of) => `第 ${n} 页 / 共 ${of} 页` },
  en: { ref: 'Reference', date: 'Date', verify: (h, u) => `Verify this letter only through our official hotline ${h} or ${u}; beware of impersonators.`, page: (n, of) => `Page ${n} of ${of}` },
};

function letter(doc: PDFKit.PDFDocument, input: LetterInput): void {
  const { rendered: r, letterhead: head, recipient } = input;
  const l = labels[r.language];
  const width = A4.width - 2 * MARGIN;
  // Letterhead.
  doc.font('bold').fontSize(18).fillColor('#1a3c6e').text(head.bankName, MARGIN, MARGIN, { width });
  doc.font('regular').fontSize(9).fillColor('#444444').text(`${head.address}    ${head.hotline}    ${head.url}`, { width });
  const ruleY = doc.y + 6;
  doc.moveTo(MARGIN, ruleY).lineTo(A4.width - MARGIN, ruleY).lineWidth(1.2).strokeColor('#1a3c6e').stroke();
  doc.fillColor('#000000').fontSize(10).text(`${l.ref}: ${input.reference}    ${l.date}: ${input.dateText}`, MARGIN, ruleY + 10, { width, align: 'right' });
  // Recipient (window envelope position).
  doc.font('regular').fontSize(11).text(recipient.name, MARGIN, ruleY + 30, { width: width / 2 });
  for (const line of recipient.lines) doc.text(line, { width: width / 2 });
  // Title and body.
  doc.moveDown(1.4);
  if (r.title) doc.font('bold').fontSize(16).text(r.title, MARGIN, doc.y, { width, align: 'center' });
  doc.moveDown(0.8);
  doc.font('regular').fontSize(11).text(r.text, MARGIN, doc.y, { width });
  for (const s of r.sections) {
    doc.moveDown(0.5);
    if (s.heading) doc.font('bold').fontSize(11.5).text(s.heading, { width });
    doc.font('regular').fontSize(10.5).text(s.text, { width, align: 'justify', lineGap: 1.5 });
  }
  if (r.closing) {
    doc.moveDown(1);
    doc.font('regular').fontSize(11).text(r.closing, { width });
  }
  // The sign-off (the seal slot and the date), stamped over with the seal as a bank would.
  const sealText = r.slots.seal ?? head.bankName;
  if (doc.y > A4.height - MARGIN - 120) doc.addPage();
  const signY = doc.y + 36;
  doc.fillColor('#000000').font('regular').fontSize(11).text(sealText, MARGIN, signY, { width, align: 'right' });
  doc.text(input.dateText, MARGIN, doc.y, { width, align: 'right' });
  const sealX = A4.width - MARGIN - 60;
  const sealY = signY + 8;
  doc.save().opacity(0.85).circle(sealX, sealY, 40).lineWidth(2.5).strokeColor(SEAL_RED).stroke();
  doc.fontSize(6.5).fillColor(SEAL_RED).text(head.bankName, sealX - 34, sealY + 8, { width: 68, align: 'center', lineBreak: false });
  doc.fontSize(15).text('★', sealX - 8, sealY - 22, { width: 16, align: 'center', lineBreak: false }).restore();
  doc.fillColor('#000000');
}

function footers(doc: PDFKit.PDFDocument, letters: { start: number; end: number; input: LetterInput }[]): void {
  for (const { start, end, input } of letters) {
    const l = labels[input.rendered.language];
    for (let p = start; p <= end; p++) {
      doc.switchToPage(p);
      // Writing below the bottom margin would start a new page: lift the margin while writing the footer.
      const bottom = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      doc.font('regular').fontSize(8).fillColor('#666666')
        .text(l.verify(input.letterhead.hotline, input.letterhead.url), MARGIN, A4.height - 44, { width: A4.width - 2 * MARGIN, align: 'left', lineBreak: false })
        .text(l.page(p - start + 1, end - start + 1), MARGIN, A4.height - 30, { width: A4.width - 2 * MARGIN, align: 'right', lineBreak: false });
      doc.page.margins.bottom = bottom;
    }
  }
}

/** Renders letters into one PDF (each on its own pages); resolves with the file's bytes. */
export function renderLettersPdf(inputs: readonly LetterInput[], meta: { title: string; author: string }): Promise<Buffer> {
  if (inputs.length === 0) return Promise.reject(new Error('no letters to render'));
  const doc = new PDFDocument({ size: 'A4', margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN }, bufferPages: true, autoFirstPage: false, info: { Title: meta.title, Author: meta.author, Creator: 'Recourse' } });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('regular', FONT_REGULAR);
  doc.registerFont('bold', FONT_BOLD);
  const ranges: { start: number; end: number; input: LetterInput }[] = [];
  for (const input of inputs) {
    doc.addPage();
    const start = doc.bufferedPageRange().start + doc.bufferedPageRange().count - 1;
    letter(doc, input);
    const range = doc.bufferedPageRange();
    ranges.push({ start, end: range.start + range.count - 1, input });
  }
  footers(doc, ranges);
  doc.end();
  return done;
}
