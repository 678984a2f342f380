/**
 * Arrangements at the desk over HTTP: a collector proposes on a verified contact; within the
 * collector's authority the arrangement is agreed at once, beyond it it waits in the approval inbox for
 * the tier it needs — one case per limit of policies/arrangements/authority.json, each refused to the
 * tier below and to its own proposer. The inbox also holds the daily cycle's placement proposals and
 * account-action requests, decided at the tier `decisions` names; an approved account action changes
 * the account's status and leaves an account event. Promises at the desk; ugly inputs write nothing.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestRuntime, tableSnapshot } from '../support/database.ts';
import { TestClock, seedPortfolio, type FixtureAccount, type FixtureCustomer } from '../support/collector.ts';
import { injectAs, sessionFor, type Credentials } from '../support/auth.ts';
import { buildServer } from '../../src/server.ts';
import { proposePlacements, requestAccountActions } from '../../src/modules/strategy/index.ts';

type Rt = Awaited<ReturnType<typeof createTestRuntime>>;
let rt: Rt;
let app: FastifyInstance;
let collector: Credentials & { user: { username: string } };
let supervisor: Credentials & { user: { username: string } };
let manager: Credentials & { user: { username: string } };
const clock = new TestClock('2026-06-30T02:00:00Z'); // 10:00 in Shanghai, a Tuesday: calls allowed
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n'), Buffer.alloc(500, 0x20), Buffer.from('%%EOF\n')]);
const N = 27;
const ids = Array.from({ length: N }, (_, i) => String(i + 1).padStart(2, '0'));
const authority = JSON.parse(await readFile(new URL('../../policies/arrangements/authority.json', import.meta.url), 'utf8'));

beforeAll(async () => {
  rt = await createTestRuntime({ clock });
  const customers: FixtureCustomer[] = ids.map((n) => ({ id: `C${n}`, name: '张伟', nationalId: '11010519491231002X', phones: [{ number: `138001380${n}` }] }));
  // Owed as of 2026-06-30: fees 20.00, interest 100.00, principal 5000.01 (balance 5120.01); 800.00 past due.
  const accounts: FixtureAccount[] = ids.map((n) => ({ id: `A${n}`, customerId: `C${n}`, team: 'team-a', statements: [
    { statementDate: '2026-04-05', dueDate: '2026-04-25', minimumDue: '300.00', closingBalance: '3030.00', principal: '3000.00', interest: '25.00', fees: '5.00' },
    { statementDate: '2026-05-05', dueDate: '2026-05-25', minimumDue: '500.00', closingBalance: '5120.01', principal: '5000.01', interest: '100.00', fees: '20.00' },
  ] }));
  await seedPortfolio(rt, customers, accounts);
  app = await buildServer(rt);
  collector = await sessionFor(app, rt, { role: 'collector', teamId: 'team-a' });
  supervisor = await sessionFor(app, rt, { role: 'supervisor', teamId: 'team-a' });
  manager = await sessionFor(app, rt, { role: 'strategy_manager' });
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

/** A contact with the debtor whose right-party check passed: what releases debt details to a collector. */
async function verifiedContact(accountId: string): Promise<{ contactId: number; token: string }> {
  const started = await injectAs(app, collector)({ method: 'POST', url: '/worklist/contacts', payload: { accountId, destinationRef: 'phone:0' } });
  expect(started.statusCode, started.body).toBe(201);
  const { contactId, token } = started.json();
  const check = await injectAs(app, collector)({ method: 'POST', url: `/worklist/contacts/${contactId}/right-party-check`, payload: { token, name: '张伟', nationalIdLast4: '002X' } });
  expect(check.json().passed, check.body).toBe(true);
  return { contactId, token };
}

async function evidenceFor(accountId: string): Promise<number> {
  const r = await injectAs(app, collector)({ method: 'POST', url: `/accounts/${accountId}/evidence`, headers: { 'content-type': 'application/pdf' }, payload: PDF });
  expect(r.statusCode, r.body).toBe(201);
  return r.json().evidenceId;
}

const declared = { monthlyIncome: '20000.00', monthlyExpenses: '6000.00', savings: '9000.00' };

async function propose(accountId: string, body: Record<string, unknown>) {
  const c = await verifiedContact(accountId);
  return injectAs(app, collector)({ method: 'POST', url: `/accounts/${accountId}/arrangements?contactId=${c.contactId}`, headers: { 'x-contact-token': c.token }, payload: body });
}
const decide = (who: Credentials, kind: string, id: number, body: Record<string, unknown>) => injectAs(app, who)({ method: 'POST', url: `/approvals/${kind}/${id}/decision`, payload: body });
const count = async (sql: string, params: unknown[] = []) => Number((await rt.pool.query(sql, params)).rows[0].n);

let next = 0;
const freshAccount = () => `A${ids[next++]}`;

interface Case { limit: string; tier: 'collector' | 'supervisor' | 'manager'; quote: Record<string, unknown>; value: string }
const CASES: Case[] = [
  { limit: 'planMonthsMax', tier: 'collector', quote: { type: 'installments', months: 12 }, value: '12 months' },
  { limit: 'planMonthsMax', tier: 'supervisor', quote: { type: 'installments', months: 24 }, value: '24 months' },
  { limit: 'planMonthsMax', tier: 'manager', quote: { type: 'installments', months: 48 }, value: '48 months' },
  { limit: 'feeWaiverPercentMax', tier: 'collector', quote: { type: 'waiver', feesPercent: 20 }, value: '20.00%' },
  { limit: 'feeWaiverPercentMax', tier: 'supervisor', quote: { type: 'waiver', feesPercent: 100 }, value: '100.00%' },
  { limit: 'interestWaiverPercentMax', tier: 'supervisor', quote: { type: 'waiver', interestPercent: 50 }, value: '50.00%' },
  { limit: 'interestWaiverPercentMax', tier: 'manager', quote: { type: 'waiver', interestPercent: 80 }, value: '80.00%' },
  { limit: 'settlementPercentOfBalanceMin', tier: 'supervisor', quote: { type: 'settlement', amount: '4000.00' }, value: '78.12%' },
  { limit: 'settlementPercentOfBalanceMin', tier: 'manager', quote: { type: 'settlement', amount: '2560.01' }, value: '50.00%' },
  { limit: 'extensionDaysMax', tier: 'collector', quote: { type: 'extension', days: 30 }, value: '30 days' },
  { limit: 'extensionDaysMax', tier: 'supervisor', quote: { type: 'extension', days: 90 }, value: '90 days' },
  { limit: 'extensionDaysMax', tier: 'manager', quote: { type: 'extension', days: 180 }, value: '180 days' },
];

describe('authority limits (policies/arrangements/authority.json)', () => {
  it('the cases cover every limit the policy has', () => {
    expect(new Set(CASES.map((c) => c.limit))).toEqual(new Set(Object.keys(authority.limits)));
  });

  for (const c of CASES) {
    it(`${c.limit} ${c.value} needs a ${c.tier}`, async () => {
      const accountId = freshAccount();
      const body: Record<string, unknown> = { quote: c.quote, declared, note: `${c.limit} case` };
      if (c.quote.type === 'installments') body.evidenceIds = [await evidenceFor(accountId)];
      const r = await propose(accountId, body);
      expect(r.statusCode, r.body).toBe(201);
      const p = r.json();
      expect(p.requiredTier).toBe(c.tier);
      expect(p.authority.reasons).toContainEqual({ limit: c.limit, value: c.value, tier: c.tier });
      if (c.tier === 'collector') {
        // Within the proposer's authority: agreed at once, the plan written, an account event left.
        expect(p).toMatchObject({ status: 'approved', decidedBy: collector.user.username, planId: expect.any(Number) });
        expect(await count(`select count(*) as n from account_events where account_id = $1 and kind = 'arrangement_agreed'`, [accountId])).toBe(1);
        return;
      }
      expect(p).toMatchObject({ status: 'proposed', planId: null });
      const inbox = (await injectAs(app, supervisor)('/approvals')).json();
      expect(inbox.items).toContainEqual(expect.objectContaining({ kind: 'arrangement', id: p.proposalId, requiredTier: c.tier, mayDecide: c.tier === 'supervisor', proposedBy: collector.user.username }));
      // The collector cannot decide at all; the tier below the one needed is refused and nothing is written.
      expect((await decide(collector, 'arrangement', p.proposalId, { decision: 'approve' })).statusCode).toBe(403);
      if (c.tier === 'manager') {
        const below = await decide(supervisor, 'arrangement', p.proposalId, { decision: 'approve' });
        expect(below.statusCode).toBe(403);
        expect(below.json().code).toBe('authority_insufficient');
      }
      expect(await count('select count(*) as n from repayment_plans where account_id = $1', [accountId])).toBe(0);
      const approver = c.tier === 'manager' ? manager : supervisor;
      const ok = await decide(approver, 'arrangement', p.proposalId, { decision: 'approve', note: 'hardship confirmed' });
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json().proposal).toMatchObject({ status: 'approved', decidedBy: approver.user.username, decisionNote: 'hardship confirmed', planId: expect.any(Number) });
      const plan = (await rt.pool.query('select kind, total_minor, forgiven_minor, waived_fees_minor, waived_interest_minor, status from repayment_plans where account_id = $1', [accountId])).rows[0];
      expect(plan).toMatchObject({ kind: c.quote.type, status: 'active' });
      expect(BigInt(plan.total_minor)).toBe(BigInt(p.quote.total.replace('.', '')));
      expect(BigInt(plan.forgiven_minor)).toBe(BigInt(p.quote.forgiven.replace('.', '')));
      const again = await decide(approver, 'arrangement', p.proposalId, { decision: 'approve' });
      expect(again.json().code).toBe('proposal_not_open');
    });
  }

  it('nobody may agree an extension beyond every tier; a plan beyond the pack limit names CN-09', async () => {
    const accountId = freshAccount();
    const before = await tableSnapshot(rt, ['contact_sessions', 'audit_log', 'audit_heads', 'access_audit', 'sessions', 'staff_sessions']);
    const beyond = await propose(accountId, { quote: { type: 'extension', days: 181 } });
    expect(beyond.statusCode).toBe(422);
    expect(beyond.json()).toMatchObject({ code: 'beyond_every_authority', authority: { tier: null } });
    const tooLong = await propose(accountId, { quote: { type: 'installments', months: 72 }, declared, evidenceIds: [1] });
    expect(tooLong.statusCode).toBe(422);
    expect(tooLong.json()).toMatchObject({ code: 'plan_term_exceeds_limit', rule: 'CN-09' });
    expect(await tableSnapshot(rt, ['contact_sessions', 'audit_log', 'audit_heads', 'access_audit', 'sessions', 'staff_sessions'])).toEqual(before);
  });

  it('the proposer withdraws a waiting proposal; nobody else does, and a decided one stays', async () => {
    const accountId = freshAccount();
    const p = (await propose(accountId, { quote: { type: 'extension', days: 45 } })).json();
    expect(p.status).toBe('proposed');
    const url = `/accounts/${accountId}/arrangements/${p.proposalId}/withdrawal`;
    const bySupervisor = await injectAs(app, supervisor)({ method: 'POST', url, payload: {} });
    expect(bySupervisor.statusCode).toBe(403);
    expect(bySupervisor.json().code).toBe('not_your_proposal');
    expect((await injectAs(app, collector)({ method: 'POST', url: `/accounts/A01/arrangements/${p.proposalId}/withdrawal`, payload: {} })).statusCode).toBe(404);
    const withdrawn = await injectAs(app, collector)({ method: 'POST', url, payload: { note: 'customer will pay in full' } });
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    expect(withdrawn.json()).toMatchObject({ status: 'withdrawn', decidedBy: collector.user.username, decisionNote: 'customer will pay in full', planId: null });
    expect((await injectAs(app, collector)({ method: 'POST', url, payload: {} })).json().code).toBe('proposal_not_open');
    // The account is free for another arrangement.
    expect((await propose(accountId, { quote: { type: 'extension', days: 20 } })).json().status).toBe('approved');
  });

  it('two approvers deciding at once: one plan, the other told it was decided meanwhile', async () => {
    const accountId = freshAccount();
    const p = (await propose(accountId, { quote: { type: 'extension', days: 60 } })).json();
    expect(p.status).toBe('proposed');
    const other = await sessionFor(app, rt, { role: 'supervisor', teamId: 'team-a' });
    const [a, b] = await Promise.all([decide(supervisor, 'arrangement', p.proposalId, { decision: 'approve' }), decide(other, 'arrangement', p.proposalId, { decision: 'approve' })]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    expect([a, b].find((r) => r.statusCode === 409)!.json().code).toBe('proposal_not_open');
    expect(await count('select count(*) as n from repayment_plans where account_id = $1', [accountId])).toBe(1);
    expect(await count(`select count(*) as n from account_events where account_id = $1 and kind = 'arrangement_agreed'`, [accountId])).toBe(1);
  });

  it('four eyes: a proposer never approves their own proposal, but may withdraw it', async () => {
    const accountId = freshAccount();
    // A supervisor (not gated by a contact) proposes what needs a manager.
    const r = await injectAs(app, supervisor)({ method: 'POST', url: `/accounts/${accountId}/arrangements`, payload: { quote: { type: 'settlement', amount: '2000.00' }, declared } });
    expect(r.statusCode, r.body).toBe(201);
    const p = r.json();
    expect(p).toMatchObject({ status: 'proposed', requiredTier: 'manager', proposedBy: supervisor.user.username });
    const own = await decide(supervisor, 'arrangement', p.proposalId, { decision: 'approve' });
    expect(own.statusCode).toBe(403);
    expect(own.json().code).toBe('own_proposal');
    expect((await injectAs(app, supervisor)('/approvals')).json().items.find((i: { id: number; kind: string }) => i.kind === 'arrangement' && i.id === p.proposalId).mayDecide).toBe(false);
    const withdrawn = await decide(supervisor, 'arrangement', p.proposalId, { decision: 'reject', note: 'customer changed mind' });
    expect(withdrawn.json().proposal).toMatchObject({ status: 'withdrawn', planId: null });
  });
});

describe('the inbox: placements and account actions', () => {
  it('decides the cycle\'s placements and account actions at the tier the policy names; approved actions become account events', async () => {
    const [agencyAcc, legalAcc, freezeAcc, restrictAcc] = [freshAccount(), freshAccount(), freshAccount(), freshAccount()];
    const cycle = { origin: 'cycle' as const, strategy: { id: 'default-strategy', version: 1, variant: 'champion' }, stage: 'late', decision: null, proposedOn: '2026-06-30' };
    await proposePlacements(rt.pool, [
      { ...cycle, idempotencyKey: 'p1', accountId: agencyAcc, customerId: agencyAcc.replace('A', 'C'), kind: 'agency', agencyId: null, legalStage: null },
      { ...cycle, idempotencyKey: 'p2', accountId: legalAcc, customerId: legalAcc.replace('A', 'C'), kind: 'legal', agencyId: null, legalStage: 'mediation' },
    ]);
    await requestAccountActions(rt.pool, [
      { ...cycle, idempotencyKey: 'a1', accountId: freezeAcc, customerId: freezeAcc.replace('A', 'C'), action: 'freeze', requestedOn: '2026-06-30', reason: 'suspected evasion' },
    ]);
    // A collector asks for a restriction; asking again the same day is the same request.
    const asked = await injectAs(app, collector)({ method: 'POST', url: `/accounts/${restrictAcc}/actions`, payload: { action: 'restrict', reason: 'spending while delinquent' } });
    expect(asked.statusCode, asked.body).toBe(201);
    const again = await injectAs(app, collector)({ method: 'POST', url: `/accounts/${restrictAcc}/actions`, payload: { action: 'restrict', reason: 'spending while delinquent' } });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ requestId: asked.json().requestId, replayed: true });

    const inbox = (await injectAs(app, supervisor)('/approvals')).json();
    expect(inbox.tier).toBe('supervisor');
    // Paged on the server: pages of 2 walk the same items in the same order, each once.
    const key = (i: { kind: string; id: number }) => `${i.kind}:${i.id}`;
    const walked: string[] = [];
    for (let offset: number | null = 0, n = 0; offset !== null && n < 50; n++) {
      const page: { items: { kind: string; id: number }[]; nextOffset: number | null } = (await injectAs(app, supervisor)(`/approvals?limit=2&offset=${offset}`)).json();
      walked.push(...page.items.map(key));
      offset = page.nextOffset;
    }
    expect(inbox.items.length).toBeGreaterThan(2);
    expect(inbox.nextOffset).toBeNull();
    expect(walked).toEqual(inbox.items.map(key));
    expect((await injectAs(app, supervisor)('/approvals?limit=0')).statusCode).toBe(400);
    const item = (kind: string, accountId: string) => inbox.items.find((i: { kind: string; accountId: string }) => i.kind === kind && i.accountId === accountId);
    expect(item('placement', agencyAcc)).toMatchObject({ what: 'agency', requiredTier: authority.decisions.placement_agency, mayDecide: true, origin: 'strategy default-strategy v1 (champion)' });
    expect(item('placement', legalAcc)).toMatchObject({ requiredTier: authority.decisions.placement_legal, mayDecide: false });
    expect(item('account_action', freezeAcc)).toMatchObject({ what: 'freeze', requiredTier: authority.decisions.freeze, mayDecide: false });
    expect(item('account_action', restrictAcc)).toMatchObject({ what: 'restrict', requiredTier: authority.decisions.restrict, mayDecide: true, origin: 'staff' });

    // An agency placement names no agency: the decider gives one.
    const noAgency = await decide(supervisor, 'placement', item('placement', agencyAcc).id, { decision: 'approve' });
    expect(noAgency.json().code).toBe('agency_required');
    const placed = await decide(supervisor, 'placement', item('placement', agencyAcc).id, { decision: 'approve', agencyId: 'agency-east' });
    expect(placed.statusCode, placed.body).toBe(200);
    expect((await rt.pool.query('select agency_id from account_assignments where account_id = $1', [agencyAcc])).rows[0].agency_id).toBe('agency-east');

    const legalBySupervisor = await decide(supervisor, 'placement', item('placement', legalAcc).id, { decision: 'approve' });
    expect(legalBySupervisor.json().code).toBe('authority_insufficient');
    expect((await decide(manager, 'placement', item('placement', legalAcc).id, { decision: 'approve' })).statusCode).toBe(200);
    expect((await rt.pool.query('select legal_stage from account_assignments where account_id = $1', [legalAcc])).rows[0].legal_stage).toBe('mediation');

    const freezeBySupervisor = await decide(supervisor, 'account_action', item('account_action', freezeAcc).id, { decision: 'approve' });
    expect(freezeBySupervisor.statusCode).toBe(403);
    expect((await rt.pool.query('select status from card_accounts where account_id = $1', [freezeAcc])).rows[0].status).toBe('open');
    const frozen = await decide(manager, 'account_action', item('account_action', freezeAcc).id, { decision: 'approve', note: 'confirmed' });
    expect(frozen.json()).toMatchObject({ status: 'approved', applied: { status: 'frozen', previous: 'open' } });
    expect((await rt.pool.query('select status from card_accounts where account_id = $1', [freezeAcc])).rows[0].status).toBe('frozen');
    const event = (await rt.pool.query(`select kind, data from account_events where account_id = $1 and kind like 'account_%'`, [freezeAcc])).rows;
    expect(event).toEqual([{ kind: 'account_frozen', data: expect.objectContaining({ action: 'freeze', from: 'open', to: 'frozen', approvedBy: manager.user.username, origin: 'strategy' }) }]);

    const restricted = await decide(supervisor, 'account_action', item('account_action', restrictAcc).id, { decision: 'approve' });
    expect(restricted.json().applied.status).toBe('restricted');
    // Lifting is a request too, decided by a supervisor.
    const lift = await injectAs(app, collector)({ method: 'POST', url: `/accounts/${restrictAcc}/actions`, payload: { action: 'lift', reason: 'paid the arrears' } });
    expect((await decide(supervisor, 'account_action', lift.json().requestId, { decision: 'approve' })).json().applied).toMatchObject({ status: 'open', previous: 'restricted' });
    expect((await rt.pool.query(`select kind from account_events where account_id = $1 order by event_id`, [restrictAcc])).rows.map((r) => r.kind)).toEqual(['account_restricted', 'account_lifted']);
    // Decided items leave the inbox; rejecting is recorded too.
    const left = (await injectAs(app, supervisor)('/approvals')).json().items.filter((i: { kind: string }) => i.kind !== 'arrangement');
    expect(left).toEqual([]);
  });
});

describe('promises to pay at the desk', () => {
  it('records a promise on a verified contact, idempotent by key; a second open one, a bad date or bad language are refused', async () => {
    const accountId = freshAccount();
    const c = await verifiedContact(accountId);
    const post = (payload: Record<string, unknown>, as = collector, contact: { contactId: number; token: string } | null = c) => injectAs(app, as)({
      method: 'POST', url: `/accounts/${accountId}/promises${contact ? `?contactId=${contact.contactId}` : ''}`, headers: contact ? { 'x-contact-token': contact.token } : {}, payload,
    });
    expect((await post({ amount: '800.00', promisedOn: '2026-07-05' }, collector, null)).json().code).toBe('right_party_check_required');
    const first = await post({ amount: '800.00', promisedOn: '2026-07-05', idempotencyKey: 'call-1' });
    expect(first.statusCode, first.body).toBe(201);
    expect((await post({ amount: '800.00', promisedOn: '2026-07-05', idempotencyKey: 'call-1' })).json()).toMatchObject({ promiseId: first.json().promiseId, replayed: true });
    expect((await post({ amount: '900.00', promisedOn: '2026-07-05', idempotencyKey: 'call-1' })).json().code).toBe('idempotency_key_reused');
    expect((await post({ amount: '100.00', promisedOn: '2026-07-06' })).json().code).toBe('promise_already_active');
    const row = (await rt.pool.query('select amount_minor, promised_on, channel, recorded_by from promises_to_pay where account_id = $1', [accountId])).rows;
    expect(row).toEqual([{ amount_minor: 80000n, promised_on: '2026-07-05', channel: 'voice_agent', recorded_by: collector.user.username }]);
    // Open promises count as made, not yet kept or broken, in the kept rate per collector.
    const rate = await injectAs(app, supervisor)('/reports/promise-kept-rate?from=2026-06-30&to=2026-06-30');
    expect(rate.json()).toEqual({ from: '2026-06-30', to: '2026-06-30', by: 'collector', rows: [{ key: collector.user.username, made: 1, kept: 0, broken: 0, open: 1, keptRate: null }] });
    expect((await injectAs(app, supervisor)('/reports/promise-kept-rate?from=2026-06-30&to=2026-06-30&by=team')).json().rows).toEqual([{ key: 'team-a', made: 1, kept: 0, broken: 0, open: 1, keptRate: null }]);
    const badRate = await injectAs(app, supervisor)('/reports/promise-kept-rate?from=2026-07-01&to=2026-06-30');
    expect(badRate.statusCode).toBe(400);
    expect((await injectAs(app, supervisor)('/reports/promise-kept-rate?from=2026-02-30&to=2026-06-30')).json().errors[0].field).toBe('querystring.from');
    expect((await injectAs(app, collector)('/reports/promise-kept-rate?from=2026-06-30&to=2026-06-30')).statusCode).toBe(403);
    // The supervisor's 360 shows the promise among the debt details.
    expect((await injectAs(app, supervisor)(`/accounts/${accountId}/360`)).json().debt.details.promises).toEqual([expect.objectContaining({ amount: '800.00', promisedOn: '2026-07-05', status: 'active' })]);

    const other = freshAccount();
    const c2 = await verifiedContact(other);
    const bad = (payload: Record<string, unknown>) => injectAs(app, collector)({ method: 'POST', url: `/accounts/${other}/promises?contactId=${c2.contactId}`, headers: { 'x-contact-token': c2.token }, payload });
    const before = await tableSnapshot(rt, ['audit_log', 'access_audit', 'sessions', 'staff_sessions']);
    for (const [payload, code, field] of [
      [{ amount: '-5.00', promisedOn: '2026-07-05' }, 'invalid_request', 'body.amount'],
      [{ amount: 'abc', promisedOn: '2026-07-05' }, 'invalid_request', 'body.amount'],
      [{ amount: '0.001', promisedOn: '2026-07-05' }, 'amount_invalid', 'body.amount'],
      [{ amount: '10.00', promisedOn: '2026-13-45' }, 'invalid_request', 'body.promisedOn'],
      [{ amount: '10.00', promisedOn: '2026-06-01' }, 'promised_date_invalid', 'body.promisedOn'],
      [{ amount: '10.00', promisedOn: '2026-12-31' }, 'promised_date_invalid', 'body.promisedOn'],
      [{ amount: '10.00', promisedOn: '2026-07-05', note: '再不还款就通知你单位和家人，列入黑名单' }, 'note_language_prohibited', 'body.note'],
    ] as const) {
      const r = await bad(payload);
      expect(r.json(), JSON.stringify(payload)).toMatchObject({ code });
      expect(r.json().errors?.map((e: { field: string }) => e.field), JSON.stringify(payload)).toContain(field);
    }
    expect(await tableSnapshot(rt, ['audit_log', 'access_audit', 'sessions', 'staff_sessions'])).toEqual(before);
  });
});

describe('ugly proposals', () => {
  it('are refused naming the field, and write nothing', async () => {
    const accountId = freshAccount();
    const c = await verifiedContact(accountId);
    const foreignEvidence = await evidenceFor('A01');
    const post = (payload: unknown, account = accountId) => injectAs(app, collector)({
      method: 'POST', url: `/accounts/${account}/arrangements?contactId=${c.contactId}`, headers: { 'x-contact-token': c.token }, payload: payload as Record<string, unknown>,
    });
    const before = await tableSnapshot(rt, ['audit_log', 'access_audit', 'sessions', 'staff_sessions']);
    const cases: [unknown, number, string, string | null][] = [
      [{ quote: { type: 'installments', months: 0 } }, 400, 'invalid_request', 'body.quote.months'],
      [{ quote: { type: 'installments', months: 1_000_000 } }, 400, 'invalid_request', 'body.quote.months'],
      [{ quote: { type: 'installments', months: -3 } }, 400, 'invalid_request', 'body.quote.months'],
      [{ quote: { type: 'installments', months: 2.5 } }, 400, 'invalid_request', 'body.quote.months'],
      [{ quote: { type: 'installments', months: 6, firstDueOn: '2026-02-30' }, declared, evidenceIds: [foreignEvidence] }, 400, 'invalid_request', 'body.quote.firstDueOn'],
      [{ quote: { type: 'settlement', amount: '-100.00' } }, 400, 'invalid_request', 'body.quote.amount'],
      [{ quote: { type: 'settlement', amount: '1e5' } }, 400, 'invalid_request', 'body.quote.amount'],
      [{ quote: { type: 'settlement', amount: '99999.00' } }, 422, 'quote_invalid', 'body.quote.amount'],
      [{ quote: { type: 'settlement', amount: '100.001' } }, 400, 'invalid_request', 'body.quote.amount'],
      [{ quote: { type: 'waiver', feesPercent: 120 } }, 400, 'invalid_request', 'body.quote.feesPercent'],
      [{ quote: { type: 'extension', days: 30, months: 3 } }, 400, 'invalid_request', 'body.quote.months'],
      [{ quote: { type: 'loan', months: 3 } }, 400, 'invalid_request', 'body.quote.type'],
      [{ quote: { type: 'installments', months: 6 }, declared }, 422, 'evidence_required', 'body.evidenceIds'],
      [{ quote: { type: 'installments', months: 6 }, declared, evidenceIds: [foreignEvidence] }, 404, 'evidence_not_found', 'body.evidenceIds'],
      [{ quote: { type: 'installments', months: 6 }, evidenceIds: [foreignEvidence] }, 404, 'evidence_not_found', 'body.evidenceIds'],
      [{ quote: { type: 'extension', days: 10 }, declared: { monthlyIncome: 'lots', monthlyExpenses: '1.00' } }, 400, 'invalid_request', 'body.declared.monthlyIncome'],
      [{ quote: { type: 'extension', days: 10 }, declared: { monthlyIncome: '1000.00', monthlyExpenses: '900.00' } }, 422, 'arrangement_unaffordable', null],
      [{ quote: { type: 'extension', days: 10 }, note: '再不还款就通知你单位和家人，列入黑名单' }, 422, 'note_language_prohibited', 'body.note'],
      [{ quote: { type: 'extension', days: 10 }, evidenceIds: [0] }, 400, 'invalid_request', 'body.evidenceIds.0'],
    ];
    for (const [payload, status, code, field] of cases) {
      const r = await post(payload);
      expect(r.statusCode, `${JSON.stringify(payload)} → ${r.body}`).toBe(status);
      expect(r.json().code, JSON.stringify(payload)).toBe(code);
      if (field) expect(r.json().errors?.map((e: { field: string }) => e.field), `${JSON.stringify(payload)} → ${r.body}`).toContain(field);
    }
    expect((await post({ quote: { type: 'extension', days: 10 } }, 'NO-SUCH')).statusCode).toBe(404);
    expect(await tableSnapshot(rt, ['audit_log', 'access_audit', 'sessions', 'staff_sessions'])).toEqual(before);
  });

  it('a front-line collector proposes only on a verified contact of their own', async () => {
    const accountId = freshAccount();
    const r = await injectAs(app, collector)({ method: 'POST', url: `/accounts/${accountId}/arrangements`, payload: { quote: { type: 'extension', days: 10 } } });
    expect(r.statusCode).toBe(403);
    expect(r.json().code).toBe('right_party_check_required');
    const listing = await injectAs(app, supervisor)(`/accounts/${accountId}/arrangements`);
    expect(listing.json()).toEqual({ proposals: [], promises: [], plans: [] });
  });
});
