/**
 * The compliance gate over HTTP: POST /compliance/check (one proposed contact or a batch), the
 * recording routes for the contact ledger and the compliance state, and GET /audit/verify.
 * Validate → check the caller's data scope → call the compliance module → respond. Each route declares
 * its permission; debtors outside the caller's scope answer 404 like unknown ones (no IDOR oracle), and
 * `recordedBy` is the caller, whatever the body says.
 */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { limits } from '../kernel/limits.ts';
import type { Runtime } from '../runtime.ts';
import {
  complianceStore, checkLine, checkLineSchema, checkProposedContacts, clearFlag, consentSchema, gateLineSchema, optOutSchema, recordAttemptSchema, recordConsent,
  recordContactAttempt, recordOptOut, setFlag, setFlagSchema, toGateProposal, verdictJson, verifyAuditLog, type PackSet,
} from '../modules/compliance/index.ts';
import { customersOutOfScope } from '../modules/identity/index.ts';
import { principalOf } from './access.ts';
import { problemResponses, sendProblem } from './problem.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** 404 for a debtor outside the caller's scope (or unknown): true when the reply was sent. */
async function refusedOutOfScope(rt: Runtime, request: FastifyRequest, reply: FastifyReply, customerIds: readonly string[]): Promise<boolean> {
  const outside = await customersOutOfScope(rt.pool, principalOf(request).scope, customerIds);
  if (outside.length === 0) return false;
  await sendProblem(reply, { code: 'customer_not_found', title: 'Customer not found', detail: `no customer ${outside[0]} in your scope` });
  return true;
}

const asCaller = <T extends object>(request: FastifyRequest, body: T): T & { recordedBy: string } => ({ ...body, recordedBy: principalOf(request).name });

const item = z.union([checkLineSchema, gateLineSchema]);
const checkBody = z.union([item, z.strictObject({ contacts: z.array(item).min(1).max(limits.complianceBatchMax) })]);
const verdictSchema = z.looseObject({
  id: z.string(), decision: z.enum(['allow', 'block', 'defer']), until: z.string().nullable(), auditRef: z.string().nullable(),
  rules: z.array(z.looseObject({ ruleId: z.string(), effect: z.string(), code: z.string(), message: z.object({ zh: z.string(), en: z.string() }) })),
});
const created = z.object({ id: z.number().int() });

export function complianceRoutes(rt: Runtime, packs: PackSet): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/compliance/check', {
      config: { access: { permission: 'compliance:check' } },
      // A batch of 10,000 self-contained lines with their histories is far above the 1 MB default.
      bodyLimit: limits.complianceCheckBodyBytesMax,
      schema: {
        tags: ['compliance'],
        summary: 'May we contact this person, this way, with this content, now? One proposed contact or {"contacts": [...]}',
        description: 'Items with `debtor` (and `history`) are self-contained what-if checks; items with `customerId` are checked against the stored state and every verdict is appended to the audit chain (auditRef).',
        querystring: z.strictObject({ pack: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/).optional().describe('compliance pack (default: RECOURSE_COMPLIANCE_PACK or cn)') }),
        body: checkBody,
        response: { 200: z.object({ verdicts: z.array(verdictSchema) }), ...problemResponses(400, 500) },
      },
    }, async (request, reply) => {
      const packId = request.query.pack ?? rt.config.compliancePack;
      if (!packs.ids().includes(packId)) {
        return sendProblem(reply, { code: 'invalid_request', title: 'Unknown compliance pack', detail: `no pack ${packId} (have ${packs.ids().join(', ')})`, errors: [{ field: 'querystring.pack', message: 'unknown pack' }] });
      }
      const items = 'contacts' in request.body ? request.body.contacts : [request.body];
      const stored = items.flatMap((i) => ('customerId' in i && !('debtor' in i) ? [i.customerId] : []));
      if (await refusedOutOfScope(rt, request, reply, stored)) return reply;
      const now = rt.clock.now().getTime();
      const out: (z.infer<typeof verdictSchema> | null)[] = items.map((i) => ('debtor' in i ? { ...verdictJson(checkLine(packs, packId, i)), auditRef: null } : null));
      const gated = items.flatMap((i, index) => ('customerId' in i && !('debtor' in i) ? [{ index, proposal: toGateProposal(i, now) }] : []));
      if (gated.length) {
        const verdicts = await checkProposedContacts({ ...complianceStore(rt.pool, rt.cipher), packs }, packId, gated.map((g) => g.proposal), now);
        gated.forEach((g, k) => (out[g.index] = { ...verdictJson(verdicts[k]!.verdict), auditRef: verdicts[k]!.auditRef }));
      }
      return { verdicts: out as z.infer<typeof verdictSchema>[] };
    });

    const recorded = <T>(reply: Parameters<typeof sendProblem>[0], r: { ok: true; value: T } | { ok: false; code: string; message: string }, toBody: (v: T) => unknown) =>
      r.ok ? reply.code(201).send(toBody(r.value)) : sendProblem(reply, { code: r.code, title: 'Not recorded', detail: r.message });
    const store = complianceStore(rt.pool, rt.cipher);

    app.post('/compliance/contact-attempts', {
      config: { access: { permission: 'compliance:record' } },
      schema: { tags: ['compliance'], summary: 'Record a contact attempt and its outcome in the append-only ledger', body: recordAttemptSchema, response: { 201: z.object({ attemptId: z.number().int(), replayed: z.boolean() }), ...problemResponses(400, 404, 409, 500) } },
    }, async (request, reply) => {
      const scope = principalOf(request).scope;
      // An agency records its own contacts: the ledger must not credit them to the bank or another agency.
      if (scope.kind === 'agency' && request.body.actor !== `agency:${scope.agencyId}` && !request.body.actor.startsWith(`agency:${scope.agencyId}:`)) {
        return sendProblem(reply, { code: 'forbidden', title: 'Not allowed', detail: `an agency user records contacts as agency:${scope.agencyId}`, errors: [{ field: 'body.actor', message: `must be agency:${scope.agencyId} or agency:${scope.agencyId}:AGENT` }] });
      }
      if (await refusedOutOfScope(rt, request, reply, [request.body.customerId])) return reply;
      return recorded(reply, await recordContactAttempt(store, request.body), (v) => v);
    });

    app.post('/compliance/flags', {
      config: { access: { permission: 'compliance:record' } },
      schema: { tags: ['compliance'], summary: 'Set a flag or hold on a debtor', body: setFlagSchema, response: { 201: created, ...problemResponses(400, 404, 500) } },
    }, async (request, reply) => (await refusedOutOfScope(rt, request, reply, [request.body.customerId])) ? reply
      : recorded(reply, await setFlag(store, asCaller(request, request.body)), (id) => ({ id })));

    app.post('/compliance/flags/clear', {
      config: { access: { permission: 'compliance:clear' } },
      schema: { tags: ['compliance'], summary: 'Clear a flag', body: setFlagSchema.pick({ customerId: true, accountId: true, kind: true, note: true, recordedBy: true }), response: { 201: created, ...problemResponses(400, 404, 500) } },
    }, async (request, reply) => (await refusedOutOfScope(rt, request, reply, [request.body.customerId])) ? reply
      : recorded(reply, await clearFlag(store, asCaller(request, request.body)), (id) => ({ id })));

    app.post('/compliance/opt-outs', {
      config: { access: { permission: 'compliance:record' } },
      schema: { tags: ['compliance'], summary: 'Record an opt-out of a channel (and destination)', body: optOutSchema, response: { 201: created, ...problemResponses(400, 404, 500) } },
    }, async (request, reply) => (await refusedOutOfScope(rt, request, reply, [request.body.customerId])) ? reply
      : recorded(reply, await recordOptOut(store, asCaller(request, request.body)), (id) => ({ id })));

    app.post('/compliance/consents', {
      config: { access: { permission: 'compliance:record' } },
      schema: { tags: ['compliance'], summary: 'Record a consent (contact_time, call_request, artificial_voice)', body: consentSchema, response: { 201: created, ...problemResponses(400, 404, 500) } },
    }, async (request, reply) => (await refusedOutOfScope(rt, request, reply, [request.body.customerId])) ? reply
      : recorded(reply, await recordConsent(store, asCaller(request, request.body)), (id) => ({ id })));

    app.get('/audit/verify', {
      config: { access: { permission: 'audit:read' } },
      schema: {
        tags: ['compliance'], summary: 'Verify every audit chain; names the first altered, inserted or deleted row',
        response: { 200: z.looseObject({ ok: z.boolean(), rows: z.number().int(), chains: z.array(z.looseObject({ chain: z.string(), rows: z.number().int() })) }), ...problemResponses(500) },
      },
    }, async () => { const r = await verifyAuditLog(rt.pool); return { ok: r.ok, rows: r.rows, chains: r.chains.map((c) => ({ ...c })) }; });
  };
}
