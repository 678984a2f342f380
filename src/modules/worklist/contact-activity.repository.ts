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
