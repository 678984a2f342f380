/**
 * COPY text output read at the byte level: rows and fields are found with Buffer.indexOf and numbers
 * are parsed from the bytes, with no string per line. The bulk passes (aging reads a million rows
 * with ~20 numbers each) spend most of their time here, and a string per line, split into strings
 * per field and scanned char by char, cost them about three times as much.
 */
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { unescapeCopy } from './copy.ts';

const TAB = 0x09;
const NL = 0x0a;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * A cursor over one row, reused for every row of a stream: read its fields in order. Valid only until
 * the generator advances.
 */
export class CopyRow {
  buf: Buffer = Buffer.alloc(0);
  /** Start of the next field; `end` is the row's end (its newline). */
  at = 0;
  end = 0;

  /** Bounds of the next field, [start, stop); advances past it. */
  #next(): number {
    const start = this.at;
    let stop = this.buf.indexOf(TAB, start);
    if (stop === -1 || stop > this.end) stop = this.end;
    this.at = stop + 1;
    return stop;
  }

  isNull(start: number, stop: number): boolean {
    return stop - start === 2 && this.buf[start] === BACKSLASH && this.buf[start + 1] === 0x4e; // \N
  }

  /** The next field as text (null for \N), COPY escapes undone. */
  text(): string | null {
    const start = this.at;
    const stop = this.#next();
    if (this.isNull(start, stop)) return null;
    const s = this.buf.toString('utf8', start, stop);
    for (let i = start; i < stop; i++) if (this.buf[i] === BACKSLASH) return unescapeCopy(s);
    return s;
  }

  /** The next field as a whole number (null for \N). */
  integer(): number | null {
    const start = this.at;
    const stop = this.#next();
    if (this.isNull(start, stop)) return null;
    return parseWhole(this.buf, start, stop);
  }

  /** The next field's bounds, for a caller that parses its bytes itself (null for \N). */
  raw(): [start: number, stop: number] | null {
    const start = this.at;
    const stop = this.#next();
    return this.isNull(start, stop) ? null : [start, stop];
  }
}

function parseWhole(buf: Buffer, start: number, stop: number): number {
  let i = start;
  const negative = buf[i] === MINUS;
  if (negative) i++;
  let value = 0;
  for (; i < stop; i++) {
    const c = buf[i]!;
    if (c < ZERO || c > NINE) throw new Error(`COPY: not a whole number: ${JSON.stringify(buf.toString('utf8', start, stop))}`);
    value = value * 10 + (c - ZERO);
  }
  if (i === start || stop - start > 16) throw new Error(`COPY: not a whole number: ${JSON.stringify(buf.toString('utf8', start, stop))}`);
  return negative ? -value : value;
}

/**
 * Streams the rows of `copy (…) to stdout`, yielding the same CopyRow positioned on each row. Leaving
 * the loop early leaves the COPY unfinished: the caller must then discard the client, not pool it.
 */
export async function* copyOutRows(client: pg.ClientBase, sql: string): AsyncGenerator<CopyRow> {
  const stream = client.query(copyStreams.to(sql));
  const row = new CopyRow();
  let carry: Buffer | null = null;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    // A row cut by the chunk boundary is completed with the start of the next chunk.
    const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(NL, carry ? carry.length : 0); nl !== -1; nl = buf.indexOf(NL, start)) {
      row.buf = buf;
      row.at = start;
      row.end = nl;
      yield row;
      start = nl + 1;
    }
    carry = start < buf.length ? buf.subarray(start) : null;
  }
  if (carry) throw new Error('COPY: the output ended inside a row');
}

/**
 * Reads the integers of a packed list ('1,2,3;4,5,6') from bytes in order. Amounts of up to 15 digits
 * are exact as numbers, so they become bigints without a string; longer ones go through BigInt(text).
 */
export class PackedBytes {
  #buf: Buffer;
  #at: number;
  readonly #stop: number;

  constructor(buf: Buffer, start: number, stop: number) {
    this.#buf = buf;
    this.#at = start;
    this.#stop = stop;
  }

  done(): boolean {
    return this.#at >= this.#stop;
  }

  day(): number {
    const buf = this.#buf;
    let i = this.#at;
    const negative = buf[i] === MINUS;
    if (negative) i++;
    const first = i;
    let value = 0;
    for (let c = buf[i]!; i < this.#stop && c >= ZERO && c <= NINE; c = buf[++i]!) value = value * 10 + (c - ZERO);
    this.#end(first, i);
    return negative ? -value : value;
  }

  minor(): bigint {
    const buf = this.#buf;
    const start = this.#at;
    let i = start;
    const negative = buf[i] === MINUS;
    if (negative) i++;
    const first = i;
    let value = 0;
    for (let c = buf[i]!; i < this.#stop && c >= ZERO && c <= NINE; c = buf[++i]!) value = value * 10 + (c - ZERO);
    this.#end(first, i);
    if (i - first <= 15) return BigInt(negative ? -value : value);
    return BigInt(buf.toString('latin1', start, i));
  }

  /** After a number at [first, i): a separator (',' or ';') or the end must follow; moves past it. */
  #end(first: number, i: number): void {
    const next = this.#buf[i];
    if (i === first || (i < this.#stop && next !== 0x2c && next !== 0x3b)) {
      throw new Error(`packed history: malformed at byte ${first}: ${JSON.stringify(this.#buf.toString('utf8', first, Math.min(first + 20, this.#stop)))}`);
    }
    this.#at = i + 1;
  }
}
