/**
 * Arrangements over HTTP: quotes, hardship evidence (upload, list, audited download). Validate →
 * check scope (and, for front-line callers, the verified contact that releases debt details) → call
 * the workflow → map (thin).
 */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { todayIn } from '../kernel/clock.ts';
import { limits } from '../kernel/limits.ts';
import type { Runtime } from '../runtime.ts';
import type { PackSet } from '../modules/compliance/index.ts';
import { findAccount } from '../modules/portfolio/index.ts';
import { REASON } from '../modules/identity/index.ts';
import { EVIDENCE_TYPES, evidenceMeta, listEvidence, quoteRequestSchema, readEvidence, uploadEvidence, type AuthorityDocument } from '../modules/arrangements/index.ts';
import type { PaymentsSettings } from '../modules/payments/index.ts';
import type { WorklistSettings } from '../modules/worklist/index.ts';
import { quoteArrangement, type ArrangementsDeskDeps } from '../workflows/arrangements-desk.workflow.ts';
import { accountVisible } from '../workflows/account-view.workflow.ts';
import { debtGated } from '../workflows/account-360.workflow.ts';
import { releasingContact, type DeskDeps } from '../workflows/collector-desk.workflow.ts';
import { CONTACT_TOKEN_HEADER } from './worklist.routes.ts';
import { ipOf, principalOf } from './access.ts';
import { problemResponses, sendProblem } from './problem.ts';

const accountParams = z.strictObject({ id: z.string().min(1).max(limits.idLengthMax) });
const numericId = z.string().regex(/^[1-9]\d{0,14}$/, 'must be a positive whole number').transform(Number);

const TITLES: Record<string, string> = {
  account_not_found: 'Account not found', plan_term_exceeds_limit: 'The term is above the limit', nothing_owed: 'Nothing is owed', quote_invalid: 'The quote request is invalid',
  invalid_request: 'The request is invalid', right_party_check_required: 'Debt details need a verified right party', evidence_not_found: 'Evidence not found',
  evidence_empty: 'The file is empty', evidence_too_large: 'The file is too large', evidence_type_not_allowed: 'Only PDF or image files', evidence_type_mismatch: 'The file is not what it says',
};

export function problem(reply: FastifyReply, r: { code: string; message: string; details?: unknown }) {
  const details = (r.details ?? {}) as Record<string, unknown>;
  const { field, ...extra } = details;
  return sendProblem(reply, { code: r.code, title: TITLES[r.code] ?? 'Not done', detail: r.message, ...extra, ...(typeof field === 'string' ? { errors: [{ field: `body.${field}`, message: r.message }] } : {}) });
}

const quoteView = z.object({
  accountId: z.string(), currency: z.string(), type: z.string(), asOf: z.string(), balance: z.string(),
  owed: z.object({ fees: z.string(), interest: z.string(), principal: z.string(), unclassified: z.string(), overdue: z.string() }),
  waivedFees: z.string(), waivedInterest: z.string(), forgiven: z.string(), total: z.string(), termMonths: z.number().int(),
  installments: z.array(z.object({ seq: z.number().int(), dueOn: z.string(), amount: z.string() })),
  rules: z.object({ termMonthsMax: z.number().int(), rule: z.string(), businessDayDueDates: z.boolean(), evidenceRequired: z.boolean(), affordabilityRequired: z.boolean(), pack: z.string() }),
  authority: z.object({ requiredTier: z.string().nullable(), reasons: z.array(z.object({ limit: z.string(), value: z.string(), tier: z.string().nullable() })) }),
});
const evidenceView = z.object({
  evidenceId: z.number().int(), customerId: z.string(), accountId: z.string().nullable(), mediaType: z.string(), sizeBytes: z.number().int(), sha256: z.string(),
  description: z.string().nullable(), uploadedBy: z.string(), uploadedAt: z.string(),
});
const EVIDENCE_UPLOAD_TYPES = [...EVIDENCE_TYPES, 'application/octet-stream'];

export interface ArrangementRouteDeps { packs: PackSet; worklist: WorklistSettings; payments: PaymentsSettings; authority: AuthorityDocument; termMonthsMaxSetting: number | null }

export function arrangementRoutes(rt: Runtime, d: ArrangementRouteDeps): FastifyPluginAsyncZod {
  const desk: DeskDeps = { pool: rt.pool, cipher: rt.cipher, clock: rt.clock, packs: d.packs, packId: rt.config.compliancePack, settings: d.worklist };
  const deps: ArrangementsDeskDeps = { pool: rt.pool, clock: rt.clock, packs: d.packs, packId: rt.config.compliancePack, payments: d.payments, authority: d.authority, termMonthsMaxSetting: d.termMonthsMaxSetting };

  /** The account in the caller's scope, and for front-line callers a verified contact with its customer (debt details). */
  async function debtAccess(request: FastifyRequest, reply: FastifyReply, accountId: string, contactId: number | undefined): Promise<{ customerId: string; contactId: number | null } | null> {
    const principal = principalOf(request);
    const account = await findAccount(rt.pool, accountId);
    if (!account || !(await accountVisible(rt.pool, accountId, principal.scope))) {
      await problem(reply, { code: 'account_not_found', message: `no account ${JSON.stringify(accountId)}` });
      return null;
    }
    if (!debtGated(principal)) return { customerId: account.customer_id, contactId: contactId ?? null };
    const token = request.headers[CONTACT_TOKEN_HEADER];
    const s = contactId === undefined || typeof token !== 'string' ? null : await releasingContact(desk, principal, contactId, token);
    if (!s || !s.ok || s.value.customerId !== account.customer_id) {
      await problem(reply, { code: 'right_party_check_required', message: `front-line callers work on debt details only on a verified contact: send contactId and the ${CONTACT_TOKEN_HEADER} header` });
      return null;
    }
    return { customerId: account.customer_id, contactId: contactId ?? null };
  }

  return async (app) => {
    app.addContentTypeParser(EVIDENCE_UPLOAD_TYPES, { parseAs: 'buffer', bodyLimit: d.authority.evidence.bytesMax + 1 }, (_request, body, done) => done(null, body));

    app.post('/accounts/:id/arrangements/quote', {
      config: { access: { permission: 'arrangements:propose' } },
      schema: {
        tags: ['arrangements'],
        summary: 'Quote an arrangement (installments, extension, waiver, settlement): schedule in exact money, waivers, plan rules, the authority it needs; writes nothing',
        params: accountParams,
        querystring: z.strictObject({ contactId: numericId.optional().describe(`front-line callers: a verified contact (with the ${CONTACT_TOKEN_HEADER} header)`) }),
        body: quoteRequestSchema,
        response: { 200: quoteView, ...problemResponses(400, 403, 404, 422, 500) },
      },
    }, async (request, reply) => {
      const access = await debtAccess(request, reply, request.params.id, request.query.contactId);
      if (!access) return reply;
      const r = await quoteArrangement(deps, request.params.id, request.body, todayIn(rt.clock, rt.config.timeZone));
      return r.ok ? r.value.view : problem(reply, r);
    });

    app.post('/accounts/:id/evidence', {
      config: { access: { permission: 'arrangements:propose' } },
      bodyLimit: d.authority.evidence.bytesMax + 1,
      schema: {
        tags: ['arrangements'],
        summary: 'Upload hardship evidence (PDF, PNG, JPEG or WebP, typed by its content; stored with its SHA-256)',
        params: accountParams,
        querystring: z.strictObject({ description: z.string().min(1).max(500).optional().describe('what the file shows, e.g. 住院证明') }),
        body: z.any().describe(`the file as the request body, content type ${EVIDENCE_UPLOAD_TYPES.join(', ')}`),
        response: { 201: evidenceView, ...problemResponses(400, 404, 413, 415, 422, 500) },
      },
    }, async (request, reply) => {
      const principal = principalOf(request);
      const account = await findAccount(rt.pool, request.params.id);
      if (!account || !(await accountVisible(rt.pool, request.params.id, principal.scope))) return problem(reply, { code: 'account_not_found', message: `no account ${JSON.stringify(request.params.id)}` });
      const type = String(request.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (!Buffer.isBuffer(request.body)) return sendProblem(reply, { code: 'unsupported_media_type', title: 'Unsupported content type', detail: `send the file itself as ${EVIDENCE_UPLOAD_TYPES.join(', ')}` });
      const r = await uploadEvidence(rt.pool, {
        customerId: account.customer_id, accountId: account.account_id, bytes: request.body, declaredType: type || null, description: request.query.description ?? null,
        by: principal.name, at: rt.clock.now(), bytesMax: d.authority.evidence.bytesMax,
      });
      return r.ok ? reply.code(201).send(r.value) : problem(reply, r);
    });

    app.get('/accounts/:id/evidence', {
      config: { access: { permission: 'accounts:read' } },
      schema: { tags: ['arrangements'], summary: 'The hardship evidence on file for the account\'s customer (metadata; the content is GET /evidence/:id)', params: accountParams, response: { 200: z.object({ evidence: z.array(evidenceView) }), ...problemResponses(404, 500) } },
    }, async (request, reply) => {
      const account = await findAccount(rt.pool, request.params.id);
      if (!account || !(await accountVisible(rt.pool, request.params.id, principalOf(request).scope))) return problem(reply, { code: 'account_not_found', message: `no account ${JSON.stringify(request.params.id)}` });
      return { evidence: await listEvidence(rt.pool, account.customer_id) };
    });

    app.get('/evidence/:id', {
      config: { access: { permission: 'evidence:read' } },
      schema: {
        tags: ['arrangements'], summary: 'A hardship evidence file, for a stated reason; audited',
        params: z.strictObject({ id: numericId }),
        querystring: z.strictObject({ reason: z.string().min(REASON.lengthMin).max(REASON.lengthMax).describe('why (written to the access audit)') }),
        response: { 200: z.any().describe('the file (its own media type); x-content-sha256 and x-audit-id headers'), ...problemResponses(400, 404, 500) },
      },
    }, async (request, reply) => {
      const principal = principalOf(request);
      const meta = (await evidenceMeta(rt.pool, [request.params.id]))[0];
      if (!meta || !(await accountVisible(rt.pool, meta.accountId ?? '', principal.scope))) return problem(reply, { code: 'evidence_not_found', message: `no evidence ${request.params.id}` });
      const r = await readEvidence(rt.pool, principal, request.params.id, request.query.reason, ipOf(request), rt.clock.now());
      if (!r.ok) return problem(reply, r);
      const ext = r.value.mediaType === 'application/pdf' ? 'pdf' : r.value.mediaType.slice(6);
      return reply
        .header('content-type', r.value.mediaType)
        .header('content-disposition', `attachment; filename="evidence-${r.value.evidenceId}.${ext}"`)
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .header('x-content-sha256', r.value.sha256)
        .header('x-audit-id', r.value.auditId)
        .send(r.value.content);
    });
  };
}
