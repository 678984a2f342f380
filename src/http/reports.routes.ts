/** GET /reports/buckets and GET /reports/roll-rates: the dashboard's server-side aggregates, over the caller's data scope. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { parsePlainDate } from '../kernel/dates.ts';
import type { Runtime } from '../runtime.ts';
import { loadDefaultAgingPolicy } from '../modules/delinquency/index.ts';
import { bucketReportAsOf, latestBucketReport, scopedRollRateReport } from '../workflows/portfolio-reports.workflow.ts';
import { principalOf } from './access.ts';
import { problemResponses, sendProblem } from './problem.ts';

const plainDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD').refine((s) => parsePlainDate(s) !== null, 'is not a real date');
const money = z.record(z.string(), z.string()).describe('balance per currency, exact decimal strings');

const bucketReport = z.object({
  asOf: z.string().nullable().describe('the date of the numbers: the last aging run (null before the first) or the asOf asked for'),
  source: z.enum(['aging_run', 'computed']).describe('aging_run: stored results of the last aging run; computed: aged for asOf now'),
  accounts: z.number().int(),
  buckets: z.array(z.object({ bucket: z.string(), accounts: z.number().int(), balance: money })),
});

const rollRateReport = z.object({
  from: z.string(), to: z.string(), accounts: z.number().int(), buckets: z.array(z.string()),
  rows: z.array(z.object({
    from: z.string(), accounts: z.number().int(), balance: money,
    cells: z.array(z.object({ to: z.string(), accounts: z.number().int(), balance: money, rate: z.number().describe('share of the row\'s accounts, 4 decimals') })),
  })),
});

export function reportRoutes(rt: Runtime): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/reports/buckets', {
      config: { access: { permission: 'accounts:read' } },
      schema: {
        tags: ['reports'],
        summary: 'Accounts and balance per bucket in your data scope: the last aging run, or aged for asOf',
        querystring: z.strictObject({ asOf: plainDate.optional().describe('a business date to age for (default: the stored results of the last aging run)') }),
        response: { 200: bucketReport, ...problemResponses(400, 401, 403, 429, 500) },
      },
    }, async (request) => {
      const policy = await loadDefaultAgingPolicy();
      const scope = principalOf(request).scope;
      return request.query.asOf
        ? bucketReportAsOf(rt.pool, parsePlainDate(request.query.asOf)!, policy, scope)
        : latestBucketReport(rt.pool, policy, scope);
    });

    app.get('/reports/roll-rates', {
      config: { access: { permission: 'accounts:read' } },
      schema: {
        tags: ['reports'],
        summary: 'Roll-rate matrix (迁徙率) of the accounts in your data scope from one date to a later one',
        querystring: z.strictObject({ from: plainDate.describe('start date'), to: plainDate.describe('end date, after from') }),
        response: { 200: rollRateReport, ...problemResponses(400, 401, 403, 429, 500) },
      },
    }, async (request, reply) => {
      const from = parsePlainDate(request.query.from)!;
      const to = parsePlainDate(request.query.to)!;
      if (from >= to) {
        const message = `from (${request.query.from}) must be before to (${request.query.to})`;
        return sendProblem(reply, { code: 'invalid_request', title: 'The request is invalid', detail: message, errors: [{ field: 'querystring.from', message }] });
      }
      return scopedRollRateReport(rt.pool, from, to, await loadDefaultAgingPolicy(), principalOf(request).scope);
    });
  };
}
