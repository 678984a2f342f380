/**
 * `npm run bench`: import 1,000,000 feed lines and age 1,000,000 accounts, each timed against raw
 * PostgreSQL COPY of the same rows measured in the same run on the same server. Prints throughput
 * and ratios; never asserts a time. Options: --lines N (default 1000000), --accounts N (default 1000000),
 * --contacts N (default 1000000), --checks N (default 1000000), --messages N (default 20000),
 * --work-items N (default 100000), --claims N (default 2000), --delinquent N (default 1000000, the
 * daily cycle), --workers N (default 2: the cycle also run as N shard processes), --rules N (default
 * 20000 snapshots for the rules-engine comparison),
 * --only import|aging|compliance|communications|worklist|strategy (repeatable).
 *
 * Uses DATABASE_URL when set, else an embedded server with data in bench/.data.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { finished, pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { acquireDatabase, adminUrl, withDatabase } from '../src/db/index.ts';
import { runtimeOn } from '../src/runtime.ts';
import { loadConfig } from '../src/config.ts';
import { epochDayOf } from '../src/kernel/dates.ts';
import { demoPortfolio, importFeed, refreshAccountHistories } from '../src/modules/portfolio/index.ts';
import { loadDefaultAgingPolicy } from '../src/modules/delinquency/index.ts';
import { ageAllAccounts } from '../src/workflows/aging.workflow.ts';
import { benchComplianceBatch, benchComplianceDecision } from './compliance.ts';
import { benchCommunications } from './communications.ts';
import { benchWorklist } from './worklist.ts';
import { fixedClock } from '../src/kernel/clock.ts';
import { benchRulesEngine, benchStrategyCycle } from './strategy.ts';

const { values: args } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' }, accounts: { type: 'string', default: '1000000' },
    contacts: { type: 'string', default: '1000000' }, checks: { type: 'string', default: '1000000' }, messages: { type: 'string', default: '20000' },
    'work-items': { type: 'string', default: '100000' }, claims: { type: 'string', default: '2000' },
    delinquent: { type: 'string', default: '1000000' }, rules: { type: 'string', default: '20000' }, workers: { type: 'string', default: '2' },
    only: { type: 'string', multiple: true },
  },
});
const LINES = Number(args.lines);
const ACCOUNTS = Number(args.accounts);
const CONTACTS = Number(args.contacts);
const CHECKS = Number(args.checks);
const MESSAGES = Number(args.messages);
const DELINQUENT = Number(args.delinquent);
const RULES = Number(args.rules);
const WORKERS = Number(args.workers);
const ONLY = new Set(args.only ?? ['import', 'aging', 'compliance', 'communications', 'worklist', 'strategy']);
const dataDir = new URL('./.data/', import.meta.url).pathname;
const seconds = (ms: number) => (ms / 1000).toFixed(2) + ' s';
const perSecond = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en') + '/s';

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
}

async function freshDatabase(url: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl(url) });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  return withDatabase(url, name);
}

/** Writes the first `lines` lines of a demo portfolio feed as NDJSON. */
async function writeFeed(file: string, lines: number): Promise<number> {
  const out = createWriteStream(file);
  let n = 0;
  for (const record of demoPortfolio({ accounts: lines, seed: 42, asOf: epochDayOf(2026, 6, 30) })) {
    if (!out.write(JSON.stringify(record) + '\n')) await once(out, 'drain');
    if (++n === lines) break;
  }
  out.end();
  await finished(out);
  return n;
}

async function copyOutIn(client: pg.ClientBase, table: string, file: string): Promise<number> {
  await pipeline(client.query(copyStreams.to(`copy ${table} to stdout`)), createWriteStream(file));
  await client.query(`create temp table copy_of_${table} (like ${table} including defaults)`);
  await pipeline(createReadStream(file), client.query(copyStreams.from(`copy copy_of_${table} from stdin`)));
  return (await stat(file)).size;
}

async function benchImport(url: string, rt: Awaited<ReturnType<typeof runtimeOn>>) {
  const feed = join(dataDir, 'feed.ndjson');
  const lines = await writeFeed(feed, LINES);
  const [outcome, importMs] = await timed(() =>
    importFeed(rt.pool, createReadStream(feed), { format: 'ndjson', source: feed, skipInvalid: false, cipher: rt.cipher, now: () => new Date() }),
  );
  if (!outcome.ok) throw new Error(`bench feed invalid: ${JSON.stringify(outcome.problems.slice(0, 3))}`);
  const [, reimportMs] = await timed(() =>
    importFeed(rt.pool, createReadStream(feed), { format: 'ndjson', source: feed, skipInvalid: false, cipher: rt.cipher, now: () => new Date() }),
  );
  // Baseline: the same rows, already in COPY format, copied out of and back into plain tables.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const tables = ['customers', 'contact_points', 'card_accounts', 'statements', 'payments'];
  for (const t of tables) await pipeline(client.query(copyStreams.to(`copy ${t} to stdout`)), createWriteStream(join(dataDir, `${t}.copy`)));
  const copyIn = (suffix: string, like: string) => timed(async () => {
    for (const t of tables) {
      await client.query(`create table baseline_${suffix}_${t} (like ${t} ${like})`);
      await pipeline(createReadStream(join(dataDir, `${t}.copy`)), client.query(copyStreams.from(`copy baseline_${suffix}_${t} from stdin`)));
    }
  });
  const [, copyInMs] = await copyIn('plain', 'including defaults');
  const [, copyIndexedMs] = await copyIn('indexed', 'including all');
  await client.end();
  console.log(`\nimport: ${lines.toLocaleString('en')} feed lines (${outcome.summary.records.toLocaleString('en')} records)`);
  console.log(`  recourse import          ${seconds(importMs)}  ${perSecond(lines, importMs)}`);
  console.log(`  re-import (no changes)   ${seconds(reimportMs)}  ${perSecond(lines, reimportMs)}`);
  console.log(`  baseline: raw COPY in    ${seconds(copyInMs)}  ${perSecond(lines, copyInMs)}  (the stored rows into unindexed tables)`);
  console.log(`  baseline: COPY, indexed  ${seconds(copyIndexedMs)}  ${perSecond(lines, copyIndexedMs)}  (same, with the tables' keys and indexes)`);
  console.log(`  ratio import / COPY      ${(importMs / copyInMs).toFixed(2)}× unindexed, ${(importMs / copyIndexedMs).toFixed(2)}× indexed`);
  return { importMs, reimportMs, copyInMs, copyIndexedMs };
}

/** A portfolio of `n` accounts with 6 monthly statements and up to 6 payments each, built set-based in SQL. */
async function seedAgingPortfolio(client: pg.ClientBase, n: number): Promise<void> {
  await client.query(`insert into customers (customer_id, name) select 'c' || i, 'Customer ' || i from generate_series(1, $1) i`, [n]);
  await client.query(`insert into card_accounts (account_id, customer_id, currency, credit_limit_minor, opened_on)
    select 'a' || i, 'c' || i, 'CNY', 5000000, date '2024-01-01' from generate_series(1, $1) i`, [n]);
  await client.query(`insert into statements (account_id, statement_date, customer_id, due_date, minimum_due_minor, closing_balance_minor)
    select 'a' || i, make_date(2026, m, 5), 'c' || i, make_date(2026, m, 25), 50000 + (i % 97) * 100, 500000 + (i % 997) * 1000
    from generate_series(1, $1) i, generate_series(1, 6) m`, [n]);
  // Most pay every month; some stop paying after a month that depends on the account: a realistic mix of buckets.
  await client.query(`insert into payments (payment_id, account_id, customer_id, posted_on, amount_minor)
    select 'p' || i || '-' || m, 'a' || i, 'c' || i, make_date(2026, m, 20), 60000 + (i % 97) * 100
    from generate_series(1, $1) i, generate_series(1, 6) m
    where i % 10 <> 0 or m <= (i / 10) % 6`, [n]);
  // What the importer does before it commits: pack each account's history for the aging pass.
  await refreshAccountHistories(client);
  await client.query('analyze');
}

async function benchAging(url: string, rt: Awaited<ReturnType<typeof runtimeOn>>) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const [, seedMs] = await timed(() => seedAgingPortfolio(client, ACCOUNTS));
  const [, baselineMs] = await timed(() => copyOutIn(client, 'card_accounts', join(dataDir, 'card_accounts.copy')));
  await client.end();
  const policy = await loadDefaultAgingPolicy();
  const [first, firstMs] = await timed(() => ageAllAccounts(rt.pool, '2026-07-31', policy, new Date()));
  const [second, secondMs] = await timed(() => ageAllAccounts(rt.pool, '2026-08-01', policy, new Date()));
  if (!first.ok || !second.ok) throw new Error('aging failed');
  console.log(`\naging: ${ACCOUNTS.toLocaleString('en')} accounts, 6 statements and ≤ 6 payments each (seeded in ${seconds(seedMs)})`);
  console.log(`  recourse age (first run)   ${seconds(firstMs)}  ${perSecond(ACCOUNTS, firstMs)}  (${first.value.changed.toLocaleString('en')} rows written)`);
  console.log(`  recourse age (next day)    ${seconds(secondMs)}  ${perSecond(ACCOUNTS, secondMs)}  (${second.value.changed.toLocaleString('en')} rows changed)`);
  console.log(`  baseline: COPY out + in of card_accounts  ${seconds(baselineMs)}`);
  console.log(`  ratio age / baseline       ${(firstMs / baselineMs).toFixed(2)}× first run, ${(secondMs / baselineMs).toFixed(2)}× next day (target ≤ 3×)`);
}

async function main() {
  await mkdir(dataDir, { recursive: true });
  const lease = await acquireDatabase({ dataDir: join(dataDir, 'server'), env: process.env });
  try {
    const config = loadConfig({ ...process.env, RECOURSE_DATA_DIR: join(dataDir, 'server') });
    console.log(`recourse bench on ${lease.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'} (node ${process.version})`);
    if (ONLY.has('import')) {
      const importUrl = await freshDatabase(lease.url, 'recourse_bench_import');
      const importRt = await runtimeOn(importUrl, config);
      await benchImport(importUrl, importRt);
      await importRt.close();
    }
    if (ONLY.has('aging')) {
      const agingUrl = await freshDatabase(lease.url, 'recourse_bench_aging');
      const agingRt = await runtimeOn(agingUrl, config);
      await benchAging(agingUrl, agingRt);
      await agingRt.close();
    }
    if (ONLY.has('compliance')) {
      await benchComplianceDecision(CHECKS);
      const complianceUrl = await freshDatabase(lease.url, 'recourse_bench_compliance');
      const complianceRt = await runtimeOn(complianceUrl, config);
      await benchComplianceBatch(complianceUrl, complianceRt, dataDir, CONTACTS);
      await complianceRt.close();
    }
    if (ONLY.has('communications')) {
      const url = await freshDatabase(lease.url, 'recourse_bench_communications');
      // Noon in Shanghai: inside every contact window, so the gate lets the messages go.
      const commsRt = await runtimeOn(url, config, async () => {}, fixedClock(new Date('2026-06-30T04:00:00Z')));
      await benchCommunications(url, commsRt, MESSAGES);
      await commsRt.close();
    }
    if (ONLY.has('worklist')) {
      const url = await freshDatabase(lease.url, 'recourse_bench_worklist');
      // 10:00 in Shanghai: the contact window is open for hours (no urgency), the gate allows.
      const worklistRt = await runtimeOn(url, config, async () => {}, fixedClock(new Date('2026-06-30T02:00:00Z')));
      await benchWorklist(url, worklistRt, { items: Number(args['work-items']), claims: Number(args.claims) });
      await worklistRt.close();
    }
    if (ONLY.has('strategy')) {
      await benchRulesEngine(RULES, 50);
      await benchStrategyCycle(lease.url, config, join(dataDir, 'server'), DELINQUENT, WORKERS);
    }
  } finally {
    await lease.release();
    for (const f of ['feed.ndjson', 'ledger.copy', 'audit.copy']) await rm(join(dataDir, f), { force: true });
  }
}

await main();
