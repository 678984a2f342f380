/** GET /accounts and GET /accounts/:id: validate → read model → respond. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { parsePlainDate } from '../kernel/dates.ts';
import { todayIn } from '../kernel/clock.ts';
import { limits } from '../kernel/limits.ts';
import type { Runtime } from '../runtime.ts';
import { loadDefaultAgingPolicy } from '../modules/delinquency/index.ts';
import { Readable } from 'node:stream';
import { accountVisible as showAccountVisible, listAccounts, showAccount } from '../workflows/account-view.workflow.ts';
import { exportAccounts, unmaskAccount } from '../workflows/pii-access.workflow.ts';
import { LEGAL_STAGES, REASON, assignAccount } from '../modules/identity/index.ts';
import { ipOf, principalOf } from './access.ts';
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
      config: { access: { permission: 'accounts:read' } },
      schema: {
        tags: ['accounts'],
        summary: 'Accounts with bucket and balance from the last aging run, in id order, cursor-paged',
        querystring: listQuery,
        response: { 200: z.object({ accounts: z.array(accountListItem), nextCursor: z.string().nullable() }), ...problemResponses(400, 401, 403, 429, 500) },
      },
    }, async (request, reply) => {
      const q = request.query;
      const result = await listAccounts(rt.pool, {
        bucket: q.bucket, daysPastDueMin: q.dpdMin, daysPastDueMax: q.dpdMax, limit: q.limit ?? limits.pageSizeDefault, cursor: q.cursor, scope: principalOf(request).scope,
      });
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
      config: { access: { permission: 'accounts:read' } },
      schema: {
        tags: ['accounts'],
        summary: 'One account: customer (PII masked), balances, statements, payments and aging as of a date',
        params: z.strictObject({ id: z.string().min(1).max(limits.idLengthMax) }),
        querystring: z.strictObject({ asOf: plainDate.optional().describe('business date (default: today in the bank\'s time zone)') }),
        response: { 200: accountView, ...problemResponses(400, 401, 403, 404, 429, 500) },
      },
    }, async (request, reply) => {
      const asOf = request.query.asOf ? parsePlainDate(request.query.asOf)! : todayIn(rt.clock, rt.config.timeZone);
      const result = await showAccount(rt.pool, request.params.id, asOf, await loadDefaultAgingPolicy(), principalOf(request).scope);
      if (!result.ok) return sendProblem(reply, { code: result.code, title: 'Account not found', detail: result.message });
      return result.value;
    });

    const reason = z.string().min(REASON.lengthMin).max(REASON.lengthMax).describe('why (written to the access audit with who and what)');
    app.post('/accounts/:id/unmask', {
      config: { access: { permission: 'pii:unmask' } },
      schema: {
        tags: ['accounts'],
        summary: 'The national id and phone numbers in clear, for a stated reason; audited',
        params: z.strictObject({ id: z.string().min(1).max(limits.idLengthMax) }),
        body: z.strictObject({ reason }),
        response: {
          200: z.object({
            accountId: z.string(), customerId: z.string(), nationalId: z.string().nullable(),
            phones: z.array(z.object({ position: z.number().int(), number: z.string(), role: z.string() })), auditId: z.string(),
          }),
          ...problemResponses(400, 401, 403, 404, 429, 500),
        },
      },
    }, async (request, reply) => {
      const result = await unmaskAccount(rt, principalOf(request), request.params.id, request.body.reason, ipOf(request));
      if (!result.ok) {
        const titles = { forbidden: 'Not allowed', reason_required: 'A reason is required', account_not_found: 'Account not found' } as const;
        return sendProblem(reply, { code: result.code, title: titles[result.code], detail: result.message });
      }
      reply.header('cache-control', 'no-store');
      return result.value;
    });

    app.post('/exports/accounts', {
      config: { access: { permission: 'accounts:export' } },
      schema: {
        tags: ['accounts'],
        summary: 'CSV of every account in your scope (PII masked unless unmask=true, which needs pii:unmask); audited',
        body: z.strictObject({
          reason,
          unmask: z.boolean().optional().describe('national ids and phones in clear (needs pii:unmask)'),
          bucket: z.string().min(1).max(16).optional().describe('only accounts in this bucket'),
        }),
        response: { 200: z.string().describe('text/csv'), ...problemResponses(400, 401, 403, 429, 500) },
      },
    }, async (request, reply) => {
      const result = await exportAccounts(rt, principalOf(request), { reason: request.body.reason, unmask: request.body.unmask ?? false, bucket: request.body.bucket }, ipOf(request));
      if (!result.ok) {
        return sendProblem(reply, {
          code: result.code, title: result.code === 'forbidden' ? 'Not allowed' : 'The request is invalid', detail: result.message,
          ...(result.code === 'forbidden' ? {} : { errors: [{ field: `body.${(result.details as { field?: string } | undefined)?.field ?? 'reason'}`, message: result.message }] }),
        });
      }
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="accounts.csv"')
        .header('cache-control', 'no-store')
        .header('x-export-rows', String(result.value.rows))
        .header('x-audit-id', result.value.auditId)
        .send(Readable.from(result.value.csv) as never); // a stream is sent as is, not serialized
    });

    app.put('/accounts/:id/assignment', {
      config: { access: { permission: 'assignments:write' } },
      schema: {
        tags: ['accounts'],
        summary: 'Set the collection team, agency placement and legal stage of an account (null clears)',
        params: z.strictObject({ id: z.string().min(1).max(limits.idLengthMax) }),
        body: z.strictObject({
          teamId: z.string().max(64).nullable(), agencyId: z.string().max(64).nullable(), legalStage: z.enum(LEGAL_STAGES).nullable(),
        }),
        response: {
          200: z.object({ accountId: z.string(), teamId: z.string().nullable(), agencyId: z.string().nullable(), legalStage: z.string().nullable() }),
          ...problemResponses(400, 401, 403, 404, 429, 500),
        },
      },
    }, async (request, reply) => {
      const actor = principalOf(request);
      const visible = await showAccountVisible(rt.pool, request.params.id, actor.scope);
      if (!visible) return sendProblem(reply, { code: 'account_not_found', title: 'Account not found', detail: `no account ${JSON.stringify(request.params.id)}` });
      const result = await assignAccount(rt, actor, request.params.id, request.body);
      if (!result.ok) {
        return sendProblem(reply, { code: result.code, title: result.code === 'account_not_found' ? 'Account not found' : 'The request is invalid', detail: result.message });
      }
      return result.value;
    });
  };
}
