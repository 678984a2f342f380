/**
 * Contact activity per collector or team over bank-local days: the supervisor's live KPIs. Counts the
 * desk's contacts (contact_sessions started in the range, in the caller's scope): how many, how many
 * reached someone, how many with the verified cardholder (right-party check passed), and how many ended
 * with a promise to pay as the disposition. Promises themselves and their kept rate are the
 * arrangements module's (GET /reports/promise-kept-rate).
 */
import type pg from 'pg';
import { Temporal } from 'temporal-polyfill';
import { scopeCondition, type DataScope } from '../identity/index.ts';

export interface ContactActivityRow { key: string; contacts: number; connected: number; rightPartyContacts: number; promiseDispositions: number }

/** `from`..`to` are bank-local days (inclusive) in `timeZone`. */
export async function contactActivity(db: pg.Pool, q: { from: string; to: string; timeZone: string; by: 'collector' | 'team'; scope: DataScope }): Promise<ContactActivityRow[]> {
  const start = (day: Temporal.PlainDate) => new Date(day.toZonedDateTime({ timeZone: q.timeZone }).epochMilliseconds);
  const params: unknown[] = [start(Temporal.PlainDate.from(q.from)), start(Temporal.PlainDate.from(q.to).add({ days: 1 }))];
  const inScope = scopeCondition(q.scope, 'cs.account_id', params);
  const key = q.by === 'collector' ? 'cs.collector' : `coalesce((select u.team_id from staff_users u where u.username = cs.collector), '(no team)')`;
  const { rows } = await db.query<{ key: string; contacts: string; connected: string; rpc: string; promises: string }>(
    `select ${key} as key, count(*) as contacts,
            count(*) filter (where o.outcome in ('connected_right_party', 'connected_third_party')) as connected,
            count(*) filter (where cs.rpc_verified_at is not null) as rpc,
            count(*) filter (where o.disposition = 'promise_to_pay') as promises
       from contact_sessions cs left join contact_outcomes o on o.contact_id = cs.contact_id
      where cs.started_at >= $1 and cs.started_at < $2 and (cs.account_id is null or ${inScope})
      group by 1 order by 1`,
    params,
  );
  return rows.map((r) => ({ key: r.key, contacts: Number(r.contacts), connected: Number(r.connected), rightPartyContacts: Number(r.rpc), promiseDispositions: Number(r.promises) }));
}

export interface MyQueue {
  /** Items I hold now (claimed, lock not expired), and open items assigned to me only (callbacks, reassignments). */
  held: MyItem[];
  assigned: MyItem[];
  /** My team's queue: open (or with an expired lock) and held by someone now. */
  team: { teamId: string; openItems: number; inProgress: number } | null;
}
export interface MyItem { id: number; kind: string; accountId: string | null; priority: number; reason: string | null; notBefore: string; lockedUntil: string | null; destinationRef: string | null }

/** The collector's own queue view: what I hold, what waits for me alone, and my team's counts (`limit` items per list). */
export async function myQueue(db: pg.Pool, q: { username: string; teamId: string | null; now: Date; limit: number }): Promise<MyQueue> {
  type Row = { work_item_id: string; kind: string; account_id: string | null; priority: number; reason: string | null; not_before: Date; locked_until: Date | null; destination_ref: string | null };
  const item = (r: Row): MyItem => ({
    id: Number(r.work_item_id), kind: r.kind, accountId: r.account_id, priority: r.priority, reason: r.reason, notBefore: r.not_before.toISOString(),
    lockedUntil: r.locked_until?.toISOString() ?? null, destinationRef: r.destination_ref,
  });
  const columns = 'work_item_id, kind, account_id, priority, reason, not_before, locked_until, destination_ref';
  const [held, assigned, team] = await Promise.all([
    db.query<Row>(`select ${columns} from work_items where status = 'in_progress' and locked_by = $1 and locked_until > $2 order by locked_until limit $3`, [q.username, q.now, q.limit]),
    db.query<Row>(`select ${columns} from work_items where assigned_to = $1 and (status = 'open' or (status = 'in_progress' and locked_until <= $2)) order by not_before, work_item_id limit $3`, [q.username, q.now, q.limit]),
    q.teamId === null ? Promise.resolve(null) : db.query<{ open_items: string; in_progress: string }>(
      `select count(*) filter (where w.status = 'open' or (w.status = 'in_progress' and w.locked_until <= $2)) as open_items,
              count(*) filter (where w.status = 'in_progress' and w.locked_until > $2) as in_progress
         from work_items w left join account_assignments a on a.account_id = w.account_id
        where coalesce(w.team_id, a.team_id) = $1 and w.status in ('open', 'in_progress')`, [q.teamId, q.now]),
  ]);
  return {
    held: held.rows.map(item), assigned: assigned.rows.map(item),
    team: team && q.teamId ? { teamId: q.teamId, openItems: Number(team.rows[0]!.open_items), inProgress: Number(team.rows[0]!.in_progress) } : null,
  };
}
