/**
 * The dashboard's aggregates over a caller's data scope: the bucket distribution (the stored results of
 * the last aging run — one GROUP BY, fast on large portfolios — or aged on the fly for another date)
 * and the roll-rate matrix between two dates (aged on the fly at both dates, like `recourse report`).
 */
import type pg from 'pg';
import { formatAmount } from '../kernel/money.ts';
import { assert } from '../kernel/assert.ts';
import type { EpochDay } from '../kernel/dates.ts';
import { bucketNames, type AgingPolicyDocument } from '../modules/delinquency/index.ts';
import { scopeCondition, type DataScope } from '../modules/identity/index.ts';
import { bucketReport, rollRateReport, type AccountFilter, type RollRateReport } from './aging.workflow.ts';

export interface ScopedBucketReport {
  /** The date the numbers are for: the last aging run (null before the first), or the date asked for. */
  asOf: string | null;
  /** aging_run: stored results of the last `recourse age`; computed: aged for `asOf` now (host snapshots of that date overlaid). */
  source: 'aging_run' | 'computed';
  accounts: number;
  buckets: { bucket: string; accounts: number; balance: Record<string, string> }[];
}

/** The accounts a scope sees, as a filter for the on-the-fly reports (none needed for "all"). */
async function scopeFilter(pool: pg.Pool, scope: DataScope): Promise<AccountFilter | undefined> {
  if (scope.kind === 'all') return undefined;
  const params: unknown[] = [];
  const condition = scopeCondition(scope, 'a.account_id', params);
  const { rows } = await pool.query<{ id: string }>(`select a.account_id as id from card_accounts a where ${condition}`, params);
  const visible = new Set(rows.map((r) => r.id));
  return (id) => visible.has(id);
}

/** Bucket distribution from account_delinquency (what the last aging run stored), in the policy's bucket order. */
export async function latestBucketReport(pool: pg.Pool, policyDoc: AgingPolicyDocument, scope: DataScope): Promise<ScopedBucketReport> {
  const params: unknown[] = [];
  const condition = scopeCondition(scope, 'd.account_id', params);
  const [run, groups] = await Promise.all([
    pool.query<{ as_of: string | null }>('select max(as_of)::text as as_of from aging_runs'),
    pool.query<{ bucket: string; currency: string; accounts: number; balance_minor: string }>(
      `select d.bucket, a.currency, count(*)::int as accounts, sum(d.balance_minor)::text as balance_minor
       from account_delinquency d join card_accounts a on a.account_id = d.account_id
       where ${condition} group by d.bucket, a.currency`,
      params,
    ),
  ]);
  const names = bucketNames(policyDoc.buckets);
  // A bucket a former policy named stays visible after the policy's own ones.
  for (const g of groups.rows) if (!names.includes(g.bucket)) names.push(g.bucket);
  const rows = names.map((bucket) => ({ bucket, accounts: 0, balance: {} as Record<string, string> }));
  const minor = new Map<string, bigint>();
  for (const g of [...groups.rows].sort((a, b) => a.currency.localeCompare(b.currency))) {
    const row = rows[names.indexOf(g.bucket)]!;
    row.accounts += g.accounts;
    const key = `${g.bucket}\u0000${g.currency}`;
    minor.set(key, (minor.get(key) ?? 0n) + BigInt(g.balance_minor));
    row.balance[g.currency] = formatAmount(minor.get(key)!, g.currency);
  }
  const currencies = [...new Set(groups.rows.map((g) => g.currency))].sort();
  // Every row names every currency present (zero where none), so the columns line up.
  for (const row of rows) for (const c of currencies) row.balance[c] ??= formatAmount(0n, c);
  const accounts = rows.reduce((n, r) => n + r.accounts, 0);
  assert(accounts === groups.rows.reduce((n, g) => n + g.accounts, 0), 'every group lands in one bucket row');
  return { asOf: run.rows[0]!.as_of, source: 'aging_run', accounts, buckets: rows };
}

/** Bucket distribution aged for `asOf` (any date), over the scope. */
export async function bucketReportAsOf(pool: pg.Pool, asOf: EpochDay, policyDoc: AgingPolicyDocument, scope: DataScope): Promise<ScopedBucketReport> {
  const report = await bucketReport(pool, asOf, policyDoc, await scopeFilter(pool, scope));
  return { asOf: report.asOf, source: 'computed', accounts: report.accounts, buckets: report.buckets };
}

export async function scopedRollRateReport(pool: pg.Pool, from: EpochDay, to: EpochDay, policyDoc: AgingPolicyDocument, scope: DataScope): Promise<RollRateReport> {
  return rollRateReport(pool, from, to, policyDoc, await scopeFilter(pool, scope));
}
