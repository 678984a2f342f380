/**
 * Aging across the portfolio: `ageAllAccounts` (the bulk run behind `recourse age`) and the bucket and
 * roll-rate reports. Inputs stream from the portfolio in one COPY; the pure delinquency domain ages each
 * account; results go back with one COPY and set-based SQL (never a query per account).
 */
import type pg from 'pg';
import { CopyWriter, copyField } from '../db/index.ts';
import { err, ok, type Result } from '../kernel/result.ts';
import { formatPlainDate, parsePlainDate, type EpochDay } from '../kernel/dates.ts';
import { formatAmount } from '../kernel/money.ts';
import { agingInputs, type AgingInput } from '../modules/portfolio/index.ts';
import {
  ageAccount, bucketDistribution, bucketNames, bucketOfCycles, compileAgingPolicy, rollRateMatrix,
  type AgingPolicy, type AgingPolicyDocument, type AgingResult, type BucketMove,
} from '../modules/delinquency/index.ts';

const AGING_LOCK = 7_301_998_002;

/** Compiles the policy once per currency met in the run. */
function policyCache(doc: AgingPolicyDocument): (currency: string) => AgingPolicy {
  const compiled = new Map<string, AgingPolicy>();
  return (currency) => {
    let policy = compiled.get(currency);
    if (!policy) compiled.set(currency, (policy = compileAgingPolicy(doc, currency)));
    return policy;
  };
}

export function ageInput(input: AgingInput, asOf: EpochDay, policyFor: (currency: string) => AgingPolicy): AgingResult {
  return ageAccount(input.statements, input.payments, asOf, policyFor(input.currency));
}

export interface AgingRunSummary {
  asOf: string;
  accounts: number;
  changed: number;
  bucketMoves: { rollForward: number; rollBack: number; cure: number };
  policy: { id: string; version: number };
}

export type AgingRunError = 'as_of_before_last_run' | 'invalid_date';

export async function ageAllAccounts(pool: pg.Pool, asOfText: string, policyDoc: AgingPolicyDocument, now: Date): Promise<Result<AgingRunSummary, AgingRunError>> {
  const asOf = parsePlainDate(asOfText);
  if (asOf === null) return err('invalid_date', `--as-of ${JSON.stringify(asOfText)} is not a real date (YYYY-MM-DD)`);
  const writer = await pool.connect();
  const reader = await pool.connect().catch((e: unknown) => {
    writer.release();
    throw e;
  });
  // A client that failed mid-COPY cannot go back to the pool: its connection may still be streaming.
  let failure: Error | undefined;
  try {
    await writer.query('begin');
    await writer.query('select pg_advisory_xact_lock($1)', [AGING_LOCK]);
    const last = (await writer.query<{ as_of: string | null }>('select max(as_of) as as_of from aging_runs')).rows[0]!.as_of;
    if (last !== null && last > formatPlainDate(asOf)) {
      await writer.query('rollback');
      return err('as_of_before_last_run', `--as-of ${formatPlainDate(asOf)} is before the last aging run (${last}); aging only moves forward`);
    }
    const accounts = await stageResults(writer, reader, asOf, policyCache(policyDoc));
    const buckets = bucketNames(policyDoc.buckets);
    const bucketMoves = await recordBucketMoves(writer, formatPlainDate(asOf), buckets);
    const changed = await applyResults(writer, formatPlainDate(asOf));
    await writer.query(
      `insert into aging_runs (as_of, policy_id, policy_version, started_at, accounts, changed, bucket_moves) values ($1, $2, $3, $4, $5, $6, $7)`,
      [formatPlainDate(asOf), policyDoc.id, policyDoc.version, now, accounts, changed, bucketMoves.rollForward + bucketMoves.rollBack + bucketMoves.cure],
    );
    await writer.query('commit');
    return ok({ asOf: formatPlainDate(asOf), accounts, changed, bucketMoves, policy: { id: policyDoc.id, version: policyDoc.version } });
  } catch (e) {
    failure = e instanceof Error ? e : new Error(String(e));
    await writer.query('rollback').catch(() => {});
    throw e;
  } finally {
    writer.release(failure);
    reader.release(failure);
  }
}

async function stageResults(writer: pg.ClientBase, reader: pg.ClientBase, asOf: EpochDay, policyFor: (c: string) => AgingPolicy): Promise<number> {
  await writer.query(`create temp table aging_result (
    account_id text primary key, customer_id text not null, days_past_due integer not null, bucket text not null,
    overdue_minor bigint not null, balance_minor bigint not null, late_count_cumulative integer not null,
    late_count_consecutive integer not null, oldest_unpaid_due_on date) on commit drop`);
  const copy = CopyWriter.open(writer, 'copy aging_result from stdin', 5_000);
  try {
    for await (const input of agingInputs(reader, formatPlainDate(asOf))) {
      const r = ageInput(input, asOf, policyFor);
      await copy.write([
        copyField(input.accountId), copyField(input.customerId), String(r.daysPastDue), copyField(r.bucket), String(r.overdueMinor),
        String(r.balanceMinor), String(r.lateCountCumulative), String(r.lateCountConsecutive),
        r.oldestUnpaidDueOn === null ? '\\N' : formatPlainDate(r.oldestUnpaidDueOn),
      ]);
    }
  } finally {
    await copy.end();
  }
  return copy.rows;
}

/** Bucket moves against the stored state (an account never aged before counts as coming from the first bucket). */
async function recordBucketMoves(client: pg.ClientBase, asOf: string, buckets: string[]) {
  const { rows } = await client.query<{ kind: string; n: string }>(
    `with moves as (
       select r.account_id, r.customer_id, coalesce(d.bucket, ($2::text[])[1]) as from_bucket, r.bucket as to_bucket,
              array_position($2::text[], coalesce(d.bucket, ($2::text[])[1])) as from_index, array_position($2::text[], r.bucket) as to_index,
              r.days_past_due
       from aging_result r left join account_delinquency d on d.account_id = r.account_id
       where coalesce(d.bucket, ($2::text[])[1]) <> r.bucket),
     inserted as (
       insert into account_events (account_id, customer_id, occurred_on, kind, data)
       select account_id, customer_id, $1::date,
              case when to_index > from_index then 'roll_forward' when to_index = 1 then 'cure' else 'roll_back' end,
              jsonb_build_object('from', from_bucket, 'to', to_bucket, 'daysPastDue', days_past_due)
       from moves order by account_id returning kind)
     select kind, count(*) as n from inserted group by kind`,
    [asOf, buckets],
  );
  const count = (kind: string) => Number(rows.find((r) => r.kind === kind)?.n ?? 0);
  return { rollForward: count('roll_forward'), rollBack: count('roll_back'), cure: count('cure') };
}

async function applyResults(client: pg.ClientBase, asOf: string): Promise<number> {
  const { rowCount } = await client.query(
    `insert into account_delinquency as t (account_id, customer_id, as_of, days_past_due, bucket, overdue_minor, balance_minor,
       late_count_cumulative, late_count_consecutive, oldest_unpaid_due_on)
     select account_id, customer_id, $1::date, days_past_due, bucket, overdue_minor, balance_minor,
            late_count_cumulative, late_count_consecutive, oldest_unpaid_due_on from aging_result
     on conflict (account_id) do update set as_of = excluded.as_of, days_past_due = excluded.days_past_due,
       bucket = excluded.bucket, overdue_minor = excluded.overdue_minor, balance_minor = excluded.balance_minor,
       late_count_cumulative = excluded.late_count_cumulative, late_count_consecutive = excluded.late_count_consecutive,
       oldest_unpaid_due_on = excluded.oldest_unpaid_due_on
     where (t.days_past_due, t.bucket, t.overdue_minor, t.balance_minor, t.late_count_cumulative, t.late_count_consecutive, t.oldest_unpaid_due_on)
       is distinct from (excluded.days_past_due, excluded.bucket, excluded.overdue_minor, excluded.balance_minor,
                         excluded.late_count_cumulative, excluded.late_count_consecutive, excluded.oldest_unpaid_due_on)`,
    [asOf],
  );
  return rowCount ?? 0;
}

/** Each account's bucket as of a date: the card host's snapshot for that date where it sent one, else computed. */
async function bucketsAsOf(pool: pg.Pool, asOf: EpochDay, policyDoc: AgingPolicyDocument, visit: (input: AgingInput, bucket: string, balanceMinor: bigint, fromHost: boolean) => void) {
  const policyFor = policyCache(policyDoc);
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    for await (const input of agingInputs(client, formatPlainDate(asOf))) {
      const r = ageInput(input, asOf, policyFor);
      if (input.hostCyclesDelinquent !== null) visit(input, bucketOfCycles(input.hostCyclesDelinquent, policyDoc.buckets), r.balanceMinor, true);
      else visit(input, r.bucket, r.balanceMinor, false);
    }
  } catch (e) {
    failure = e instanceof Error ? e : new Error(String(e));
    throw e;
  } finally {
    // Leaving the loop early leaves the COPY unfinished: such a client is discarded, not pooled.
    client.release(failure);
  }
}

export interface BucketReport {
  asOf: string;
  accounts: number;
  fromHostSnapshots: number;
  buckets: { bucket: string; accounts: number; balance: Record<string, string> }[];
}

export async function bucketReport(pool: pg.Pool, asOf: EpochDay, policyDoc: AgingPolicyDocument): Promise<BucketReport> {
  const byCurrency = new Map<string, { bucket: string; balanceMinor: bigint }[]>();
  let accounts = 0;
  let fromHost = 0;
  await bucketsAsOf(pool, asOf, policyDoc, (input, bucket, balanceMinor, host) => {
    accounts++;
    if (host) fromHost++;
    let list = byCurrency.get(input.currency);
    if (!list) byCurrency.set(input.currency, (list = []));
    list.push({ bucket, balanceMinor });
  });
  const names = bucketNames(policyDoc.buckets);
  const rows = names.map((bucket) => ({ bucket, accounts: 0, balance: {} as Record<string, string> }));
  for (const [currency, items] of [...byCurrency.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    bucketDistribution(items, policyDoc.buckets).forEach((share, i) => {
      rows[i]!.accounts += share.accounts;
      rows[i]!.balance[currency] = formatAmount(share.balanceMinor, currency);
    });
  }
  return { asOf: formatPlainDate(asOf), accounts, fromHostSnapshots: fromHost, buckets: rows };
}

export interface RollRateReport {
  from: string;
  to: string;
  accounts: number;
  buckets: string[];
  rows: { from: string; accounts: number; balance: Record<string, string>; cells: { to: string; accounts: number; balance: Record<string, string>; rate: number }[] }[];
}

/** Accounts that exist at both dates, from their bucket at `from` to their bucket at `to`. */
export async function rollRateReport(pool: pg.Pool, from: EpochDay, to: EpochDay, policyDoc: AgingPolicyDocument): Promise<RollRateReport> {
  const start = new Map<string, string>();
  await bucketsAsOf(pool, from, policyDoc, (input, bucket) => void start.set(input.accountId, bucket));
  const moves = new Map<string, BucketMove[]>();
  await bucketsAsOf(pool, to, policyDoc, (input, bucket, balanceMinor) => {
    const fromBucket = start.get(input.accountId);
    if (fromBucket === undefined) return;
    let list = moves.get(input.currency);
    if (!list) moves.set(input.currency, (list = []));
    list.push({ from: fromBucket, to: bucket, balanceMinor });
  });
  const buckets = bucketNames(policyDoc.buckets);
  const all = [...moves.values()].flat();
  const counts = rollRateMatrix(all, policyDoc.buckets);
  const perCurrency = [...moves.entries()].map(([currency, list]) => [currency, rollRateMatrix(list, policyDoc.buckets)] as const);
  return {
    from: formatPlainDate(from),
    to: formatPlainDate(to),
    accounts: all.length,
    buckets,
    rows: counts.rows.map((row, i) => ({
      from: row.from,
      accounts: row.total.accounts,
      balance: Object.fromEntries(perCurrency.map(([c, m]) => [c, formatAmount(m.rows[i]!.total.balanceMinor, c)])),
      cells: row.cells.map((cell, j) => ({
        to: cell.to,
        accounts: cell.accounts,
        balance: Object.fromEntries(perCurrency.map(([c, m]) => [c, formatAmount(m.rows[i]!.cells[j]!.balanceMinor, c)])),
        rate: cell.rate,
      })),
    })),
  };
}
