/**
 * Reads a bank feed as a stream of numbered lines, each with the records it carries, in constant
 * memory. Formats: NDJSON (one record per line), CSV with a header row (one record type per file),
 * and the UCI credit-card dataset (one client per row, several records each).
 */
import type { Readable } from 'node:stream';
import { CsvError, parse as parseCsv } from 'csv-parse';
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
  /** Set when nothing after this line can be read (a CSV header that names no record type): the feed is invalid as a whole. */
  fatal?: true;
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
    // The BOM marks the file, not the line: it is neither parsed nor part of the line's raw text.
    const body = line === 1 ? text.replace(/^\uFEFF/, '') : text;
    if (body.trim() === '') continue; // blank lines carry nothing
    try {
      yield { line, raw: body, records: [JSON.parse(body)], errors: [] };
    } catch (e) {
      yield { line, raw: body, records: [], errors: [{ field: 'json', message: `bad JSON: ${(e as Error).message}` }] };
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

type CsvRow = { record: string[]; raw: string; line: number; error?: undefined } | { error: FieldError; line: number };

/** Line breaks inside a record's text (a quoted cell may span lines); CRLF counts once. */
function lineBreaks(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) n++;
  }
  return n;
}

/**
 * The records of a CSV file, each with the line it starts on and its text as it stands in the file;
 * then, if the parser gives up (an unclosed quote, say), an error at the line the unreadable record
 * starts on. Lines are counted here: csv-parse counts the line a record ends on, and counts a CRLF
 * inside a quoted cell twice. Its raw text starts with one character per empty line it skipped and
 * ends with one character of the record delimiter.
 */
async function* csvRows(stream: Readable): AsyncGenerator<CsvRow> {
  const parser = stream.pipe(
    parseCsv({ bom: true, raw: true, relax_column_count: true, skip_empty_lines: true, max_record_size: limits.feedLineBytesMax }),
  ) as unknown as AsyncIterable<{ record: string[]; raw: string }>;
  let next = 1;
  try {
    for await (const { record, raw } of parser) {
      const skipped = /^[\r\n]*/.exec(raw)![0].length;
      const text = raw.slice(skipped).replace(/(?:\r\n|\r|\n)$/, '');
      const line = next + skipped;
      next = line + lineBreaks(text) + 1;
      yield { record, raw: text, line };
    }
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    const error: FieldError = e.code === 'CSV_QUOTE_NOT_CLOSED' ? { field: 'csv', message: 'a quoted cell is not closed before the end of the file' }
      : e.code === 'CSV_MAX_RECORD_SIZE' ? { field: 'line', message: `is longer than ${limits.feedLineBytesMax} bytes; the rest of the file cannot be read` }
      : { field: 'csv', message: e.message };
    // The parser's raw text of the unreadable record starts with the empty lines it skipped before it.
    const raw = (e as { raw?: unknown }).raw;
    yield { error, line: next + (typeof raw === 'string' ? /^[\r\n]*/.exec(raw)![0].length : 0) };
  } finally {
    // Stopped early (an unreadable header, an error): nothing else will read the file.
    if (!stream.readableEnded) stream.destroy();
  }
}

/** A CSV file the parser cannot read past: the feed is invalid as a whole. */
const unreadable = (row: { error: FieldError; line: number }): FeedLine => ({ line: row.line, raw: '', records: [], errors: [row.error], fatal: true });

async function* readCsv(stream: Readable): AsyncGenerator<FeedLine> {
  let header: string[] | null = null;
  let type: FeedRecordType | 'per_row' | null = null;
  for await (const row of csvRows(stream)) {
    if (row.error) return yield unreadable(row);
    const { record, raw, line } = row;
    if (header === null) {
      header = record.map((h) => h.trim());
      type = csvRecordType(header);
      const repeated = header.find((column, i) => header!.indexOf(column) !== i);
      if (repeated !== undefined) {
        // The later cell would silently win over the earlier one.
        yield { line, raw, records: [], errors: [{ field: 'header', message: `column ${JSON.stringify(repeated)} appears more than once` }], fatal: true };
        return;
      }
      if (type === null) {
        yield { line, raw, records: [], errors: [{ field: 'header', message: 'cannot tell the record type: add a "type" column or use the field names of docs/feed-format.md' }], fatal: true };
        return;
      }
      continue;
    }
    yield csvLine(line, raw, header, record, type!);
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
  for await (const row of csvRows(stream)) {
    if (row.error) return yield unreadable(row);
    const { record, raw, line } = row;
    if (header === null) {
      header = record.map((h) => h.trim());
      const errors = validateUciHeader(header);
      if (errors.length) {
        yield { line, raw, records: [], errors, fatal: true };
        return;
      }
      continue;
    }
    const mapped = mapUciRow(record, header);
    yield mapped.ok
      ? { line, raw, records: mapped.records, errors: [] }
      : { line, raw, records: [], errors: mapped.errors };
  }
}
