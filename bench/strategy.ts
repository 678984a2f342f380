/**
 * Strategy benchmarks, each against a baseline measured in the same run:
 *  1. the daily cycle over N delinquent accounts (default 1,000,000): the first day (aging into an
 *     empty store, everyone enters a ladder and gets a first contact through the compliance gate) and
 *     the next day (aging changes, few treatments due), against raw COPY of the same snapshot rows out
 *     of PostgreSQL; peak memory is reported (the cycle streams in batches);
 *  2. the same segment and stage rules evaluated with json-rules-engine (what a team would otherwise
 *     reach for) and with the compiled closures, on the same snapshots; the ratio (target ≥ 100×).
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { Engine } from 'json-rules-engine';
import { spawn } from 'node:child_process';
import { runtimeOn, type Runtime } from '../src/runtime.ts';
import type { Config } from '../src/config.ts';
import { adminUrl, withDatabase } from '../src/db/index.ts';
import { mergeCycleSummaries } from '../src/workflows/cycle-summary.ts';
import type { CycleSummary } from '../src/workflows/daily-cycle.workflow.ts';
import { parsePlainDate } from '../src/kernel/dates.ts';
import { seededRng } from '../src/kernel/rng.ts';
import { refreshAccountHistories } from '../src/modules/portfolio/index.ts';
import { loadDefaultAgingPolicy } from '../src/modules/delinquency/index.ts';
import { shippedPackSet } from '../src/modules/compliance/index.ts';
import {
  FACTS, compileStrategy, readShippedStrategy, validateStrategyDocument, type AccountSnapshot, type CompiledStrategy, type Condition, type FactContext, type StrategyDocument,
} from '../src/modules/strategy/index.ts';
import { CYCLE_BATCH_DEFAULT, loadCycleDeps, prepareCycleDay, runDailyCycle } from '../src/workflows/daily-cycle.workflow.ts';
import { cycleSnapshotSql } from '../src/workflows/cycle-snapshot.repository.ts';

const seconds = (ms: number) => (ms / 1000).toFixed(2) + ' s';
const perSecond = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en') + '/s';
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/**
 * N customers with one card account each, every one delinquent: 1–3 unpaid monthly statements whose
 * newest is 1–150 days past due (so 1–210 days past due), balances 5,000–104,700 yuan, a verified phone
 * for 98% and an address; a third paid part of the oldest minimum. Set-based SQL.
 */
export async function seedDelinquentPortfolio(client: pg.ClientBase, n: number, asOf: string): Promise<void> {
  await client.query(`insert into customers (customer_id, name, time_zone, language)
    select 'c' || i, 'Customer ' || i, 'Asia/Shanghai', case when i % 20 = 0 then 'en' else 'zh-CN' end from generate_series(1, $1) i`, [n]);
  // Phones as the application seals them (ciphertext, blind index, masked form); the cycle only reads the blind index.
  await client.query(`insert into contact_points (customer_id, kind, position, value, party_role, verified, source, value_encrypted, value_hmac, value_masked)
    select 'c' || i, 'phone', 0, null, 'debtor', i % 50 <> 0, 'application_form', '\\x0207'::bytea, decode(md5('phone' || i), 'hex'), '138****' || lpad((i % 10000)::text, 4, '0')
    from generate_series(1, $1) i`, [n]);
  await client.query(`insert into contact_points (customer_id, kind, position, value, party_role, verified, source)
    select 'c' || i, 'address', 0, 'No. ' || i || ' Renmin Road, Shanghai', 'debtor', true, 'application_form' from generate_series(1, $1) i`, [n]);
  await client.query(`insert into card_accounts (account_id, customer_id, currency, credit_limit_minor, opened_on)
    select 'a' || i, 'c' || i, 'CNY', 2000000 + (i % 10) * 1000000, date '2024-01-01' from generate_series(1, $1) i`, [n]);
  await client.query(`insert into statements (account_id, statement_date, customer_id, due_date, minimum_due_minor, closing_balance_minor)
    select 'a' || i, d.statement_date, 'c' || i, d.statement_date + 20, 30000 + (i % 97) * 100, 500000 + (i % 997) * 10000
    from generate_series(1, $1) i,
         lateral (select $2::date - 21 - (i % 150) - 30 * k as statement_date from generate_series(0, i % 3) k) d`, [n, asOf]);
  await client.query(`insert into payments (payment_id, account_id, customer_id, posted_on, amount_minor)
    select 'p' || i, 'a' || i, 'c' || i, $2::date - 200, 10000 from generate_series(3, $1, 3) i`, [n, asOf]);
  await refreshAccountHistories(client);
  await client.query('analyze');
}

/** A fresh database; `template` clones another one (which must have no connections). */
async function freshDatabase(serverUrl: string, name: string, template?: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl(serverUrl) });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}${template ? ` template ${template}` : ''}`);
  await admin.end();
  return withDatabase(serverUrl, name);
}

type Run = { summary: CycleSummary; totalMs: number; prepareMs: number };

/** One day in this process: prepare (age, judge arrangements), then decide everything. */
async function runDay(rt: Runtime, asOf: string): Promise<Run> {
  const deps = await loadCycleDeps(rt);
  if (!deps.ok) throw new Error(deps.message);
  const start = performance.now();
  const prepared = await prepareCycleDay(deps.value, parsePlainDate(asOf)!);
  const prepareMs = performance.now() - start;
  if (!prepared.ok) throw new Error(prepared.message);
  const r = await runDailyCycle(deps.value, { asOf: parsePlainDate(asOf)! });
  if (!r.ok) throw new Error(r.message);
  return { summary: r.value, totalMs: performance.now() - start, prepareMs };
}

/** One day as `recourse cycle --workers N` runs it: prepare here, then N shard processes of the CLI. */
async function runDayWithWorkers(rt: Runtime, url: string, dataDir: string, asOf: string, workers: number): Promise<Run> {
  const deps = await loadCycleDeps(rt);
  if (!deps.ok) throw new Error(deps.message);
  const start = performance.now();
  const prepared = await prepareCycleDay(deps.value, parsePlainDate(asOf)!);
  const prepareMs = performance.now() - start;
  if (!prepared.ok) throw new Error(prepared.message);
  const bin = new URL('../bin/recourse.js', import.meta.url).pathname;
  const parts = await Promise.all(Array.from({ length: workers }, (_, i) => new Promise<CycleSummary>((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-semi-space-size=128', bin, 'cycle', '--as-of', asOf, '--shard', `${i}/${workers}`, '--json'], {
      env: { ...process.env, DATABASE_URL: url, RECOURSE_DATA_DIR: dataDir, RECOURSE_CYCLE_SCHEDULE: 'off' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as CycleSummary) : reject(new Error(`worker ${i}: ${err}`))));
  })));
  return { summary: mergeCycleSummaries(parts), totalMs: performance.now() - start, prepareMs };
}

export async function benchStrategyCycle(serverUrl: string, config: Config, dataDir: string, accounts: number, workers: number): Promise<void> {
  const day1 = '2026-07-31';
  const day2 = '2026-08-01';
  const seedUrl = await freshDatabase(serverUrl, 'recourse_bench_strategy');
  const seedRt = await runtimeOn(seedUrl, config); // migrates
  const client = new pg.Client({ connectionString: seedUrl });
  await client.connect();
  const seedStart = performance.now();
  await seedDelinquentPortfolio(client, accounts, day1);
  const seedMs = performance.now() - seedStart;
  await client.end();
  await seedRt.close();
  // The same seeded portfolio for the run with workers.
  const workersUrl = workers > 1 ? await freshDatabase(serverUrl, 'recourse_bench_strategy_workers', 'recourse_bench_strategy') : null;

  const rt = await runtimeOn(seedUrl, config);
  let peak = 0;
  let peakHeap = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 100);
  const first = await runDay(rt, day1);
  const second = await runDay(rt, day2);
  clearInterval(sampler);
  await rt.close();
  let firstWorkers: Run | null = null;
  let secondWorkers: Run | null = null;
  if (workersUrl) {
    const wrt = await runtimeOn(workersUrl, config);
    firstWorkers = await runDayWithWorkers(wrt, workersUrl, dataDir, day1, workers);
    secondWorkers = await runDayWithWorkers(wrt, workersUrl, dataDir, day2, workers);
    await wrt.close();
  }
  // Baseline: the cycle's own snapshot query, COPYed out raw into a file (no decisions, no writes).
  const base = new pg.Client({ connectionString: seedUrl });
  await base.connect();
  const file = join(dataDir, 'snapshot.copy');
  const baseStart = performance.now();
  await pipeline(base.query(copyStreams.to(cycleSnapshotSql(null, { at: Date.parse(`${day2}T00:00:00+08:00`), windowDays: 10, failedOutcomes: ['no_answer', 'busy'] }))), createWriteStream(file));
  const baseMs = performance.now() - baseStart;
  await rm(file, { force: true });
  const { rows } = await base.query<{ outbox: string; work: string; proposals: string; audit: string }>(
    `select (select count(*) from outbox_messages) as outbox, (select count(*) from work_items) as work,
            (select count(*) from placement_proposals) + (select count(*) from account_action_requests) as proposals, (select count(*) from audit_log) as audit`);
  await base.end();
  const line = (label: string, r: Run) => {
    const s = r.summary;
    console.log(`  ${label.padEnd(30)} ${seconds(r.totalMs)}  ${perSecond(s.accounts, r.totalMs)}  (age + promises/plans ${seconds(r.prepareMs)}; decide, gate ${s.gated.toLocaleString('en')} contacts, apply ${seconds(r.totalMs - r.prepareMs)}; ${s.actionsCreated.toLocaleString('en')} actions)`);
  };
  console.log(`\nstrategy: daily cycle over ${accounts.toLocaleString('en')} delinquent accounts (seeded in ${seconds(seedMs)}), default strategy, pack cn`);
  line('first day (all enter)', first);
  line('next day', second);
  if (firstWorkers && secondWorkers) {
    line(`first day, --workers ${workers}`, firstWorkers);
    line(`next day, --workers ${workers}`, secondWorkers);
  }
  const t = first.summary.timingsMs;
  console.log(`  day 1 time split (1 process)   decide + build ${seconds(t.decide)} · compliance gate ${seconds(t.gate)} · apply ${seconds(t.apply)} (summed over batches, which overlap)`);
  console.log(`  actions per channel day 1      ${Object.entries(first.summary.actions).map(([k, v]) => `${k} ${v.toLocaleString('en')}`).join(' · ')}`);
  console.log(`  blocked day 1                  ${first.summary.blocked.map((b) => `${b.rule} ${b.code} ${b.count.toLocaleString('en')}`).join(' · ') || 'none'}`);
  console.log(`  stored                         outbox ${Number(rows[0]!.outbox).toLocaleString('en')}, work items ${Number(rows[0]!.work).toLocaleString('en')}, proposals ${Number(rows[0]!.proposals).toLocaleString('en')}, audit rows ${Number(rows[0]!.audit).toLocaleString('en')}`);
  console.log(`  peak memory (1 process)        heap used ${mb(peakHeap)}, RSS ${mb(peak)} (batches of ${CYCLE_BATCH_DEFAULT.toLocaleString('en')}: flat in the number of accounts)`);
  console.log(`  baseline: COPY snapshot out    ${seconds(baseMs)}  (the same accounts, raw rows only)`);
  console.log(`  ratio cycle / baseline         ${(first.totalMs / baseMs).toFixed(1)}× first day, ${(second.totalMs / baseMs).toFixed(1)}× next day (target: first day ≤ 60 s, aim 20 s)`);
}

// ── json-rules-engine vs compiled closures ─────────────────────────────────────────────────────

const JRE_OPERATORS: Record<string, string> = { eq: 'equal', ne: 'notEqual', lt: 'lessThan', lte: 'lessThanInclusive', gt: 'greaterThan', gte: 'greaterThanInclusive', in: 'in', notIn: 'notIn' };

/** The same condition as json-rules-engine conditions (amounts as minor-unit numbers). */
function toJre(c: Condition | undefined): Record<string, unknown> {
  if (c === undefined) return { all: [] };
  if ('all' in c) return { all: c.all.map(toJre) };
  if ('any' in c) return { any: c.any.map(toJre) };
  if ('not' in c) return { not: toJre(c.not) };
  const def = FACTS.get(c.fact)!;
  const value = def.type === 'money' ? (Array.isArray(c.value) ? c.value.map((v) => Math.round(Number(v) * 100)) : Math.round(Number(c.value) * 100)) : c.value;
  return { fact: c.fact, operator: JRE_OPERATORS[c.op], value };
}

/** A rule's root must be all/any/not. */
const jreRoot = (c: Condition | undefined) => (c !== undefined && 'fact' in c ? { all: [toJre(c)] } : toJre(c));

function syntheticSnapshots(n: number, asOf: number): { snap: AccountSnapshot; ctx: FactContext }[] {
  const rng = seededRng(5);
  const reasons = [null, null, null, null, 'illness', 'unstable_income', 'forgot'] as const;
  return Array.from({ length: n }, (_, i) => {
    const dpd = rng.int(1, 200);
    const snap: AccountSnapshot = {
      accountId: `a${i}`, customerId: `c${i}`, currency: 'CNY', asOf, daysPastDue: dpd, bucket: dpd <= 30 ? 'M1' : dpd <= 60 ? 'M2' : dpd <= 90 ? 'M3' : 'M4',
      balanceMinor: BigInt(rng.int(1_000, 120_000)) * 100n, overdueMinor: BigInt(rng.int(100, 10_000)) * 100n, creditLimitMinor: 5_000_000n,
      lateCountCumulative: rng.int(0, 8), lateCountConsecutive: rng.int(0, 4), accountStatus: 'open', language: 'zh-CN', timeZone: 'Asia/Shanghai',
      lastPaymentOn: rng.chance(0.3) ? asOf - rng.int(0, 40) : null, activePromise: null, activePlan: null, promisesKept: rng.int(0, 2), promisesBroken: rng.int(0, 3),
      plansBroken: 0, flags: rng.chance(0.05) ? ['hardship'] : [], unreachable: rng.chance(0.1), failedContactAttempts: rng.int(0, 8),
      delinquencyReason: rng.pick(reasons), suspectedEvasion: rng.chance(0.02), riskScore: null, teamId: null, agencyId: null, legalStage: null,
    };
    return { snap, ctx: { snap, stageEnteredOn: asOf - rng.int(0, 30), stageTreatments: rng.int(0, 4), collectionsSince: asOf - dpd, cures: 0 } };
  });
}

/** The compiled path: first matching segment, then the entry of the next stage of its ladder (stage 0 here). */
function closurePass(strategy: CompiledStrategy, items: readonly { ctx: FactContext }[], nextStage: (ladder: string) => number): { segments: string[]; entered: boolean[] } {
  const rules = strategy.rules('CNY');
  const segments: string[] = [];
  const entered: boolean[] = [];
  for (const { ctx } of items) {
    let seg = rules.segments[rules.segments.length - 1]!;
    for (const s of rules.segments) if (s.when.test(ctx)) { seg = s; break; }
    const ladder = rules.ladders.get(seg.ladder)!;
    segments.push(seg.id);
    entered.push(ladder.stages[nextStage(seg.ladder)]!.entry.test(ctx));
  }
  return { segments, entered };
}

export async function benchRulesEngine(snapshots: number, closureRounds: number): Promise<void> {
  const packs = await shippedPackSet();
  const aging = await loadDefaultAgingPolicy();
  const shipped = await readShippedStrategy();
  const valid = validateStrategyDocument(shipped.source.value, { packs, buckets: aging.buckets.map((b) => b.name), planTermMonthsMax: 60 });
  if (!valid.ok) throw new Error(valid.message);
  const doc: StrategyDocument = valid.value;
  const strategy = compileStrategy(doc);
  const asOf = parsePlainDate('2026-07-31')!;
  const items = syntheticSnapshots(snapshots, asOf);
  // Judge the second stage's entry (the first escalation) of each ladder: a condition on stage facts.
  const nextStage = (ladder: string) => Math.min(1, doc.ladders.find((l) => l.id === ladder)!.stages.length - 1);
  const facts = items.map(({ ctx }) => Object.fromEntries([...FACTS.values()].map((f) => {
    const v = f.get(ctx);
    return [f.name, typeof v === 'bigint' ? Number(v) : v];
  })));

  const segmentEngine = new Engine([], { allowUndefinedFacts: true });
  for (const s of doc.segments) segmentEngine.addRule({ conditions: jreRoot(s.when) as never, event: { type: s.id }, priority: 100_001 - (s.priority ?? 100_000) });
  const stageEngines = new Map(doc.ladders.map((l) => {
    const e = new Engine([], { allowUndefinedFacts: true });
    e.addRule({ conditions: jreRoot(l.stages[nextStage(l.id)]!.entry) as never, event: { type: 'enter' } });
    return [l.id, e];
  }));
  const order = new Map(doc.segments.map((s) => [s.id, s.priority ?? 100_000]));
  const jreSegments: string[] = [];
  const jreEntered: boolean[] = [];
  const jreStart = performance.now();
  for (const f of facts) {
    const { events } = await segmentEngine.run(f);
    const seg = events.map((e) => e.type).sort((a, b) => order.get(a)! - order.get(b)!)[0]!;
    const ladder = doc.segments.find((s) => s.id === seg)!.ladder;
    jreSegments.push(seg);
    jreEntered.push((await stageEngines.get(ladder)!.run(f)).events.length > 0);
  }
  const jreMs = performance.now() - jreStart;

  closurePass(strategy, items, nextStage); // warm-up
  const closureStart = performance.now();
  let ours = closurePass(strategy, items, nextStage);
  for (let r = 1; r < closureRounds; r++) ours = closurePass(strategy, items, nextStage);
  const closureMs = performance.now() - closureStart;
  const agree = items.filter((_, i) => ours.segments[i] === jreSegments[i] && ours.entered[i] === jreEntered[i]).length;
  const jreRate = snapshots / (jreMs / 1000);
  const closureRate = (snapshots * closureRounds) / (closureMs / 1000);
  console.log(`\nstrategy: segment + stage-entry rules of the default strategy (${doc.segments.length} segments, ${doc.ladders.length} ladders) on ${snapshots.toLocaleString('en')} snapshots, one core`);
  console.log(`  json-rules-engine          ${seconds(jreMs)}  ${Math.round(jreRate).toLocaleString('en')} accounts/s`);
  console.log(`  compiled closures          ${seconds(closureMs)}  ${Math.round(closureRate).toLocaleString('en')} accounts/s  (${closureRounds} passes)`);
  console.log(`  same segment and stage     ${agree.toLocaleString('en')} of ${snapshots.toLocaleString('en')}`);
  console.log(`  ratio closures / engine    ${Math.round(closureRate / jreRate).toLocaleString('en')}× (target ≥ 100×)`);
}
