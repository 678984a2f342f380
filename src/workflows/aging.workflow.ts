/**
 * Aging across the portfolio: `ageAllAccounts` (the bulk run behind `recourse age`) and the bucket and
 * roll-rate reports. Inputs stream from the portfolio in one COPY; the pure delinquency domain ages each
 * account; results go back with one COPY and set-based SQL (never a query per account).
 */
import type pg from 'pg';
import { CopyWriter, copyField, copyOutRows, type CopyRow } from '../db/index.ts';
import { err, ok, type Result } from '../kernel/result.ts';
import { formatPlainDate, parsePlainDate, type EpochDay } from '../kernel/dates.ts';
import { formatAmount } from '../kernel/money.ts';
import { agingInputOf, agingInputs, agingInputsSql, refreshAccountHistories, type AgingInput } from '../modules/portfolio/index.ts';
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

/** Test seam: a failure injected once the first run's other part has committed (its coordinator has not). */
export interface AgingFaults { afterPartCommitted?: () => void }

export async function ageAllAccounts(pool: pg.Pool, asOfText: string, policyDoc: AgingPolicyDocument, now: Date, faults: AgingFaults = {}): Promise<Result<AgingRunSummary, AgingRunError>> {
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
    const buckets = bucketNames(policyDoc.buckets);
    const initial = (await writer.query('select not exists (select 1 from account_delinquency) as empty')).rows[0].empty as boolean;
    const tally = new RunTally();
    const { accounts, changed, bucketMoves } = initial
      ? await ageIntoEmptyStore(pool, writer, reader, asOf, policyCache(policyDoc), buckets, tally, faults)
      : await ageAgainstStored(writer, reader, asOf, policyCache(policyDoc), buckets, tally);
    // Moves are from the previous run's buckets; a re-run of the same date compares with itself, so it
    // keeps the moves its first run recorded.
    await tally.write(writer, formatPlainDate(asOf), initial || last === formatPlainDate(asOf) ? null : last);
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

/** Per bucket and currency (and per move), what a run saw: summed while it runs, written at its end. */
class RunTally {
  readonly totals = new Map<string, { bucket: string; currency: string; accounts: number; balanceMinor: bigint; overdueMinor: bigint }>();
  readonly moves = new Map<string, { from: string; to: string; currency: string; accounts: number; balanceMinor: bigint }>();

  count(currency: string, r: AgingResult, fromBucket: string | null): void {
    const key = `${r.bucket}\u0000${currency}`;
    const t = this.totals.get(key);
    if (t) {
      t.accounts++;
      t.balanceMinor += r.balanceMinor;
      t.overdueMinor += r.overdueMinor;
    } else {
      this.totals.set(key, { bucket: r.bucket, currency, accounts: 1, balanceMinor: r.balanceMinor, overdueMinor: r.overdueMinor });
    }
    if (fromBucket === null) return;
    const moveKey = `${fromBucket}\u0000${key}`;
    const m = this.moves.get(moveKey);
    if (m) {
      m.accounts++;
      m.balanceMinor += r.balanceMinor;
    } else {
      this.moves.set(moveKey, { from: fromBucket, to: r.bucket, currency, accounts: 1, balanceMinor: r.balanceMinor });
    }
  }

  async write(client: pg.ClientBase, asOf: string, previousAsOf: string | null): Promise<void> {
    const totals = [...this.totals.values()];
    await client.query(
      `insert into aging_run_totals (as_of, bucket, currency, accounts, balance_minor, overdue_minor)
       select $1::date, * from unnest($2::text[], $3::text[], $4::int[], $5::bigint[], $6::bigint[])
       on conflict (as_of, bucket, currency) do update set accounts = excluded.accounts, balance_minor = excluded.balance_minor, overdue_minor = excluded.overdue_minor`,
      [asOf, totals.map((t) => t.bucket), totals.map((t) => t.currency), totals.map((t) => t.accounts), totals.map((t) => String(t.balanceMinor)), totals.map((t) => String(t.overdueMinor))],
    );
    if (previousAsOf === null) return;
    const moves = [...this.moves.values()];
    await client.query('delete from aging_run_moves where to_as_of = $1', [asOf]);
    await client.query(
      `insert into aging_run_moves (from_as_of, to_as_of, from_bucket, to_bucket, currency, accounts, balance_minor)
       select $1::date, $2::date, * from unnest($3::text[], $4::text[], $5::text[], $6::int[], $7::bigint[])`,
      [previousAsOf, asOf, moves.map((m) => m.from), moves.map((m) => m.to), moves.map((m) => m.currency), moves.map((m) => m.accounts), moves.map((m) => String(m.balanceMinor))],
    );
  }
}

/** The stored result of the previous run, as the run reads it back (null: never aged). */
interface StoredAging {
  daysPastDue: number; bucket: string; overdueMinor: string; balanceMinor: string;
  lateCountCumulative: number; lateCountConsecutive: number; oldestUnpaidDueOn: string;
}

const STORED_COLUMNS = `, d.days_past_due, d.bucket, d.overdue_minor, d.balance_minor, d.late_count_cumulative,
  d.late_count_consecutive, d.oldest_unpaid_due_on - date '1970-01-01'`;
const STORED_JOIN = 'left join account_delinquency d on d.account_id = a.account_id';

/**
 * Ages every account and stages only what changed: new results and results that differ from the stored
 * ones, each with its bucket move. The stored result comes in the same COPY row as the inputs, so the
 * comparison happens here, not in a join over every account.
 */
async function ageAgainstStored(writer: pg.ClientBase, reader: pg.ClientBase, asOf: EpochDay, policyFor: (c: string) => AgingPolicy, buckets: string[], tally: RunTally) {
  await writer.query(`create temp table aging_changes (
    account_id text not null, customer_id text not null, is_new boolean not null, days_past_due integer not null, bucket text not null,
    overdue_minor bigint not null, balance_minor bigint not null, late_count_cumulative integer not null,
    late_count_consecutive integer not null, oldest_unpaid_due_on date, move text, from_bucket text) on commit drop`);
  const bucketIndexOf = new Map(buckets.map((b, i) => [b, i]));
  const firstBucket = buckets[0]!;
  const moves = { rollForward: 0, rollBack: 0, cure: 0 };
  let accounts = 0;
  await refreshAccountHistories(reader); // commits on its own: the reader is not in the run's transaction
  const copy = CopyWriter.open(writer, 'copy aging_changes from stdin', 5_000);
  try {
    for await (const row of copyOutRows(reader, agingInputsSql(formatPlainDate(asOf), STORED_COLUMNS, STORED_JOIN))) {
      const input = agingInputOf(row, asOf);
      const r = ageInput(input, asOf, policyFor);
      accounts++;
      const stored = storedAging(row);
      tally.count(input.currency, r, stored?.bucket ?? null);
      const oldest = r.oldestUnpaidDueOn === null ? '\\N' : String(r.oldestUnpaidDueOn);
      if (stored !== null && stored.daysPastDue === r.daysPastDue && stored.bucket === r.bucket && stored.overdueMinor === String(r.overdueMinor)
        && stored.balanceMinor === String(r.balanceMinor) && stored.lateCountCumulative === r.lateCountCumulative
        && stored.lateCountConsecutive === r.lateCountConsecutive && stored.oldestUnpaidDueOn === oldest) continue;
      // An account never aged before counts as coming from the first bucket.
      const from = stored?.bucket ?? firstBucket;
      let move: 'roll_forward' | 'roll_back' | 'cure' | null = null;
      if (from !== r.bucket) {
        const fromIndex = bucketIndexOf.get(from) ?? 0;
        const toIndex = bucketIndexOf.get(r.bucket)!;
        move = toIndex > fromIndex ? 'roll_forward' : toIndex === 0 ? 'cure' : 'roll_back';
        if (move === 'roll_forward') moves.rollForward++;
        else if (move === 'cure') moves.cure++;
        else moves.rollBack++;
      }
      await copy.write([
        copyField(input.accountId), copyField(input.customerId), stored === null ? 't' : 'f', ...resultFields(r),
        move ?? '\\N', move === null ? '\\N' : copyField(from),
      ]);
    }
  } finally {
    await copy.end();
  }
  await writer.query('analyze aging_changes');
  return { accounts, changed: await applyChanges(writer, formatPlainDate(asOf), firstBucket), bucketMoves: moves };
}

/**
 * The first run on an empty store: every result is new, so it goes straight into account_delinquency
 * with COPY (no staging, no comparison), and every account outside the first bucket has rolled forward
 * into its bucket. The accounts are split in EMPTY_STORE_PARTS parts by a hash of the account id, each
 * aged and written (results, roll-forward events, vintages) by its own reader and writer, so that the
 * writes of a million accounts use both cores. The other parts commit first; the run's own transaction
 * (the coordinator, holding the aging lock, writing the totals and the aging_runs row) commits last. If
 * the run dies between those commits, the next run finds a store that is no longer empty and ages
 * against it: the committed part is unchanged, the rest is new (results, events, vintages), and the
 * totals are counted over every account, so it ends as an uninterrupted run would.
 */
const EMPTY_STORE_PARTS = 2;

async function ageIntoEmptyStore(pool: pg.Pool, writer: pg.ClientBase, reader: pg.ClientBase, asOf: EpochDay, policyFor: (c: string) => AgingPolicy, buckets: string[], tally: RunTally, faults: AgingFaults) {
  await refreshAccountHistories(reader);
  const extra: { reader: pg.PoolClient; writer: pg.PoolClient; failed: boolean }[] = [];
  try {
    for (let i = 1; i < EMPTY_STORE_PARTS; i++) {
      const w = await pool.connect();
      const r = await pool.connect().catch((e: unknown) => {
        w.release();
        throw e;
      });
      extra.push({ reader: r, writer: w, failed: false });
    }
    // Every part settles before anything is rolled back or released (a part still streaming must not
    // lose its connection under it).
    const settled = await Promise.allSettled([
      ageEmptyStorePart(writer, reader, 0, asOf, policyFor, buckets[0]!, tally),
      ...extra.map(async (x, i) => {
        await x.writer.query('begin');
        try {
          return await ageEmptyStorePart(x.writer, x.reader, i + 1, asOf, policyFor, buckets[0]!, tally);
        } catch (e) {
          x.failed = true;
          await x.writer.query('rollback').catch(() => {});
          throw e;
        }
      }),
    ]);
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const parts = settled.map((r) => (r as PromiseFulfilledResult<{ accounts: number; rollForward: number }>).value);
    for (const x of extra) await x.writer.query('commit');
    faults.afterPartCommitted?.();
    const accounts = parts.reduce((n, p) => n + p.accounts, 0);
    const rollForward = parts.reduce((n, p) => n + p.rollForward, 0);
    return { accounts, changed: accounts, bucketMoves: { rollForward, rollBack: 0, cure: 0 } };
  } catch (e) {
    for (const x of extra) if (!x.failed) await x.writer.query('rollback').catch(() => (x.failed = true));
    throw e;
  } finally {
    // A client that failed mid-COPY cannot go back to the pool.
    for (const x of extra) {
      x.writer.release(x.failed ? new Error('aging part failed') : undefined);
      x.reader.release(x.failed ? new Error('aging part failed') : undefined);
    }
  }
}

/** One part of the first run, in the writer's open transaction. */
async function ageEmptyStorePart(writer: pg.ClientBase, reader: pg.ClientBase, part: number, asOf: EpochDay, policyFor: (c: string) => AgingPolicy, firstBucket: string, tally: RunTally) {
  const asOfText = formatPlainDate(asOf);
  const inPart = (column: string) => `mod(hashtext(${column})::bigint + 2147483648, ${EMPTY_STORE_PARTS}) = ${part}`;
  const copy = CopyWriter.open(writer, `copy account_delinquency (account_id, customer_id, as_of, days_past_due, bucket, overdue_minor, balance_minor,
    late_count_cumulative, late_count_consecutive, oldest_unpaid_due_on) from stdin`, 5_000);
  try {
    for await (const row of copyOutRows(reader, agingInputsSql(asOfText, '', '', inPart('a.account_id')))) {
      const input = agingInputOf(row, asOf);
      const r = ageInput(input, asOf, policyFor);
      tally.count(input.currency, r, null);
      if (copy.push([copyField(input.accountId), copyField(input.customerId), asOfText, ...resultFields(r)].join('\t'))) await copy.flush();
    }
  } finally {
    await copy.end();
  }
  const { rowCount } = await writer.query(
    `insert into account_events (account_id, customer_id, occurred_on, kind, data)
     select account_id, customer_id, $1::date, 'roll_forward', jsonb_build_object('from', $2::text, 'to', bucket, 'daysPastDue', days_past_due)
     from account_delinquency where bucket <> $2 and ${inPart('account_id')}`,
    [asOfText, firstBucket],
  );
  await recordVintages(writer, asOfText, `select account_id, customer_id, oldest_unpaid_due_on, balance_minor from account_delinquency
    where bucket <> $2 and oldest_unpaid_due_on is not null and ${inPart('account_id')}`, firstBucket, { emptyStore: true });
  return { accounts: copy.rows, rollForward: rowCount ?? 0 };
}

/** An aging result as COPY fields, in account_delinquency's column order from days_past_due on. */
function resultFields(r: AgingResult): string[] {
  return [
    String(r.daysPastDue), copyField(r.bucket), String(r.overdueMinor), String(r.balanceMinor), String(r.lateCountCumulative),
    String(r.lateCountConsecutive), r.oldestUnpaidDueOn === null ? '\\N' : formatPlainDate(r.oldestUnpaidDueOn),
  ];
}

/** The stored result, from the row's fields after the aging input (see STORED_COLUMNS). */
function storedAging(row: CopyRow): StoredAging | null {
  const daysPastDue = row.integer();
  if (daysPastDue === null) return null;
  const bucket = row.text()!;
  const overdueMinor = row.text()!;
  const balanceMinor = row.text()!;
  const lateCountCumulative = row.integer()!;
  const lateCountConsecutive = row.integer()!;
  const oldest = row.integer();
  return { daysPastDue, bucket, overdueMinor, balanceMinor, lateCountCumulative, lateCountConsecutive, oldestUnpaidDueOn: oldest === null ? '\\N' : String(oldest) };
}

/** Writes the staged changes set-based: new results, changed results, bucket-move events. Returns the rows written. */
async function applyChanges(client: pg.ClientBase, asOf: string, firstBucket: string): Promise<number> {
  const inserted = await client.query(
    `insert into account_delinquency (account_id, customer_id, as_of, days_past_due, bucket, overdue_minor, balance_minor,
       late_count_cumulative, late_count_consecutive, oldest_unpaid_due_on)
     select account_id, customer_id, $1::date, days_past_due, bucket, overdue_minor, balance_minor,
            late_count_cumulative, late_count_consecutive, oldest_unpaid_due_on from aging_changes where is_new`,
    [asOf],
  );
  const updated = await client.query(
    `update account_delinquency d set as_of = $1::date, days_past_due = c.days_past_due, bucket = c.bucket, overdue_minor = c.overdue_minor,
       balance_minor = c.balance_minor, late_count_cumulative = c.late_count_cumulative, late_count_consecutive = c.late_count_consecutive,
       oldest_unpaid_due_on = c.oldest_unpaid_due_on
     from aging_changes c where not c.is_new and d.account_id = c.account_id`,
    [asOf],
  );
  await client.query(
    `insert into account_events (account_id, customer_id, occurred_on, kind, data)
     select account_id, customer_id, $1::date, move, jsonb_build_object('from', from_bucket, 'to', bucket, 'daysPastDue', days_past_due)
     from aging_changes where move is not null`,
    [asOf],
  );
  await recordVintages(client, asOf, `select account_id, customer_id, oldest_unpaid_due_on, balance_minor from aging_changes
    where bucket <> $2 and oldest_unpaid_due_on is not null and (is_new or from_bucket = $2)`, firstBucket);
  return (inserted.rowCount ?? 0) + (updated.rowCount ?? 0);
}

/**
 * The first delinquency episode of each account the run saw leave the first bucket (delinquency_vintages,
 * the recovery curves' cohorts): only from the rows the run changed, and never overwritten. On the first
 * run into an empty store with no vintages yet, every row is new: a plain insert (no conflict check).
 */
async function recordVintages(client: pg.ClientBase, asOf: string, entering: string, firstBucket: string, options: { emptyStore?: boolean } = {}): Promise<void> {
  const fresh = options.emptyStore === true && (await client.query('select not exists (select 1 from delinquency_vintages) as empty')).rows[0].empty === true;
  await client.query(
    `insert into delinquency_vintages (account_id, customer_id, currency, delinquent_since, entered_on, balance_at_entry_minor)
     select e.account_id, e.customer_id, a.currency, e.oldest_unpaid_due_on, $1::date, e.balance_minor
     from (${entering}) e join card_accounts a on a.account_id = e.account_id
     ${fresh ? '' : 'on conflict (account_id) do nothing'}`,
    [asOf, firstBucket],
  );
}

/** Only the accounts it answers true for (a caller's data scope); all when absent. */
export type AccountFilter = (accountId: string) => boolean;

/** Each account's bucket as of a date: the card host's snapshot for that date where it sent one, else computed. */
async function bucketsAsOf(pool: pg.Pool, asOf: EpochDay, policyDoc: AgingPolicyDocument, visit: (input: AgingInput, bucket: string, balanceMinor: bigint, fromHost: boolean) => void, include?: AccountFilter) {
  const policyFor = policyCache(policyDoc);
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    for await (const input of agingInputs(client, formatPlainDate(asOf))) {
      if (include && !include(input.accountId)) continue;
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

export async function bucketReport(pool: pg.Pool, asOf: EpochDay, policyDoc: AgingPolicyDocument, include?: AccountFilter): Promise<BucketReport> {
  const byCurrency = new Map<string, { bucket: string; balanceMinor: bigint }[]>();
  let accounts = 0;
  let fromHost = 0;
  await bucketsAsOf(pool, asOf, policyDoc, (input, bucket, balanceMinor, host) => {
    accounts++;
    if (host) fromHost++;
    let list = byCurrency.get(input.currency);
    if (!list) byCurrency.set(input.currency, (list = []));
    list.push({ bucket, balanceMinor });
  }, include);
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
export async function rollRateReport(pool: pg.Pool, from: EpochDay, to: EpochDay, policyDoc: AgingPolicyDocument, include?: AccountFilter): Promise<RollRateReport> {
  const start = new Map<string, string>();
  await bucketsAsOf(pool, from, policyDoc, (input, bucket) => void start.set(input.accountId, bucket), include);
  const moves = new Map<string, BucketMove[]>();
  await bucketsAsOf(pool, to, policyDoc, (input, bucket, balanceMinor) => {
    const fromBucket = start.get(input.accountId);
    if (fromBucket === undefined) return;
    let list = moves.get(input.currency);
    if (!list) moves.set(input.currency, (list = []));
    list.push({ from: fromBucket, to: bucket, balanceMinor });
  }, include);
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
