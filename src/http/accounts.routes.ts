/** GET /accounts and GET /accounts/:id: validate → read model → respond. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { parsePlainDate } from '../kernel/dates.ts';
import { todayIn } from '../kernel/clock.ts';
import { limits } from '../kernel/limits.ts';
import type { Runtime } from '../runtime.ts';
import { loadDefaultAgingPolicy } from '../modules/delinquency/index.ts';
import { listAccounts, showAccount } from '../workflows/account-view.workflow.ts';
import { problemResponses, sendProblem } from './problem.ts';

const plainDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD').refine((s) => parsePlainDate(s) !== null, 'is not a real date');

/** A whole number in a query string: digits only (no "", "1e3", "0x10", " 5", "2.0"). */
const wholeNumber = (min: number, max: number) =>
  z.string().regex(/^\d{1,9}$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(min).max(max));

const listQuery = z.strictObject({
  bucket: z.string().min(1).max(16).optional().describe('only accounts in this bucket (M0, M1, …, M7+)'),
  dpdMin: wholeNumber(0, 100_000).optional().describe('only accounts at least this many days past due (0–100000)'),
  dpdMax: wholeNumber(0, 100_000).optional().describe('only accounts at most this many days past due (0–100000)'),
  limit: wholeNumber(1, limits.pageSizeMax).optional().describe(`page size, 1–${limits.pageSizeMax} (default ${limits.pageSizeDefault})`),
  cursor: z.string().min(1).max(300).optional().describe('the nextCursor of the previous page'),
});

const accountListItem = z.object({
  id: z.string(), customerId: z.string(), bucket: z.string().nullable(), daysPastDue: z.number().int().nullable(),
  balance: z.string().nullable(), overdue: z.string().nullable(), currency: z.string(), agedAsOf: z.string().nullable(),
});

const money = z.string().nullable();
const party = { role: z.string(), verified: z.boolean(), source: z.string().nullable() };
const accountView = z.object({
  asOf: z.string(),
  customer: z.object({
    id: z.string(), name: z.string(), nationalId: z.string().nullable().describe('masked: only the last 4 characters'),
    phones: z.array(z.object({ number: z.string().describe('masked, e.g. 138****5678'), ...party })),
    emails: z.array(z.object({ address: z.string().describe('masked, e.g. z***@example.com'), ...party })),
    addresses: z.array(z.object({
      line: z.string().describe('masked: the first 6 characters'), city: z.string().optional(), region: z.string().optional(),
      postalCode: z.string().optional(), country: z.string().optional(), ...party,
    })),
    timeZone: z.string(), language: z.string(),
  }),
  account: z.object({ id: z.string(), currency: z.string(), creditLimit: money, openedOn: z.string(), status: z.string() }),
  balances: z.object({
    balance: money, overdue: money, lastStatementDate: z.string().nullable(), minimumDue: money, dueDate: z.string().nullable(), lastPaymentOn: z.string().nullable(),
  }),
  daysPastDue: z.number().int(),
  bucket: z.string(),
  lateCountCumulative: z.number().int(),
  lateCountConsecutive: z.number().int(),
  oldestUnpaidDueOn: z.string().nullable(),
  hostSnapshot: z.object({ cyclesDelinquent: z.number().int(), bucket: z.string(), amountDue: money, balance: money }).nullable(),
  statements: z.array(z.object({
    statementDate: z.string(), dueDate: z.string(), minimumDue: money, closingBalance: money, principal: money, interest: money, fees: money,
  })),
  payments: z.array(z.object({ id: z.string(), postedOn: z.string(), amount: money, channel: z.string().nullable() })),
});

export function accountRoutes(rt: Runtime): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/accounts', {
      schema: {
        tags: ['accounts'],
        summary: 'Accounts with bucket and balance from the last aging run, in id order, cursor-paged',
        querystring: listQuery,
        response: { 200: z.object({ accounts: z.array(accountListItem), nextCursor: z.string().nullable() }), ...problemResponses(400, 500) },
      },
    }, async (request, reply) => {
      const q = request.query;
      const result = await listAccounts(rt.pool, { bucket: q.bucket, daysPastDueMin: q.dpdMin, daysPastDueMax: q.dpdMax, limit: q.limit ?? limits.pageSizeDefault, cursor: q.cursor });
      if (!result.ok) {
        const field = `querystring.${(result.details as { field?: string } | undefined)?.field ?? 'cursor'}`;
        return sendProblem(reply, {
          code: result.code, title: result.code === 'invalid_cursor' ? 'Invalid cursor' : 'The request is invalid', detail: result.message,
          errors: [{ field, message: result.message }],
        });
      }
      return result.value;
    });

    app.get('/accounts/:id', {
      schema: {
        tags: ['accounts'],
        summary: 'One account: customer (PII masked), balances, statements, payments and aging as of a date',
        params: z.strictObject({ id: z.string().min(1).max(limits.idLengthMax) }),
        querystring: z.strictObject({ asOf: plainDate.optional().describe('business date (default: today in the bank\'s time zone)') }),
        response: { 200: accountView, ...problemResponses(400, 404, 500) },
      },
    }, async (request, reply) => {
      const asOf = request.query.asOf ? parsePlainDate(request.query.asOf)! : todayIn(rt.clock, rt.config.timeZone);
      const result = await showAccount(rt.pool, request.params.id, asOf, await loadDefaultAgingPolicy());
      if (!result.ok) return sendProblem(reply, { code: result.code, title: 'Account not found', detail: result.message });
      return result.value;
    });
  };
}
