/**
 * Communications over HTTP: templates (catalog, versions, lint, publish, preview with an account's
 * data), messages (enqueue by hand, list, show), what providers report later (bounces, robot-call
 * outcomes), captured promises to pay, and the public one-click unsubscribe (RFC 8058).
 * Validate → check the caller's data scope → call the communications module → respond. Accounts out of
 * scope answer 404 like unknown ones.
 */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { todayIn } from '../kernel/clock.ts';
import type { Runtime } from '../runtime.ts';
import {
  CALL_OUTCOMES, OUTBOX_STATUSES, TEMPLATE_CHANNELS, TEMPLATE_LANGUAGES, TONES, enqueueCommandSchema, enqueueMessage, getMessage, hasErrors, lintTemplateDocument, listMessages,
  listPromiseCaptures, parseTemplateDocument, previewTemplate, publishTemplate, recordBounce, recordCallResult, unsubscribeByToken, type OutboxRow, type TemplateDocument, type TemplateFinding,
} from '../modules/communications/index.ts';
import { scopeCondition } from '../modules/identity/index.ts';
import { accountVisible } from '../workflows/account-view.workflow.ts';
import { openCommunications, type CommunicationsRuntime } from '../workflows/communications-runtime.workflow.ts';
import { DispatcherLoop } from '../modules/communications/index.ts';
import { principalOf } from './access.ts';
import { problemResponses, sendProblem } from './problem.ts';

const TEMPLATE_BODY_BYTES_MAX = 256 * 1024;
const templateId = z.string().regex(/^[a-z0-9][a-z0-9-]{2,79}$/, 'a template id such as cn-sms-reminder-gentle');
const accountId = z.string().min(1).max(64);
const finding = z.object({ code: z.string(), severity: z.enum(['error', 'warning']), path: z.string(), ruleId: z.string().nullable(), message: z.object({ zh: z.string(), en: z.string() }) });
const catalogEntry = z.looseObject({ id: z.string(), family: z.string(), channel: z.string(), language: z.string(), tone: z.string(), purpose: z.string(), party: z.string(), version: z.number().int(), effectiveFrom: z.string(), source: z.string(), versions: z.number().int() });
const rendered = z.looseObject({ templateId: z.string(), version: z.number().int(), channel: z.string(), language: z.string(), subject: z.string().nullable(), text: z.string(), html: z.string().nullable() });
const messageView = z.looseObject({ messageId: z.number().int(), status: z.enum(OUTBOX_STATUSES as [string, ...string[]]), channel: z.string(), templateId: z.string(), accountId: z.string().nullable(), attempts: z.number().int() });
const wholeNumber = (min: number, max: number) => z.string().regex(/^\d{1,15}$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(min).max(max));
const idParams = z.strictObject({ id: wholeNumber(1, Number.MAX_SAFE_INTEGER) });

/** The message without what was rendered (the list view): the text stays on GET /messages/:id. */
const summary = ({ rendered: _r, ...m }: OutboxRow) => m;

export function communicationsRoutes(rt: Runtime, comms: CommunicationsRuntime): FastifyPluginAsyncZod {
  const inScope = async (request: FastifyRequest, account: string) => accountVisible(rt.pool, account, principalOf(request).scope);
  const accountNotFound = (reply: FastifyReply, account: string) => sendProblem(reply, { code: 'account_not_found', title: 'Account not found', detail: `no account ${JSON.stringify(account)}` });
  const failed = (reply: FastifyReply, r: { code: string; message: string; details?: unknown }, title: string) =>
    sendProblem(reply, { code: r.code, title, detail: r.message, ...(r.details && typeof r.details === 'object' ? (r.details as object) : {}) });

  return async (app) => {
    // One-click unsubscribes arrive as a form post (List-Unsubscribe=One-Click).
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_request, body, done) => done(null, { form: body }));

    app.get('/templates', {
      config: { access: { permission: 'templates:read' } },
      schema: { tags: ['communications'], summary: 'Every template (shipped and published): latest version, channel, language, tone', response: { 200: z.object({ templates: z.array(catalogEntry) }), ...problemResponses(401, 403) } },
    }, async () => ({ templates: (await comms.templates()).catalog().map((t) => ({ ...t })) }));

    app.get('/templates/:id', {
      config: { access: { permission: 'templates:read' } },
      schema: { tags: ['communications'], summary: 'Every version of a template, newest first', params: z.strictObject({ id: templateId }), response: { 200: z.object({ versions: z.array(z.looseObject({ id: z.string(), version: z.number().int() })) }), ...problemResponses(404) } },
    }, async (request, reply) => {
      const versions = (await comms.templates()).versions(request.params.id);
      if (versions.length === 0) return sendProblem(reply, { code: 'template_not_found', title: 'Template not found', detail: `no template ${request.params.id}` });
      return { versions: versions.map((v) => ({ ...v })) };
    });

    app.post('/templates/lint', {
      config: { access: { permission: 'templates:read' } },
      bodyLimit: TEMPLATE_BODY_BYTES_MAX,
      schema: { tags: ['communications'], summary: 'Lint a template document: variables, sender identity, verification line, the compliance pack\'s content rules', body: z.looseObject({}), response: { 200: z.object({ ok: z.boolean(), findings: z.array(finding) }), ...problemResponses(400) } },
    }, async (request, reply) => {
      const doc = parseTemplateDocument(request.body);
      if (!doc.ok) return sendProblem(reply, { code: 'invalid_template', title: 'Not a template document', detail: doc.issues.map((i) => `${i.field}: ${i.message}`).join('; '), errors: doc.issues.map((i) => ({ field: `body.${i.field}`, message: i.message })) });
      const findings: TemplateFinding[] = lintTemplateDocument(doc.value, comms.packs, comms.packId, rt.clock.now().getTime());
      return { ok: !hasErrors(findings), findings };
    });

    app.post('/templates', {
      config: { access: { permission: 'templates:publish' } },
      bodyLimit: TEMPLATE_BODY_BYTES_MAX,
      schema: { tags: ['communications'], summary: 'Publish a new template version (422 with the findings while the lint finds an error)', body: z.looseObject({}), response: { 201: z.object({ id: z.string(), version: z.number().int(), findings: z.array(finding) }), ...problemResponses(400, 409, 422) } },
    }, async (request, reply) => {
      const r = await publishTemplate({ pool: rt.pool, packs: comms.packs, packId: comms.packId }, request.body, principalOf(request).name, rt.clock.now().getTime());
      if (!r.ok) {
        if (r.code === 'invalid_template') {
          const errors = ((r.details as { errors?: { field: string; message: string }[] } | undefined)?.errors ?? []).map((e) => ({ field: `body.${e.field}`, message: e.message }));
          return sendProblem(reply, { code: r.code, title: 'Not a template document', detail: r.message, errors });
        }
        return failed(reply, r, r.code === 'template_lint_failed' ? 'The template does not pass its lint' : 'Not published');
      }
      return reply.code(201).send({ id: r.value.template.id, version: r.value.template.version, findings: r.value.findings });
    });

    app.post('/templates/:id/preview', {
      config: { access: { permission: 'templates:read' } },
      schema: {
        tags: ['communications'], summary: 'Render a template (or its counterpart in a language / tone) with an account\'s real data',
        params: z.strictObject({ id: templateId }),
        body: z.strictObject({
          accountId, language: z.enum(TEMPLATE_LANGUAGES).optional(), tone: z.enum(TONES).optional(),
          document: z.looseObject({}).optional().describe('an unpublished draft of this template to render instead of the stored one (the editor\'s live preview); its id must be the path\'s'),
        }),
        response: { 200: z.object({ template: z.looseObject({ id: z.string(), version: z.number().int() }), accountId: z.string(), customerId: z.string(), rendered, findings: z.array(finding) }), ...problemResponses(400, 404, 422) },
      },
    }, async (request, reply) => {
      const { accountId: account, language, tone, document } = request.body;
      if (!(await inScope(request, account))) return accountNotFound(reply, account);
      let draft: TemplateDocument | undefined;
      if (document) {
        const doc = parseTemplateDocument(document);
        if (!doc.ok) return sendProblem(reply, { code: 'invalid_template', title: 'Not a template document', detail: doc.issues.map((i) => `${i.field}: ${i.message}`).join('; '), errors: doc.issues.map((i) => ({ field: `body.document.${i.field}`, message: i.message })) });
        if (doc.value.id !== request.params.id) {
          const message = `the draft's id ${JSON.stringify(doc.value.id)} is not ${JSON.stringify(request.params.id)}`;
          return sendProblem(reply, { code: 'invalid_request', title: 'The request is invalid', detail: message, errors: [{ field: 'body.document.id', message }] });
        }
        draft = doc.value;
      }
      const r = await previewTemplate({ pool: rt.pool, packs: comms.packs, packId: comms.packId, data: comms.data, bank: comms.bankFacts, templates: await comms.templates() },
        request.params.id, account, { ...(language ? { language } : {}), ...(tone ? { tone } : {}), ...(draft ? { draft } : {}) }, todayIn(rt.clock, rt.config.timeZone), rt.clock.now().getTime());
      if (!r.ok) return failed(reply, r, 'No preview');
      return { ...r.value, template: { ...r.value.template }, rendered: { ...r.value.rendered } };
    });

    app.post('/messages', {
      config: { access: { permission: 'messages:send' } },
      schema: { tags: ['communications'], summary: 'Enqueue a message for an account in scope (the dispatcher re-checks compliance when it sends)', body: enqueueCommandSchema, response: { 200: z.object({ messageId: z.number().int(), replayed: z.literal(true) }), 201: z.object({ messageId: z.number().int(), replayed: z.boolean() }), ...problemResponses(400, 404, 409, 422) } },
    }, async (request, reply) => {
      if (!(await inScope(request, request.body.accountId))) return accountNotFound(reply, request.body.accountId);
      const principal = principalOf(request);
      const r = await enqueueMessage({ pool: rt.pool, data: comms.data, templates: await comms.templates() }, request.body,
        { origin: principal.kind === 'user' ? 'staff' : 'api', requestedBy: principal.name }, rt.clock.now().getTime(), todayIn(rt.clock, rt.config.timeZone));
      if (!r.ok) return failed(reply, r, 'Not enqueued');
      return reply.code(r.value.replayed ? 200 : 201).send(r.value);
    });

    app.get('/messages', {
      config: { access: { permission: 'messages:read' } },
      schema: {
        tags: ['communications'], summary: 'Messages of accounts in scope, newest first (page with `before`: the last messageId of the previous page)',
        querystring: z.strictObject({
          status: z.enum(OUTBOX_STATUSES as [string, ...string[]]).optional(), channel: z.enum(TEMPLATE_CHANNELS).optional(), accountId: accountId.optional(),
          before: wholeNumber(1, Number.MAX_SAFE_INTEGER).optional(), limit: wholeNumber(1, 1_000).optional(),
        }),
        response: { 200: z.object({ messages: z.array(messageView) }), ...problemResponses(400) },
      },
    }, async (request) => {
      const q = request.query;
      const params: unknown[] = [];
      const condition = scopeCondition(principalOf(request).scope, 'account_id', params);
      const rows = await listMessages(rt.pool, {
        ...(q.status ? { status: q.status as OutboxRow['status'] } : {}), ...(q.channel ? { channel: q.channel } : {}), ...(q.accountId ? { accountId: q.accountId } : {}),
        ...(q.before ? { afterId: q.before } : {}), limit: q.limit ?? 50, ...(condition === 'true' ? {} : { accountCondition: { sql: condition, params } }),
      });
      return { messages: rows.map((m) => ({ ...summary(m) })) };
    });

    app.get('/messages/:id', {
      config: { access: { permission: 'messages:read' } },
      schema: { tags: ['communications'], summary: 'One message: status, attempts, what was rendered, the send-time verdict', params: idParams, response: { 200: messageView, ...problemResponses(404) } },
    }, async (request, reply) => {
      const m = await getMessage(rt.pool, request.params.id);
      // A message without an account (the daily cycle may write one per customer) is for callers who see every account.
      const visible = m && (m.accountId ? await inScope(request, m.accountId) : principalOf(request).scope.kind === 'all');
      if (!m || !visible) return sendProblem(reply, { code: 'message_not_found', title: 'Message not found', detail: `no message ${request.params.id}` });
      return { ...m };
    });

    app.get('/promise-captures', {
      config: { access: { permission: 'messages:read' } },
      schema: { tags: ['communications'], summary: 'Promises to pay captured by robot calls (key 1), for the arrangements module', querystring: z.strictObject({ status: z.enum(['new', 'taken', 'all']).optional() }), response: { 200: z.object({ captures: z.array(z.looseObject({ captureId: z.number().int(), messageId: z.number().int() })) }) } },
    }, async (request) => {
      const captures = (await listPromiseCaptures(rt.pool, request.query.status ?? 'new')).map((c) => ({ ...c }));
      const scope = principalOf(request).scope;
      if (scope.kind === 'all') return { captures };
      const visible = await Promise.all(captures.map((c) => (c.accountId ? accountVisible(rt.pool, c.accountId, scope) : false)));
      return { captures: captures.filter((_c, i) => visible[i]) };
    });

    app.post('/messages/:id/bounce', {
      config: { access: { permission: 'messages:callback' } },
      schema: { tags: ['communications'], summary: 'A bounce reported after the relay accepted the e-mail (the bank\'s mail system or relay webhook)', params: idParams, body: z.strictObject({ reason: z.string().max(500).optional() }), response: { 200: z.object({ applied: z.number().int() }), ...problemResponses(404) } },
    }, async (request, reply) => {
      const r = await recordBounce(comms.inbound, { messageId: request.params.id, reason: request.body.reason ?? null });
      return r.ok ? r.value : failed(reply, r, 'Message not found');
    });

    app.post('/voice/outcomes', {
      config: { access: { permission: 'messages:callback' } },
      schema: {
        tags: ['communications'], summary: 'A robot call\'s outcome from the voice platform: answered, no answer, busy, voicemail, failed, keys pressed (409 message_not_sent_yet: retry later)',
        body: z.strictObject({ provider: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/), messageId: z.int().min(1), providerCallId: z.string().max(200).optional(), outcome: z.enum(CALL_OUTCOMES), keys: z.array(z.string().regex(/^[0-9*#]$/)).max(50).default([]), at: z.iso.datetime({ offset: true }).optional() }),
        response: { 200: z.object({ promiseCaptured: z.boolean() }), ...problemResponses(400, 404, 409) },
      },
    }, async (request, reply) => {
      const b = request.body;
      const r = await recordCallResult(comms.inbound, b.provider, { messageId: b.messageId, providerCallId: b.providerCallId ?? null, outcome: b.outcome, keys: b.keys, at: b.at ? new Date(b.at) : rt.clock.now() });
      return r.ok ? { promiseCaptured: r.value.promise !== null } : failed(reply, r, 'Not recorded');
    });

    const unsubscribeParams = z.strictObject({ token: z.string().min(1).max(100) });
    app.get('/unsubscribe/:token', {
      config: { access: { public: true } },
      schema: { tags: ['communications'], summary: 'The page an unsubscribe link opens (a button that confirms with POST)', params: unsubscribeParams, response: { 200: z.string() } },
    }, async (request, reply) => {
      const token = encodeURIComponent(request.params.token);
      return reply.type('text/html; charset=utf-8').send(`<!doctype html><html><body><form method="post" action="/unsubscribe/${token}"><p>退订此类邮件 / Unsubscribe from these e-mails</p><button type="submit">确认退订 / Unsubscribe</button></form></body></html>`);
    });

    app.post('/unsubscribe/:token', {
      config: { access: { public: true } },
      schema: { tags: ['communications'], summary: 'One-click unsubscribe (RFC 8058): an e-mail opt-out of the address the message went to', params: unsubscribeParams, body: z.unknown().optional(), response: { 200: z.object({ unsubscribed: z.literal(true) }), ...problemResponses(404) } },
    }, async (request, reply) => {
      const r = await unsubscribeByToken(comms.inbound, request.params.token);
      return r.ok ? { unsubscribed: true as const } : failed(reply, r, 'Unsubscribe link not valid');
    });
  };
}

/**
 * The server's part: the routes, and the dispatcher job when RECOURSE_DISPATCHER is on (started once
 * the server is ready, stopped before it closes; the providers bind then and unbind at the end).
 */
export async function registerCommunications(app: import('fastify').FastifyInstance, rt: Runtime): Promise<void> {
  const comms = await openCommunications(rt, { log: { info: (m) => app.log.info(m), warn: (m) => app.log.warn(m) } });
  await app.register(communicationsRoutes(rt, comms));
  const job = rt.config.communications.dispatcher;
  const loop = job.enabled ? new DispatcherLoop(comms.dispatcher, job.intervalMs, { warn: (m) => app.log.warn(m) }) : null;
  if (loop) {
    app.addHook('onReady', async () => {
      await comms.start();
      loop.start();
    });
  }
  app.addHook('onClose', async () => {
    await loop?.stop();
    await comms.close();
  });
}
