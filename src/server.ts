/**
 * The HTTP server: a composition root. `buildServer` wires routes to a Runtime (tests call it with
 * their own database); `serveUntilStopped` is `recourse serve` / `npm start`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { z } from 'zod';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Runtime } from './runtime.ts';
import type { CliIo } from './cli.ts';
import { errorHandler, problemResponses, sendProblem } from './http/problem.ts';
import { accountRoutes } from './http/accounts.routes.ts';
import { importRequestBody, importRoutes } from './http/imports.routes.ts';
import { complianceRoutes } from './http/compliance.routes.ts';
import { loadPackSet } from './modules/compliance/index.ts';
import { loadDemoPortfolio, portfolioIsEmpty } from './workflows/demo.workflow.ts';
import { todayIn } from './kernel/clock.ts';

export async function buildServer(rt: Runtime, options: { logger?: boolean; importBodyBytesMax?: number } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ? { level: rt.config.logLevel } : false,
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => sendProblem(reply, { code: 'not_found', title: 'Not found', detail: `no route ${request.method} ${request.url.split('?')[0]}` }));
  await app.register(swagger, {
    openapi: {
      info: { title: 'Recourse API', description: 'Collections management for credit-card delinquency', version: '0.1.0' },
    },
    transform: jsonSchemaTransform,
    // POST /imports streams its body (no schema validates it), so its request body is described here.
    transformObject: (documentObject) => {
      const document = jsonSchemaTransformObject(documentObject) as { paths?: Record<string, Record<string, Record<string, unknown>>> };
      const post = document.paths?.['/imports']?.['post'];
      if (post) post['requestBody'] = importRequestBody;
      return document as ReturnType<typeof jsonSchemaTransformObject>;
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/health', {
    schema: {
      tags: ['operations'], summary: 'Liveness and database reachability',
      response: { 200: z.object({ status: z.literal('ok'), database: z.literal('ok') }), ...problemResponses(503) },
    },
  }, async (request, reply) => {
    try {
      await rt.pool.query('select 1');
    } catch (e) {
      request.log.error({ err: e }, 'health check: the database does not answer');
      return sendProblem(reply, { code: 'service_unavailable', title: 'The database does not answer', detail: `reference ${request.id}` });
    }
    return { status: 'ok' as const, database: 'ok' as const };
  });
  await app.register(accountRoutes(rt));
  await app.register(importRoutes(rt, options.importBodyBytesMax === undefined ? {} : { bodyBytesMax: options.importBodyBytesMax }));
  const packs = await loadPackSet({ overrideFiles: rt.config.complianceOverrides });
  if (!packs.ok) throw new Error(`compliance packs: ${packs.message}`);
  await app.register(complianceRoutes(rt, packs.value));
  return app;
}

/**
 * `recourse serve`: loads the demo portfolio into an empty database, listens, and returns once SIGINT or
 * SIGTERM has closed the server (in-flight requests finish; the caller then closes the runtime). A
 * signal during the demo load stops before listening.
 */
export async function serveUntilStopped(rt: Runtime, options: { port: number; host: string }, io: CliIo): Promise<void> {
  let stopRequested!: () => void;
  const stopped = new Promise<void>((resolve) => (stopRequested = resolve));
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (!stopping) io.stderr.write(`${signal}: stopping…\n`);
    stopping = true;
    stopRequested();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    if (rt.config.demoAccounts > 0 && (await portfolioIsEmpty(rt))) {
      io.stderr.write(`empty database: loading a demo portfolio of ${rt.config.demoAccounts} accounts…\n`);
      await loadDemoPortfolio(rt, { accounts: rt.config.demoAccounts, seed: rt.config.demoSeed, asOf: todayIn(rt.clock, rt.config.timeZone) });
    }
    if (stopping) return;
    const app = await buildServer(rt, { logger: true });
    try {
      await app.listen({ port: options.port, host: options.host });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      io.stderr.write(`Recourse is listening on http://${options.host === '0.0.0.0' ? 'localhost' : options.host}:${port} (API docs: /docs)\n`);
      await stopped;
    } finally {
      await app.close();
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
