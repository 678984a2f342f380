/**
 * Contacts over HTTP: the right-party check (核身) gates debt details for that contact, outcomes go to
 * the contact ledger with disposition and delinquency reason, notes pass the compliance language check
 * (or nothing is written), and the Account 360 brings it together.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestRuntime, tableSnapshot } from '../support/database.ts';
import { TestClock, seedPortfolio, seedWorkItems } from '../support/collector.ts';
import { injectAs, sessionFor, type Credentials } from '../support/auth.ts';
import { buildServer } from '../../src/server.ts';

type Rt = Awaited<ReturnType<typeof createTestRuntime>>;
let rt: Rt;
let app: FastifyInstance;
let collector: Credentials;
let other: Credentials;
let supervisor: Credentials;
const clock = new TestClock('2026-06-30T02:00:00Z'); // 10:00 in Shanghai

beforeAll(async () => {
  rt = await createTestRuntime({ clock });
  await seedPortfolio(rt, [
    { id: 'C1', name: '张伟', nationalId: '11010519491231002X', phones: [{ number: '13800138000' }, { number: '13900139000', role: 'guarantor' }] },
    { id: 'C2', name: 'Li Na', nationalId: '310101198001011234', phones: [{ number: '13700137000' }] },
  ], [
    { id: 'A1', customerId: 'C1', team: 'team-a', statements: [{ statementDate: '2026-05-05', dueDate: '2026-05-25', minimumDue: '500.00', closingBalance: '5120.00', principal: '5000.00', interest: '100.00', fees: '20.00' }] },
    { id: 'A2', customerId: 'C2', team: 'team-a' },
  ]);
  app = await buildServer(rt);
  collector = await sessionFor(app, rt, { role: 'collector', teamId: 'team-a', username: 'li.na' });
  other = await sessionFor(app, rt, { role: 'collector', teamId: 'team-a', username: 'wang.fang' });
  supervisor = await sessionFor(app, rt, { role: 'supervisor', teamId: 'team-a', username: 'zhou.min' });
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

const as = (c: Credentials) => injectAs(app, c);
const start = async (c: Credentials, body: Record<string, unknown> = { accountId: 'A1', destinationRef: 'phone:0' }) => as(c)({ method: 'POST', url: '/worklist/contacts', payload: body });

describe('the right-party check gates debt details for that contact', () => {
  let contactId: number;
  let token: string;

  it('starts a contact only when the gate allows it, with a token', async () => {
    const r = await start(collector);
    expect(r.statusCode, r.body).toBe(201);
    const body = r.json();
    expect(body).toMatchObject({ accountId: 'A1', destination: { ref: 'phone:0', masked: '138****8000', party: 'debtor' }, compliance: { decision: 'allow', auditRef: expect.stringMatching(/^compliance:/) } });
    expect(r.headers['cache-control']).toBe('no-store');
    ({ contactId, token } = body);
    expect(token.length).toBeGreaterThan(30);
  });

  it('withholds debt details before the check: the 360 masks the debt, /debt refuses, a right-party outcome is refused', async () => {
    const view = await as(collector)('/accounts/A1/360');
    expect(view.statusCode, view.body).toBe(200);
    const v = view.json();
    expect(v.debt).toEqual({ released: false, reason: 'right_party_check_required', contactId: null, details: null });
    expect(v.accounts).toEqual([expect.objectContaining({ id: 'A1', balance: null, overdue: null, bucket: null })]);
    expect(v.customer).toMatchObject({ name: '张伟', nationalId: '**************002X' });
    expect(JSON.stringify(v)).not.toContain('5120');
    expect(v.compliance).toMatchObject({ mayCallNow: true, number: { ref: 'phone:0', masked: '138****8000' }, nextAllowedAt: null });
    const debt = await as(collector)({ url: `/worklist/contacts/${contactId}/debt`, headers: { 'x-contact-token': token } });
    expect(debt.statusCode).toBe(403);
    expect(debt.json().code).toBe('right_party_check_required');
    const outcome = await as(collector)({ method: 'POST', url: `/worklist/contacts/${contactId}/outcome`, payload: { token, outcome: 'connected_right_party' } });
    expect(outcome.statusCode).toBe(409);
    expect(outcome.json().code).toBe('right_party_not_verified');
  });

  it('fails on a wrong name or digits, passes on name + last four, and then releases the debt for that contact only', async () => {
    const check = (payload: Record<string, unknown>, c = collector) => as(c)({ method: 'POST', url: `/worklist/contacts/${contactId}/right-party-check`, payload: { token, ...payload } });
    expect((await check({ name: '张三', nationalIdLast4: '002X' })).json()).toMatchObject({ passed: false, attemptsLeft: 2 });
    expect((await check({ name: '张伟', nationalIdLast4: '0021' })).json()).toMatchObject({ passed: false, attemptsLeft: 1 });
    expect((await check({ name: '张伟', nationalIdLast4: '002x' }, other)).statusCode, 'another collector cannot use the contact').toBe(404);
    const ok = await check({ name: ' 张 伟 ', nationalIdLast4: '002x' });
    expect(ok.json()).toMatchObject({ passed: true, attemptsLeft: 0, verifiedAt: '2026-06-30T02:00:00.000Z' });
    const debt = await as(collector)({ url: `/worklist/contacts/${contactId}/debt`, headers: { 'x-contact-token': token } });
    expect(debt.statusCode, debt.body).toBe(200);
    expect(debt.json()).toMatchObject({ accountId: 'A1', currency: 'CNY', balance: '5120.00', minimumDue: '500.00', bucket: 'M2' });
    const wrongToken = await as(collector)({ url: `/worklist/contacts/${contactId}/debt`, headers: { 'x-contact-token': 'x'.repeat(43) } });
    expect(wrongToken.statusCode).toBe(403);
    const view = (await as(collector)({ url: `/accounts/A1/360?contactId=${contactId}`, headers: { 'x-contact-token': token } })).json();
    expect(view.debt).toMatchObject({ released: true, contactId, details: { balances: { balance: '5120.00' }, statements: [expect.objectContaining({ fees: '20.00' })] } });
    // The verified contact is with C1: it does not release C2's debt.
    const elsewhere = await as(collector)({ url: `/accounts/A2/360?contactId=${contactId}`, headers: { 'x-contact-token': token } });
    expect(elsewhere.statusCode).toBe(403);
  });

  it('accepts the whole national id too, and locks the contact after three failures', async () => {
    const second = (await start(collector)).json();
    const check = (payload: Record<string, unknown>) => as(collector)({ method: 'POST', url: `/worklist/contacts/${second.contactId}/right-party-check`, payload: { token: second.token, ...payload } });
    for (let i = 0; i < 3; i++) expect((await check({ name: '张伟', nationalId: '110105194912310021' })).json().passed).toBe(false);
    const locked = await check({ name: '张伟', nationalId: '11010519491231002x' });
    expect(locked.statusCode).toBe(423);
    expect(locked.json().code).toBe('right_party_check_locked');
    const third = (await start(collector)).json();
    const pass = await as(collector)({ method: 'POST', url: `/worklist/contacts/${third.contactId}/right-party-check`, payload: { token: third.token, name: '张伟', nationalId: '11010519491231002x' } });
    expect(pass.json()).toMatchObject({ passed: true });
  });

  it('has no right-party check with a guarantor: debt details are not theirs to hear', async () => {
    const g = await start(collector, { accountId: 'A1', destinationRef: 'phone:1' });
    expect(g.statusCode, g.body).toBe(201);
    const r = await as(collector)({ method: 'POST', url: `/worklist/contacts/${g.json().contactId}/right-party-check`, payload: { token: g.json().token, name: '张伟', nationalIdLast4: '002X' } });
    expect(r.statusCode).toBe(409);
    expect(r.json().code).toBe('right_party_check_not_applicable');
  });

  it('supervisors see the debt without a contact', async () => {
    const v = (await as(supervisor)('/accounts/A1/360')).json();
    expect(v.debt).toMatchObject({ released: true, details: { bucket: 'M2', balances: { balance: '5120.00', overdue: '500.00' } } });
    expect(v.accounts[0]).toMatchObject({ id: 'A1', balance: '5120.00', bucket: 'M2', agedAsOf: '2026-06-30' });
  });

  describe('outcomes', () => {
    it('refuse a note with prohibited language, writing nothing', async () => {
      const before = await tableSnapshot(rt, ['audit_log', 'audit_heads', 'access_audit', 'staff_sessions']);
      const r = await as(collector)({ method: 'POST', url: `/worklist/contacts/${contactId}/outcome`, payload: { token, outcome: 'connected_right_party', note: '再不还款就通知你单位和家人，列入黑名单' } });
      expect(r.statusCode, r.body).toBe(422);
      expect(r.json()).toMatchObject({ code: 'note_language_prohibited', findings: expect.arrayContaining([expect.objectContaining({ ruleId: 'CN-05' })]) });
      expect(await tableSnapshot(rt, ['audit_log', 'audit_heads', 'access_audit', 'staff_sessions'])).toEqual(before);
    });

    it('refuse dispositions and reasons that need the verified debtor on a third-party outcome', async () => {
      const g = (await start(collector, { accountId: 'A1', destinationRef: 'phone:1' })).json();
      const r = await as(collector)({ method: 'POST', url: `/worklist/contacts/${g.contactId}/outcome`, payload: { token: g.token, outcome: 'connected_third_party', delinquencyReason: 'illness' } });
      expect(r.statusCode).toBe(422);
      expect(r.json().code).toBe('outcome_invalid');
    });

    it('go to the ledger with the reason and a checked note; the contact closes; replays are idempotent', async () => {
      const payload = { token, outcome: 'connected_right_party', disposition: 'hardship_claimed', delinquencyReason: 'illness', note: '客户住院，下周提供诊断证明，商量分期' };
      const r = await as(collector)({ method: 'POST', url: `/worklist/contacts/${contactId}/outcome`, payload });
      expect(r.statusCode, r.body).toBe(201);
      const out = r.json();
      expect(out).toMatchObject({ contactId, noteId: expect.any(Number), replayed: false });
      const attempt = (await rt.pool.query('select * from contact_attempts where attempt_id = $1', [out.attemptId])).rows[0];
      expect(attempt).toMatchObject({ customer_id: 'C1', account_id: 'A1', channel: 'voice_agent', actor: 'bank:li.na', party: 'debtor', outcome: 'connected_right_party', destination_masked: '138****8000' });
      expect(attempt.destination).toBe(`tel:${rt.cipher.hmac('13800138000').toString('hex')}`);
      expect(attempt.verdict_ref).toMatch(/^compliance:\d+$/);
      expect((await as(collector)({ method: 'POST', url: `/worklist/contacts/${contactId}/outcome`, payload })).json()).toMatchObject({ attemptId: out.attemptId, replayed: true });
      const changed = await as(collector)({ method: 'POST', url: `/worklist/contacts/${contactId}/outcome`, payload: { ...payload, delinquencyReason: 'accident' } });
      expect(changed.statusCode).toBe(409);
      // Closed: no more debt details on it.
      expect((await as(collector)({ url: `/worklist/contacts/${contactId}/debt`, headers: { 'x-contact-token': token } })).statusCode).toBe(403);
      const view = (await as(supervisor)('/accounts/A1/360')).json();
      expect(view.contactHistory[0]).toMatchObject({ attemptId: out.attemptId, outcome: 'connected_right_party', destinationMasked: '138****8000', actor: 'bank:li.na' });
      expect(view.notes[0]).toMatchObject({ noteId: out.noteId, text: payload.note, author: 'li.na', contactId });
      expect(view.complaints).toEqual([]);
      expect(view.complaintsTracked).toBe(false);
    });

    it('are counted by delinquency reason and category for reporting', async () => {
      const r = await as(supervisor)('/worklist/reports/delinquency-reasons?from=2026-06-30&to=2026-06-30');
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().rows).toEqual([{ reason: 'illness', category: 'objective', bucket: null, contacts: 1, accounts: 1 }]);
      expect((await as(supervisor)('/worklist/reports/delinquency-reasons?from=2026-07-01&to=2026-07-02')).json().rows).toEqual([]);
    });

    it('complete the work item the contact came from, and can schedule the callback (inside the window only)', async () => {
      await seedWorkItems(rt, [{ accountId: 'A2', customerId: 'C2', priority: 70 }], clock.now());
      const next = (await as(collector)('/worklist/next')).json();
      expect(next.case).toMatchObject({ workItem: { accountId: 'A2' }, destination: { ref: 'phone:0' } });
      const c = (await start(collector, { accountId: 'A2', destinationRef: 'phone:0', workItemId: next.case.workItem.id })).json();
      const late = await as(collector)({ method: 'POST', url: `/worklist/contacts/${c.contactId}/outcome`, payload: { token: c.token, outcome: 'no_answer', callbackAt: '2026-06-30T23:00:00+08:00' } });
      expect(late.statusCode).toBe(409);
      expect(late.json()).toMatchObject({ code: 'callback_outside_contact_window', nextAllowedAt: '2026-07-01T00:00:00.000Z' });
      const r = await as(collector)({ method: 'POST', url: `/worklist/contacts/${c.contactId}/outcome`, payload: { token: c.token, outcome: 'no_answer', disposition: 'no_contact', callbackAt: '2026-06-30T15:00:00+08:00' } });
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json()).toMatchObject({ workItemDone: true, callbackWorkItemId: expect.any(Number) });
      const items = (await rt.pool.query(`select kind, status, assigned_to, not_before from work_items where account_id = 'A2' order by work_item_id`)).rows;
      expect(items).toEqual([
        expect.objectContaining({ kind: 'agent_call', status: 'done' }),
        expect.objectContaining({ kind: 'callback', status: 'open', assigned_to: 'li.na', not_before: new Date('2026-06-30T07:00:00Z') }),
      ]);
    });

    it('notes outside a contact pass the same check', async () => {
      const bad = await as(collector)({ method: 'POST', url: '/worklist/notes', payload: { accountId: 'A1', text: '我们是法院的，明天来抓你' } });
      expect(bad.statusCode).toBe(422);
      const good = await as(collector)({ method: 'POST', url: '/worklist/notes', payload: { accountId: 'A1', text: '已发送还款渠道说明' } });
      expect(good.statusCode, good.body).toBe(201);
      expect(good.json().checkedUnder).toMatch(/^cn@\d+$/);
      expect((await as(collector)({ method: 'POST', url: '/worklist/notes', payload: { accountId: 'NOPE', text: 'x' } })).statusCode).toBe(404);
    });
  });

  it('refuses a contact at night (CN-01) with the next allowed time', async () => {
    clock.set('2026-06-30T14:30:00Z'); // 22:30 (the day's sessions have expired: log in again)
    const night = await sessionFor(app, rt, { role: 'collector', teamId: 'team-a', username: 'night.owl' });
    const r = await start(night);
    expect(r.statusCode).toBe(409);
    expect(r.json()).toMatchObject({ code: 'contact_not_allowed', compliance: { decision: 'defer', until: '2026-07-01T00:00:00.000Z', rules: [expect.objectContaining({ ruleId: 'CN-01' })] } });
    const v = (await as(night)('/accounts/A1/360')).json();
    expect(v.compliance).toMatchObject({ mayCallNow: false, number: null, nextAllowedAt: '2026-07-01T00:00:00.000Z' });
    clock.set('2026-06-30T02:00:00Z');
  });
});
