/**
 * The HTTP server: a composition root. `buildServer` wires routes to a Runtime (tests call it with
 * their own database); `serveUntilStopped` is `recourse serve` / `npm start`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { z } from 'zod';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Runtime } from './runtime.ts';
import type { CliIo } from './cli.ts';
import { errorHandler, sendProblem } from './http/problem.ts';
import { accountRoutes } from './http/accounts.routes.ts';
import { importRoutes } from './http/imports.routes.ts';
import { loadDemoPortfolio, portfolioIsEmpty } from './workflows/demo.workflow.ts';
import { todayIn } from './kernel/clock.ts';

export async function buildServer(rt: Runtime, options: { logger?: boolean } = {}): Promise<FastifyInstance> {
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
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/health', {
    schema: { tags: ['operations'], summary: 'Liveness and database reachability', response: { 200: z.object({ status: z.literal('ok'), database: z.literal('ok') }) } },
  }, async () => {
    await rt.pool.query('select 1');
    return { status: 'ok' as const, database: 'ok' as const };
  });
  await app.register(accountRoutes(rt));
  await app.register(importRoutes(rt));
  return app;
}

export async function serveUntilStopped(rt: Runtime, options: { port: number; host: string }, io: CliIo): Promise<void> {
  if (rt.config.demoAccounts > 0 && (await portfolioIsEmpty(rt))) {
    io.stderr.write(`empty database: loading a demo portfolio of ${rt.config.demoAccounts} accounts…\n`);
    await loadDemoPortfolio(rt, { accounts: rt.config.demoAccounts, seed: rt.config.demoSeed, asOf: todayIn(rt.clock, rt.config.timeZone) });
  }
  const app = await buildServer(rt, { logger: true });
  await app.listen({ port: options.port, host: options.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  io.stderr.write(`Recourse is listening on http://${options.host === '0.0.0.0' ? 'localhost' : options.host}:${port} (API docs: /docs)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await app.close();
}
