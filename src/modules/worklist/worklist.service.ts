/**
 * Use cases of the worklist that stay inside it (and identity, for who a collector is): settings,
 * teams, collectors' skills, releasing and reassigning work items, the supervisor's view. The desk's
 * operations across modules (next with the compliance gate, contacts, outcomes, callbacks) are the
 * workflow src/workflows/collector-desk.workflow.ts.
 */
import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import { Temporal } from 'temporal-polyfill';
import { err, ok, type Result } from '../../kernel/result.ts';
import { dataScopeOf, findStaffMember, type DataScope, type Principal, type StaffMember } from '../identity/index.ts';
import { worklistSettingsSchema, type SkillsCommand, type WorklistSettings } from './worklist.schema.ts';
import * as repo from './worklist.repository.ts';

const SETTINGS_URL = new URL('../../../policies/worklist/default.json', import.meta.url);
let shipped: Promise<WorklistSettings> | undefined;

/** Validates a worklist settings document; every problem with its path. */
export function validateWorklistSettings(doc: unknown): Result<WorklistSettings, 'invalid_policy'> {
  const parsed = worklistSettingsSchema.safeParse(doc);
  if (!parsed.success) return err('invalid_policy', parsed.error.issues.map((i) => `$.${i.path.join('.')}: ${i.message}`).join('; '));
  return ok(Object.freeze(parsed.data));
}

/** The shipped settings (policies/worklist/default.json); an invalid shipped file is a packaging bug, so it throws. */
export function loadWorklistSettings(): Promise<WorklistSettings> {
  shipped ??= readFile(SETTINGS_URL, 'utf8').then((text) => {
    const r = validateWorklistSettings(JSON.parse(text));
    if (!r.ok) throw new Error(`${SETTINGS_URL.pathname}: ${r.message}`);
    return r.value;
  });
  return shipped;
}

export type WorklistError = 'work_item_not_found' | 'work_item_not_held' | 'collector_not_found' | 'collector_out_of_scope' | 'invalid_request';

/** The team a principal's queue is (a collector's or a team supervisor's), or null for everyone's. */
export function queueTeamOf(scope: DataScope): string | null {
  return scope.kind === 'team' ? scope.teamId : null;
}

export function setTeam(db: pg.Pool, actor: Principal, t: { teamId: string; name: string }): Promise<void> {
  return repo.upsertTeam(db, { ...t, by: actor.name });
}

export const listTeams = (db: pg.Pool, now: Date) => repo.listTeams(db, now);

/** Sets a collector's skills (fields not given keep their value). */
export async function setSkills(db: pg.Pool, actor: Principal, username: string, cmd: SkillsCommand, now: Date): Promise<Result<repo.Skills & { username: string }, 'collector_not_found'>> {
  const member = await findStaffMember(db, username);
  if (!member || member.disabled) return err('collector_not_found', `no active staff user ${JSON.stringify(username)}`);
  const current = (await repo.findSkills(db, username)) ?? repo.ANY_SKILLS;
  const next: repo.Skills = {
    languages: cmd.languages ?? current.languages, buckets: cmd.buckets ?? current.buckets, regions: cmd.regions ?? current.regions,
    available: cmd.available ?? current.available,
  };
  await repo.upsertSkills(db, username, next, actor.name, now);
  return ok({ username, ...next });
}

export async function skillsOf(db: pg.Pool, username: string): Promise<repo.Skills> {
  return (await repo.findSkills(db, username)) ?? repo.ANY_SKILLS;
}

/** True when `member` may see the account (their data scope, as identity defines it). */
async function memberSees(db: pg.Pool, member: StaffMember, accountId: string | null, customerId: string, seesAccount: (scope: DataScope, accountId: string | null, customerId: string) => Promise<boolean>): Promise<boolean> {
  return seesAccount(dataScopeOf(member), accountId, customerId);
}

/**
 * A supervisor hands an item to another collector: only they get it from `next`, any lock is broken.
 * The collector must be active and see the account in their own data scope (move the account's team
 * first to hand it across teams).
 */
export async function reassignWorkItem(
  db: pg.Pool, actor: Principal, workItemId: number, to: string, now: Date,
  seesAccount: (scope: DataScope, accountId: string | null, customerId: string) => Promise<boolean>,
): Promise<Result<repo.WorkItemRow, WorklistError>> {
  const item = await repo.findItem(db, workItemId);
  if (!item || !(await seesAccount(actor.scope, item.accountId, item.customerId))) return err('work_item_not_found', `no work item ${workItemId}`);
  if (item.status === 'done' || item.status === 'cancelled') return err('invalid_request', `work item ${workItemId} is ${item.status}`);
  const member = await findStaffMember(db, to);
  if (!member || member.disabled || !['collector', 'supervisor', 'agency_user'].includes(member.role)) {
    return err('collector_not_found', `no active collector ${JSON.stringify(to)}`);
  }
  if (!(await memberSees(db, member, item.accountId, item.customerId, seesAccount))) {
    return err('collector_out_of_scope', `${to} (team ${member.teamId ?? member.agencyId ?? 'none'}) does not see ${item.accountId ?? item.customerId}: assign the account to their team first`);
  }
  const updated = await repo.reassignItem(db, workItemId, to, now);
  return updated ? ok(updated) : err('work_item_not_found', `no open work item ${workItemId}`);
}

/** The holder gives an item back to the queue. */
export async function releaseWorkItem(db: pg.Pool, actor: Principal, workItemId: number, now: Date): Promise<Result<{ workItemId: number; status: 'open' }, WorklistError>> {
  if (await repo.releaseItem(db, workItemId, actor.name, now)) return ok({ workItemId, status: 'open' });
  const item = await repo.findItem(db, workItemId);
  return item ? err('work_item_not_held', `work item ${workItemId} is not held by ${actor.name} (its lock timed out, or it is someone else's)`) : err('work_item_not_found', `no work item ${workItemId}`);
}

/** Delinquency reasons recorded from the first to the last day (inclusive, business days in `timeZone`). */
export function delinquencyReasonReport(db: pg.Pool, scope: DataScope, fromDay: string, toDay: string, timeZone: string): Promise<repo.ReasonCount[]> {
  const start = (day: Temporal.PlainDate) => new Date(day.toZonedDateTime({ timeZone }).epochMilliseconds);
  const from = Temporal.PlainDate.from(fromDay);
  const to = Temporal.PlainDate.from(toDay).add({ days: 1 });
  return repo.delinquencyReasonCounts(db, { from: start(from), to: start(to), scope });
}
