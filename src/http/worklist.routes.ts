/**
 * The collector's desk over HTTP: the queue (next, release, reassign, the supervisor's view, teams,
 * skills), callbacks, contacts (start, right-party check, debt details, outcome), notes, the
 * delinquency-reason report and the Account 360. Validate → call the workflow → map (thin).
 */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply } from 'fastify';
import { formatPlainDate, parsePlainDate } from '../kernel/dates.ts';
import { todayIn } from '../kernel/clock.ts';
import { limits } from '../kernel/limits.ts';
import type { Runtime } from '../runtime.ts';
import type { PackSet } from '../modules/compliance/index.ts';
import {
  callbackSchema, contactActivity, delinquencyReasonReport, myQueue, queueTeamOf, listItems, listTeams, noteSchema, outcomeSchema, reassignSchema, reassignWorkItem, releaseWorkItem, rightPartySchema,
  setSkills, setTeam, skillsOf, skillsSchema, startContactSchema, type WorkItemRow, type WorklistSettings,
} from '../modules/worklist/index.ts';
import type { PaymentsSettings } from '../modules/payments/index.ts';
import { findStaffMember } from '../modules/identity/index.ts';
import {
  addNote, nextCase, recordOutcome, releasingContact, scheduleCallback, seesAccount, startContact, verifyRightParty, type DeskDeps,
} from '../workflows/collector-desk.workflow.ts';
import { account360 } from '../workflows/account-360.workflow.ts';
import { showAccount } from '../workflows/account-view.workflow.ts';
import { loadDefaultAgingPolicy } from '../modules/delinquency/index.ts';
import { principalOf } from './access.ts';
import { problemResponses, sendProblem } from './problem.ts';

const plainDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD').refine((s) => parsePlainDate(s) !== null, 'is not a real date');
const numericId = z.string().regex(/^[1-9]\d{0,14}$/, 'must be a positive whole number').transform(Number);
const accountParams = z.strictObject({ id: z.string().min(1).max(limits.idLengthMax) });
const itemParams = z.strictObject({ id: numericId });
const wholeNumber = (min: number, max: number) => z.string().regex(/^\d{1,9}$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(min).max(max));
export const CONTACT_TOKEN_HEADER = 'x-contact-token';

const TITLES: Record<string, string> = {
  account_not_found: 'Account not found', work_item_not_found: 'Work item not found', work_item_not_held: 'You do not hold this work item',
  collector_not_found: 'Collector not found', collector_out_of_scope: 'The collector does not see this account', destination_not_found: 'No such number',
  contact_not_allowed: 'The compliance gate does not allow this contact', callback_outside_contact_window: 'Outside the allowed contact window',
  callback_time_invalid: 'The callback time is invalid', contact_not_found: 'Contact not found', contact_closed: 'The contact is closed',
  right_party_check_locked: 'No right-party check attempts left', right_party_check_not_applicable: 'No right-party check with a third party',
  right_party_not_verified: 'The right party is not verified', right_party_check_required: 'Debt details need a verified right party',
  note_language_prohibited: 'The note uses prohibited language', outcome_invalid: 'The outcome is invalid', outcome_already_recorded: 'The outcome is already recorded',
  idempotency_key_reused: 'Idempotency key reused', invalid_request: 'The request is invalid', customer_not_found: 'Customer not found',
};

function problem(reply: FastifyReply, r: { code: string; message: string; details?: unknown }) {
  const details = (r.details ?? {}) as Record<string, unknown>;
  const field = typeof details.field === 'string' ? details.field : null;
  const { field: _f, ...extra } = details;
  return sendProblem(reply, { code: r.code, title: TITLES[r.code] ?? 'Not done', detail: r.message, ...extra, ...(field ? { errors: [{ field: `body.${field}`, message: r.message }] } : {}) });
}

const gateSchema = z.object({
  decision: z.enum(['allow', 'block', 'defer']), until: z.string().nullable(), auditRef: z.string().nullable(),
  rules: z.array(z.object({ ruleId: z.string(), code: z.string(), effect: z.string(), message: z.object({ zh: z.string(), en: z.string() }) })),
});
const workItemSchema = z.object({
  id: z.number().int(), kind: z.string(), status: z.string(), customerId: z.string(), accountId: z.string().nullable(), priority: z.number().int(),
  teamId: z.string().nullable(), assignedTo: z.string().nullable(), lockedBy: z.string().nullable(), lockedUntil: z.string().nullable(),
  notBefore: z.string(), heldUntil: z.string().nullable(), reason: z.string().nullable(), stage: z.string().nullable(), destinationRef: z.string().nullable(),
});
const itemView = (i: WorkItemRow) => ({
  id: i.workItemId, kind: i.kind, status: i.status, customerId: i.customerId, accountId: i.accountId, priority: i.priority, teamId: i.teamId, assignedTo: i.assignedTo,
  lockedBy: i.lockedBy, lockedUntil: i.lockedUntil?.toISOString() ?? null, notBefore: i.notBefore.toISOString(), heldUntil: i.heldUntil?.toISOString() ?? null,
  reason: i.reason, stage: i.stage, destinationRef: i.destinationRef,
});
const nextSchema = z.object({
  case: z.object({
    workItem: z.object({
      id: z.number().int(), kind: z.string(), customerId: z.string(), accountId: z.string().nullable(), priority: z.number().int(), score: z.number(),
      reason: z.string().nullable(), stage: z.string().nullable(), notBefore: z.string(), dueBy: z.string().nullable(), lockedUntil: z.string(),
    }),
    destination: z.object({ ref: z.string(), masked: z.string(), party: z.string() }).nullable(),
    compliance: gateSchema.nullable(),
  }).nullable(),
});
const skillsView = z.object({ username: z.string(), languages: z.array(z.string()), buckets: z.array(z.string()), regions: z.array(z.string()), available: z.boolean() });
const money = z.string().nullable();
const outcomeView = z.object({ contactId: z.number().int(), attemptId: z.number().int(), noteId: z.number().int().nullable(), callbackWorkItemId: z.number().int().nullable(), workItemDone: z.boolean(), replayed: z.boolean() });
const loose = z.looseObject({});
const account360Schema = z.object({
  asOf: z.string(), customer: z.looseObject({ id: z.string(), name: z.string() }), account: z.looseObject({ id: z.string(), currency: z.string() }),
  accounts: z.array(loose),
  debt: z.object({ released: z.boolean(), reason: z.string().nullable(), contactId: z.number().int().nullable(), details: loose.nullable() }),
  contactHistory: z.array(loose), notes: z.array(loose), workItems: z.array(loose), documents: z.array(loose), complaints: z.array(loose), complaintsTracked: z.boolean(),
  compliance: z.looseObject({ mayCallNow: z.boolean(), nextAllowedAt: z.string().nullable(), numbers: z.array(loose) }).nullable(),
});

export function worklistRoutes(rt: Runtime, packs: PackSet, settings: WorklistSettings, paymentsSettings: PaymentsSettings): FastifyPluginAsyncZod {
  const deps: DeskDeps = { pool: rt.pool, cipher: rt.cipher, clock: rt.clock, packs, packId: rt.config.compliancePack, settings };
  const sees = (scope: Parameters<typeof seesAccount>[1], accountId: string | null, customerId: string) => seesAccount(rt.pool, scope, accountId, customerId);
  return async (app) => {
    app.get('/worklist/next', {
      config: { access: { permission: 'worklist:work' } },
      schema: {
        tags: ['worklist'],
        summary: 'Take the next case: claimed for you (SKIP LOCKED, no two collectors share one) until released, completed or timed out',
        description: 'Ranks your claimable items (your team and skills; callbacks assigned to you first) by priority plus urgency as today\'s contact window closes, and hands one out only when the compliance gate allows the contact now. `case` is null when nothing can be worked now.',
        response: { 200: nextSchema, ...problemResponses(401, 403, 429, 500) },
      },
    }, async (request) => ({ case: await nextCase(deps, principalOf(request)) }));

    const myItem = z.object({ id: z.number().int(), kind: z.string(), accountId: z.string().nullable(), priority: z.number().int(), reason: z.string().nullable(), notBefore: z.string(), lockedUntil: z.string().nullable(), destinationRef: z.string().nullable() });
    app.get('/worklist/mine', {
      config: { access: { permission: 'worklist:work' } },
      schema: {
        tags: ['worklist'], summary: 'My queue: the items I hold now, the open items assigned to me alone (callbacks, reassignments), and my team\'s queue counts',
        querystring: z.strictObject({ limit: wholeNumber(1, limits.pageSizeMax).optional() }),
        response: { 200: z.object({ held: z.array(myItem), assigned: z.array(myItem), team: z.object({ teamId: z.string(), openItems: z.number().int(), inProgress: z.number().int() }).nullable() }), ...problemResponses(400, 401, 403, 500) },
      },
    }, async (request) => {
      const principal = principalOf(request);
      return myQueue(rt.pool, { username: principal.name, teamId: queueTeamOf(principal.scope), now: rt.clock.now(), limit: request.query.limit ?? 20 });
    });

    app.post('/worklist/items/:id/release', {
      config: { access: { permission: 'worklist:work' } },
      schema: { tags: ['worklist'], summary: 'Give a work item you hold back to the queue', params: itemParams, response: { 200: z.object({ workItemId: z.number().int(), status: z.literal('open') }), ...problemResponses(400, 404, 409, 500) } },
    }, async (request, reply) => {
      const r = await releaseWorkItem(rt.pool, principalOf(request), request.params.id, rt.clock.now());
      return r.ok ? r.value : problem(reply, r);
    });

    app.post('/worklist/items/:id/reassign', {
      config: { access: { permission: 'worklist:supervise' } },
      schema: { tags: ['worklist'], summary: 'Hand a work item to a collector (only they get it; a lock is broken)', params: itemParams, body: reassignSchema, response: { 200: workItemSchema, ...problemResponses(400, 404, 409, 500) } },
    }, async (request, reply) => {
      const r = await reassignWorkItem(rt.pool, principalOf(request), request.params.id, request.body.to, rt.clock.now(), sees);
      return r.ok ? itemView(r.value) : problem(reply, r);
    });

    app.get('/worklist/items', {
      config: { access: { permission: 'worklist:supervise' } },
      schema: {
        tags: ['worklist'], summary: 'Work items in your scope, newest first (a supervisor\'s view of the queues)',
        querystring: z.strictObject({
          team: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/).optional(), status: z.enum(['open', 'in_progress', 'done', 'cancelled']).optional(),
          assignedTo: z.string().regex(/^[a-z0-9][a-z0-9._-]{2,63}$/).optional(), limit: wholeNumber(1, limits.pageSizeMax).optional(),
          before: z.string().regex(/^\d{1,15}$/, 'must be a work item id').transform(Number).optional().describe('the previous page\'s nextBefore'),
        }),
        response: { 200: z.object({ items: z.array(workItemSchema), nextBefore: z.number().int().nullable() }), ...problemResponses(400, 401, 403, 500) },
      },
    }, async (request) => {
      const q = request.query;
      const limit = q.limit ?? limits.pageSizeDefault;
      const items = await listItems(rt.pool, { scope: principalOf(request).scope, teamId: q.team ?? null, status: q.status ?? null, assignedTo: q.assignedTo ?? null, limit, now: rt.clock.now(), before: q.before ?? null });
      // A full page may have more behind it: the next page starts below its last (oldest) item.
      return { items: items.map(itemView), nextBefore: items.length === limit ? items.at(-1)!.workItemId : null };
    });

    app.get('/worklist/teams', {
      config: { access: { permission: 'worklist:supervise' } },
      schema: { tags: ['worklist'], summary: 'Teams with their members and queue counts', response: { 200: z.object({ teams: z.array(z.object({ teamId: z.string(), name: z.string().nullable(), members: z.number().int(), openItems: z.number().int(), inProgress: z.number().int() })) }), ...problemResponses(401, 403, 500) } },
    }, async () => ({ teams: await listTeams(rt.pool, rt.clock.now()) }));

    app.put('/worklist/teams/:teamId', {
      config: { access: { permission: 'worklist:supervise' } },
      schema: { tags: ['worklist'], summary: 'Name a team', params: z.strictObject({ teamId: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, _ and -') }), body: z.strictObject({ name: z.string().min(1).max(100) }), response: { 200: z.object({ teamId: z.string(), name: z.string() }), ...problemResponses(400, 500) } },
    }, async (request) => {
      await setTeam(rt.pool, principalOf(request), { teamId: request.params.teamId, name: request.body.name });
      return { teamId: request.params.teamId, name: request.body.name };
    });

    const usernameParams = z.strictObject({ username: z.string().min(1).max(64) });
    app.get('/worklist/collectors/:username/skills', {
      config: { access: { permission: 'worklist:supervise' } },
      schema: { tags: ['worklist'], summary: 'A collector\'s skills (languages, buckets, regions; empty = any) and availability', params: usernameParams, response: { 200: skillsView, ...problemResponses(404, 500) } },
    }, async (request, reply) => {
      const member = await findStaffMember(rt.pool, request.params.username);
      if (!member) return problem(reply, { code: 'collector_not_found', message: `no staff user ${JSON.stringify(request.params.username)}` });
      return { username: member.username, ...(await skillsOf(rt.pool, member.username)) };
    });

    app.put('/worklist/collectors/:username/skills', {
      config: { access: { permission: 'worklist:supervise' } },
      schema: { tags: ['worklist'], summary: 'Set a collector\'s skills and availability (fields not given keep their value)', params: usernameParams, body: skillsSchema, response: { 200: skillsView, ...problemResponses(400, 404, 500) } },
    }, async (request, reply) => {
      const r = await setSkills(rt.pool, principalOf(request), request.params.username, request.body, rt.clock.now());
      return r.ok ? r.value : problem(reply, r);
    });

    app.post('/worklist/callbacks', {
      config: { access: { permission: 'worklist:work' } },
      schema: {
        tags: ['worklist'], summary: 'Schedule a callback: only at a time the compliance gate allows; it comes back to you on time',
        body: callbackSchema,
        response: { 201: z.object({ workItemId: z.number().int(), accountId: z.string(), at: z.string(), destination: z.object({ ref: z.string(), masked: z.string() }), assignedTo: z.string(), existing: z.boolean(), compliance: gateSchema }), ...problemResponses(400, 404, 409, 500) },
      },
    }, async (request, reply) => {
      const r = await scheduleCallback(deps, principalOf(request), request.body);
      return r.ok ? reply.code(201).send(r.value) : problem(reply, r);
    });

    app.post('/worklist/contacts', {
      config: { access: { permission: 'worklist:work' } },
      schema: {
        tags: ['worklist'], summary: 'Start a contact (call or visit) on one of the customer\'s numbers: only when the gate allows it now; returns the contact token',
        body: startContactSchema,
        response: { 201: z.object({ contactId: z.number().int(), token: z.string(), expiresAt: z.string(), accountId: z.string(), customerId: z.string(), destination: z.object({ ref: z.string(), masked: z.string(), party: z.string() }), compliance: gateSchema }), ...problemResponses(400, 404, 409, 500) },
      },
    }, async (request, reply) => {
      const r = await startContact(deps, principalOf(request), request.body);
      return r.ok ? reply.code(201).header('cache-control', 'no-store').send(r.value) : problem(reply, r);
    });

    app.post('/worklist/contacts/:id/right-party-check', {
      config: { access: { permission: 'worklist:work' } },
      schema: {
        tags: ['worklist'], summary: 'Right-party check (核身): the name and the national id\'s last four (or the whole id) as the person on the line gives them',
        params: itemParams, body: rightPartySchema,
        response: { 200: z.object({ contactId: z.number().int(), passed: z.boolean(), attemptsLeft: z.number().int(), verifiedAt: z.string().nullable() }), ...problemResponses(400, 404, 409, 423, 500) },
      },
    }, async (request, reply) => {
      const r = await verifyRightParty(deps, principalOf(request), request.params.id, request.body);
      return r.ok ? r.value : problem(reply, r);
    });

    const tokenHeaders = z.looseObject({ [CONTACT_TOKEN_HEADER]: z.string().min(20).max(200).describe('the token POST /worklist/contacts returned') });
    app.get('/worklist/contacts/:id/debt', {
      config: { access: { permission: 'worklist:work' } },
      schema: {
        tags: ['worklist'], summary: 'The debt details to disclose on this contact: only after the right-party check passed',
        params: itemParams, headers: tokenHeaders,
        response: {
          200: z.object({
            contactId: z.number().int(), accountId: z.string(), currency: z.string(), balance: money, overdue: money, minimumDue: money, dueDate: z.string().nullable(),
            daysPastDue: z.number().int(), bucket: z.string(), lastPaymentOn: z.string().nullable(),
          }),
          ...problemResponses(400, 403, 404, 500),
        },
      },
    }, async (request, reply) => {
      const principal = principalOf(request);
      const s = await releasingContact(deps, principal, request.params.id, request.headers[CONTACT_TOKEN_HEADER] as string);
      if (!s.ok) return problem(reply, s);
      const view = await showAccount(rt.pool, s.value.accountId!, todayIn(rt.clock, rt.config.timeZone), await loadDefaultAgingPolicy());
      if (!view.ok) return problem(reply, view);
      const v = view.value;
      reply.header('cache-control', 'no-store');
      return {
        contactId: request.params.id, accountId: v.account.id, currency: v.account.currency, balance: v.balances.balance, overdue: v.balances.overdue,
        minimumDue: v.balances.minimumDue, dueDate: v.balances.dueDate, daysPastDue: v.daysPastDue, bucket: v.bucket, lastPaymentOn: v.balances.lastPaymentOn,
      };
    });

    app.post('/worklist/contacts/:id/outcome', {
      config: { access: { permission: 'worklist:work' } },
      schema: {
        tags: ['worklist'], summary: 'Record the contact\'s outcome: to the contact ledger, with disposition, delinquency reason, a checked note and an optional callback',
        params: itemParams, body: outcomeSchema,
        response: { 200: outcomeView.describe('the outcome was already recorded with this content (replayed)'), 201: outcomeView, ...problemResponses(400, 404, 409, 422, 500) },
      },
    }, async (request, reply) => {
      const r = await recordOutcome(deps, principalOf(request), request.params.id, request.body);
      return r.ok ? reply.code(r.value.replayed ? 200 : 201).send(r.value) : problem(reply, r);
    });

    app.post('/worklist/notes', {
      config: { access: { permission: 'worklist:work' } },
      schema: { tags: ['worklist'], summary: 'A note on an account (催记), after the compliance language check', body: noteSchema, response: { 201: z.object({ noteId: z.number().int(), checkedUnder: z.string() }), ...problemResponses(400, 404, 422, 500) } },
    }, async (request, reply) => {
      const r = await addNote(deps, principalOf(request), request.body);
      return r.ok ? reply.code(201).send(r.value) : problem(reply, r);
    });

    app.get('/worklist/reports/delinquency-reasons', {
      config: { access: { permission: 'accounts:read' } },
      schema: {
        tags: ['worklist'], summary: 'Delinquency reasons recorded on contacts (subjective / objective), by reason and current bucket, in your scope',
        querystring: z.strictObject({ from: plainDate.describe('first day (bank time zone)'), to: plainDate.describe('last day, inclusive') }),
        response: { 200: z.object({ from: z.string(), to: z.string(), rows: z.array(z.object({ reason: z.string(), category: z.string(), bucket: z.string().nullable(), contacts: z.number().int(), accounts: z.number().int() })) }), ...problemResponses(400, 500) },
      },
    }, async (request, reply) => {
      const { from, to } = request.query;
      if (from > to) return sendProblem(reply, { code: 'invalid_request', title: 'The request is invalid', detail: `from (${from}) is after to (${to})`, errors: [{ field: 'querystring.from', message: 'after to' }] });
      const rows = await delinquencyReasonReport(rt.pool, principalOf(request).scope, from, to, rt.config.timeZone);
      return { from, to, rows };
    });

    app.get('/worklist/reports/contacts', {
      config: { access: { permission: 'worklist:supervise' } },
      schema: {
        tags: ['worklist'], summary: 'Contact activity per collector or team (the supervisor\'s KPIs): contacts, connected, right-party contacts, promise-to-pay outcomes, in your scope',
        querystring: z.strictObject({ from: plainDate.optional().describe('first day (bank time zone); default today'), to: plainDate.optional().describe('last day, inclusive; default today'), by: z.enum(['collector', 'team']).default('collector') }),
        response: { 200: z.object({ from: z.string(), to: z.string(), by: z.string(), rows: z.array(z.object({ key: z.string(), contacts: z.number().int(), connected: z.number().int(), rightPartyContacts: z.number().int(), promiseDispositions: z.number().int() })) }), ...problemResponses(400, 500) },
      },
    }, async (request, reply) => {
      const today = formatPlainDate(todayIn(rt.clock, rt.config.timeZone));
      const { from = today, to = today, by } = request.query;
      if (from > to) return sendProblem(reply, { code: 'invalid_request', title: 'The request is invalid', detail: `from (${from}) is after to (${to})`, errors: [{ field: 'querystring.from', message: 'after to' }] });
      return { from, to, by, rows: await contactActivity(rt.pool, { from, to, by, timeZone: rt.config.timeZone, scope: principalOf(request).scope }) };
    });

    app.get('/accounts/:id/360', {
      config: { access: { permission: 'accounts:read' } },
      schema: {
        tags: ['worklist'],
        summary: 'Account 360: customer (masked), accounts, debt (front-line callers: after the right-party check), contact history, notes, work items, documents, complaints, compliance now',
        description: `Front-line callers (worklist:work without worklist:supervise) get debt details only with contactId and the ${CONTACT_TOKEN_HEADER} header of an open contact of theirs whose right-party check passed.`,
        params: accountParams,
        querystring: z.strictObject({ asOf: plainDate.optional(), contactId: numericId.optional() }),
        headers: z.looseObject({ [CONTACT_TOKEN_HEADER]: z.string().min(20).max(200).optional() }),
        response: { 200: account360Schema, ...problemResponses(400, 403, 404, 500) },
      },
    }, async (request, reply) => {
      const asOf = request.query.asOf ? parsePlainDate(request.query.asOf)! : todayIn(rt.clock, rt.config.timeZone);
      const token = request.headers[CONTACT_TOKEN_HEADER] as string | undefined;
      if ((request.query.contactId === undefined) !== (token === undefined)) {
        return sendProblem(reply, { code: 'invalid_request', title: 'The request is invalid', detail: `give contactId and the ${CONTACT_TOKEN_HEADER} header together`, errors: [{ field: 'querystring.contactId', message: 'needs the contact token' }] });
      }
      const r = await account360({ ...deps, payments: paymentsSettings }, principalOf(request), request.params.id, asOf, request.query.contactId === undefined ? null : { contactId: request.query.contactId, token: token! });
      if (!r.ok) return problem(reply, r);
      reply.header('cache-control', 'no-store');
      return r.value as unknown as z.infer<typeof account360Schema>;
    });
  };
}
