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
 * Then the dashboards' reports (GET /reports/bucket-history, run-roll-rates, recovery-curves, promises,
 * contacts, collections, compliance-blocks, leaderboard) over 24 monthly runs of history and six months
 * of events at the portfolio's scale (one payment and one contact per account, …), each against a bare
 * GROUP BY of the same rows (or, for the heatmap, the old on-the-fly roll rates), and the dashboard's
 * opening requests all in parallel. `--accounts 1000000 --runs 1` for the issue's million accounts.
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
import { bucketNames, loadDefaultAgingPolicy } from '../src/modules/delinquency/index.ts';
import { loadDemoPortfolio } from '../src/workflows/demo.workflow.ts';
import { bucketReportAsOf, latestBucketReport, scopedRollRateReport } from '../src/workflows/portfolio-reports.workflow.ts';
import {
  bucketHistory, collectionsReport, complianceBlockReport, contactReport, leaderboard, promiseReport, recoveryCurves, runRollRates,
} from '../src/workflows/dashboard-reports.repository.ts';

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

const ratio = (x: number) => (x >= 10 ? x.toFixed(0) : x >= 0.1 ? x.toFixed(1) : x.toPrecision(1));

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
    await client.query(`insert into delinquency_vintages (account_id, customer_id, currency, delinquent_since, entered_on, balance_at_entry_minor)
      select account_id || ${suffix}, customer_id || ${suffix}, currency, delinquent_since, entered_on, balance_at_entry_minor from delinquency_vintages, ${series}`);
    await client.query('commit');
    await client.query('analyze');
  } finally {
    client.release();
  }
}

/**
 * What the new dashboards read, at the portfolio's scale: 24 monthly aging runs of history (totals and
 * moves of the replicated portfolio), and over the six months before AS_OF one payment and one contact
 * attempt per account, a promise per four accounts, a dropped contact per ten and a gate verdict per five.
 */
async function dashboardHistory(pool: pg.Pool, accounts: number): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    // Totals of the replicated portfolio at AS_OF, and 23 earlier monthly runs shaped like it.
    await client.query('delete from aging_run_totals');
    await client.query(`insert into aging_run_totals (as_of, bucket, currency, accounts, balance_minor, overdue_minor)
      select (date '2026-06-30' - make_interval(months => m))::date, d.bucket, a.currency, count(*)::int, sum(d.balance_minor), sum(d.overdue_minor)
      from account_delinquency d join card_accounts a on a.account_id = d.account_id, generate_series(0, 23) m group by 1, 2, 3`);
    await client.query(`insert into aging_run_moves (from_as_of, to_as_of, from_bucket, to_bucket, currency, accounts, balance_minor)
      select (date '2026-06-30' - make_interval(months => m + 1))::date, (date '2026-06-30' - make_interval(months => m))::date, d.bucket,
             case when d.days_past_due % 3 = 0 then d.bucket else 'M0' end, a.currency, count(*)::int, sum(d.balance_minor)
      from account_delinquency d join card_accounts a on a.account_id = d.account_id, generate_series(0, 23) m group by 1, 2, 3, 4, 5`);
    const spread = (n: string) => `(date '2026-06-30' - ((${n}) % 180)::int)`;
    await client.query(`insert into payments (payment_id, account_id, customer_id, posted_on, amount_minor, channel)
      select 'bench-' || n, account_id, customer_id, ${spread('n')}, 10000 + n % 50000, (array['bank_transfer', 'alipay', 'wechat', 'auto_debit'])[1 + n % 4]
      from (select account_id, customer_id, row_number() over () as n from card_accounts) a`);
    await client.query(`insert into contact_attempts (customer_id, account_id, attempted_at, channel, actor, actor_kind, party, destination, outcome)
      select customer_id, account_id, ${spread('n')}::timestamp + interval '10 hours',
             (array['voice_agent', 'sms', 'voice_robot', 'email'])[1 + n % 4],
             case when n % 10 = 9 then 'agency:agency-' || (n % 7) || ':a' else 'bank:collector-' || (n % 200) end,
             case when n % 10 = 9 then 'agency' else 'bank' end, 'debtor', '138' || lpad((n % 100000000)::text, 8, '0'),
             (array['connected_right_party', 'no_answer', 'connected_third_party', 'busy', 'delivered'])[1 + n % 5]
      from (select account_id, customer_id, row_number() over () as n from card_accounts) a`);
    await client.query(`insert into promises_to_pay (account_id, customer_id, currency, amount_minor, created_on, promised_on, status, resolved_on, paid_minor, recorded_by)
      select account_id, customer_id, 'CNY', 50000, ${spread('n')}, ${spread('n')} + 5,
             s, case when s = 'active' then null else ${spread('n')} + 6 end, case when s = 'active' then null else (n % 3) * 20000 end, 'collector-' || (n % 200)
      from (select account_id, customer_id, n, case when n <= 4 then 'active' else (array['kept', 'broken', 'kept'])[1 + n % 3] end as s
            from (select account_id, customer_id, row_number() over () as n from card_accounts) x where n % 4 = 0) a`);
    await client.query(`insert into strategy_dropped_actions (idempotency_key, as_of, account_id, customer_id, stage, treatment, channel, strategy_id, strategy_version, strategy_variant, reason, rules)
      select 'bench-' || n, ${spread('n')}, account_id, customer_id, 'early', 'sms', 'sms', 'default-strategy', 1, 'champion', 'compliance_block',
             jsonb_build_array(jsonb_build_object('rule', (array['CN-01', 'CN-03', 'CN-12'])[1 + n % 3], 'code', 'bench'))
      from (select account_id, customer_id, row_number() over () as n from card_accounts) a where n % 10 = 0`);
    // Verdicts shaped as the gate writes them (not chained: this database is thrown away).
    await client.query(`insert into audit_log (chain, seq, kind, occurred_at, subject, input_digest, payload, prev_hash, hash)
      select 'compliance', n, 'compliance.verdict', ${spread('n')}::timestamp + interval '10 hours', customer_id, null,
             json_build_object('id', n::text, 'decision', d, 'at', 0, 'pack', 'cn@2',
               'contact', json_build_object('channel', 'voice_agent', 'actor', 'bank:collector-' || (n % 200), 'party', 'debtor', 'destination', 'x'),
               'rules', json_build_array(json_build_object('rule', (array['CN-01', 'CN-02', 'CN-12'])[1 + n % 3], 'code', 'bench', 'effect', d)))::text, '', ''
      from (select customer_id, n, (array['allow', 'allow', 'block', 'defer'])[1 + n % 4] as d
            from (select customer_id, row_number() over () as n from card_accounts) x where n % 5 = 0) a`);
    await client.query('commit');
    await client.query('analyze');
  } finally {
    client.release();
  }
  const n = (await pool.query('select count(*)::int as n from contact_attempts')).rows[0].n;
  if (n !== accounts) throw new Error(`expected ${accounts} contact attempts, found ${n}`);
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
      start = performance.now();
      await dashboardHistory(rt.pool, ACCOUNTS);
      console.log(`\ndashboards' data (24 monthly runs; payments, contacts, promises, drops, verdicts over 6 months) written in ${((performance.now() - start) / 1000).toFixed(1)} s`);
      const bucketOrder = bucketNames(policy.buckets);
      const month = { from: '2026-06-01', to: '2026-06-30' };
      const tz = 'Asia/Shanghai';
      const costs = { sms: 5n, voice_robot: 30n, agent_call: 400n };
      const inMonth = `attempted_at >= timestamp '2026-06-01' at time zone '${tz}' and attempted_at < timestamp '2026-07-01' at time zone '${tz}'`;
      const reports: [string, () => Promise<unknown>, string, () => Promise<unknown>][] = [
        ['bucket history (24 runs)', () => bucketHistory(rt.pool, { from: null, to: null, before: null, limit: 120 }, bucketOrder),
          'roll rates on the fly (old path)', () => scopedRollRateReport(rt.pool, EARLIER, AS_OF, policy, all)],
        ['run roll rates (latest run)', () => runRollRates(rt.pool, null, bucketOrder), 'roll rates on the fly (old path)', () => scopedRollRateReport(rt.pool, EARLIER, AS_OF, policy, all)],
        ['recovery curves (2 years, 12 months)', () => recoveryCurves(rt.pool, { from: '2024-07-01', to: '2026-06-30', currency: 'CNY', months: 12, today: '2026-06-30' }),
          'bare join vintages × payments', () => rt.pool.query('select count(*), sum(p.amount_minor) from delinquency_vintages v join payments p on p.account_id = v.account_id')],
        ['promises (a month)', () => promiseReport(rt.pool, month.from, month.to), 'bare GROUP BY of the month', () => rt.pool.query(`select status, count(*) from promises_to_pay where created_on between '2026-06-01' and '2026-06-30' group by 1`)],
        ['contacts (a month)', () => contactReport(rt.pool, month.from, month.to, tz), 'bare GROUP BY of the month', () => rt.pool.query(`select channel, outcome, count(*) from contact_attempts where ${inMonth} group by 1, 2`)],
        ['collections and cost (a month)', () => collectionsReport(rt.pool, { ...month, timeZone: tz, costs, costCurrency: 'CNY' }),
          'bare GROUP BY of the month', () => rt.pool.query(`select channel, sum(amount_minor) from payments where posted_on between '2026-06-01' and '2026-06-30' group by 1`)],
        ['compliance blocks (a month)', () => complianceBlockReport(rt.pool, month.from, month.to, tz),
          'bare count of the month\'s verdicts', () => rt.pool.query(`select count(*) from audit_log where chain = 'compliance' and occurred_at >= timestamp '2026-06-01' at time zone '${tz}' and occurred_at < timestamp '2026-07-01' at time zone '${tz}'`)],
        ['collector leaderboard (a month)', () => leaderboard(rt.pool, { kind: 'collector', ...month, timeZone: tz, currency: 'CNY', offset: 0, limit: 20 }),
          'bare GROUP BY actor of the month', () => rt.pool.query(`select actor, count(*) from contact_attempts where ${inMonth} group by 1`)],
        ['agency leaderboard (a month)', () => leaderboard(rt.pool, { kind: 'agency', ...month, timeZone: tz, currency: 'CNY', offset: 0, limit: 20 }),
          'same GROUP BY', () => rt.pool.query(`select actor, count(*) from contact_attempts where ${inMonth} group by 1`)],
      ];
      // The old heatmap path was timed above; the others' floors are timed here, once each.
      const oldRollRates = rows.find(([what]) => what.startsWith('roll rates over a month'))![1];
      const floors = new Map<string, number>();
      for (const [what, work, floor, floorWork] of reports) {
        const key = `${floor}:${floorWork.toString()}`;
        if (!floors.has(key)) floors.set(key, floor.includes('old path') ? oldRollRates : await best(floorWork));
        rows.push([what, await best(work), floor, floors.get(key)!]);
      }
      // The analytics page as it opens: its requests in parallel (every report above but the agency board, a tab opened on demand).
      const open = await best(() => Promise.all(reports.filter(([what]) => !what.startsWith('agency')).map(([, work]) => work())));
      rows.push(['analytics page open (in parallel)', open, 'the old heatmap alone', oldRollRates]);
      const count = (await rt.pool.query('select count(*)::int as n from card_accounts')).rows[0].n;
      if (count !== ACCOUNTS) throw new Error(`expected ${ACCOUNTS} accounts, found ${count}`);
      for (const [what, ms, floor, floorMs] of rows) {
        console.log(`${what.padEnd(38)} ${(ms / 1000).toFixed(3).padStart(8)} s   ${ratio(ms / floorMs).padStart(6)}× ${floor} (${(floorMs / 1000).toFixed(3)} s)`);
      }
    } finally {
      await rt.close();
    }
  } finally {
    await lease.release();
  }
}

await main();
