/**
 * POST /imports: the same import as `recourse import`, over HTTP. The body (NDJSON or CSV) is spooled
 * to a temporary file under a size limit, so the rejects' raw text can be read back, then imported.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { limits } from '../kernel/limits.ts';
import type { Runtime } from '../runtime.ts';
import { FEED_FORMATS, importFeed, readFeed, type FeedFormat, type FieldError } from '../modules/portfolio/index.ts';
import { can, redactPii } from '../modules/identity/index.ts';
import { principalOf } from './access.ts';
import { problemResponses, sendProblem } from './problem.ts';

const FEED_TYPES = ['application/x-ndjson', 'application/jsonl', 'text/csv', 'application/json', 'text/plain', 'application/octet-stream'];

/** The request body as the OpenAPI document describes it (the body is streamed, so no schema validates it). */
export const importRequestBody = {
  required: true,
  description: 'The feed (docs/feed-format.md): NDJSON, one record per line, or CSV with a header row',
  content: Object.fromEntries(FEED_TYPES.map((t) => [t, { schema: { type: 'string' } }])),
};

const importSummary = z.object({
  importId: z.number().int(), source: z.string(), format: z.enum(FEED_FORMATS as [FeedFormat, ...FeedFormat[]]),
  lines: z.number().int(), records: z.number().int(), rejectedLines: z.number().int(),
  counts: z.record(z.string(), z.object({ inserted: z.number().int(), updated: z.number().int(), unchanged: z.number().int() })),
  durationMs: z.number(),
  rejects: z.array(z.object({ line: z.number().int(), errors: z.array(z.object({ field: z.string(), message: z.string() })), raw: z.string() }))
    .describe(`with skipInvalid=true: the rejected lines (at most ${limits.importErrorsReportedMax})`),
});

/**
 * Copies the body to `file`; false once it exceeds `maxBytes`, the rest of the body then being read and
 * discarded. Neither destroying the request nor leaving it paused works: either way a client still
 * uploading never sees the 413 (it waits forever, or its connection is reset).
 */
function spool(body: Readable, file: string, maxBytes: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(file);
    let bytes = 0;
    const stop = () => {
      body.off('data', onData).off('end', onEnd).off('error', onError);
      body.on('error', () => {}); // a client hanging up while the rest is discarded is no error of ours
      body.resume();
    };
    const onError = (e: Error) => {
      stop();
      out.destroy();
      reject(e);
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        stop();
        out.destroy();
        resolve(false);
      } else if (!out.write(chunk)) {
        body.pause();
        out.once('drain', () => bytes <= maxBytes && body.resume());
      }
    };
    const onEnd = () => out.end();
    out.once('error', onError);
    out.once('finish', () => resolve(true));
    body.on('data', onData).once('end', onEnd).once('error', onError);
  });
}

/** The rejected lines with their raw text, in line order, at most `limits.importErrorsReportedMax`. */
async function rejectsWithRaw(file: string, format: FeedFormat, rejects: Map<number, FieldError[]>) {
  const wanted = [...rejects.keys()].sort((a, b) => a - b).slice(0, limits.importErrorsReportedMax);
  const raw = new Map<number, string>();
  if (wanted.length > 0) {
    const last = wanted.at(-1)!;
    for await (const l of readFeed(createReadStream(file), format)) {
      if (rejects.has(l.line)) raw.set(l.line, l.raw);
      if (l.line >= last) break;
    }
  }
  // A line the reader never yields again (e.g. where the CSV parser gave up) is still reported.
  return wanted.map((line) => ({ line, errors: rejects.get(line)!, raw: raw.get(line) ?? '' }));
}

export function importRoutes(rt: Runtime, options: { bodyBytesMax?: number } = {}): FastifyPluginAsyncZod {
  const bodyBytesMax = options.bodyBytesMax ?? limits.importBodyBytesMax;
  return async (app) => {
    app.addContentTypeParser(FEED_TYPES, (_request, payload, done) => done(null, payload));
    app.post('/imports', {
      bodyLimit: bodyBytesMax,
      config: { access: { permission: 'imports:write' } },
      schema: {
        tags: ['imports'],
        summary: 'Import a bank feed (body: NDJSON or CSV; docs/feed-format.md); all or nothing unless skipInvalid',
        querystring: z.strictObject({
          format: z.enum(FEED_FORMATS as [FeedFormat, ...FeedFormat[]]).optional().describe('default: csv for a text/csv body, else ndjson'),
          skipInvalid: z.enum(['true', 'false']).optional().describe('import the valid lines and return the rejected ones'),
        }),
        response: { 201: importSummary, ...problemResponses(400, 401, 403, 413, 415, 422, 429, 500) },
      },
    }, async (request, reply) => {
      // No Content-Type and no body: Fastify calls no parser at all.
      if (request.body === undefined || request.body === null) {
        return sendProblem(reply, { code: 'unsupported_media_type', title: 'Unsupported content type', detail: 'send the feed as application/x-ndjson or text/csv' });
      }
      const contentType = String(request.headers['content-type'] ?? '').trim().toLowerCase();
      const format: FeedFormat = request.query.format ?? (contentType.startsWith('text/csv') ? 'csv' : 'ndjson');
      const dir = await mkdtemp(join(tmpdir(), 'recourse-import-'));
      const file = join(dir, 'feed');
      try {
        if (!(await spool(request.body as Readable, file, bodyBytesMax))) {
          return sendProblem(reply, { code: 'payload_too_large', title: 'The feed is too large', detail: `at most ${bodyBytesMax} bytes` });
        }
        const skipInvalid = request.query.skipInvalid === 'true';
        // Errors and rejected lines quote the feed; a caller without pii:unmask gets them with PII masked.
        const shown = can(principalOf(request), 'pii:unmask') ? (text: string) => text : redactPii;
        const outcome = await importFeed(rt.pool, createReadStream(file), { format, source: 'POST /imports', skipInvalid, cipher: rt.cipher, now: () => rt.clock.now() });
        if (!outcome.ok) {
          const errors = outcome.problems.slice(0, limits.importErrorsReportedMax).map((p) => ({ ...p, message: shown(p.message) }));
          return sendProblem(reply, {
            code: 'invalid_feed', title: 'The feed has invalid lines; nothing was imported',
            detail: `${outcome.problems.length} ${outcome.problems.length === 1 ? 'error' : 'errors'}`, errorCount: outcome.problems.length, errors,
          });
        }
        const rejects = (await rejectsWithRaw(file, format, outcome.rejects)).map((r) => ({ ...r, raw: shown(r.raw), errors: r.errors.map((e) => ({ ...e, message: shown(e.message) })) }));
        return reply.code(201).send({ ...outcome.summary, rejects });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  };
}
