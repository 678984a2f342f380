/** The rejects file of `import --skip-invalid`: one NDJSON line per rejected input line, in line order. */
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readFeed, type FeedFormat, type FieldError } from '../modules/portfolio/index.ts';

/**
 * Reads the feed a second time to copy the raw text of each rejected line (memory grows only with
 * rejects). Write errors (e.g. a missing directory) reject the returned promise; the feed file is
 * always closed.
 */
export async function writeRejects(feedFile: string, format: FeedFormat, rejects: Map<number, FieldError[]>, outFile: string): Promise<void> {
  await pipeline(Readable.from(rejectLines(feedFile, format, rejects)), createWriteStream(outFile));
}

const entry = (line: number, errors: FieldError[] | undefined, raw: string) => JSON.stringify({ line, errors: errors ?? [], raw }) + '\n';

async function* rejectLines(feedFile: string, format: FeedFormat, rejects: Map<number, FieldError[]>): AsyncGenerator<string> {
  const order = [...rejects.keys()].sort((a, b) => a - b);
  let next = 0;
  if (order.length > 0) {
    const input = createReadStream(feedFile);
    try {
      for await (const l of readFeed(input, format)) {
        // Lines the reader does not yield again (should not happen) keep their place, without raw text.
        for (; next < order.length && order[next]! < l.line; next++) yield entry(order[next]!, rejects.get(order[next]!), '');
        if (next < order.length && order[next] === l.line) yield entry(l.line, rejects.get(order[next++]!), l.raw);
        if (next === order.length) break;
      }
    } finally {
      input.destroy();
    }
  }
  for (; next < order.length; next++) yield entry(order[next]!, rejects.get(order[next]!), '');
}
