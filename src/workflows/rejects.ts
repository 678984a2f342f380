/** The rejects file of `import --skip-invalid`: one NDJSON line per rejected input line. */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { readFeed, type FeedFormat, type FieldError } from '../modules/portfolio/index.ts';

/** Reads the feed a second time to copy the raw text of each rejected line (memory grows only with rejects). */
export async function writeRejects(feedFile: string, format: FeedFormat, rejects: Map<number, FieldError[]>, outFile: string): Promise<void> {
  const out = createWriteStream(outFile);
  const pending = new Map(rejects);
  const put = async (line: number, raw: string, errors: FieldError[]) => {
    if (!out.write(JSON.stringify({ line, errors, raw }) + '\n')) await once(out, 'drain');
  };
  if (pending.size > 0) {
    for await (const l of readFeed(createReadStream(feedFile), format)) {
      const errors = pending.get(l.line);
      if (!errors) continue;
      pending.delete(l.line);
      await put(l.line, l.raw, errors);
      if (pending.size === 0) break;
    }
  }
  // Lines the reader never yields again (e.g. the CSV parser gave up) are still reported.
  for (const [line, errors] of [...pending.entries()].sort(([a], [b]) => a - b)) await put(line, '', errors);
  out.end();
  await finished(out);
}
