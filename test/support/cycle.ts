/**
 * Daily-cycle test helpers: a runtime with a delinquent portfolio and a published strategy, running
 * the cycle in-process, and every stored action in a canonical form so that two databases can be
 * compared (audit references differ between runs and are left out).
 */
import { readFile } from 'node:fs/promises';
import { expect } from 'vitest';
import type { Runtime } from '../../src/runtime.ts';
import { parsePlainDate } from '../../src/kernel/dates.ts';
import { publishStrategy } from '../../src/modules/strategy/index.ts';
import { loadCycleDeps, runDailyCycle, type CycleDeps, type CycleOptions, type CycleSummary } from '../../src/workflows/daily-cycle.workflow.ts';

export const CASCADE_STRATEGY = new URL('../fixtures/strategy-cascade.json', import.meta.url).pathname;

export async function cycleDeps(rt: Runtime): Promise<CycleDeps> {
  const deps = await loadCycleDeps(rt);
  if (!deps.ok) throw new Error(deps.message);
  return deps.value;
}

export async function publishFile(rt: Runtime, file: string, patch: (doc: Record<string, unknown>) => void = () => {}): Promise<void> {
  const doc = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  patch(doc);
  const r = await publishStrategy(rt.pool, doc, (await cycleDeps(rt)).strategyContext, 'test');
  if (!r.ok) throw new Error(r.message);
}

export async function runCycle(rt: Runtime, asOf: string, options: Omit<CycleOptions, 'asOf'> = {}): Promise<CycleSummary> {
  const r = await runDailyCycle(await cycleDeps(rt), { asOf: parsePlainDate(asOf)!, ...options });
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r.value;
}

/** Everything the cycle stores, canonical and sorted (audit references and row ids left out). */
export async function storedActions(rt: Runtime) {
  const q = async (sql: string) => (await rt.pool.query(sql)).rows;
  return {
    outbox: await q(`select idempotency_key, customer_id, account_id, channel, party_role, destination_ref, template_id, language, tone, variables, not_before, expires_at,
      origin, strategy_id, strategy_version, strategy_variant, decision - 'auditRef' as decision, status from outbox_messages order by idempotency_key`),
    workItems: await q(`select idempotency_key, customer_id, account_id, kind, priority, not_before, due_by, reason, origin, strategy_id, strategy_version, strategy_variant, stage,
      decision - 'auditRef' as decision, team_id, status from work_items order by idempotency_key`),
    placements: await q(`select idempotency_key, account_id, customer_id, kind, agency_id, legal_stage, status, proposed_on, strategy_id, strategy_version, strategy_variant, stage, decision
      from placement_proposals order by idempotency_key`),
    accountActions: await q(`select idempotency_key, account_id, customer_id, action, status, requested_on, reason, strategy_id, strategy_version, strategy_variant, stage, decision
      from account_action_requests order by idempotency_key`),
    dropped: await q(`select idempotency_key, as_of, account_id, stage, treatment, channel, strategy_variant, reason, rules from strategy_dropped_actions order by idempotency_key`),
    states: await q(`select account_id, customer_id, strategy_id, strategy_version, variant, status, segment, ladder, stage, changed_on, state, prev_state from strategy_account_states order by account_id`),
    events: await q(`select account_id, occurred_on, seq, kind, variant, segment, stage from strategy_account_events order by account_id, occurred_on, seq`),
  };
}

export type StoredActions = Awaited<ReturnType<typeof storedActions>>;

/** Row counts of every table the cycle writes. */
export async function tableCounts(rt: Runtime): Promise<Record<string, number>> {
  const tables = ['outbox_messages', 'work_items', 'placement_proposals', 'account_action_requests', 'strategy_dropped_actions', 'strategy_account_events',
    'strategy_account_states', 'audit_log', 'cycle_days', 'account_delinquency', 'account_events', 'promises_to_pay', 'plan_instalments'];
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = Number((await rt.pool.query(`select count(*) as n from ${t}`)).rows[0].n);
  return out;
}

export function expectSameActions(actual: StoredActions, expected: StoredActions): void {
  for (const key of Object.keys(expected) as (keyof StoredActions)[]) {
    expect(actual[key].length, `${key}: row count`).toBe(expected[key].length);
    expect(actual[key], key).toEqual(expected[key]);
  }
}
