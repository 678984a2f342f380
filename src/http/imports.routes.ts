/**
 * POST /imports: the same import as `recourse import`, over HTTP. The body (NDJSON or CSV) is spooled
 * to a temporary file under a size limit, so the rejects' raw text can be read back, then imported.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { limits } from '../kernel/limits.ts';
import type { Runtime } from '../runtime.ts';
import { FEED_FORMATS, importFeed, readFeed, type FeedFormat, type FieldError } from '../modules/portfolio/index.ts';
import { sendProblem } from './problem.ts';

const FEED_TYPES = ['application/x-ndjson', 'application/jsonl', 'text/csv', 'application/json', 'text/plain', 'application/octet-stream'];

class BodyTooLarge extends Error {}

async function spool(body: Readable, file: string): Promise<void> {
  let bytes = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _e, done) {
      bytes += chunk.length;
      done(bytes > limits.importBodyBytesMax ? new BodyTooLarge() : null, chunk);
    },
  });
  await pipeline(body, limit, createWriteStream(file));
}

async function rejectsWithRaw(file: string, format: FeedFormat, rejects: Map<number, FieldError[]>) {
  const out: { line: number; errors: FieldError[]; raw: string }[] = [];
  if (rejects.size === 0) return out;
  for await (const l of readFeed(createReadStream(file), format)) {
    const errors = rejects.get(l.line);
    if (errors) out.push({ line: l.line, errors, raw: l.raw });
    if (out.length >= Math.min(rejects.size, limits.importErrorsReportedMax)) break;
  }
  return out;
}

export function importRoutes(rt: Runtime): FastifyPluginAsyncZod {
  return async (app) => {
    app.addContentTypeParser(FEED_TYPES, (_request, payload, done) => done(null, payload));
    app.post('/imports', {
      bodyLimit: limits.importBodyBytesMax,
      schema: {
        tags: ['imports'],
        summary: 'Import a bank feed (body: NDJSON or CSV; docs/feed-format.md); all or nothing unless skipInvalid',
        querystring: z.strictObject({
          format: z.enum(FEED_FORMATS as [FeedFormat, ...FeedFormat[]]).optional(),
          skipInvalid: z.enum(['true', 'false']).optional(),
        }),
      },
    }, async (request, reply) => {
      const contentType = String(request.headers['content-type'] ?? '');
      const format: FeedFormat = request.query.format ?? (contentType.startsWith('text/csv') ? 'csv' : 'ndjson');
      const dir = await mkdtemp(join(tmpdir(), 'recourse-import-'));
      const file = join(dir, 'feed');
      try {
        try {
          await spool(request.body as Readable, file);
        } catch (e) {
          if (e instanceof BodyTooLarge) return sendProblem(reply, { code: 'payload_too_large', title: 'The feed is too large', detail: `at most ${limits.importBodyBytesMax} bytes` });
          throw e;
        }
        const skipInvalid = request.query.skipInvalid === 'true';
        const outcome = await importFeed(rt.pool, createReadStream(file), { format, source: 'POST /imports', skipInvalid, cipher: rt.cipher, now: () => rt.clock.now() });
        if (!outcome.ok) {
          const errors = outcome.problems.slice(0, limits.importErrorsReportedMax);
          return sendProblem(reply, {
            code: 'invalid_feed', title: 'The feed has invalid lines; nothing was imported',
            detail: `${outcome.problems.length} errors`, errorCount: outcome.problems.length, errors,
          });
        }
        return reply.code(201).send({ ...outcome.summary, rejects: await rejectsWithRaw(file, format, outcome.rejects) });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  };
}
