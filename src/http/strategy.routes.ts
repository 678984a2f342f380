/**
 * Strategies over HTTP: list, get, validate and publish versions, explain an account's decision, the
 * champion/challenger report, and the daily cycle's run summaries. Validate → call the strategy module
 * or a workflow → respond; each route declares its permission, and explanations follow the caller's
 * data scope (an account outside it answers 404 like a missing one).
 */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { formatPlainDate, parsePlainDate } from '../kernel/dates.ts';
import { todayIn } from '../kernel/clock.ts';
import type { Runtime } from '../runtime.ts';
import { getStrategy, listStrategies, parseStrategyText, publishStrategy, strategyInEffect, validateStrategyDocument, type StrategyIssue } from '../modules/strategy/index.ts';
import { loadCycleDeps, type CycleDeps } from '../workflows/daily-cycle.workflow.ts';
import { explainAccount } from '../workflows/strategy-explain.workflow.ts';
import { strategyReport } from '../workflows/strategy-report.workflow.ts';
import { listRuns } from '../workflows/cycle-runs.repository.ts';
import { principalOf } from './access.ts';
import { problemResponses, sendProblem } from './problem.ts';

/** Strategy documents are larger than the 64 KiB default JSON body. */
const STRATEGY_BODY_BYTES_MAX = 1024 * 1024;
const date = z.string().refine((t) => parsePlainDate(t) !== null, 'must be a valid date "YYYY-MM-DD"');
const documentBody = z.strictObject({ document: z.unknown().describe('the strategy document (docs/strategy.md)') });
/** Validation takes the document, or its JSON/YAML text (an editor's): then every issue names its line too. */
const validateBody = z.union([
  documentBody,
  z.strictObject({ text: z.string().max(STRATEGY_BODY_BYTES_MAX).describe('the document as JSON or YAML text; issues then carry their line') }),
]);
const issue = z.object({ field: z.string(), code: z.string(), message: z.string(), line: z.number().int().nullable().describe('the line in `text` (null without text)') });
const toErrors = (issues: readonly StrategyIssue[]) => issues.map((i) => ({ field: i.path, code: i.code, message: i.message }));
const withLines = (issues: readonly StrategyIssue[]) => issues.map((i) => ({ field: i.path, code: i.code, message: i.message, line: i.line }));
const version = z.object({ strategyId: z.string(), version: z.number().int(), effectiveFrom: z.string(), digest: z.string(), publishedAt: z.string(), publishedBy: z.string() });

export function strategyRoutes(rt: Runtime): FastifyPluginAsyncZod {
  let deps: Promise<CycleDeps> | null = null;
  // Loaded on first use (policy files and the portfolio's currencies), then kept.
  const cycleDeps = () => (deps ??= loadCycleDeps(rt).then((r) => {
    if (!r.ok) throw new Error(r.message);
    return r.value;
  }));
  const today = () => formatPlainDate(todayIn(rt.clock, rt.config.timeZone));

  return async (app) => {
    app.get('/strategies', {
      config: { access: { permission: 'strategy:read' } },
      schema: {
        tags: ['strategy'], summary: 'Published strategy versions, and the one in effect today',
        response: { 200: z.object({ inEffect: z.object({ id: z.string(), version: z.number().int(), source: z.enum(['published', 'shipped']) }).nullable(), versions: z.array(version) }), ...problemResponses(500) },
      },
    }, async () => {
      const versions = await listStrategies(rt.pool);
      const active = await strategyInEffect(rt.pool, today(), (await cycleDeps()).strategyContext);
      return {
        inEffect: active.ok ? { id: active.value.strategy.id, version: active.value.strategy.version, source: active.value.source } : null,
        versions: versions.map((v) => ({ ...v, publishedAt: v.publishedAt.toISOString() })),
      };
    });

    app.get('/strategies/report', {
      config: { access: { permission: 'strategy:read' } },
      schema: {
        tags: ['strategy'], summary: 'Champion/challenger: per variant, accounts, cure rate, amount collected, contacts and cost, complaints, compliance blocks',
        querystring: z.strictObject({ from: date, to: date }),
        response: { 200: z.looseObject({ strategy: z.object({ id: z.string(), version: z.number().int() }), from: z.string(), to: z.string(), variants: z.array(z.looseObject({ variant: z.string(), accounts: z.number().int(), cureRate: z.number() })) }), ...problemResponses(400, 409, 500) },
      },
    }, async (request, reply) => {
      const from = parsePlainDate(request.query.from)!;
      const to = parsePlainDate(request.query.to)!;
      if (from > to) return sendProblem(reply, { code: 'invalid_request', title: 'Invalid period', detail: 'from is after to', errors: [{ field: 'querystring.from', message: 'after to' }] });
      const active = await strategyInEffect(rt.pool, request.query.to, (await cycleDeps()).strategyContext);
      if (!active.ok) return sendProblem(reply, { code: active.code === 'invalid_strategy' ? 'no_strategy_in_effect' : active.code, title: 'No strategy in effect', detail: active.message });
      const report = await strategyReport(rt.pool, active.value.strategy, from, to);
      return { ...report, variants: report.variants.map((v) => ({ ...v })) };
    });

    app.get('/strategies/:id', {
      config: { access: { permission: 'strategy:read' } },
      schema: {
        tags: ['strategy'], summary: 'A published strategy version (the latest, or ?version=N) with its document',
        params: z.strictObject({ id: z.string().max(64) }), querystring: z.strictObject({ version: z.coerce.number().int().min(1).optional() }),
        response: { 200: version.extend({ document: z.unknown() }), ...problemResponses(404, 500) },
      },
    }, async (request, reply) => {
      const found = await getStrategy(rt.pool, request.params.id, request.query.version ?? null);
      if (!found.ok) return sendProblem(reply, { code: found.code, title: 'Strategy not found', detail: found.message });
      return { ...found.value, publishedAt: found.value.publishedAt.toISOString() };
    });

    app.post('/strategies/validate', {
      config: { access: { permission: 'strategy:read' } },
      bodyLimit: STRATEGY_BODY_BYTES_MAX,
      schema: {
        tags: ['strategy'], summary: 'Validate a strategy document (shape, semantics, cross-policy) without publishing it',
        body: validateBody,
        response: { 200: z.object({ valid: z.boolean(), id: z.string().nullable(), version: z.number().int().nullable(), errors: z.array(issue) }), ...problemResponses(400, 500) },
      },
    }, async (request) => {
      const body = request.body;
      const source = 'text' in body ? parseStrategyText(body.text) : null;
      if (source && !source.ok) return { valid: false, id: null, version: null, errors: withLines(source.details as StrategyIssue[]) };
      const valid = source ? validateStrategyDocument(source.value.value, (await cycleDeps()).strategyContext, source.value)
        : validateStrategyDocument((body as { document: unknown }).document, (await cycleDeps()).strategyContext);
      return valid.ok ? { valid: true, id: valid.value.id, version: valid.value.version, errors: [] } : { valid: false, id: null, version: null, errors: withLines(valid.details as StrategyIssue[]) };
    });

    app.post('/strategies', {
      config: { access: { permission: 'strategy:publish' } },
      bodyLimit: STRATEGY_BODY_BYTES_MAX,
      schema: {
        tags: ['strategy'], summary: 'Publish a strategy document as a new version (validated first; an invalid one is never stored)',
        body: documentBody,
        response: { 201: z.object({ strategyId: z.string(), version: z.number().int(), digest: z.string(), replayed: z.boolean() }), ...problemResponses(400, 409, 422, 500) },
      },
    }, async (request, reply) => {
      const r = await publishStrategy(rt.pool, request.body.document, (await cycleDeps()).strategyContext, principalOf(request).name);
      if (r.ok) return reply.code(201).send(r.value);
      if (r.code === 'invalid_strategy') return sendProblem(reply, { code: r.code, title: 'The strategy is not valid', detail: `${(r.details as StrategyIssue[]).length} problem(s); nothing was published`, errors: toErrors(r.details as StrategyIssue[]) });
      return sendProblem(reply, { code: r.code, title: 'Not published', detail: r.message });
    });

    app.get('/accounts/:id/strategy-explanation', {
      config: { access: { permission: 'strategy:read' } },
      schema: {
        tags: ['strategy'], summary: "Why the strategy decides what it does for this account on a date: facts, each condition's observed values, stage, treatments and compliance verdicts",
        description: 'The verdicts are real stored-state compliance checks, appended to the audit chain like every stored-state check.',
        params: z.strictObject({ id: z.string().max(64) }), querystring: z.strictObject({ asOf: date.optional() }),
        response: { 200: z.looseObject({ accountId: z.string(), asOf: z.string(), segment: z.string().nullable(), stage: z.string().nullable(), actions: z.array(z.looseObject({ treatment: z.string() })) }), ...problemResponses(404, 409, 500) },
      },
    }, async (request, reply) => {
      const asOf = parsePlainDate(request.query.asOf ?? today())!;
      const r = await explainAccount(await cycleDeps(), request.params.id, asOf, principalOf(request).scope);
      if (!r.ok) return sendProblem(reply, { code: r.code === 'invalid_strategy' ? 'no_strategy_in_effect' : r.code, title: r.code === 'account_not_found' ? 'Account not found' : 'No strategy in effect', detail: r.message });
      return JSON.parse(JSON.stringify(r.value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
    });

    app.get('/cycle/runs', {
      config: { access: { permission: 'strategy:read' } },
      schema: {
        tags: ['strategy'], summary: 'Daily cycle invocations (newest first) with their summaries: accounts per segment and stage, actions per channel, blocked and deferred per rule, actionsCreated',
        querystring: z.strictObject({ asOf: date.optional(), limit: z.coerce.number().int().min(1).max(200).default(20) }),
        response: {
          200: z.object({ runs: z.array(z.object({ runId: z.number().int(), asOf: z.string(), shard: z.string(), status: z.string(), strategy: z.string().nullable(), startedAt: z.string(), finishedAt: z.string().nullable(), error: z.string().nullable(), summary: z.unknown() })) }),
          ...problemResponses(400, 500),
        },
      },
    }, async (request) => ({ runs: await listRuns(rt.pool, { asOf: request.query.asOf, limit: request.query.limit }) }));
  };
}
