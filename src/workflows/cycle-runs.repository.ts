/**
 * The daily cycle's own tables (migration 0010): `cycle_days` (a date whose shared steps — aging,
 * arrangement evaluation — are done) and `cycle_runs` (one row per invocation, with its summary).
 */
import type pg from 'pg';

type Db = pg.ClientBase | pg.Pool;

export interface PreparedDay { lastAsOf: string | null; aging: Record<string, unknown> | null; arrangements: Record<string, unknown> | null }

/** The latest prepared date and, when `asOf` was prepared, its stored summaries. */
export async function preparedDay(db: Db, asOf: string): Promise<PreparedDay> {
  const { rows } = await db.query<{ last: string | null; aging: Record<string, unknown> | null; arrangements: Record<string, unknown> | null }>(
    `select (select max(as_of)::text from cycle_days) as last, d.aging, d.arrangements from (select 1) x left join cycle_days d on d.as_of = $1::date`, [asOf]);
  return { lastAsOf: rows[0]!.last, aging: rows[0]!.aging, arrangements: rows[0]!.arrangements };
}

export async function recordPreparedDay(db: Db, asOf: string, aging: unknown, arrangements: unknown): Promise<void> {
  await db.query('insert into cycle_days (as_of, aging, arrangements) values ($1, $2, $3)', [asOf, aging, arrangements]);
}

export async function runsFor(db: Db, asOf: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>('select count(*) as n from cycle_runs where as_of = $1', [asOf]);
  return Number(rows[0]!.n);
}

export async function startRun(db: Db, r: { asOf: string; shard: { index: number; count: number }; strategyId: string; strategyVersion: number; startedAt: Date }): Promise<number> {
  const { rows } = await db.query<{ run_id: bigint }>(
    `insert into cycle_runs (as_of, shard_index, shard_count, status, strategy_id, strategy_version, started_at) values ($1, $2, $3, 'running', $4, $5, $6) returning run_id`,
    [r.asOf, r.shard.index, r.shard.count, r.strategyId, r.strategyVersion, r.startedAt]);
  return Number(rows[0]!.run_id);
}

export async function finishRun(db: Db, runId: number, summary: unknown): Promise<void> {
  await db.query(`update cycle_runs set status = 'completed', finished_at = now(), summary = $2 where run_id = $1`, [runId, summary]);
}

export async function failRun(db: Db, runId: number, error: string): Promise<void> {
  await db.query(`update cycle_runs set status = 'failed', finished_at = now(), error = $2 where run_id = $1`, [runId, error.slice(0, 2000)]);
}

export interface CycleRun {
  runId: number; asOf: string; shard: string; status: string; strategy: string | null; startedAt: string; finishedAt: string | null; error: string | null; summary: unknown;
}

export async function listRuns(db: Db, filter: { asOf?: string | undefined; limit: number }): Promise<CycleRun[]> {
  const { rows } = await db.query(
    `select run_id, as_of, shard_index, shard_count, status, strategy_id, strategy_version, started_at, finished_at, error, summary from cycle_runs
     where ($1::date is null or as_of = $1::date) order by run_id desc limit $2`, [filter.asOf ?? null, filter.limit]);
  return rows.map((r) => ({
    runId: Number(r.run_id), asOf: r.as_of, shard: `${r.shard_index}/${r.shard_count}`, status: r.status, strategy: r.strategy_id ? `${r.strategy_id}@${r.strategy_version}` : null,
    startedAt: r.started_at.toISOString(), finishedAt: r.finished_at ? r.finished_at.toISOString() : null, error: r.error, summary: r.summary,
  }));
}

/** Every shard of some invocation set for the date completed (one process, or all N shards). */
export async function dateCompleted(db: Db, asOf: string): Promise<boolean> {
  const { rows } = await db.query<{ done: boolean }>(
    `select exists (select 1 from cycle_runs where as_of = $1::date and status = 'completed' group by shard_count having count(distinct shard_index) = shard_count) as done`, [asOf]);
  return rows[0]!.done;
}
