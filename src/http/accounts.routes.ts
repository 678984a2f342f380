/** GET /accounts and GET /accounts/:id: validate → read model → respond. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { parsePlainDate } from '../kernel/dates.ts';
import { todayIn } from '../kernel/clock.ts';
import { limits } from '../kernel/limits.ts';
import type { Runtime } from '../runtime.ts';
import { loadDefaultAgingPolicy } from '../modules/delinquency/index.ts';
import { listAccounts, showAccount } from '../workflows/account-view.workflow.ts';
import { sendProblem } from './problem.ts';

const plainDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD').refine((s) => parsePlainDate(s) !== null, 'is not a real date');

const listQuery = z.strictObject({
  bucket: z.string().max(16).optional(),
  dpdMin: z.coerce.number().int().min(0).max(100_000).optional(),
  dpdMax: z.coerce.number().int().min(0).max(100_000).optional(),
  limit: z.coerce.number().int().min(1).max(limits.pageSizeMax).default(limits.pageSizeDefault),
  cursor: z.string().max(300).optional(),
});

const accountListItem = z.object({
  id: z.string(), customerId: z.string(), bucket: z.string().nullable(), daysPastDue: z.number().nullable(),
  balance: z.string().nullable(), overdue: z.string().nullable(), currency: z.string(), agedAsOf: z.string().nullable(),
});

export function accountRoutes(rt: Runtime): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/accounts', {
      schema: {
        tags: ['accounts'],
        summary: 'Accounts with bucket and balance from the last aging run, in id order, cursor-paged',
        querystring: listQuery,
        response: { 200: z.object({ accounts: z.array(accountListItem), nextCursor: z.string().nullable() }) },
      },
    }, async (request, reply) => {
      const q = request.query;
      const result = await listAccounts(rt.pool, { bucket: q.bucket, daysPastDueMin: q.dpdMin, daysPastDueMax: q.dpdMax, limit: q.limit, cursor: q.cursor });
      if (!result.ok) return sendProblem(reply, { code: result.code, title: 'Invalid cursor', detail: result.message });
      return result.value;
    });

    app.get('/accounts/:id', {
      schema: {
        tags: ['accounts'],
        summary: 'One account: customer (PII masked), balances, statements, payments and aging as of a date',
        params: z.strictObject({ id: z.string().min(1).max(limits.idLengthMax) }),
        querystring: z.strictObject({ asOf: plainDate.optional() }),
      },
    }, async (request, reply) => {
      const asOf = request.query.asOf ? parsePlainDate(request.query.asOf)! : todayIn(rt.clock, rt.config.timeZone);
      const result = await showAccount(rt.pool, request.params.id, asOf, await loadDefaultAgingPolicy());
      if (!result.ok) return sendProblem(reply, { code: result.code, title: 'Account not found', detail: result.message });
      return result.value;
    });
  };
}
