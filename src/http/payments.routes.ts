/**
 * Payments over HTTP: POST /payments (JSON, up to 1,000), POST /payments/file (CSV or NDJSON body),
 * POST /payments/:id/reversal, GET /accounts/:id/payments/allocation. Idempotent by payment id; a
 * batch or file is all or nothing. Validate → call the payments module → map (thin).
 */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply } from 'fastify';
import { limits } from '../kernel/limits.ts';
import type { Runtime } from '../runtime.ts';
import {
  accountAllocation, parsePaymentFile, paymentFileFormat, postPayments, postPaymentsBodySchema, reversalSchema, reversePayment, type PaymentsSettings,
} from '../modules/payments/index.ts';
import { accountVisible } from '../workflows/account-view.workflow.ts';
import { debtGated } from '../workflows/account-360.workflow.ts';
import { principalOf } from './access.ts';
import { problemResponses, sendProblem } from './problem.ts';

const FILE_TYPES = ['text/csv', 'application/x-ndjson', 'application/jsonl', 'text/plain'];
/** Largest payment file accepted over HTTP (bigger files: `recourse payments post FILE`). */
export const PAYMENT_FILE_BYTES_MAX = 16 * 1024 * 1024;

const allocationLine = z.object({ target: z.string(), statementDate: z.string().nullable(), amount: z.string() });
const posted = z.object({
  paymentId: z.string(), accountId: z.string(), currency: z.string(), postedOn: z.string(), amount: z.string(), channel: z.string().nullable(), reverses: z.string().nullable(),
  replayed: z.boolean().describe('true: this payment id was already stored with this content; the original result'), allocation: z.array(allocationLine),
});

const TITLES: Record<string, string> = {
  invalid_payment: 'Invalid payment', account_not_found: 'Account not found', payment_id_conflict: 'Payment id already used with other content',
  payment_not_found: 'Payment not found', payment_already_reversed: 'Payment already reversed', cannot_reverse_a_reversal: 'A reversal cannot be reversed',
  reversal_before_payment: 'Reversal before the payment',
};

function problem(reply: FastifyReply, r: { code: string; message: string; details?: unknown }, where: 'body.payments' | 'line' = 'body.payments') {
  const errors = ((r.details as { errors?: { index: number; line: number | null; field: string; message: string }[] } | undefined)?.errors ?? [])
    .map((e) => (e.line !== null ? { line: e.line, field: e.field, message: e.message } : { field: `${where}[${e.index}].${e.field}`, message: e.message }));
  return sendProblem(reply, { code: r.code, title: TITLES[r.code] ?? 'Not posted', detail: r.message, ...(errors.length ? { errors } : {}) });
}

export function paymentRoutes(rt: Runtime, settings: PaymentsSettings): FastifyPluginAsyncZod {
  return async (app) => {
    // Payment files arrive as their own text (CSV or NDJSON), not as JSON.
    app.addContentTypeParser(FILE_TYPES, { parseAs: 'string', bodyLimit: PAYMENT_FILE_BYTES_MAX }, (_request, body, done) => done(null, body));

    app.post('/payments', {
      config: { access: { permission: 'payments:post' } },
      schema: {
        tags: ['payments'], summary: 'Post payments (all or nothing): idempotent by payment id; answers each payment\'s allocation',
        body: postPaymentsBodySchema,
        response: { 201: z.object({ payments: z.array(posted) }), ...problemResponses(400, 404, 409, 422, 500) },
      },
    }, async (request, reply) => {
      const r = await postPayments(rt.pool, settings, request.body.payments, { source: 'api', postedBy: principalOf(request).name, now: rt.clock.now() });
      return r.ok ? reply.code(201).send({ payments: r.value }) : problem(reply, r);
    });

    app.post('/payments/file', {
      config: { access: { permission: 'payments:post' } },
      bodyLimit: PAYMENT_FILE_BYTES_MAX,
      schema: {
        tags: ['payments'], summary: 'Post a payment file (CSV with a header row, or NDJSON): all or nothing, every error with its line',
        querystring: z.strictObject({ name: z.string().min(1).max(200).regex(/^[^/\\\0]+$/).optional().describe('the file\'s name (recorded with each payment; .csv / .ndjson decide the format)') }),
        body: z.string().max(PAYMENT_FILE_BYTES_MAX).describe('the file'),
        response: { 201: z.object({ fileName: z.string(), format: z.string(), payments: z.array(posted) }), ...problemResponses(400, 404, 409, 413, 415, 422, 500) },
      },
    }, async (request, reply) => {
      const name = request.query.name ?? 'upload';
      const type = String(request.headers['content-type'] ?? '').split(';')[0]!.trim();
      const format = type === 'text/csv' ? 'csv' : type === 'application/x-ndjson' || type === 'application/jsonl' ? 'ndjson' : paymentFileFormat(name, request.body);
      const parsed = parsePaymentFile(request.body, format, settings.file.linesMax);
      if (!parsed.ok) {
        return sendProblem(reply, { code: 'invalid_payment', title: TITLES.invalid_payment!, detail: `${name}: ${parsed.errors.length} invalid line(s); nothing was posted`, errors: parsed.errors.slice(0, limits.importErrorsReportedMax) });
      }
      const r = await postPayments(rt.pool, settings, parsed.lines, { source: 'file', postedBy: principalOf(request).name, fileName: name, now: rt.clock.now() });
      return r.ok ? reply.code(201).send({ fileName: name, format, payments: r.value }) : problem(reply, r, 'line');
    });

    app.post('/payments/:id/reversal', {
      config: { access: { permission: 'payments:reverse' } },
      schema: {
        tags: ['payments'], summary: 'Reverse a payment: a new negative entry naming it (never an edit); at most once; idempotent by reversalId',
        params: z.strictObject({ id: z.string().min(1).max(limits.idLengthMax) }),
        body: reversalSchema,
        response: { 201: posted.extend({ reason: z.string() }), 200: posted.extend({ reason: z.string() }).describe('replayed'), ...problemResponses(400, 404, 409, 422, 500) },
      },
    }, async (request, reply) => {
      const r = await reversePayment(rt.pool, settings, request.params.id, request.body, { source: 'api', postedBy: principalOf(request).name, now: rt.clock.now() });
      return r.ok ? reply.code(r.value.replayed ? 200 : 201).send(r.value) : problem(reply, r);
    });

    app.get('/accounts/:id/payments/allocation', {
      config: { access: { permission: 'accounts:read' } },
      schema: {
        tags: ['payments'], summary: 'How each payment of the account is allocated (waterfall setting) and what is open per component',
        description: 'Debt details: front-line callers see them on the Account 360 after a right-party check, not here.',
        params: z.strictObject({ id: z.string().min(1).max(limits.idLengthMax) }),
        response: {
          200: z.object({
            accountId: z.string(), currency: z.string(), policy: z.string(), open: z.record(z.string(), z.string()),
            payments: z.array(z.object({ paymentId: z.string(), postedOn: z.string(), amount: z.string(), reverses: z.string().nullable(), allocation: z.array(allocationLine) })),
          }),
          ...problemResponses(403, 404, 500),
        },
      },
    }, async (request, reply) => {
      const principal = principalOf(request);
      if (!(await accountVisible(rt.pool, request.params.id, principal.scope))) return sendProblem(reply, { code: 'account_not_found', title: 'Account not found', detail: `no account ${JSON.stringify(request.params.id)}` });
      if (debtGated(principal)) return sendProblem(reply, { code: 'right_party_check_required', title: 'Debt details need a verified right party', detail: 'front-line callers see payments on the Account 360 of a verified contact' });
      const a = await accountAllocation(rt.pool, settings, request.params.id);
      return a ?? sendProblem(reply, { code: 'account_not_found', title: 'Account not found', detail: `no account ${JSON.stringify(request.params.id)}` });
    });
  };
}
