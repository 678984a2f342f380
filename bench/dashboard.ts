/**
 * `npm run bench:dashboard`: the dashboard's aggregates on a large portfolio, each against the raw
 * PostgreSQL floor of the same work measured in the same run. A demo portfolio of --seed-accounts is
 * imported and aged, then replicated in SQL up to --accounts (customers, accounts, their packed
 * histories, stored aging results and team assignments; statements and payments are not copied, as no
 * report reads them). Prints times and ratios; never asserts a time.
 *
 *   latest buckets  (GET /reports/buckets)           vs  a bare GROUP BY over account_delinquency
 *   buckets as of   (GET /reports/buckets?asOf=)     vs  COPY of every account_histories row out
 *   roll rates      (GET /reports/roll-rates)        vs  that COPY twice
 *
 * Uses DATABASE_URL when set, else an embedded server with data in bench/.data.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { acquireDatabase, adminUrl, withDatabase } from '../src/db/index.ts';
import { runtimeOn } from '../src/runtime.ts';
import { loadConfig } from '../src/config.ts';
import { epochDayOf } from '../src/kernel/dates.ts';
import { loadDefaultAgingPolicy } from '../src/modules/delinquency/index.ts';
import { loadDemoPortfolio } from '../src/workflows/demo.workflow.ts';
import { bucketReportAsOf, latestBucketReport, scopedRollRateReport } from '../src/workflows/portfolio-reports.workflow.ts';

const { values: args } = parseArgs({ options: { accounts: { type: 'string', default: '200000' }, 'seed-accounts': { type: 'string', default: '10000' }, runs: { type: 'string', default: '3' } } });
const ACCOUNTS = Number(args.accounts);
const SEED_ACCOUNTS = Number(args['seed-accounts']);
const RUNS = Number(args.runs);
if (!(ACCOUNTS >= SEED_ACCOUNTS && ACCOUNTS % SEED_ACCOUNTS === 0)) throw new Error('--accounts must be a multiple of --seed-accounts');
const AS_OF = epochDayOf(2026, 6, 30);
const EARLIER = epochDayOf(2026, 5, 31);
const dataDir = new URL('./.data/', import.meta.url).pathname;

/** The best of RUNS runs, in ms. */
async function best(work: () => Promise<unknown>): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await work();
    min = Math.min(min, performance.now() - start);
  }
  return min;
}

async function copyOut(pool: pg.Pool, sql: string): Promise<void> {
  const client = await pool.connect();
  try {
    await pipeline(client.query(copyStreams.to(sql)), new Writable({ write: (_chunk, _enc, done) => done() }));
  } finally {
    client.release();
  }
}

async function replicate(source: pg.Pool, copies: number): Promise<void> {
  const suffix = `'-r' || k`;
  const series = `generate_series(1, ${copies - 1}) as k`;
  const client = await source.connect();
  try {
    await client.query('begin');
    await client.query(`insert into customers (customer_id, name, national_id_encrypted, national_id_hmac, national_id_last4, time_zone, language)
      select customer_id || ${suffix}, name, national_id_encrypted, national_id_hmac, national_id_last4, time_zone, language from customers, ${series}`);
    await client.query(`insert into card_accounts (account_id, customer_id, currency, credit_limit_minor, opened_on, status)
      select account_id || ${suffix}, customer_id || ${suffix}, currency, credit_limit_minor, opened_on, status from card_accounts, ${series}`);
    await client.query(`insert into account_histories (account_id, customer_id, currency, opened_on, statements, payments)
      select account_id || ${suffix}, customer_id || ${suffix}, currency, opened_on, statements, payments from account_histories, ${series}`);
    // The copies' histories are written above; the triggers' notes would rebuild them from (absent) statements.
    await client.query(`delete from account_history_changes`);
    await client.query(`insert into account_assignments (account_id, customer_id, team_id) select account_id || ${suffix}, customer_id || ${suffix}, team_id from account_assignments, ${series}`);
    await client.query(`insert into account_delinquency (account_id, customer_id, as_of, days_past_due, bucket, overdue_minor, balance_minor, late_count_cumulative, late_count_consecutive, oldest_unpaid_due_on)
      select account_id || ${suffix}, customer_id || ${suffix}, as_of, days_past_due, bucket, overdue_minor, balance_minor, late_count_cumulative, late_count_consecutive, oldest_unpaid_due_on
      from account_delinquency, ${series}`);
    await client.query('commit');
    await client.query('analyze');
  } finally {
    client.release();
  }
}

async function main() {
  const lease = await acquireDatabase({ dataDir: join(dataDir, 'server'), env: process.env });
  try {
    const admin = new pg.Client({ connectionString: adminUrl(lease.url) });
    await admin.connect();
    await admin.query('drop database if exists recourse_bench_dashboard with (force)');
    await admin.query('create database recourse_bench_dashboard');
    await admin.end();
    const config = loadConfig({ ...process.env, RECOURSE_DATA_DIR: join(dataDir, 'server') });
    const rt = await runtimeOn(withDatabase(lease.url, 'recourse_bench_dashboard'), config);
    try {
      let start = performance.now();
      await loadDemoPortfolio(rt, { accounts: SEED_ACCOUNTS, seed: 42, asOf: AS_OF });
      // Every other account is team-a's, as the demo users see it.
      await rt.pool.query(`insert into account_assignments (account_id, customer_id, team_id)
        select account_id, customer_id, 'team-a' from (select account_id, customer_id, row_number() over (order by account_id) as n from card_accounts) a where n % 2 = 1`);
      console.log(`demo portfolio of ${SEED_ACCOUNTS.toLocaleString('en')} accounts loaded and aged in ${((performance.now() - start) / 1000).toFixed(1)} s`);
      start = performance.now();
      await replicate(rt.pool, ACCOUNTS / SEED_ACCOUNTS);
      console.log(`replicated to ${ACCOUNTS.toLocaleString('en')} accounts in ${((performance.now() - start) / 1000).toFixed(1)} s; best of ${RUNS} runs each:\n`);
      const policy = await loadDefaultAgingPolicy();
      const all = { kind: 'all' } as const;
      const team = { kind: 'team', teamId: 'team-a' } as const;
      const rows: [string, number, string, number][] = [];
      const groupBy = await best(() => rt.pool.query('select bucket, count(*), sum(balance_minor) from account_delinquency group by bucket'));
      rows.push(['latest buckets, all accounts', await best(() => latestBucketReport(rt.pool, policy, all)), 'GROUP BY over account_delinquency', groupBy]);
      rows.push(['latest buckets, one team', await best(() => latestBucketReport(rt.pool, policy, team)), 'same GROUP BY', groupBy]);
      const copy = await best(() => copyOut(rt.pool, 'copy (select * from account_histories) to stdout'));
      rows.push(['buckets as of a date, all', await best(() => bucketReportAsOf(rt.pool, AS_OF, policy, all)), 'COPY account_histories out', copy]);
      rows.push(['buckets as of a date, one team', await best(() => bucketReportAsOf(rt.pool, AS_OF, policy, team)), 'same COPY', copy]);
      rows.push(['roll rates over a month, all', await best(() => scopedRollRateReport(rt.pool, EARLIER, AS_OF, policy, all)), 'that COPY twice', copy * 2]);
      const count = (await rt.pool.query('select count(*)::int as n from card_accounts')).rows[0].n;
      if (count !== ACCOUNTS) throw new Error(`expected ${ACCOUNTS} accounts, found ${count}`);
      for (const [what, ms, floor, floorMs] of rows) {
        console.log(`${what.padEnd(32)} ${(ms / 1000).toFixed(3).padStart(8)} s   ${(ms / floorMs).toFixed(1).padStart(6)}× ${floor} (${(floorMs / 1000).toFixed(3)} s)`);
      }
    } finally {
      await rt.close();
    }
  } finally {
    await lease.release();
  }
}

await main();
