/**
 * Arrangements over HTTP: quotes, proposals (agreed at once within the proposer's authority, else in
 * the approval inbox), the inbox and its decisions (arrangements, placements, account actions),
 * account-action requests, promises to pay at the desk, the kept rate, hardship evidence (upload,
 * list, audited download). Validate →
 * check scope (and, for front-line callers, the verified contact that releases debt details) → call
 * the workflow → map (thin).
 */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { todayIn } from '../kernel/clock.ts';
import { parsePlainDate } from '../kernel/dates.ts';
import { limits } from '../kernel/limits.ts';
import type { Runtime } from '../runtime.ts';
import type { PackSet } from '../modules/compliance/index.ts';
import { findAccount } from '../modules/portfolio/index.ts';
import { REASON } from '../modules/identity/index.ts';
import {
  EVIDENCE_TYPES, evidenceMeta, listEvidence, loadDefaultArrangementSettings, quoteRequestSchema, readEvidence, uploadEvidence, type AuthorityDocument,
} from '../modules/arrangements/index.ts';
import type { PaymentsSettings } from '../modules/payments/index.ts';
import type { WorklistSettings } from '../modules/worklist/index.ts';
import {
  accountArrangementsView, approvalInbox, decideArrangement, decideRecommendationAtDesk, keptRate, proposeArrangement, quoteArrangement, recordPromiseAtDesk, requestAccountAction, tierOfPrincipal, withdrawProposal,
  type ArrangementsDeskDeps,
} from '../workflows/arrangements-desk.workflow.ts';
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
  evidence_required: 'Hardship evidence is required', affordability_required: 'An affordability assessment is required', arrangement_unaffordable: 'The declared finances do not allow it',
  beyond_every_authority: 'Nobody may agree this', proposal_already_open: 'An arrangement already waits for approval', plan_already_active: 'An arrangement is already active',
  idempotency_key_reused: 'The idempotency key was used with a different input', note_language_prohibited: 'The note uses prohibited language',
  proposal_not_found: 'Proposal not found', proposal_not_open: 'Already decided', authority_insufficient: 'Beyond your authority', own_proposal: 'Not your own proposal',
  recommendation_not_found: 'Not found in the inbox', not_your_proposal: 'Not your proposal', agency_required: 'An agency is required', account_action_already_requested: 'Already requested',
  capture_not_found: 'Promise capture not found', promise_already_active: 'A promise is already open', amount_invalid: 'The amount is invalid', promised_date_invalid: 'The promised date is invalid',
};

/** Fields the quote's domain names, as paths in a proposal's body (the quote is nested there). */
const QUOTE_FIELDS = new Set(['months', 'firstDueOn', 'days', 'feesPercent', 'interestPercent', 'payBy', 'amount', 'asOf']);

export function problem(reply: FastifyReply, r: { code: string; message: string; details?: unknown }, fieldPath: (field: string) => string = (f) => `body.${f}`) {
  const details = (r.details ?? {}) as Record<string, unknown>;
  const { field, ...extra } = details;
  return sendProblem(reply, { code: r.code, title: TITLES[r.code] ?? 'Not done', detail: r.message, ...extra, ...(typeof field === 'string' ? { errors: [{ field: fieldPath(field), message: r.message }] } : {}) });
}
const proposalField = (f: string) => (QUOTE_FIELDS.has(f) ? `body.quote.${f}` : `body.${f}`);

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

const decimal = z.string().max(24).regex(/^\d+(?:\.\d+)?$/, 'must be a decimal string such as "8000.00"');
const plainDateText = z.string().refine((t) => parsePlainDate(t) !== null, 'must be a real date "YYYY-MM-DD"');
const idempotencyKey = z.string().min(1).max(200);
const tierEnum = z.enum(['collector', 'supervisor', 'manager']);
const proposalView = z.object({
  proposalId: z.number().int(), accountId: z.string(), type: z.string(), status: z.enum(['proposed', 'approved', 'rejected', 'withdrawn']), requiredTier: tierEnum,
  proposedBy: z.string(), proposedAt: z.string(), decidedBy: z.string().nullable(), decidedAt: z.string().nullable(), decisionNote: z.string().nullable(), planId: z.number().int().nullable(),
  replayed: z.boolean(),
  quote: z.object({
    currency: z.string(), asOf: z.string(), balance: z.string(), total: z.string(), waivedFees: z.string(), waivedInterest: z.string(), forgiven: z.string(), termMonths: z.number().int(),
    installments: z.array(z.object({ seq: z.number().int(), dueOn: z.string(), amount: z.string() })),
  }),
  authority: z.unknown(), affordability: z.unknown(), evidenceIds: z.array(z.number().int()), note: z.string().nullable(),
});
const proposeBody = z.strictObject({
  quote: quoteRequestSchema.describe('the arrangement, as for a quote'),
  declared: z.strictObject({ monthlyIncome: decimal, monthlyExpenses: decimal, savings: decimal.optional() }).optional().describe('the debtor\'s declared finances (the affordability check)'),
  evidenceIds: z.array(z.int().min(1)).max(20).optional().describe('hardship evidence on file for the customer (POST /accounts/:id/evidence)'),
  note: z.string().min(1).max(2000).optional().describe('checked for prohibited language'),
  idempotencyKey: idempotencyKey.optional().describe('same key and body → the original proposal'),
});
const inboxItem = z.object({
  kind: z.enum(['arrangement', 'placement', 'account_action']), id: z.number().int(), accountId: z.string(), what: z.string(), requiredTier: tierEnum, mayDecide: z.boolean(),
  proposedBy: z.string().nullable(), proposedOn: z.string(), origin: z.string(), detail: z.unknown(),
});
const decisionBody = z.strictObject({
  decision: z.enum(['approve', 'reject']), note: z.string().min(1).max(2000).optional(),
  agencyId: z.string().min(1).max(64).optional().describe('placements that name no agency: the agency to place with'),
});
const actionBody = z.strictObject({ action: z.enum(['freeze', 'restrict', 'lift']), reason: z.string().min(3).max(500), idempotencyKey: idempotencyKey.optional() });
const promiseBody = z.strictObject({
  amount: decimal.describe('exact decimal in the account\'s currency'), promisedOn: plainDateText,
  channel: z.enum(['voice_agent', 'voice_robot', 'field_visit', 'sms', 'email', 'letter', 'app_push', 'portal', 'branch']).optional(),
  note: z.string().min(1).max(500).optional(), captureId: z.int().min(1).optional().describe('the robot call\'s key-press capture this promise confirms (it is taken)'),
  idempotencyKey: idempotencyKey.optional(),
});
const keptRateRow = z.object({ key: z.string(), made: z.number().int(), kept: z.number().int(), broken: z.number().int(), open: z.number().int(), keptRate: z.number().nullable() });

export interface ArrangementRouteDeps { packs: PackSet; worklist: WorklistSettings; payments: PaymentsSettings; authority: AuthorityDocument; termMonthsMaxSetting: number | null }

export function arrangementRoutes(rt: Runtime, d: ArrangementRouteDeps): FastifyPluginAsyncZod {
  const desk: DeskDeps = { pool: rt.pool, cipher: rt.cipher, clock: rt.clock, packs: d.packs, packId: rt.config.compliancePack, settings: d.worklist };
  const deps: ArrangementsDeskDeps = { pool: rt.pool, clock: rt.clock, packs: d.packs, packId: rt.config.compliancePack, payments: d.payments, authority: d.authority, termMonthsMaxSetting: d.termMonthsMaxSetting };
  const today = () => todayIn(rt.clock, rt.config.timeZone);

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
    const arrangementSettings = await loadDefaultArrangementSettings();
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

    app.post('/accounts/:id/arrangements', {
      config: { access: { permission: 'arrangements:propose' } },
      schema: {
        tags: ['arrangements'],
        summary: "Propose an arrangement: quoted now, checked against the pack's plan rules (evidence, affordability) and the authority limits; agreed at once within the proposer's authority, else it waits in the approval inbox",
        params: accountParams,
        querystring: z.strictObject({ contactId: numericId.optional().describe(`front-line callers: a verified contact (with the ${CONTACT_TOKEN_HEADER} header)`) }),
        body: proposeBody,
        response: { 200: proposalView.describe('replayed (same idempotency key and body)'), 201: proposalView, ...problemResponses(400, 403, 404, 409, 422, 500) },
      },
    }, async (request, reply) => {
      const access = await debtAccess(request, reply, request.params.id, request.query.contactId);
      if (!access) return reply;
      const b = request.body;
      const r = await proposeArrangement(deps, principalOf(request), request.params.id, {
        quote: b.quote, ...(b.declared ? { declared: b.declared } : {}), ...(b.evidenceIds ? { evidenceIds: b.evidenceIds } : {}), ...(b.note ? { note: b.note } : {}),
        contactId: access.contactId, ...(b.idempotencyKey ? { idempotencyKey: b.idempotencyKey } : {}),
      }, today());
      if (!r.ok) return problem(reply, r, proposalField);
      return reply.code(r.value.replayed ? 200 : 201).send(r.value);
    });

    app.get('/accounts/:id/arrangements', {
      config: { access: { permission: 'accounts:read' } },
      schema: {
        tags: ['arrangements'], summary: "The account's arrangement proposals (with their decisions), promises to pay and agreed arrangements with their instalments",
        params: accountParams,
        querystring: z.strictObject({ contactId: numericId.optional().describe(`front-line callers: a verified contact (with the ${CONTACT_TOKEN_HEADER} header)`) }),
        response: { 200: z.object({ proposals: z.array(proposalView), promises: z.array(z.unknown()), plans: z.array(z.unknown()) }), ...problemResponses(403, 404, 500) },
      },
    }, async (request, reply) => {
      const access = await debtAccess(request, reply, request.params.id, request.query.contactId);
      if (!access) return reply;
      return accountArrangementsView(deps, principalOf(request), request.params.id);
    });

    app.post('/accounts/:id/arrangements/:proposalId/withdrawal', {
      config: { access: { permission: 'arrangements:propose' } },
      schema: {
        tags: ['arrangements'], summary: 'The proposer withdraws their proposal while it waits for approval',
        params: z.strictObject({ id: z.string().min(1).max(limits.idLengthMax), proposalId: numericId }),
        body: z.strictObject({ note: z.string().min(1).max(2000).optional() }).optional(),
        response: { 200: proposalView, ...problemResponses(400, 403, 404, 409, 500) },
      },
    }, async (request, reply) => {
      const r = await withdrawProposal(deps, principalOf(request), request.params.id, request.params.proposalId, request.body?.note ?? null, today());
      return r.ok ? r.value : problem(reply, r);
    });

    app.get('/approvals', {
      config: { access: { permission: 'approvals:decide' } },
      schema: {
        tags: ['arrangements'],
        summary: 'The approval inbox: arrangements beyond their proposer\'s authority, placement proposals and account-action requests (from the daily cycle or staff) in the caller\'s scope, oldest first, each with the tier it needs and whether the caller may decide it',
        querystring: z.strictObject({
          limit: z.coerce.number().int().min(1).max(200).default(50).describe('items per page'),
          offset: z.coerce.number().int().min(0).max(10_000).default(0).describe('items to skip: the previous page\'s nextOffset'),
        }),
        response: { 200: z.object({ tier: tierEnum.nullable(), items: z.array(inboxItem), nextOffset: z.number().int().nullable() }), ...problemResponses(400, 500) },
      },
    }, async (request) => {
      const principal = principalOf(request);
      const { limit, offset } = request.query;
      // Paged on the server: one more than the page is read to know whether another page follows.
      const all = await approvalInbox(deps, principal, offset + limit + 1);
      return { tier: tierOfPrincipal(d.authority, principal), items: all.slice(offset, offset + limit), nextOffset: all.length > offset + limit ? offset + limit : null };
    });

    app.post('/approvals/:kind/:id/decision', {
      config: { access: { permission: 'approvals:decide' } },
      schema: {
        tags: ['arrangements'],
        summary: 'Approve or reject an inbox item: an arrangement (another person than its proposer, of the tier it needs: its plan is written), a placement (the account is placed) or an account action (the account\'s status changes, an account event records it)',
        params: z.strictObject({ kind: z.enum(['arrangement', 'placement', 'account_action']), id: numericId }),
        body: decisionBody,
        response: { 200: z.object({ kind: z.string(), id: z.number().int(), status: z.string(), proposal: proposalView.optional(), applied: z.unknown().optional() }), ...problemResponses(400, 403, 404, 409, 422, 500) },
      },
    }, async (request, reply) => {
      const principal = principalOf(request);
      const { kind, id } = request.params;
      const { decision, note, agencyId } = request.body;
      if (kind === 'arrangement') {
        if (agencyId !== undefined) return sendProblem(reply, { code: 'invalid_request', title: 'The request is invalid', detail: 'agencyId is for placements', errors: [{ field: 'body.agencyId', message: 'is for placements' }] });
        const r = await decideArrangement(deps, principal, id, decision, note ?? null, today());
        return r.ok ? { kind, id, status: r.value.status, proposal: r.value } : problem(reply, r);
      }
      const r = await decideRecommendationAtDesk({ ...deps, cipher: rt.cipher, config: rt.config }, principal, kind, id, decision, note ?? null, agencyId ?? null, today());
      return r.ok ? r.value : problem(reply, r);
    });

    app.post('/accounts/:id/actions', {
      config: { access: { permission: 'account_actions:request' } },
      schema: {
        tags: ['arrangements'], summary: 'Request an account action (freeze, restrict spending, lift): it takes effect only when approved in the inbox',
        params: accountParams, body: actionBody,
        response: { 200: z.object({ requestId: z.number().int(), status: z.string(), replayed: z.boolean() }), 201: z.object({ requestId: z.number().int(), status: z.string(), replayed: z.boolean() }), ...problemResponses(400, 404, 409, 500) },
      },
    }, async (request, reply) => {
      const b = request.body;
      const r = await requestAccountAction(deps, principalOf(request), request.params.id, b.action, b.reason, today(), b.idempotencyKey);
      if (!r.ok) return problem(reply, r);
      return reply.code(r.value.replayed ? 200 : 201).send(r.value);
    });

    app.post('/accounts/:id/promises', {
      config: { access: { permission: 'arrangements:propose' } },
      schema: {
        tags: ['arrangements'], summary: 'Record a promise to pay (amount, date, channel) made to the caller; the daily cycle judges it kept or broken',
        params: accountParams,
        querystring: z.strictObject({ contactId: numericId.optional().describe(`front-line callers: a verified contact (with the ${CONTACT_TOKEN_HEADER} header)`) }),
        body: promiseBody,
        response: { 200: z.object({ promiseId: z.number().int(), replayed: z.boolean(), captureTaken: z.boolean() }), 201: z.object({ promiseId: z.number().int(), replayed: z.boolean(), captureTaken: z.boolean() }), ...problemResponses(400, 403, 404, 409, 422, 500) },
      },
    }, async (request, reply) => {
      const access = await debtAccess(request, reply, request.params.id, request.query.contactId);
      if (!access) return reply;
      const b = request.body;
      const r = await recordPromiseAtDesk({ ...deps, arrangementSettings }, principalOf(request), request.params.id, {
        amount: b.amount, promisedOn: b.promisedOn, ...(b.channel ? { channel: b.channel } : { channel: 'voice_agent' }), ...(b.note ? { note: b.note } : {}),
        ...(b.captureId !== undefined ? { captureId: b.captureId } : {}), ...(b.idempotencyKey ? { idempotencyKey: b.idempotencyKey } : {}),
      }, today());
      if (!r.ok) return problem(reply, r);
      return reply.code(r.value.replayed ? 200 : 201).send(r.value);
    });

    app.get('/reports/promise-kept-rate', {
      config: { access: { permission: 'worklist:supervise' } },
      schema: {
        tags: ['arrangements'], summary: 'Promise kept rate per collector or team: promises made from `from` to `to`, kept, broken, still open; kept / (kept + broken)',
        querystring: z.strictObject({ from: plainDateText, to: plainDateText, by: z.enum(['collector', 'team']).default('collector') }),
        response: { 200: z.object({ from: z.string(), to: z.string(), by: z.string(), rows: z.array(keptRateRow) }), ...problemResponses(400, 500) },
      },
    }, async (request, reply) => {
      const { from, to, by } = request.query;
      for (const [field, v] of [['from', from], ['to', to]] as const) {
        if (parsePlainDate(v) === null) return sendProblem(reply, { code: 'invalid_request', title: 'The request is invalid', detail: `${field} ${JSON.stringify(v)} is not a real date`, errors: [{ field: `querystring.${field}`, message: 'is not a real date' }] });
      }
      if (from > to) return sendProblem(reply, { code: 'invalid_request', title: 'The request is invalid', detail: `from (${from}) is after to (${to})`, errors: [{ field: 'querystring.from', message: 'after to' }] });
      return { from, to, by, rows: await keptRate(deps, principalOf(request), { from, to, by }) };
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
