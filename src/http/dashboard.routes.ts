/**
 * The dashboards' portfolio-wide reports (issue 8): bucket distribution over time, run-over-run roll
 * rates, recovery curves by vintage, promises kept, contact and right-party-contact rates, amount
 * collected per channel and contact cost, compliance blocks per rule, collector and agency leaderboards.
 * Aggregates over every account (no account ids, no personal data): `reports:read`. Validate → one
 * repository call → respond.
 */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply } from 'fastify';
import { formatPlainDate, parsePlainDate } from '../kernel/dates.ts';
import { todayIn } from '../kernel/clock.ts';
import { currencyMinorDigits } from '../kernel/money.ts';
import type { Runtime } from '../runtime.ts';
import { bucketNames, loadDefaultAgingPolicy } from '../modules/delinquency/index.ts';
import { strategyInEffect } from '../modules/strategy/index.ts';
import { loadCycleDeps, type CycleDeps } from '../workflows/daily-cycle.workflow.ts';
import {
  bucketHistory, collectionsReport, complianceBlockReport, contactReport, leaderboard, promiseReport, recoveryCurves, runRollRates,
} from '../workflows/dashboard-reports.repository.ts';
import { problemResponses, sendProblem } from './problem.ts';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD').refine((s) => parsePlainDate(s) !== null, 'is not a real date');
const money = z.record(z.string(), z.string()).describe('per currency, exact decimal strings');
const period = { from: date.describe('first business date'), to: date.describe('last business date (inclusive)') };
const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code').refine((c) => currencyMinorDigits(c) !== null, 'is not a known currency');
const access = { access: { permission: 'reports:read' } } as const;
const PERIOD_DAYS_MAX = 731;

/** from ≤ to and at most two years apart, else a 400 naming querystring.from. */
function badPeriod(reply: FastifyReply, q: { from: string; to: string }): boolean {
  const from = parsePlainDate(q.from)!;
  const to = parsePlainDate(q.to)!;
  const message = from > to ? `from (${q.from}) is after to (${q.to})` : to - from >= PERIOD_DAYS_MAX ? `the period is longer than ${PERIOD_DAYS_MAX} days` : null;
  if (message === null) return false;
  void sendProblem(reply, { code: 'invalid_request', title: 'The request is invalid', detail: message, errors: [{ field: 'querystring.from', message }] });
  return true;
}

export function dashboardRoutes(rt: Runtime): FastifyPluginAsyncZod {
  let deps: Promise<CycleDeps> | null = null;
  const cycleDeps = () => (deps ??= loadCycleDeps(rt).then((r) => {
    if (!r.ok) throw new Error(r.message);
    return r.value;
  }));
  const buckets = async () => bucketNames((await loadDefaultAgingPolicy()).buckets);
  const tz = rt.config.timeZone;

  return async (app) => {
    app.get('/reports/bucket-history', {
      config: access,
      schema: {
        tags: ['reports'], summary: 'Bucket distribution over time: accounts and balance per bucket at each aging run (the latest runs first, paged back in time; oldest first within a page)',
        querystring: z.strictObject({
          from: date.optional(), to: date.optional(), before: date.optional().describe('the nextBefore of the previous page'),
          limit: z.coerce.number().int().min(1).max(400).default(120),
        }),
        response: {
          200: z.object({
            buckets: z.array(z.string()),
            runs: z.array(z.object({ asOf: z.string(), accounts: z.number().int(), buckets: z.array(z.object({ bucket: z.string(), accounts: z.number().int(), balance: money })) })),
            nextBefore: z.string().nullable(),
          }),
          ...problemResponses(400, 401, 403, 429, 500),
        },
      },
    }, async (request) => {
      const q = request.query;
      return bucketHistory(rt.pool, { from: q.from ?? null, to: q.to ?? null, before: q.before ?? null, limit: q.limit }, await buckets());
    });

    app.get('/reports/run-roll-rates', {
      config: access,
      schema: {
        tags: ['reports'], summary: 'Roll-rate matrix (迁徙率) between one aging run and the run before it, from the moves the run recorded',
        querystring: z.strictObject({ to: date.optional().describe('the date of an aging run (default: the latest with a run before it)') }),
        response: {
          200: z.object({
            from: z.string().nullable(), to: z.string().nullable(), accounts: z.number().int(), buckets: z.array(z.string()),
            rows: z.array(z.object({ from: z.string(), accounts: z.number().int(), balance: money, cells: z.array(z.object({ to: z.string(), accounts: z.number().int(), balance: money, rate: z.number() })) })),
          }),
          ...problemResponses(400, 401, 403, 404, 429, 500),
        },
      },
    }, async (request, reply) => {
      const report = await runRollRates(rt.pool, request.query.to ?? null, await buckets());
      if (report) return report;
      if (request.query.to) return sendProblem(reply, { code: 'not_found', title: 'No such aging run', detail: `no aging run on ${request.query.to} with a run before it` });
      return { from: null, to: null, accounts: 0, buckets: await buckets(), rows: [] };
    });

    app.get('/reports/recovery-curves', {
      config: access,
      schema: {
        tags: ['reports'], summary: 'Recovery curves by delinquency vintage: share of the balance at entry paid back within 1…N months',
        querystring: z.strictObject({ ...period, currency: currency.default('CNY'), months: z.coerce.number().int().min(1).max(36).default(12) }),
        response: {
          200: z.object({
            currency: z.string(), months: z.number().int(),
            vintages: z.array(z.object({ vintage: z.string(), accounts: z.number().int(), balanceAtEntry: z.string(), points: z.array(z.object({ month: z.number().int(), recovered: z.string(), rate: z.number() })) })),
          }),
          ...problemResponses(400, 401, 403, 429, 500),
        },
      },
    }, async (request, reply) => {
      if (badPeriod(reply, request.query)) return reply;
      const q = request.query;
      return recoveryCurves(rt.pool, { from: q.from, to: q.to, currency: q.currency, months: q.months, today: formatPlainDate(todayIn(rt.clock, tz)) });
    });

    app.get('/reports/promises', {
      config: access,
      schema: {
        tags: ['reports'], summary: 'Promises to pay made in a period: by status, kept rate (kept / judged) overall and per week',
        querystring: z.strictObject(period),
        response: {
          200: z.object({
            from: z.string(), to: z.string(), made: z.number().int(), kept: z.number().int(), broken: z.number().int(), active: z.number().int(), cancelled: z.number().int(),
            keptRate: z.number(), promised: money, paid: money,
            weeks: z.array(z.object({ week: z.string(), made: z.number().int(), kept: z.number().int(), broken: z.number().int(), keptRate: z.number() })),
          }),
          ...problemResponses(400, 401, 403, 429, 500),
        },
      },
    }, async (request, reply) => (badPeriod(reply, request.query) ? reply : promiseReport(rt.pool, request.query.from, request.query.to)));

    const rates = { attempts: z.number().int(), connected: z.number().int(), rightParty: z.number().int(), contactRate: z.number(), rightPartyRate: z.number() };
    app.get('/reports/contacts', {
      config: access,
      schema: {
        tags: ['reports'], summary: 'Contact attempts in a period per channel: contact rate and right-party-contact rate (corrections applied)',
        querystring: z.strictObject(period),
        response: { 200: z.object({ from: z.string(), to: z.string(), channels: z.array(z.object({ channel: z.string(), ...rates })), total: z.object(rates) }), ...problemResponses(400, 401, 403, 429, 500) },
      },
    }, async (request, reply) => (badPeriod(reply, request.query) ? reply : contactReport(rt.pool, request.query.from, request.query.to, tz)));

    app.get('/reports/collections', {
      config: access,
      schema: {
        tags: ['reports'], summary: "Amount collected per payment channel, and the contacts made per channel at the strategy's channelCosts",
        querystring: z.strictObject(period),
        response: {
          200: z.object({
            from: z.string(), to: z.string(),
            collected: z.array(z.object({ channel: z.string(), payments: z.number().int(), amount: money })), collectedTotal: money,
            costCurrency: z.string().nullable(), strategy: z.object({ id: z.string(), version: z.number().int() }).nullable(),
            contacts: z.array(z.object({ channel: z.string(), contacts: z.number().int(), unitCost: z.string().nullable(), cost: z.string().nullable() })), costTotal: z.string().nullable(),
          }),
          ...problemResponses(400, 401, 403, 429, 500),
        },
      },
    }, async (request, reply) => {
      if (badPeriod(reply, request.query)) return reply;
      const active = await strategyInEffect(rt.pool, request.query.to, (await cycleDeps()).strategyContext);
      const strategy = active.ok ? active.value.strategy : null;
      const report = await collectionsReport(rt.pool, { from: request.query.from, to: request.query.to, timeZone: tz, costs: strategy?.costs ?? {}, costCurrency: strategy?.costCurrency ?? null });
      return { ...report, strategy: strategy ? { id: strategy.id, version: strategy.version } : null };
    });

    app.get('/reports/compliance-blocks', {
      config: access,
      schema: {
        tags: ['reports'], summary: "Compliance blocks per rule in a period: the daily cycle's dropped contacts and the gate's blocking or deferring verdicts",
        querystring: z.strictObject(period),
        response: {
          200: z.object({
            from: z.string(), to: z.string(),
            cycleDrops: z.array(z.object({ rule: z.string(), code: z.string(), reason: z.string(), count: z.number().int() })),
            gateVerdicts: z.array(z.object({ rule: z.string(), code: z.string(), decision: z.string(), count: z.number().int() })),
            totals: z.object({ cycleDrops: z.number().int(), gateVerdicts: z.number().int() }),
          }),
          ...problemResponses(400, 401, 403, 429, 500),
        },
      },
    }, async (request, reply) => (badPeriod(reply, request.query) ? reply : complianceBlockReport(rt.pool, request.query.from, request.query.to, tz)));

    app.get('/reports/leaderboard', {
      config: access,
      schema: {
        tags: ['reports'], summary: 'Collector or agency leaderboard: a blended score of kept rate, right-party rate, recovery and conduct (never recovery alone), paged',
        querystring: z.strictObject({
          ...period, kind: z.enum(['collector', 'agency']).default('collector'), currency: currency.default('CNY'),
          offset: z.coerce.number().int().min(0).max(100_000).default(0), limit: z.coerce.number().int().min(1).max(200).default(20),
        }),
        response: {
          200: z.object({
            kind: z.enum(['collector', 'agency']), from: z.string(), to: z.string(), currency: z.string(),
            weights: z.record(z.string(), z.number()), total: z.number().int(), offset: z.number().int(), limit: z.number().int(),
            entries: z.array(z.object({
              rank: z.number().int(), id: z.string(), score: z.number(), attempts: z.number().int(), rightParty: z.number().int(), rightPartyRate: z.number(),
              promisesJudged: z.number().int(), promisesKept: z.number().int(), keptRate: z.number(), recovered: z.string(), recoveryIndex: z.number(),
              complaints: z.number().int(), complianceBlocks: z.number().int(), incidentRate: z.number(),
            })),
          }),
          ...problemResponses(400, 401, 403, 429, 500),
        },
      },
    }, async (request, reply) => {
      if (badPeriod(reply, request.query)) return reply;
      const q = request.query;
      return leaderboard(rt.pool, { kind: q.kind, from: q.from, to: q.to, timeZone: tz, currency: q.currency, offset: q.offset, limit: q.limit });
    });
  };
}
