/**
 * The demo portfolio: generated feed records go through the same import as a bank's feed (so the
 * demo can never hold data a real feed could not), then the portfolio is aged as of the same date.
 */
import { Readable } from 'node:stream';
import { formatPlainDate, type EpochDay } from '../kernel/dates.ts';
import type { Runtime } from '../runtime.ts';
import { demoPortfolio, importFeed, type ImportSummary } from '../modules/portfolio/index.ts';
import { loadDefaultAgingPolicy } from '../modules/delinquency/index.ts';
import { createWorkItems } from '../modules/worklist/index.ts';
import { ageAllAccounts, type AgingRunSummary } from './aging.workflow.ts';

export interface DemoSummary { asOf: string; seed: number; accounts: number; import: ImportSummary; aging: AgingRunSummary | null }

function* demoLines(options: { accounts: number; seed: number; asOf: EpochDay }): Generator<Buffer> {
  let batch: string[] = [];
  for (const record of demoPortfolio(options)) {
    batch.push(JSON.stringify(record));
    if (batch.length === 500) {
      yield Buffer.from(batch.join('\n') + '\n');
      batch = [];
    }
  }
  if (batch.length) yield Buffer.from(batch.join('\n') + '\n');
}

export async function loadDemoPortfolio(rt: Runtime, options: { accounts: number; seed: number; asOf: EpochDay }): Promise<DemoSummary> {
  const outcome = await importFeed(rt.pool, Readable.from(demoLines(options)), {
    format: 'ndjson', source: `demo:accounts=${options.accounts},seed=${options.seed}`, skipInvalid: false,
    cipher: rt.cipher, now: () => rt.clock.now(),
  });
  if (!outcome.ok) {
    // The generator only emits valid records; anything else is a bug in it.
    const first = outcome.problems.slice(0, 5).map((p) => `line ${p.line}: ${p.field}: ${p.message}`).join('; ');
    throw new Error(`demo portfolio failed validation: ${first}`);
  }
  const aged = await ageAllAccounts(rt.pool, formatPlainDate(options.asOf), await loadDefaultAgingPolicy(), rt.clock.now());
  return { asOf: formatPlainDate(options.asOf), seed: options.seed, accounts: options.accounts, import: outcome.summary, aging: aged.ok ? aged.value : null };
}

/** True when the portfolio holds no accounts yet (first start). */
export async function portfolioIsEmpty(rt: Runtime): Promise<boolean> {
  const { rows } = await rt.pool.query('select 1 from card_accounts limit 1');
  return rows.length === 0;
}

/**
 * The demo's call list for its first day: a strategy puts agent calls on the queue only after days in
 * a stage (policies/strategy/default.json), so a fresh demo would open the collector desk on an empty
 * queue. This hands each demo team up to `perTeam` agent-call work items for its delinquent accounts
 * that are not placed with an agency or in a legal stage, most days past due first (the same work items
 * the daily cycle writes, origin `staff`, requested by `demo`). Run once, when the demo is loaded.
 */
export async function seedDemoDesk(rt: Runtime, options: { perTeam: number }): Promise<{ workItems: number }> {
  const { rows } = await rt.pool.query<{ account_id: string; customer_id: string; team_id: string; days_past_due: number }>(`
    select account_id, customer_id, team_id, days_past_due from (
      select d.account_id, d.customer_id, a.team_id, d.days_past_due,
             row_number() over (partition by a.team_id order by d.days_past_due desc, d.account_id) as n
        from account_delinquency d join account_assignments a using (account_id)
       where d.days_past_due > 0 and a.team_id is not null and a.agency_id is null and a.legal_stage is null) ranked
     where n <= $1 order by team_id, n`, [options.perTeam]);
  const now = rt.clock.now();
  const { inserted } = await createWorkItems(rt.pool, rows.map((r) => ({
    idempotencyKey: `demo:desk:${r.account_id}`, customerId: r.customer_id, accountId: r.account_id, kind: 'agent_call' as const,
    priority: 50 + Math.min(r.days_past_due, 49), notBefore: now, reason: `demo call list: ${r.days_past_due} days past due`, origin: 'staff' as const,
    requestedBy: 'demo', teamId: r.team_id,
  })));
  return { workItems: inserted };
}
