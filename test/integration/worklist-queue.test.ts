/**
 * Collectors' queues on a real database: 50 collectors taking work at once never share a case
 * (SKIP LOCKED), locks time out or are released, supervisors reassign, skills and teams filter, the
 * window's closing time raises urgency, and callbacks come back on time and only inside the allowed
 * contact window (the compliance gate decides).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime } from '../support/database.ts';
import { TestClock, seedPortfolio, seedWorkItems } from '../support/collector.ts';
import { createPool } from '../../src/db/index.ts';
import { loadPackSet } from '../../src/modules/compliance/index.ts';
import { userPrincipal, type Principal, type Role } from '../../src/modules/identity/index.ts';
import { loadWorklistSettings, reassignWorkItem, releaseWorkItem, setSkills } from '../../src/modules/worklist/index.ts';
import { nextCase, scheduleCallback, seesAccount, type DeskDeps } from '../../src/workflows/collector-desk.workflow.ts';

type Rt = Awaited<ReturnType<typeof createTestRuntime>>;
let rt: Rt;
let deps: DeskDeps;
// Tuesday 2026-06-30, 10:00 in Shanghai.
const clock = new TestClock('2026-06-30T02:00:00Z');
let serial = 0;

function collector(team: string, role: Role = 'collector', name?: string): Principal {
  const username = name ?? `c${++serial}-${team}`;
  return userPrincipal({ userId: String(serial), username, role, teamId: team, agencyId: null, mustChangePassword: false }, { kind: 'team', teamId: team });
}

const customer = (i: number, extra: Partial<{ language: 'zh-CN' | 'en'; region: string }> = {}) => ({
  id: `C${i}`, name: `客户${i}`, nationalId: `1101051990010${String(1000 + i).slice(-4)}`, phones: [{ number: `1380000${String(1000 + i).slice(-4)}` }], ...extra,
});

beforeAll(async () => {
  rt = await createTestRuntime({ clock });
  const packs = await loadPackSet();
  if (!packs.ok) throw new Error(packs.message);
  deps = { pool: rt.pool, cipher: rt.cipher, clock, packs: packs.value, packId: 'cn', settings: await loadWorklistSettings() };
  const customers = Array.from({ length: 80 }, (_, i) => customer(i, i >= 70 ? { language: 'en', region: 'beijing' } : { region: 'shanghai' }));
  const accounts = customers.map((c, i) => ({ id: `A${i}`, customerId: c.id, team: i < 60 ? 'team-a' : 'team-b' }));
  await seedPortfolio(rt, customers, accounts);
});
afterAll(async () => rt?.close());

describe('next', () => {
  it('50 collectors calling next at once never share a case', async () => {
    await seedWorkItems(rt, Array.from({ length: 60 }, (_, i) => ({ accountId: `A${i}`, customerId: `C${i}`, priority: i % 7 })), clock.now());
    // A pool as wide as the crowd, so the 50 claims really run at the same time.
    const pool = createPool(rt.db.url, 50);
    try {
      const crowd = Array.from({ length: 50 }, () => collector('team-a'));
      const first = await Promise.all(crowd.map((c) => nextCase({ ...deps, pool }, c)));
      const ids = first.map((r) => r?.workItem.id);
      expect(ids.every((id) => id !== undefined), 'everyone got a case').toBe(true);
      expect(new Set(ids).size).toBe(50);
      // The database agrees: 50 items in progress, each held by the collector it was handed to.
      const { rows } = await rt.pool.query<{ work_item_id: string; locked_by: string }>(`select work_item_id::text, locked_by from work_items where status = 'in_progress'`);
      expect(rows).toHaveLength(50);
      const holder = new Map(rows.map((r) => [Number(r.work_item_id), r.locked_by]));
      first.forEach((r, i) => expect(holder.get(r!.workItem.id)).toBe(crowd[i]!.name));
      // Ten left: the same crowd again gets exactly those ten, once each.
      const second = await Promise.all(crowd.map((c) => nextCase({ ...deps, pool }, c)));
      const more = second.filter((r) => r !== null).map((r) => r!.workItem.id);
      expect(more).toHaveLength(10);
      expect(new Set([...ids, ...more]).size).toBe(60);
    } finally {
      await pool.end();
    }
    // Every case handed out was allowed by the gate, and the verdict is in the audit chain.
    const audited = await rt.pool.query(`select count(*)::int as n from audit_log where chain = 'compliance'`);
    expect(audited.rows[0].n).toBeGreaterThanOrEqual(60);
    await rt.pool.query(`update work_items set status = 'done', locked_by = null, locked_until = null`);
  });

  it('offers the highest priority first, only within the collector\'s team and skills', async () => {
    await seedWorkItems(rt, [
      { accountId: 'A1', customerId: 'C1', priority: 10 }, { accountId: 'A2', customerId: 'C2', priority: 90 },
      { accountId: 'A65', customerId: 'C65', priority: 99 }, { accountId: 'A75', customerId: 'C75', priority: 95 },
    ], clock.now());
    const a = collector('team-a');
    expect((await nextCase(deps, a))!.workItem.accountId).toBe('A2');
    expect((await nextCase(deps, a))!.workItem.accountId).toBe('A1');
    expect(await nextCase(deps, a)).toBeNull(); // team-b's items are not team-a's
    const b = collector('team-b', 'collector', 'b-english');
    const r = await setSkills(rt.pool, a, 'b-english', { languages: ['en'] }, clock.now());
    expect(r.ok ? 'set' : r.code).toBe('collector_not_found'); // skills need a real user
    await rt.pool.query(`insert into staff_users (username, role, team_id, password_hash) values ('b-english', 'collector', 'team-b', '$argon2id$x')`);
    expect((await setSkills(rt.pool, a, 'b-english', { languages: ['en'], regions: ['beijing'] }, clock.now())).ok).toBe(true);
    expect((await nextCase(deps, b))!.workItem.accountId).toBe('A75'); // A65 has priority 99 but a zh-CN customer
    expect(await nextCase(deps, b)).toBeNull();
    await setSkills(rt.pool, a, 'b-english', { available: false }, clock.now());
    const other = collector('team-b');
    expect((await nextCase(deps, other))!.workItem.accountId).toBe('A65');
    await rt.pool.query(`update work_items set status = 'done', locked_by = null, locked_until = null`);
  });

  it('locks a case until it is released or the lock times out', async () => {
    await seedWorkItems(rt, [{ accountId: 'A3', customerId: 'C3', priority: 50 }], clock.now());
    const a = collector('team-a');
    const b = collector('team-a');
    const taken = (await nextCase(deps, a))!;
    expect(taken.workItem.accountId).toBe('A3');
    expect(await nextCase(deps, b)).toBeNull();
    expect(await releaseWorkItem(rt.pool, b, taken.workItem.id, clock.now())).toMatchObject({ ok: false, code: 'work_item_not_held' });
    expect(await releaseWorkItem(rt.pool, a, taken.workItem.id, clock.now())).toEqual({ ok: true, value: { workItemId: taken.workItem.id, status: 'open' } });
    const again = (await nextCase(deps, b))!;
    expect(again.workItem.id).toBe(taken.workItem.id);
    // b walks away: after the lock time (15 minutes) it is free again, and b no longer holds it.
    clock.advanceMinutes(14);
    expect(await nextCase(deps, a)).toBeNull();
    clock.advanceMinutes(2);
    expect((await nextCase(deps, a))!.workItem.id).toBe(taken.workItem.id);
    expect(await releaseWorkItem(rt.pool, b, taken.workItem.id, clock.now())).toMatchObject({ ok: false, code: 'work_item_not_held' });
    await rt.pool.query(`update work_items set status = 'done', locked_by = null, locked_until = null`);
    clock.set('2026-06-30T02:00:00Z');
  });

  it('lets a supervisor hand a case to one collector (in scope only)', async () => {
    await seedWorkItems(rt, [{ accountId: 'A4', customerId: 'C4', priority: 50 }], clock.now());
    await rt.pool.query(`insert into staff_users (username, role, team_id, password_hash) values ('wang.fang', 'collector', 'team-a', '$argon2id$x'), ('zhao.lei', 'collector', 'team-b', '$argon2id$x')`);
    const supervisor = collector('team-a', 'supervisor');
    const item = (await rt.pool.query<{ id: string }>(`select work_item_id::text as id from work_items where account_id = 'A4' and status = 'open'`)).rows[0]!.id;
    const sees = (scope: Principal['scope'], accountId: string | null, customerId: string) => seesAccount(rt.pool, scope, accountId, customerId);
    expect(await reassignWorkItem(rt.pool, supervisor, Number(item), 'zhao.lei', clock.now(), sees)).toMatchObject({ ok: false, code: 'collector_out_of_scope' });
    expect(await reassignWorkItem(rt.pool, supervisor, Number(item), 'nobody', clock.now(), sees)).toMatchObject({ ok: false, code: 'collector_not_found' });
    const r = await reassignWorkItem(rt.pool, supervisor, Number(item), 'wang.fang', clock.now(), sees);
    expect(r).toMatchObject({ ok: true, value: { assignedTo: 'wang.fang', status: 'open' } });
    expect(await nextCase(deps, collector('team-a'))).toBeNull();
    expect((await nextCase(deps, collector('team-a', 'collector', 'wang.fang')))!.workItem.accountId).toBe('A4');
    // A supervisor of another team does not even see the item.
    expect(await reassignWorkItem(rt.pool, collector('team-b', 'supervisor'), Number(item), 'zhao.lei', clock.now(), sees)).toMatchObject({ ok: false, code: 'work_item_not_found' });
    await rt.pool.query(`update work_items set status = 'done', locked_by = null, locked_until = null`);
  });

  it('hands out nothing while the contact window is closed, and ranks by the time left in it', async () => {
    await seedWorkItems(rt, [{ accountId: 'A5', customerId: 'C5', priority: 40 }, { accountId: 'A6', customerId: 'C6', priority: 55 }], clock.now());
    const a = collector('team-a');
    clock.set('2026-06-30T14:30:00Z'); // 22:30 in Shanghai: the CN-01 window [08:00, 22:00) is closed
    expect(await nextCase(deps, a)).toBeNull();
    clock.set('2026-06-30T13:50:00Z'); // 21:50: ten minutes left
    const late = (await nextCase(deps, a))!;
    expect(late.workItem.accountId).toBe('A6');
    expect(late.workItem.score).toBeGreaterThan(55 + 15); // urgency: 20 points at the close, rising over the last 120 minutes
    await rt.pool.query(`update work_items set status = 'done', locked_by = null, locked_until = null`);
    clock.set('2026-06-30T02:00:00Z');
  });
});

describe('callbacks', () => {
  it('are refused outside the allowed window, naming the next allowed time', async () => {
    const a = collector('team-a', 'collector', 'li.na');
    const r = await scheduleCallback(deps, a, { accountId: 'A7', at: '2026-06-30T22:30:00+08:00', destinationRef: 'phone:0' });
    expect(r).toMatchObject({ ok: false, code: 'callback_outside_contact_window' });
    expect(!r.ok && r.details).toMatchObject({ nextAllowedAt: '2026-07-01T00:00:00.000Z' }); // 08:00 in Shanghai
    expect(await scheduleCallback(deps, a, { accountId: 'A7', at: '2026-06-30T09:00:00+08:00', destinationRef: 'phone:0' })).toMatchObject({ ok: false, code: 'callback_time_invalid' });
    expect(await scheduleCallback(deps, a, { accountId: 'A7', at: '2026-07-01T10:00:00+08:00', destinationRef: 'phone:9' })).toMatchObject({ ok: false, code: 'destination_not_found' });
    expect(await scheduleCallback(deps, collector('team-b'), { accountId: 'A7', at: '2026-07-01T10:00:00+08:00', destinationRef: 'phone:0' })).toMatchObject({ ok: false, code: 'account_not_found' });
  });

  it('come back to their owner on time, before higher-priority work, and not before', async () => {
    const owner = collector('team-a', 'collector', 'li.na');
    const cb = await scheduleCallback(deps, owner, { accountId: 'A8', at: '2026-07-01T10:00:00+08:00', destinationRef: 'phone:0', note: 'customer asked to call back after 10' });
    expect(cb).toMatchObject({ ok: true, value: { assignedTo: 'li.na', existing: false, compliance: { decision: 'allow' } } });
    // Scheduling the same callback again is idempotent.
    expect(await scheduleCallback(deps, owner, { accountId: 'A8', at: '2026-07-01T10:00:00+08:00', destinationRef: 'phone:0' })).toMatchObject({ ok: true, value: { existing: true } });
    await seedWorkItems(rt, [{ accountId: 'A9', customerId: 'C9', priority: 100 }, { accountId: 'A10', customerId: 'C10', priority: 100 }], new Date('2026-07-01T00:00:00Z'));
    clock.set('2026-07-01T01:59:00Z'); // 09:59
    const early = (await nextCase(deps, owner))!;
    expect(early.workItem.kind).toBe('agent_call');
    clock.set('2026-07-01T02:00:00Z'); // 10:00
    expect(await nextCase(deps, collector('team-a')), 'only its owner gets it').toMatchObject({ workItem: { kind: 'agent_call' } });
    const due = (await nextCase(deps, owner))!;
    expect(due.workItem).toMatchObject({ kind: 'callback', accountId: 'A8' });
    expect(due.destination).toMatchObject({ ref: 'phone:0', party: 'debtor' });
    expect(due.compliance).toMatchObject({ decision: 'allow', auditRef: expect.stringMatching(/^compliance:\d+$/) });
    await rt.pool.query(`update work_items set status = 'done', locked_by = null, locked_until = null`);
  });

  it('are held back when the gate says not now (three conversations today: CN-03) and come back when it allows', async () => {
    const owner = collector('team-a', 'collector', 'li.na');
    clock.set('2026-07-02T01:00:00Z'); // 09:00 on 2 July
    const cb = await scheduleCallback(deps, owner, { accountId: 'A11', at: '2026-07-02T15:00:00+08:00', destinationRef: 'phone:0' });
    expect(cb.ok).toBe(true);
    // Meanwhile the debtor has had three connected conversations today (bank and agencies together).
    const key = `tel:${rt.cipher.hmac('13800001011').toString('hex')}`;
    for (const hour of ['01:10', '01:20', '01:30']) {
      await rt.pool.query(
        `insert into contact_attempts (customer_id, account_id, attempted_at, channel, actor, actor_kind, party, destination, outcome) values ('C11', 'A11', $1, 'voice_agent', 'agency:a1', 'agency', 'debtor', $2, 'connected_right_party')`,
        [`2026-07-02T${hour}:00Z`, key]);
    }
    clock.set('2026-07-02T07:00:00Z'); // 15:00
    expect(await nextCase(deps, owner)).toBeNull();
    const held = (await rt.pool.query(`select status, held_until, last_gate from work_items where account_id = 'A11' and kind = 'callback'`)).rows[0];
    expect(held.status).toBe('open');
    expect(held.held_until.toISOString()).toBe('2026-07-03T00:00:00.000Z'); // tomorrow 08:00 in Shanghai
    expect(JSON.stringify(held.last_gate)).toContain('CN-03');
    clock.set('2026-07-02T23:59:00Z');
    expect(await nextCase(deps, owner)).toBeNull();
    clock.set('2026-07-03T00:00:00Z');
    expect(await nextCase(deps, owner)).toMatchObject({ workItem: { kind: 'callback', accountId: 'A11' } });
  });
});
