/**
 * SQL of the worklist: teams, collectors' skills, the queue over work_items (candidates, claim with
 * SKIP LOCKED, release, hold, reassign, complete), contact sessions, outcomes and notes.
 *
 * The candidate query reads, without writing, what other modules own and a queue must filter on: the
 * customer's language and time zone (portfolio), the account's bucket (delinquency), its team
 * (identity's account_assignments) and the debtor's address region (portfolio contact points).
 */
import type pg from 'pg';
import { scopeCondition, type DataScope } from '../identity/index.ts';

type Db = pg.ClientBase | pg.Pool;

// ── teams and skills ───────────────────────────────────────────────────────────────────────────

export async function upsertTeam(db: Db, t: { teamId: string; name: string; by: string }): Promise<void> {
  await db.query(
    `insert into worklist_teams (team_id, name, created_by) values ($1, $2, $3)
     on conflict (team_id) do update set name = excluded.name where worklist_teams.name is distinct from excluded.name`,
    [t.teamId, t.name, t.by],
  );
}

export interface TeamRow { teamId: string; name: string | null; members: number; openItems: number; inProgress: number }

/** Named teams and teams that only appear on users or assignments, with their queue counts. */
export async function listTeams(db: Db, now: Date): Promise<TeamRow[]> {
  const { rows } = await db.query<{ team_id: string; name: string | null; members: string; open_items: string; in_progress: string }>(
    `with ids as (select team_id from worklist_teams union select team_id from staff_users where team_id is not null
                  union select team_id from account_assignments where team_id is not null)
     select i.team_id, t.name,
            (select count(*) from staff_users u where u.team_id = i.team_id and u.disabled_at is null) as members,
            (select count(*) from work_items w left join account_assignments a on a.account_id = w.account_id
              where coalesce(w.team_id, a.team_id) = i.team_id and (w.status = 'open' or (w.status = 'in_progress' and w.locked_until <= $1))) as open_items,
            (select count(*) from work_items w left join account_assignments a on a.account_id = w.account_id
              where coalesce(w.team_id, a.team_id) = i.team_id and w.status = 'in_progress' and w.locked_until > $1) as in_progress
     from ids i left join worklist_teams t on t.team_id = i.team_id order by i.team_id`,
    [now],
  );
  return rows.map((r) => ({ teamId: r.team_id, name: r.name, members: Number(r.members), openItems: Number(r.open_items), inProgress: Number(r.in_progress) }));
}

export interface Skills { languages: string[]; buckets: string[]; regions: string[]; available: boolean }
export const ANY_SKILLS: Skills = Object.freeze({ languages: [], buckets: [], regions: [], available: true }) as Skills;

export async function findSkills(db: Db, username: string): Promise<Skills | null> {
  const { rows } = await db.query<{ languages: string[]; buckets: string[]; regions: string[]; available: boolean }>(
    'select languages, buckets, regions, available from collector_skills where username = $1', [username]);
  return rows[0] ?? null;
}

export async function upsertSkills(db: Db, username: string, s: Skills, by: string, now: Date): Promise<void> {
  await db.query(
    `insert into collector_skills (username, languages, buckets, regions, available, updated_by, updated_at) values ($1, $2, $3, $4, $5, $6, $7)
     on conflict (username) do update set languages = excluded.languages, buckets = excluded.buckets, regions = excluded.regions,
       available = excluded.available, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
    [username, s.languages, s.buckets, s.regions, s.available, by, now],
  );
}

// ── the queue ──────────────────────────────────────────────────────────────────────────────────

export interface WorkItemRow {
  workItemId: number; customerId: string; accountId: string | null; kind: string; priority: number; notBefore: Date; dueBy: Date | null;
  reason: string | null; stage: string | null; status: string; teamId: string | null; assignedTo: string | null; lockedBy: string | null;
  lockedUntil: Date | null; heldUntil: Date | null; destinationRef: string | null; origin: string; strategyId: string | null; lastGate: unknown;
}

const ITEM_COLUMNS = `w.work_item_id, w.customer_id, w.account_id, w.kind, w.priority, w.not_before, w.due_by, w.reason, w.stage, w.status,
  coalesce(w.team_id, (select a.team_id from account_assignments a where a.account_id = w.account_id)) as team_id, w.assigned_to, w.locked_by,
  w.locked_until, w.held_until, w.destination_ref, w.origin, w.strategy_id, w.last_gate`;

interface ItemDbRow {
  work_item_id: bigint; customer_id: string; account_id: string | null; kind: string; priority: number; not_before: Date; due_by: Date | null;
  reason: string | null; stage: string | null; status: string; team_id: string | null; assigned_to: string | null; locked_by: string | null;
  locked_until: Date | null; held_until: Date | null; destination_ref: string | null; origin: string; strategy_id: string | null; last_gate: unknown;
}

const itemOf = (r: ItemDbRow): WorkItemRow => ({
  workItemId: Number(r.work_item_id), customerId: r.customer_id, accountId: r.account_id, kind: r.kind, priority: r.priority, notBefore: r.not_before,
  dueBy: r.due_by, reason: r.reason, stage: r.stage, status: r.status, teamId: r.team_id, assignedTo: r.assigned_to, lockedBy: r.locked_by,
  lockedUntil: r.locked_until, heldUntil: r.held_until, destinationRef: r.destination_ref, origin: r.origin, strategyId: r.strategy_id, lastGate: r.last_gate,
});

/** SQL: the item can be claimed at $now by $user. */
const CLAIMABLE = `(w.status = 'open' or (w.status = 'in_progress' and w.locked_until <= $1))
  and w.not_before <= $1 and (w.held_until is null or w.held_until <= $1) and (w.assigned_to is null or w.assigned_to = $2)`;

export interface Candidate extends WorkItemRow { timeZone: string }

/**
 * Claimable items for one collector: in their data scope (and team when they have one, or assigned to
 * them), matching their skills; callbacks first, then by stored priority. Read without locks: the
 * claim re-checks under SKIP LOCKED.
 */
export async function queueCandidates(db: Db, q: { now: Date; user: string; scope: DataScope; teamId: string | null; skills: Skills; limit: number }): Promise<Candidate[]> {
  // Two reads: the collector's own (callbacks, reassigned items: few, by the assigned_to index) and the
  // team's by stored priority, walking the claimable index in order so the scan stops after `limit`.
  // (Both name $3, the team, so that its type is known; one's own items come whatever the team.)
  const own = await candidates(db, q, 'w.assigned_to = $2 and ($3::text is null or true)', 'w.not_before, w.work_item_id');
  // The team as EXISTS (not a join): the planner then walks the claimable index in priority order.
  const team = await candidates(db, q, `w.assigned_to is null and ($3::text is null or w.team_id = $3
    or w.team_id is null and exists (select 1 from account_assignments t where t.account_id = w.account_id and t.team_id = $3))`, 'w.priority desc, w.not_before, w.work_item_id');
  return [...own, ...team];
}

async function candidates(db: Db, q: { now: Date; user: string; scope: DataScope; teamId: string | null; skills: Skills; limit: number }, whose: string, order: string): Promise<Candidate[]> {
  const params: unknown[] = [q.now, q.user, q.teamId, q.skills.languages, q.skills.buckets, q.skills.regions, q.limit];
  const inScope = scopeCondition(q.scope, 'w.account_id', params);
  const customerInScope = scopeCondition(q.scope, 'x.account_id', params);
  const { rows } = await db.query<ItemDbRow & { time_zone: string }>(
    `select ${ITEM_COLUMNS}, c.time_zone
     from work_items w
     join customers c on c.customer_id = w.customer_id
     left join account_delinquency d on d.account_id = w.account_id
     where ${CLAIMABLE} and ${whose}
       and (w.account_id is not null and ${inScope}
            or w.account_id is null and exists (select 1 from card_accounts x where x.customer_id = w.customer_id and ${customerInScope}))
       and (cardinality($4::text[]) = 0 or c.language = any($4::text[]))
       and (cardinality($5::text[]) = 0 or d.bucket = any($5::text[]))
       and (cardinality($6::text[]) = 0 or coalesce(w.region,
             (select p.details->>'region' from contact_points p where p.customer_id = w.customer_id and p.kind = 'address' and p.party_role = 'debtor'
              order by p.position limit 1)) = any($6::text[]))
     order by ${order}
     limit $7`,
    params,
  );
  return rows.map((r) => ({ ...itemOf(r), timeZone: r.time_zone }));
}

/**
 * Claims for `user`, until `until`, the first of `workItemIds` (in that order) that is still claimable
 * and that no other transaction holds: one statement with FOR UPDATE SKIP LOCKED, so no two collectors
 * ever get the same item, none waits for another, and a crowd asking at once spreads over the list.
 */
export async function claimFirst(db: Db, workItemIds: readonly number[], user: string, now: Date, until: Date): Promise<WorkItemRow | null> {
  if (workItemIds.length === 0) return null;
  const { rows } = await db.query<ItemDbRow>(
    `with c as (select w.work_item_id from work_items w where w.work_item_id = any($3::bigint[]) and ${CLAIMABLE}
                order by array_position($3::bigint[], w.work_item_id) limit 1 for update skip locked)
     update work_items w set status = 'in_progress', locked_by = $2, locked_until = $4, claimed_at = $1, updated_at = $1
     from c where w.work_item_id = c.work_item_id
     returning ${ITEM_COLUMNS}`,
    [now, user, workItemIds, until],
  );
  return rows[0] ? itemOf(rows[0]) : null;
}

/** Gives a claimed item back because the gate said not now: not offered again before `heldUntil`. */
export async function holdItem(db: Db, workItemId: number, user: string, now: Date, heldUntil: Date, lastGate: unknown): Promise<void> {
  await db.query(
    `update work_items set status = 'open', locked_by = null, locked_until = null, held_until = $4, last_gate = $5, updated_at = $3
     where work_item_id = $1 and locked_by = $2 and status = 'in_progress'`,
    [workItemId, user, now, heldUntil, JSON.stringify(lastGate)],
  );
}

export async function recordGate(db: Db, workItemId: number, lastGate: unknown): Promise<void> {
  await db.query('update work_items set last_gate = $2 where work_item_id = $1', [workItemId, JSON.stringify(lastGate)]);
}

/** Releases an item the user holds (a lock that timed out is no longer theirs). */
export async function releaseItem(db: Db, workItemId: number, user: string, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `update work_items set status = 'open', locked_by = null, locked_until = null, updated_at = $3
     where work_item_id = $1 and locked_by = $2 and status = 'in_progress' and locked_until > $3`,
    [workItemId, user, now],
  );
  return (rowCount ?? 0) > 0;
}

/** True when `user` holds the item now. */
export async function holdsItem(db: Db, workItemId: number, user: string, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `select 1 from work_items where work_item_id = $1 and locked_by = $2 and status = 'in_progress' and locked_until > $3`, [workItemId, user, now]);
  return (rowCount ?? 0) > 0;
}

/** A supervisor's reassignment: the item goes to `to` (only they get it), any lock is broken. */
export async function reassignItem(db: Db, workItemId: number, to: string, now: Date): Promise<WorkItemRow | null> {
  const { rows } = await db.query<ItemDbRow>(
    `update work_items w set assigned_to = $2, status = 'open', locked_by = null, locked_until = null, updated_at = $3
     where w.work_item_id = $1 and w.status in ('open', 'in_progress') returning ${ITEM_COLUMNS}`,
    [workItemId, to, now],
  );
  return rows[0] ? itemOf(rows[0]) : null;
}

export async function findItem(db: Db, workItemId: number): Promise<WorkItemRow | null> {
  const { rows } = await db.query<ItemDbRow>(`select ${ITEM_COLUMNS} from work_items w where w.work_item_id = $1`, [workItemId]);
  return rows[0] ? itemOf(rows[0]) : null;
}

/** Items in a scope (a supervisor's view), newest first. */
export async function listItems(db: Db, q: { scope: DataScope; teamId: string | null; status: string | null; assignedTo: string | null; limit: number; now: Date; accountId?: string | null; before?: number | null }): Promise<WorkItemRow[]> {
  const params: unknown[] = [q.teamId, q.status, q.assignedTo, q.limit, q.now, q.accountId ?? null, q.before ?? null];
  const inScope = scopeCondition(q.scope, 'w.account_id', params);
  const customerInScope = scopeCondition(q.scope, 'x.account_id', params);
  const { rows } = await db.query<ItemDbRow>(
    `select ${ITEM_COLUMNS} from work_items w
     where ($1::text is null or coalesce(w.team_id, (select a.team_id from account_assignments a where a.account_id = w.account_id)) = $1)
       and ($2::text is null or w.status = $2 or ($2 = 'open' and w.status = 'in_progress' and w.locked_until <= $5))
       and ($3::text is null or w.assigned_to = $3 or w.locked_by = $3)
       and ($6::text is null or w.account_id = $6)
       and ($7::bigint is null or w.work_item_id < $7)
       and (w.account_id is not null and ${inScope}
            or w.account_id is null and exists (select 1 from card_accounts x where x.customer_id = w.customer_id and ${customerInScope}))
     order by w.work_item_id desc limit $4`,
    params,
  );
  return rows.map(itemOf);
}

/** Marks the item done by the user who holds it. */
export async function completeItem(db: Db, workItemId: number, user: string, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `update work_items set status = 'done', completed_at = $3, completed_by = $2, locked_by = null, locked_until = null, updated_at = $3
     where work_item_id = $1 and locked_by = $2 and status = 'in_progress'`,
    [workItemId, user, now],
  );
  return (rowCount ?? 0) > 0;
}

export interface CallbackRow {
  idempotencyKey: string; customerId: string; accountId: string; notBefore: Date; dueBy: Date; priority: number; reason: string | null;
  requestedBy: string; assignedTo: string; teamId: string | null; destinationRef: string; origin: 'staff' | 'api' | 'cli';
}

/** A callback work item, idempotent by key; returns its id and whether it already existed. */
export async function insertCallback(db: Db, c: CallbackRow): Promise<{ workItemId: number; existing: boolean }> {
  const inserted = await db.query<{ work_item_id: bigint }>(
    `insert into work_items (idempotency_key, customer_id, account_id, kind, priority, not_before, due_by, reason, origin, requested_by, team_id, assigned_to, destination_ref)
     values ($1, $2, $3, 'callback', $4, $5, $6, $7, $8, $9, $10, $11, $12) on conflict (idempotency_key) do nothing returning work_item_id`,
    [c.idempotencyKey, c.customerId, c.accountId, c.priority, c.notBefore, c.dueBy, c.reason, c.origin, c.requestedBy, c.teamId, c.assignedTo, c.destinationRef],
  );
  if (inserted.rows[0]) return { workItemId: Number(inserted.rows[0].work_item_id), existing: false };
  const { rows } = await db.query<{ work_item_id: bigint }>('select work_item_id from work_items where idempotency_key = $1', [c.idempotencyKey]);
  return { workItemId: Number(rows[0]!.work_item_id), existing: true };
}

// ── contact sessions ───────────────────────────────────────────────────────────────────────────

export interface SessionRow {
  contactId: number; tokenHash: Buffer; customerId: string; accountId: string | null; workItemId: number | null; collector: string; actor: string;
  channel: 'voice_agent' | 'field_visit'; party: 'debtor' | 'guarantor' | 'contact'; destinationRef: string; destinationKey: string;
  destinationMasked: string | null; verdictRef: string | null; startedAt: Date; expiresAt: Date; rpcAttempts: number; rpcVerifiedAt: Date | null; closedAt: Date | null;
}

export async function insertSession(db: Db, s: Omit<SessionRow, 'contactId' | 'rpcAttempts' | 'rpcVerifiedAt' | 'closedAt'>): Promise<number> {
  const { rows } = await db.query<{ contact_id: bigint }>(
    `insert into contact_sessions (token_hash, customer_id, account_id, work_item_id, collector, actor, channel, party, destination_ref, destination_key,
       destination_masked, verdict_ref, started_at, expires_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) returning contact_id`,
    [s.tokenHash, s.customerId, s.accountId, s.workItemId, s.collector, s.actor, s.channel, s.party, s.destinationRef, s.destinationKey, s.destinationMasked,
      s.verdictRef, s.startedAt, s.expiresAt],
  );
  return Number(rows[0]!.contact_id);
}

export async function findSession(db: Db, contactId: number): Promise<SessionRow | null> {
  const { rows } = await db.query<{
    contact_id: bigint; token_hash: Buffer; customer_id: string; account_id: string | null; work_item_id: bigint | null; collector: string; actor: string;
    channel: SessionRow['channel']; party: SessionRow['party']; destination_ref: string; destination_key: string; destination_masked: string | null;
    verdict_ref: string | null; started_at: Date; expires_at: Date; rpc_attempts: number; rpc_verified_at: Date | null; closed_at: Date | null;
  }>('select * from contact_sessions where contact_id = $1', [contactId]);
  const r = rows[0];
  if (!r) return null;
  return {
    contactId: Number(r.contact_id), tokenHash: r.token_hash, customerId: r.customer_id, accountId: r.account_id, workItemId: r.work_item_id === null ? null : Number(r.work_item_id),
    collector: r.collector, actor: r.actor, channel: r.channel, party: r.party, destinationRef: r.destination_ref, destinationKey: r.destination_key,
    destinationMasked: r.destination_masked, verdictRef: r.verdict_ref, startedAt: r.started_at, expiresAt: r.expires_at, rpcAttempts: r.rpc_attempts,
    rpcVerifiedAt: r.rpc_verified_at, closedAt: r.closed_at,
  };
}

/**
 * Counts one right-party check on an open session, atomically and only while attempts remain (two
 * concurrent checks cannot both use the last attempt); returns the attempts used, or null when none remained.
 */
export async function countRightPartyAttempt(db: Db, contactId: number, attemptsMax: number, passed: boolean, factors: string[], now: Date): Promise<number | null> {
  const { rows } = await db.query<{ rpc_attempts: number }>(
    `update contact_sessions set rpc_attempts = rpc_attempts + 1, rpc_factors = $4,
       rpc_verified_at = case when $3 then $5::timestamptz else rpc_verified_at end
     where contact_id = $1 and closed_at is null and rpc_verified_at is null and rpc_attempts < $2 returning rpc_attempts`,
    [contactId, attemptsMax, passed, factors, now],
  );
  return rows[0]?.rpc_attempts ?? null;
}

export async function closeSession(db: Db, contactId: number, now: Date): Promise<boolean> {
  const { rowCount } = await db.query('update contact_sessions set closed_at = $2 where contact_id = $1 and closed_at is null', [contactId, now]);
  return (rowCount ?? 0) > 0;
}

/** Open, right-party-verified contacts of this collector with this customer (they release debt details in the 360). */
export async function verifiedSession(db: Db, contactId: number, tokenHash: Buffer, collector: string, now: Date): Promise<SessionRow | null> {
  const s = await findSession(db, contactId);
  if (!s || !s.tokenHash.equals(tokenHash) || s.collector !== collector || s.closedAt !== null || s.expiresAt <= now || s.rpcVerifiedAt === null) return null;
  return s;
}

// ── outcomes and notes ─────────────────────────────────────────────────────────────────────────

export interface OutcomeRow {
  contactId: number; customerId: string; accountId: string | null; attemptId: number; outcome: string; disposition: string | null;
  delinquencyReason: string | null; reasonCategory: string | null; noteId: number | null; recordedBy: string;
}

export async function insertOutcome(db: Db, o: OutcomeRow, at: Date): Promise<void> {
  await db.query(
    `insert into contact_outcomes (contact_id, customer_id, account_id, attempt_id, outcome, disposition, delinquency_reason, reason_category, note_id, recorded_by, recorded_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [o.contactId, o.customerId, o.accountId, o.attemptId, o.outcome, o.disposition, o.delinquencyReason, o.reasonCategory, o.noteId, o.recordedBy, at],
  );
}

export async function findOutcome(db: Db, contactId: number): Promise<OutcomeRow | null> {
  const { rows } = await db.query<{ contact_id: bigint; customer_id: string; account_id: string | null; attempt_id: bigint; outcome: string; disposition: string | null; delinquency_reason: string | null; reason_category: string | null; note_id: bigint | null; recorded_by: string }>(
    'select * from contact_outcomes where contact_id = $1', [contactId]);
  const r = rows[0];
  return r ? {
    contactId: Number(r.contact_id), customerId: r.customer_id, accountId: r.account_id, attemptId: Number(r.attempt_id), outcome: r.outcome, disposition: r.disposition,
    delinquencyReason: r.delinquency_reason, reasonCategory: r.reason_category, noteId: r.note_id === null ? null : Number(r.note_id), recordedBy: r.recorded_by,
  } : null;
}

export async function insertNote(db: Db, n: { customerId: string; accountId: string | null; contactId: number | null; text: string; checkedUnder: string; author: string; at: Date }): Promise<number> {
  const { rows } = await db.query<{ note_id: bigint }>(
    `insert into collector_notes (customer_id, account_id, contact_id, text, checked_under, author, created_at) values ($1, $2, $3, $4, $5, $6, $7) returning note_id`,
    [n.customerId, n.accountId, n.contactId, n.text, n.checkedUnder, n.author, n.at],
  );
  return Number(rows[0]!.note_id);
}

export interface NoteView { noteId: number; accountId: string | null; contactId: number | null; text: string; author: string; createdAt: string }

export async function listNotes(db: Db, customerId: string, limit: number): Promise<NoteView[]> {
  const { rows } = await db.query<{ note_id: bigint; account_id: string | null; contact_id: bigint | null; text: string; author: string; created_at: Date }>(
    'select note_id, account_id, contact_id, text, author, created_at from collector_notes where customer_id = $1 order by note_id desc limit $2', [customerId, limit]);
  return rows.map((r) => ({ noteId: Number(r.note_id), accountId: r.account_id, contactId: r.contact_id === null ? null : Number(r.contact_id), text: r.text, author: r.author, createdAt: r.created_at.toISOString() }));
}

export interface ReasonCount { reason: string; category: string; bucket: string | null; contacts: number; accounts: number }

/** Delinquency reasons recorded in [from, to), by reason and the account's current bucket, over a scope. */
export async function delinquencyReasonCounts(db: Db, q: { from: Date; to: Date; scope: DataScope }): Promise<ReasonCount[]> {
  const params: unknown[] = [q.from, q.to];
  const inScope = scopeCondition(q.scope, 'o.account_id', params);
  const { rows } = await db.query<{ reason: string; category: string; bucket: string | null; contacts: string; accounts: string }>(
    `select o.delinquency_reason as reason, o.reason_category as category, d.bucket, count(*) as contacts, count(distinct o.account_id) as accounts
     from contact_outcomes o left join account_delinquency d on d.account_id = o.account_id
     where o.delinquency_reason is not null and o.recorded_at >= $1 and o.recorded_at < $2 and (o.account_id is null or ${inScope})
     group by 1, 2, 3 order by 2 desc, 1, 3 nulls first`,
    params,
  );
  return rows.map((r) => ({ reason: r.reason, category: r.category, bucket: r.bucket, contacts: Number(r.contacts), accounts: Number(r.accounts) }));
}
