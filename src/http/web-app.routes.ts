/**
 * The browser app (web/, built into web/dist): public static files under /app/, index.html for every
 * client route under /app/ (the app's router takes over in the browser), and `/` → /app/. Everything
 * else stays the API's: an unknown path outside /app/ is still a problem+json 404. The files are
 * public; the data comes only from authenticated API calls.
 */
import { existsSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { sendProblem } from './problem.ts';

export const APP_PREFIX = '/app';
/** Built assets carry a content hash in their names: cache them for a year; index.html never. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

export function webAppRoutes(options: { distDir: string }): FastifyPluginAsync {
  const { distDir } = options;
  return async (app) => {
    await app.register(fastifyStatic, { root: distDir, serve: false, decorateReply: true, wildcard: false, index: false });
    const publicRoute = { config: { access: { public: true as const } }, schema: { hide: true } };

    const unavailable = (reply: FastifyReply) => sendProblem(reply.header('retry-after', '30'), {
      code: 'service_unavailable', title: 'The web app is not built',
      detail: 'web/dist is missing: `npm start` builds it (RECOURSE_WEB_APP=build), or run `npm run build:web`',
    });
    const sendIndex = (reply: FastifyReply) => {
      if (!existsSync(join(distDir, 'index.html'))) return unavailable(reply);
      return reply.header('cache-control', 'no-cache').sendFile('index.html', distDir, { cacheControl: false });
    };

    app.get('/', publicRoute, async (_request, reply) => reply.redirect(`${APP_PREFIX}/`, 302));
    app.get(APP_PREFIX, publicRoute, async (_request, reply) => reply.redirect(`${APP_PREFIX}/`, 301));
    app.get(`${APP_PREFIX}/*`, {
      ...publicRoute,
      // The app's own routes carry their state in the query string (filters, cursors): any is accepted here.
      schema: { hide: true, querystring: z.record(z.string(), z.union([z.string(), z.array(z.string())])) },
    }, async (request, reply) => {
      const path = (request.params as { '*': string })['*'];
      const file = normalize(path);
      const isAsset = path.startsWith('assets/');
      if (path !== '' && !file.startsWith('..') && !file.split(sep).includes('..') && !file.startsWith(sep)) {
        const full = join(distDir, file);
        if (full.startsWith(distDir + sep) && existsSync(full) && statSync(full).isFile() && file !== 'index.html') {
          return reply.header('cache-control', isAsset ? IMMUTABLE : 'no-cache').sendFile(file, distDir, { cacheControl: false });
        }
      }
      // A missing asset is a 404 (not the page: a stale chunk must fail as a chunk, not parse HTML as code).
      if (isAsset || /\.(js|css|map|png|svg|ico|woff2?|json)$/.test(path)) {
        if (!existsSync(join(distDir, 'index.html'))) return unavailable(reply);
        return sendProblem(reply, { code: 'not_found', title: 'Not found', detail: `no file ${APP_PREFIX}/${path.slice(0, 200)}` });
      }
      return sendIndex(reply);
    });
  };
}
