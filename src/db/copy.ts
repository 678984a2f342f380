/** Helpers for PostgreSQL COPY in text format (pg-copy-streams). */
import { once } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import copyStreams from 'pg-copy-streams';
import type pg from 'pg';

const SPECIAL = /[\\\t\n\r]/;

/** One COPY text field: NULL as \N, backslash, tab and line breaks escaped. */
export function copyField(value: string | number | bigint | boolean | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value !== 'string') return String(value);
  if (!SPECIAL.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

export function copyBytea(value: Buffer | null): string {
  return value === null ? '\\N' : '\\\\x' + value.toString('hex');
}

/**
 * A COPY FROM STDIN writer that batches rows and honours back-pressure. `write` awaits only when a
 * batch goes out; bulk loops that build their own lines use `push` (no promise per row) and await
 * `flush` when it answers true.
 */
export class CopyWriter {
  #buffer: string[] = [];
  #stream: Writable;
  rows = 0;

  private constructor(stream: Writable, private readonly batchRows: number) {
    this.#stream = stream;
  }

  static open(client: pg.ClientBase, sql: string, batchRows = 2_000): CopyWriter {
    return new CopyWriter(client.query(copyStreams.from(sql)), batchRows);
  }

  async write(fields: string[]): Promise<void> {
    if (this.push(fields.join('\t'))) await this.flush();
  }

  /** Adds one row already encoded as COPY text (fields joined by tabs, no line end); true: a batch is full, await `flush()`. */
  push(line: string): boolean {
    this.#buffer.push(line);
    this.rows++;
    return this.#buffer.length >= this.batchRows;
  }

  async flush(): Promise<void> {
    if (this.#buffer.length === 0) return;
    const chunk = this.#buffer.join('\n') + '\n';
    this.#buffer = [];
    if (!this.#stream.write(chunk)) await once(this.#stream, 'drain');
  }

  async end(): Promise<void> {
    await this.flush();
    this.#stream.end();
    await finished(this.#stream);
  }
}

/** Rows encoded as COPY text: complete lines (each ending in a line break), and how many. */
export interface CopyText { text: string; rows: number }

/** Rows (fields already joined by tabs) as one COPY text. */
export function copyTextOf(lines: readonly string[]): CopyText {
  return { text: lines.length ? lines.join('\n') + '\n' : '', rows: lines.length };
}

/** COPYs text already in COPY format (complete lines) in one stream. */
export async function copyText(client: pg.ClientBase, sql: string, text: string): Promise<void> {
  const stream = client.query(copyStreams.from(sql));
  const done = finished(stream);
  stream.end(text);
  await done;
}

const COPY_ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', b: '\b', f: '\f', v: '\v' };

/** Undoes COPY text escaping: \\ \t \n \r and \b \f \v (COPY TO never writes octal or hex escapes). */
export function unescapeCopy(text: string): string {
  return text.includes('\\') ? text.replace(/\\(.)/g, (_, c: string) => COPY_ESCAPES[c] ?? c) : text;
}

/**
 * Streams the rows of `copy (…) to stdout` as lines (fields still escaped; split on tabs). Leaving the
 * loop early leaves the COPY unfinished: the caller must then discard the client, not pool it.
 */
export async function* copyOutLines(client: pg.ClientBase, sql: string): AsyncGenerator<string> {
  for await (const lines of copyOutLineBatches(client, sql)) yield* lines;
}

/**
 * The same lines, as the server's chunks bring them (a few hundred per array): bulk readers loop over
 * each array without a promise per line.
 */
export async function* copyOutLineBatches(client: pg.ClientBase, sql: string): AsyncGenerator<string[]> {
  const stream = client.query(copyStreams.to(sql));
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const text = rest + decoder.write(chunk);
    const lines: string[] = [];
    let start = 0;
    // `rest` holds no line end, so the search resumes after it (a long row spanning chunks is not rescanned).
    for (let nl = text.indexOf('\n', rest.length); nl !== -1; nl = text.indexOf('\n', start)) {
      lines.push(text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
    if (lines.length) yield lines;
  }
}
