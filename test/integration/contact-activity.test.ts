/**
 * The supervisor's contact KPIs over HTTP (GET /worklist/reports/contacts): contacts started per
 * collector or team on bank-local days, how many connected, how many with the verified cardholder, how
 * many ended in a promise to pay; in the caller's scope; today by default. And a collector's own queue
 * (GET /worklist/mine): what I hold, what waits for me alone, my team's counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestRuntime } from '../support/database.ts';
import { TestClock, seedPortfolio, seedWorkItems } from '../support/collector.ts';
import { injectAs, sessionFor, type Credentials } from '../support/auth.ts';
import { buildServer } from '../../src/server.ts';

let rt: Awaited<ReturnType<typeof createTestRuntime>>;
let app: FastifyInstance;
let ana: Credentials;
let bo: Credentials;
let bTeam: Credentials;
let supervisorA: Credentials;
let supervisorAll: Credentials;
const clock = new TestClock('2026-06-30T02:00:00Z'); // 10:00 in Shanghai

beforeAll(async () => {
  rt = await createTestRuntime({ clock });
  await seedPortfolio(rt, [
    { id: 'C1', name: '张伟', nationalId: '11010519491231002X', phones: [{ number: '13800138000' }] },
    { id: 'C2', name: '李娜', nationalId: '310101198001011234', phones: [{ number: '13700137000' }, { number: '13600136000', role: 'guarantor' }] },
    { id: 'C3', name: '王芳', nationalId: '310101198001015678', phones: [{ number: '13500135000' }] },
  ], [
    { id: 'A1', customerId: 'C1', team: 'team-a' },
    { id: 'A2', customerId: 'C2', team: 'team-a' },
    { id: 'A3', customerId: 'C3', team: 'team-b' },
  ]);
  app = await buildServer(rt);
  ana = await sessionFor(app, rt, { role: 'collector', teamId: 'team-a', username: 'ana.li' });
  bo = await sessionFor(app, rt, { role: 'collector', teamId: 'team-a', username: 'bo.wu' });
  bTeam = await sessionFor(app, rt, { role: 'collector', teamId: 'team-b', username: 'cy.xu' });
  supervisorA = await sessionFor(app, rt, { role: 'supervisor', teamId: 'team-a', username: 'sup-a' });
  supervisorAll = await sessionFor(app, rt, { role: 'supervisor', username: 'sup-all' });
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

const as = (c: Credentials) => injectAs(app, c);

/** A call: started, optionally verified, with an outcome. */
async function call(c: Credentials, accountId: string, ref: string, verify: { name: string; last4: string } | null, outcome: Record<string, unknown> | null) {
  const started = await as(c)({ method: 'POST', url: '/worklist/contacts', payload: { accountId, destinationRef: ref } });
  expect(started.statusCode, started.body).toBe(201);
  const { contactId, token } = started.json();
  if (verify) {
    const r = await as(c)({ method: 'POST', url: `/worklist/contacts/${contactId}/right-party-check`, payload: { token, name: verify.name, nationalIdLast4: verify.last4 } });
    expect(r.json().passed).toBe(true);
  }
  if (outcome) {
    const r = await as(c)({ method: 'POST', url: `/worklist/contacts/${contactId}/outcome`, payload: { token, ...outcome } });
    expect(r.statusCode, r.body).toBe(201);
  }
}

describe('contact KPIs per collector and team', () => {
  it('counts contacts, connected, right-party contacts and promise outcomes of today', async () => {
    await call(ana, 'A1', 'phone:0', { name: '张伟', last4: '002X' }, { outcome: 'connected_right_party', disposition: 'promise_to_pay', delinquencyReason: 'forgot' });
    await call(ana, 'A2', 'phone:0', null, { outcome: 'no_answer' });
    await call(ana, 'A2', 'phone:0', null, null); // still open: counted as a contact, nothing else yet
    await call(bo, 'A2', 'phone:0', { name: '李娜', last4: '1234' }, { outcome: 'connected_right_party', disposition: 'refused_to_pay' });
    await call(bTeam, 'A3', 'phone:0', null, { outcome: 'connected_third_party' });

    const r = await as(supervisorAll)('/worklist/reports/contacts');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({
      from: '2026-06-30', to: '2026-06-30', by: 'collector',
      rows: [
        { key: 'ana.li', contacts: 3, connected: 1, rightPartyContacts: 1, promiseDispositions: 1 },
        { key: 'bo.wu', contacts: 1, connected: 1, rightPartyContacts: 1, promiseDispositions: 0 },
        { key: 'cy.xu', contacts: 1, connected: 1, rightPartyContacts: 0, promiseDispositions: 0 },
      ],
    });
    const teams = (await as(supervisorAll)('/worklist/reports/contacts?by=team')).json();
    expect(teams.rows).toEqual([
      { key: 'team-a', contacts: 4, connected: 2, rightPartyContacts: 2, promiseDispositions: 1 },
      { key: 'team-b', contacts: 1, connected: 1, rightPartyContacts: 0, promiseDispositions: 0 },
    ]);
  });

  it('counts only the accounts in the supervisor\'s scope, and only the days asked', async () => {
    const a = (await as(supervisorA)('/worklist/reports/contacts?by=team')).json();
    expect(a.rows.map((r: { key: string }) => r.key)).toEqual(['team-a']);
    expect((await as(supervisorAll)('/worklist/reports/contacts?from=2026-07-01&to=2026-07-01')).json().rows).toEqual([]);
    expect((await as(supervisorAll)('/worklist/reports/contacts?from=2026-06-29&to=2026-06-29')).json().rows).toEqual([]);
  });

  it('refuses a range that ends before it starts, and collectors', async () => {
    const r = await as(supervisorAll)('/worklist/reports/contacts?from=2026-07-02&to=2026-07-01');
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ code: 'invalid_request', errors: [{ field: 'querystring.from' }] });
    expect((await as(ana)('/worklist/reports/contacts')).statusCode).toBe(403);
  });
});

describe('my queue', () => {
  it('lists what I hold, what is assigned to me alone, and my team\'s counts', async () => {
    await seedWorkItems(rt, [
      { accountId: 'A1', customerId: 'C1', priority: 90 }, { accountId: 'A2', customerId: 'C2', priority: 80 }, { accountId: 'A3', customerId: 'C3', priority: 70, teamId: 'team-b' },
    ], clock.now());
    const empty = (await as(ana)('/worklist/mine')).json();
    expect(empty).toEqual({ held: [], assigned: [], team: { teamId: 'team-a', openItems: 2, inProgress: 0 } });
    const next = (await as(ana)('/worklist/next')).json();
    expect(next.case.workItem.accountId).toBe('A1');
    const mine = (await as(ana)('/worklist/mine')).json();
    expect(mine.held).toEqual([expect.objectContaining({ id: next.case.workItem.id, kind: 'agent_call', accountId: 'A1', priority: 90, lockedUntil: next.case.workItem.lockedUntil })]);
    expect(mine.team).toEqual({ teamId: 'team-a', openItems: 1, inProgress: 1 });
    const a2 = (await as(supervisorA)('/worklist/items?team=team-a&status=open')).json().items.find((i: { accountId: string }) => i.accountId === 'A2');
    expect((await as(supervisorA)({ method: 'POST', url: `/worklist/items/${a2.id}/reassign`, payload: { to: 'bo.wu' } })).statusCode).toBe(200);
    expect((await as(bo)('/worklist/mine')).json()).toMatchObject({ held: [], assigned: [{ id: a2.id, accountId: 'A2' }] });
    expect((await as(ana)('/worklist/mine')).json().assigned).toEqual([]);
    expect((await as(bTeam)('/worklist/mine')).json().team).toEqual({ teamId: 'team-b', openItems: 1, inProgress: 0 });
    expect((await as(supervisorAll)('/worklist/mine?limit=0')).statusCode).toBe(400);
  });
});

describe('the supervisor\'s queue view', () => {
  it('pages work items newest first by a cursor: every item once, in order, and a bad cursor named', async () => {
    await seedWorkItems(rt, Array.from({ length: 7 }, (_, i) => ({ accountId: i % 2 ? 'A1' : 'A2', customerId: i % 2 ? 'C1' : 'C2', priority: 10 + i })), clock.now());
    const all = (await as(supervisorA)('/worklist/items?team=team-a&limit=100')).json();
    expect(all.nextBefore).toBeNull();
    const ids: number[] = all.items.map((i: { id: number }) => i.id);
    expect(ids.length).toBeGreaterThanOrEqual(9);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    const paged: number[] = [];
    let before: number | null = null;
    for (let page = 0; page < 20; page++) {
      const r: { items: { id: number }[]; nextBefore: number | null } = (await as(supervisorA)(`/worklist/items?team=team-a&limit=3${before ? `&before=${before}` : ''}`)).json();
      paged.push(...r.items.map((i) => i.id));
      before = r.nextBefore;
      if (before === null) break;
      expect(r.items).toHaveLength(3);
    }
    expect(paged).toEqual(ids);
    const bad = await as(supervisorA)('/worklist/items?before=x1');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/before/);
  });
});
