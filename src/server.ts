/**
 * The HTTP server: a composition root. `buildServer` wires routes to a Runtime (tests call it with
 * their own database); `serveUntilStopped` is `recourse serve` / `npm start`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { z } from 'zod';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Runtime } from './runtime.ts';
import type { CliIo } from './cli.ts';
import { errorHandler, problemResponses, sendProblem } from './http/problem.ts';
import { accountRoutes } from './http/accounts.routes.ts';
import { importRequestBody, importRoutes } from './http/imports.routes.ts';
import { identityRoutes } from './http/identity.routes.ts';
import { reportRoutes } from './http/reports.routes.ts';
import { dashboardRoutes } from './http/dashboard.routes.ts';
import { webAppRoutes } from './http/web-app.routes.ts';
import { WEB_DIST, ensureWebBuild, webBuildState } from './web-build.ts';
import { registerAccess } from './http/access.ts';
import { redactPii } from './modules/identity/index.ts';
import { bootstrapAccess } from './workflows/access-bootstrap.workflow.ts';
import { complianceRoutes } from './http/compliance.routes.ts';
import { registerCommunications } from './http/communications.routes.ts';
import { strategyRoutes } from './http/strategy.routes.ts';
import { loadPackSet } from './modules/compliance/index.ts';
import { loadDemoPortfolio, portfolioIsEmpty, seedDemoDesk } from './workflows/demo.workflow.ts';
import { todayIn } from './kernel/clock.ts';
import { worklistRoutes } from './http/worklist.routes.ts';
import { paymentRoutes } from './http/payments.routes.ts';
import { loadWorklistSettings } from './modules/worklist/index.ts';
import { loadPaymentsSettings } from './modules/payments/index.ts';
import { arrangementRoutes } from './http/arrangements.routes.ts';
import { loadAuthorityPolicy } from './modules/arrangements/index.ts';
import { startCycleScheduler, type CycleScheduler } from './workflows/daily-cycle.job.ts';

/** JSON request bodies (login, users, tokens, unmask, export) are small; POST /imports has its own limit. */
export const JSON_BODY_BYTES_MAX = 64 * 1024;

export interface ServerOptions {
  logger?: boolean;
  /** Where log lines go (default stdout); tests scan them for PII. */
  logStream?: { write(line: string): unknown };
  importBodyBytesMax?: number;
  /** The built web app served under /app/ (default web/dist; not served when the config says RECOURSE_WEB_APP=off). */
  webDistDir?: string;
}

export async function buildServer(rt: Runtime, options: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger || options.logStream ? {
      level: rt.config.logLevel,
      ...(options.logStream ? { stream: options.logStream } : {}),
      // ISO times (an epoch-millisecond number would look like a long digit run to the redactor).
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]', '*.password', '*.totp'], censor: '[redacted]' },
      // The last line of defence: no log line leaves the process with a national id or phone number in it.
      hooks: { streamWrite: redactPii },
    } : false,
    bodyLimit: JSON_BODY_BYTES_MAX,
    // Errors of the router itself (a malformed or over-long URL) are problems like any other.
    frameworkErrors: (error, _request, reply) => {
      const tooLong = (error as { code?: string }).code === 'FST_ERR_MAX_PARAM_LENGTH';
      return sendProblem(reply, tooLong
        ? { code: 'uri_too_long', title: 'A path segment is too long', detail: 'path parameters have at most 512 characters' }
        : { code: 'invalid_request', title: 'The request is invalid', detail: 'the URL is malformed' });
    },
    routerOptions: { maxParamLength: 512 },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => sendProblem(reply, { code: 'not_found', title: 'Not found', detail: `no route ${request.method} ${redactPii(request.url.split('?')[0]!.slice(0, 200))}` }));
  await app.register(helmet, {
    // The API explorer (/docs) loads its own scripts and styles from this origin only.
    // (No upgrade-insecure-requests: the server speaks plain HTTP on localhost; TLS ends at the proxy.)
    contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], imgSrc: ["'self'", 'data:'], styleSrc: ["'self'", "'unsafe-inline'"], scriptSrc: ["'self'"], frameAncestors: ["'none'"], upgradeInsecureRequests: null } },
  });
  await registerAccess(app, rt);
  // Strict input everywhere: a route that declares no query string (or, for POST/PUT, no body) accepts
  // none, so an unknown parameter is a 400 naming it rather than silently ignored.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) return;
    route.schema ??= {};
    route.schema.querystring ??= z.strictObject({});
    // The OpenAPI document shows public routes without a lock.
    if (route.config?.access && 'public' in route.config.access) (route.schema as { security?: unknown[] }).security ??= [];
    const method = [route.method].flat()[0];
    if (method !== 'GET' && method !== 'HEAD' && route.url !== '/imports') route.schema.body ??= z.strictObject({}).nullish();
  });
  await app.register(rateLimit, {
    global: true,
    max: rt.config.rateLimitPerMinute,
    timeWindow: 60_000,
    // After authentication (an app-level onRequest hook): per user or API token, per IP when anonymous.
    keyGenerator: (request) => (request.principal ? `${request.principal.kind}:${request.principal.id}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) => ({ statusCode: 429, code: 'rate_limited', message: `rate limit exceeded, retry in ${context.after}` }),
  });
  // And per IP address, whoever is logged in (many accounts from one address are one client).
  const perIp = app.createRateLimit({ max: rt.config.ipRateLimitPerMinute, timeWindow: 60_000, keyGenerator: (request) => `address:${request.ip}` });
  app.addHook('onRequest', async (request, reply) => {
    if (!request.routeOptions.url) return;
    const limit = await perIp(request);
    if (!limit.isAllowed && limit.isExceeded) {
      return sendProblem(reply.header('retry-after', String(limit.ttlInSeconds)), { code: 'rate_limited', title: 'Too many requests', detail: 'too many requests from this address: retry after the time in Retry-After' });
    }
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Recourse API', description: 'Collections management for credit-card delinquency', version: '0.1.0' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'recourse_session', description: 'POST /auth/login; unsafe methods also need the x-csrf-token header' },
          token: { type: 'http', scheme: 'bearer', description: 'an API token rct_<id>_<secret>' },
        },
      },
      security: [{ session: [] }, { token: [] }],
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
  app.get('/openapi.json', { config: { access: { public: true } }, schema: { hide: true } }, async () => app.swagger());
  app.get('/health', {
    config: { access: { public: true } },
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
  await app.register(identityRoutes(rt, { loginRateLimitPerMinute: rt.config.loginRateLimitPerMinute }));
  await app.register(accountRoutes(rt));
  await app.register(importRoutes(rt, options.importBodyBytesMax === undefined ? {} : { bodyBytesMax: options.importBodyBytesMax }));
  const packs = await loadPackSet({ overrideFiles: rt.config.complianceOverrides });
  if (!packs.ok) throw new Error(`compliance packs: ${packs.message}`);
  await app.register(complianceRoutes(rt, packs.value));
  const paymentsSettings = await loadPaymentsSettings();
  const worklistSettings = await loadWorklistSettings();
  await app.register(worklistRoutes(rt, packs.value, worklistSettings, paymentsSettings));
  await app.register(paymentRoutes(rt, paymentsSettings));
  await app.register(arrangementRoutes(rt, { packs: packs.value, worklist: worklistSettings, payments: paymentsSettings, authority: await loadAuthorityPolicy(), termMonthsMaxSetting: null }));
  await app.register(reportRoutes(rt));
  await app.register(dashboardRoutes(rt));
  if (rt.config.webApp !== 'off') await app.register(webAppRoutes({ distDir: options.webDistDir ?? WEB_DIST }));
  await registerCommunications(app, rt);
  await app.register(strategyRoutes(rt));
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
    // The browser app first: a broken build stops the start before any data is touched.
    if (rt.config.webApp === 'build') {
      try {
        await ensureWebBuild({ log: (m) => void io.stderr.write(`${m}\n`) });
      } catch (e) {
        throw new Error(`the web app did not build (set RECOURSE_WEB_APP=off to serve the API alone): ${(e as Error).message}`);
      }
    } else if (rt.config.webApp === 'serve' && webBuildState() === 'missing') {
      io.stderr.write('warning: web/dist is missing (RECOURSE_WEB_APP=serve): /app/ answers 503 until it is built\n');
    }
    if (stopping) return;
    let demoLoaded = false;
    if (rt.config.demoAccounts > 0 && (await portfolioIsEmpty(rt))) {
      io.stderr.write(`empty database: loading a demo portfolio of ${rt.config.demoAccounts} accounts…\n`);
      await loadDemoPortfolio(rt, { accounts: rt.config.demoAccounts, seed: rt.config.demoSeed, asOf: todayIn(rt.clock, rt.config.timeZone) });
      demoLoaded = true;
    }
    // First start: the admin, and a demo user per role only when the demo portfolio was just loaded
    // (never demo logins or demo assignments over a bank's real portfolio); credentials printed once.
    await bootstrapAccess(rt, io, { demoUsers: demoLoaded });
    if (demoLoaded) {
      const desk = await seedDemoDesk(rt, { perTeam: 10 });
      io.stderr.write(`  demo call list: ${desk.workItems} agent-call work items for the demo teams' delinquent accounts.\n`);
    }
    if (stopping) return;
    const app = await buildServer(rt, { logger: true });
    let scheduler: CycleScheduler | null = null;
    try {
      await app.listen({ port: options.port, host: options.host });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      io.stderr.write(`Recourse is listening on http://${options.host === '0.0.0.0' ? 'localhost' : options.host}:${port} (web app: /app/, API docs: /docs)\n`);
      // The daily cycle at RECOURSE_CYCLE_SCHEDULE (local time), catching up on start when the time has passed.
      if (rt.config.cycleSchedule) scheduler = startCycleScheduler(rt, { at: rt.config.cycleSchedule, log: (line) => void io.stderr.write(`${line}\n`) });
      await stopped;
    } finally {
      await scheduler?.stop();
      await app.close();
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
