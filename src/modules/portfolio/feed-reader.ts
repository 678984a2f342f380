/**
 * Reads a bank feed as a stream of numbered lines, each with the records it carries, in constant
 * memory. Formats: NDJSON (one record per line), CSV with a header row (one record type per file),
 * and the UCI credit-card dataset (one client per row, several records each).
 */
import type { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { limits } from '../../kernel/limits.ts';
import type { FieldError } from './domain/feed-validation.ts';
import type { FeedRecordType } from './domain/feed-records.ts';
import { mapUciRow, validateUciHeader } from './domain/uci-mapping.ts';

export type FeedFormat = 'ndjson' | 'csv' | 'uci';
export const FEED_FORMATS: readonly FeedFormat[] = ['ndjson', 'csv', 'uci'];

export interface FeedLine {
  line: number;
  raw: string;
  /** Parsed records (not yet validated); empty when the line itself could not be parsed. */
  records: unknown[];
  /** Set for CSV files: the record type every row of the file has. */
  forcedType?: FeedRecordType;
  errors: FieldError[];
}

/** Guesses the format from a file name; NDJSON unless it ends in .csv (UCI needs --format uci). */
export function formatFromName(name: string): FeedFormat {
  return /\.csv$/i.test(name) ? 'csv' : 'ndjson';
}

export function readFeed(stream: Readable, format: FeedFormat): AsyncGenerator<FeedLine> {
  if (format === 'ndjson') return readNdjson(stream);
  return format === 'csv' ? readCsv(stream) : readUci(stream);
}

async function* splitLines(stream: Readable): AsyncGenerator<{ line: number; text: string; tooLong: boolean }> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let line = 0;
  const take = (tail: Buffer) => {
    const whole = pending.length ? Buffer.concat([...pending, tail]) : tail;
    pending = [];
    pendingBytes = 0;
    const end = whole.length > 0 && whole[whole.length - 1] === 13 ? whole.length - 1 : whole.length;
    return whole.subarray(0, end);
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      line++;
      const tooLong = pendingBytes + nl - start > limits.feedLineBytesMax;
      const bytes = take(chunk.subarray(start, nl));
      yield { line, text: tooLong ? '' : bytes.toString('utf8'), tooLong };
      start = nl + 1;
    }
    if (start < chunk.length) {
      // Keep at most a little over the limit of an unfinished line; the rest only proves it is too long.
      if (pendingBytes <= limits.feedLineBytesMax) pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
    }
  }
  if (pendingBytes > 0) {
    line++;
    const tooLong = pendingBytes > limits.feedLineBytesMax;
    yield { line, text: tooLong ? '' : take(Buffer.alloc(0)).toString('utf8'), tooLong };
  }
}

async function* readNdjson(stream: Readable): AsyncGenerator<FeedLine> {
  for await (const { line, text, tooLong } of splitLines(stream)) {
    if (tooLong) {
      yield { line, raw: '', records: [], errors: [{ field: 'line', message: `is longer than ${limits.feedLineBytesMax} bytes` }] };
      continue;
    }
    const body = line === 1 ? text.replace(/^\uFEFF/, '') : text;
    if (body.trim() === '') continue; // blank lines carry nothing
    try {
      yield { line, raw: text, records: [JSON.parse(body)], errors: [] };
    } catch (e) {
      yield { line, raw: text, records: [], errors: [{ field: 'json', message: `bad JSON: ${(e as Error).message}` }] };
    }
  }
}

const CSV_TYPE_BY_COLUMN: [string, FeedRecordType][] = [
  ['statementDate', 'statement'],
  ['postedOn', 'payment'],
  ['asOf', 'delinquency'],
  ['creditLimit', 'account'],
  ['name', 'customer'],
];
const JSON_CELLS = new Set(['phones', 'emails', 'addresses']);

/** A CSV file's record type: its `type` column, else the column only that type has. */
export function csvRecordType(header: readonly string[]): FeedRecordType | 'per_row' | null {
  if (header.includes('type')) return 'per_row';
  return CSV_TYPE_BY_COLUMN.find(([column]) => header.includes(column))?.[1] ?? null;
}

function csvRows(stream: Readable) {
  return stream.pipe(
    parseCsv({ bom: true, raw: true, info: true, relax_column_count: true, skip_empty_lines: true, max_record_size: limits.feedLineBytesMax }),
  ) as AsyncIterable<{ record: string[]; raw: string; info: { lines: number } }>;
}

async function* readCsv(stream: Readable): AsyncGenerator<FeedLine> {
  let header: string[] | null = null;
  let type: FeedRecordType | 'per_row' | null = null;
  for await (const { record, raw, info } of csvRows(stream)) {
    const line = info.lines;
    if (header === null) {
      header = record.map((h) => h.trim());
      type = csvRecordType(header);
      if (type === null) {
        yield { line, raw: raw.trimEnd(), records: [], errors: [{ field: 'header', message: 'cannot tell the record type: add a "type" column or use the field names of docs/feed-format.md' }] };
        return;
      }
      continue;
    }
    yield csvLine(line, raw.trimEnd(), header, record, type!);
  }
}

function csvLine(line: number, raw: string, header: string[], cells: string[], type: FeedRecordType | 'per_row'): FeedLine {
  if (cells.length !== header.length) {
    return { line, raw, records: [], errors: [{ field: 'row', message: `has ${cells.length} columns; the header has ${header.length}` }] };
  }
  const errors: FieldError[] = [];
  const obj: Record<string, unknown> = {};
  header.forEach((column, i) => {
    const cell = cells[i]!;
    if (cell === '') return; // an empty cell is an absent optional field
    if (!JSON_CELLS.has(column)) return void (obj[column] = cell);
    try {
      obj[column] = JSON.parse(cell);
    } catch {
      errors.push({ field: column, message: 'must be a JSON array in the cell, e.g. [{"number":"13800138000"}]' });
    }
  });
  const forced = type === 'per_row' ? undefined : type;
  return { line, raw, records: errors.length ? [] : [obj], errors, ...(forced ? { forcedType: forced } : {}) };
}

async function* readUci(stream: Readable): AsyncGenerator<FeedLine> {
  let header: string[] | null = null;
  for await (const { record, raw, info } of csvRows(stream)) {
    const line = info.lines;
    if (header === null) {
      header = record.map((h) => h.trim());
      const errors = validateUciHeader(header);
      if (errors.length) {
        yield { line, raw: raw.trimEnd(), records: [], errors };
        return;
      }
      continue;
    }
    const mapped = mapUciRow(record, header);
    yield mapped.ok
      ? { line, raw: raw.trimEnd(), records: mapped.records, errors: [] }
      : { line, raw: raw.trimEnd(), records: [], errors: mapped.errors };
  }
}
