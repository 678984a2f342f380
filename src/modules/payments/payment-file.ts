/**
 * Payment files: CSV with a header row (paymentId, accountId, postedOn, amount, channel?, reference?)
 * or NDJSON (one payment object per line). Every line is validated; errors name the line and field.
 */
import { parse } from 'csv-parse/sync';
import { postPaymentSchema, type PostPaymentCommand } from './payments.schema.ts';

export const PAYMENT_FILE_FORMATS = ['csv', 'ndjson'] as const;
export type PaymentFileFormat = (typeof PAYMENT_FILE_FORMATS)[number];
const COLUMNS = ['paymentId', 'accountId', 'postedOn', 'amount', 'channel', 'reference'];
const REQUIRED = ['paymentId', 'accountId', 'postedOn', 'amount'];

export interface FileError { line: number; field: string; message: string }
export type ParsedFile = { ok: true; lines: (PostPaymentCommand & { line: number })[] } | { ok: false; errors: FileError[] };

/** CSV when the name ends in .csv or the first line has no "{"; NDJSON otherwise. */
export function paymentFileFormat(name: string, text: string): PaymentFileFormat {
  if (/\.csv$/i.test(name)) return 'csv';
  if (/\.(nd)?jsonl?$/i.test(name)) return 'ndjson';
  return text.trimStart().startsWith('{') ? 'ndjson' : 'csv';
}

function validated(value: unknown, line: number, errors: FileError[], out: (PostPaymentCommand & { line: number })[]): void {
  const parsed = postPaymentSchema.safeParse(value);
  if (parsed.success) {
    out.push({ ...parsed.data, line });
    return;
  }
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') for (const k of issue.keys) errors.push({ line, field: k, message: 'unknown field' });
    else errors.push({ line, field: issue.path.join('.') || 'line', message: issue.message });
  }
}

export function parsePaymentFile(text: string, format: PaymentFileFormat, linesMax: number): ParsedFile {
  const errors: FileError[] = [];
  const lines: (PostPaymentCommand & { line: number })[] = [];
  if (format === 'ndjson') {
    const rows = text.split(/\r?\n/);
    rows.forEach((row, i) => {
      if (row.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(row);
      } catch (e) {
        errors.push({ line: i + 1, field: 'line', message: `not JSON (${(e as Error).message})` });
        return;
      }
      validated(value, i + 1, errors, lines);
    });
  } else {
    // csv-parse skips empty lines, so record numbers are not line numbers: each record's info says its line.
    let records: { record: string[]; info: { lines: number } }[];
    try {
      records = parse(text, { bom: true, skip_empty_lines: true, info: true }) as unknown as typeof records;
    } catch (e) {
      const line = (e as { lines?: number }).lines ?? 1;
      return { ok: false, errors: [{ line, field: 'line', message: `not CSV (${(e as Error).message.split('\n')[0]})` }] };
    }
    const header = records[0]?.record ?? [];
    const unknown = header.filter((h) => !COLUMNS.includes(h));
    const missing = REQUIRED.filter((c) => !header.includes(c));
    const repeated = new Set(header).size !== header.length;
    if (unknown.length || missing.length || repeated) {
      const problems = [unknown.length ? `unknown column(s) ${unknown.join(', ')}` : '', missing.length ? `missing column(s) ${missing.join(', ')}` : '', repeated ? 'a column appears twice' : ''];
      return { ok: false, errors: [{ line: records[0]?.info.lines ?? 1, field: 'header', message: `${problems.filter(Boolean).join('; ')} (columns: ${COLUMNS.join(', ')})` }] };
    }
    for (const { record, info } of records.slice(1)) {
      const value = Object.fromEntries(header.flatMap((h, i) => (record[i] === undefined || record[i] === '' ? [] : [[h, record[i]]])));
      validated(value, info.lines, errors, lines);
    }
  }
  if (lines.length + errors.length > linesMax) return { ok: false, errors: [{ line: linesMax + 1, field: 'line', message: `a payment file has at most ${linesMax} lines (settings: file.linesMax)` }] };
  if (lines.length === 0 && errors.length === 0) return { ok: false, errors: [{ line: 1, field: 'line', message: 'the file holds no payment' }] };
  return errors.length ? { ok: false, errors } : { ok: true, lines };
}
