/**
 * The daily cycle against a real database: a delinquent portfolio under a strategy whose stages are
 * entered on days past due alone (test/fixtures/strategy-cascade.json), so one run creates every kind
 * of action. Re-running a date creates nothing new; a run failing at any point, or a process killed
 * mid-run, and then restarted ends with exactly the actions of an uninterrupted run; three shards (in
 * process, and `--workers 3` as real processes) produce exactly the actions of one process.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/kernel/clock.ts';
import { parsePlainDate } from '../../src/kernel/dates.ts';
import { setFlag, complianceStore, recordContactAttempt } from '../../src/modules/compliance/index.ts';
import { runDailyCycle } from '../../src/workflows/daily-cycle.workflow.ts';
import { createTestRuntime, testConfig, TEST_PII_KEY } from '../support/database.ts';
import { runtimeOn } from '../../src/runtime.ts';
import { runCli } from '../support/cli.ts';
import { loadDelinquentPortfolio, type DelinquentAccount } from '../support/portfolio.ts';
import { CASCADE_STRATEGY, cycleDeps, expectSameActions, publishFile, runCycle, storedActions, tableCounts, type StoredActions } from '../support/cycle.ts';
import type { Runtime } from '../../src/runtime.ts';

const D1 = '2026-07-01';
const D2 = '2026-07-02';
const D3 = '2026-07-03';
const ACCOUNTS = 90;
const ROOT = new URL('../../', import.meta.url).pathname;
const clock = fixedClock(new Date('2026-06-30T18:00:00Z')); // 02:00 on D1 in Shanghai: the cycle runs before the day's contacts

type TestRuntime = Runtime & { db: { url: string }; close(): Promise<void> };
const runtimes: TestRuntime[] = [];
let accounts: DelinquentAccount[] = [];

/** A database with the same portfolio, flags, ledger and strategy as every other one of this file. */
async function world(): Promise<TestRuntime> {
  const rt = (await createTestRuntime({ clock })) as TestRuntime;
  runtimes.push(rt);
  accounts = await loadDelinquentPortfolio(rt, ACCOUNTS, D1);
  await publishFile(rt, CASCADE_STRATEGY);
  const store = complianceStore(rt.pool, rt.cipher);
  // A hardship case (its own segment: a forbearance offer the hardship hold allows) and a debtor whose
  // robot calls today already reached the CN-02 cap (the cycle's robot call is deferred to tomorrow).
  expect((await setFlag(store, { customerId: accounts[2]!.customerId, kind: 'hardship', recordedBy: 'test' })).ok).toBe(true);
  const capped = accounts.find((a) => a.daysPastDue >= 8 && a.daysPastDue < 16)!;
  for (let k = 0; k < 6; k++) {
    const r = await recordContactAttempt(store, {
      customerId: capped.customerId, channel: 'voice_robot', actor: 'robot', party: 'debtor', destination: `1380000${capped.customerId.slice(-4)}`,
      outcome: 'no_answer', at: `2026-07-01T0${1 + k}:00:00+08:00`,
    });
    expect(r.ok).toBe(true);
  }
  return rt;
}

let reference: TestRuntime;
let afterD1: StoredActions;
let afterD2: StoredActions;
let afterD3: StoredActions;
let summaryD1: Awaited<ReturnType<typeof runCycle>>;

beforeAll(async () => {
  reference = await world();
  summaryD1 = await runCycle(reference, D1, { batchSize: 7 });
  afterD1 = await storedActions(reference);
  await runCycle(reference, D2, { batchSize: 7 });
  afterD2 = await storedActions(reference);
  await runCycle(reference, D3, { batchSize: 7 });
  afterD3 = await storedActions(reference);
}, 120_000);

afterAll(async () => {
  for (const rt of runtimes) await rt.close().catch(() => {});
});

describe('one run', () => {
  it('creates every kind of action, with strategy id, version and variant on each', () => {
    expect(summaryD1.accounts).toBe(ACCOUNTS);
    expect(afterD1.outbox.map((m) => m.channel).sort()).toEqual(expect.arrayContaining(['sms', 'voice_robot', 'letter']));
    expect(new Set(afterD1.workItems.map((w) => w.kind))).toEqual(new Set(['agent_call', 'field_visit']));
    expect(new Set(afterD1.placements.map((p) => p.legal_stage ?? p.kind))).toEqual(new Set(['agency', 'mediation', 'litigation']));
    expect(new Set(afterD1.accountActions.map((a) => a.action))).toEqual(new Set(['freeze', 'restrict']));
    for (const row of [...afterD1.outbox, ...afterD1.workItems, ...afterD1.placements, ...afterD1.accountActions]) {
      expect(row.strategy_id).toBe('cascade');
      expect(row.strategy_version).toBe(1);
      expect(['champion', 'challenger']).toContain(row.strategy_variant);
    }
    expect(new Set(afterD1.states.map((s) => s.variant))).toEqual(new Set(['champion', 'challenger']));
    for (const p of [...afterD1.placements, ...afterD1.accountActions]) expect(p.status).toBe('proposed');
  });

  it('gates contacts: an unverified phone is dropped with its rule, a capped robot call deferred to the next window, hardship gets a forbearance offer', async () => {
    const unverified = accounts.filter((_, i) => (i + 1) % 13 === 0).map((a) => a.accountId);
    const drops = afterD1.dropped.filter((d) => unverified.includes(d.account_id));
    expect(drops.length).toBeGreaterThan(0);
    for (const d of drops) {
      expect(d.reason).toBe('compliance_block');
      expect(d.rules).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'CN-17', code: 'destination_unverified' })]));
    }
    expect(summaryD1.blocked).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'CN-17', code: 'destination_unverified' })]));
    const deferred = afterD1.outbox.filter((m) => m.channel === 'voice_robot' && (m.decision as { verdict: string }).verdict === 'defer');
    expect(deferred).toHaveLength(1);
    expect(deferred[0]!.not_before.toISOString()).toBe('2026-07-02T00:00:00.000Z'); // 08:00 the next day in Shanghai
    expect(summaryD1.deferred).toEqual([expect.objectContaining({ rule: 'CN-02', count: 1 })]);
    const offer = afterD1.workItems.find((w) => w.account_id === accounts[2]!.accountId)!;
    expect(offer.decision).toMatchObject({ segment: 'hardship', purpose: 'forbearance', offer: { interestReductionPercent: 50 }, verdict: 'allow' });
  });

  it('summarises accounts per segment and stage, actions per channel, blocked and deferred per rule, actionsCreated', () => {
    const actions = afterD1.outbox.length + afterD1.workItems.length + afterD1.placements.length + afterD1.accountActions.length;
    expect(summaryD1.actionsCreated).toBe(actions);
    expect(Object.values(summaryD1.actions).reduce((a, b) => a + b, 0)).toBe(actions);
    expect(summaryD1.segments.reduce((n, s) => n + s.accounts, 0)).toBe(ACCOUNTS);
    expect(summaryD1.segments).toEqual(expect.arrayContaining([{ segment: 'hardship', stage: 'h-offer', accounts: 1 }]));
    expect(summaryD1.gated).toBe(summaryD1.treatmentsDue - afterD1.placements.length - afterD1.accountActions.length);
    expect(summaryD1.dropped.compliance_block).toBe(afterD1.dropped.length);
  });

  it('carries on the next days: no treatment repeated before its cadence allows', () => {
    // cycle:DATE:ACCOUNT:STAGE:TREATMENT — every cadence of the test strategy is at least two days.
    const treatmentOf = (key: string) => key.split(':').slice(2).join(':');
    const onDay = (rows: { idempotency_key: string }[], day: string) => rows.filter((r) => r.idempotency_key.startsWith(`cycle:${day}:`)).map((r) => treatmentOf(r.idempotency_key));
    const d1 = new Set([...onDay(afterD1.outbox, D1), ...onDay(afterD1.workItems, D1)]);
    const d2 = [...onDay(afterD2.outbox, D2), ...onDay(afterD2.workItems, D2)];
    expect(d2.length).toBeGreaterThan(0);
    for (const t of d2) expect(d1.has(t), t).toBe(false);
    // Agent calls come every second day: called on the first day, again on the third.
    const calledD1 = onDay(afterD1.workItems, D1).filter((t) => t.endsWith(':call'));
    const calledD3 = new Set(onDay(afterD3.workItems, D3));
    expect(calledD1.length).toBeGreaterThan(0);
    expect(calledD1.filter((t) => calledD3.has(t)).length).toBeGreaterThan(0);
  });
});

describe('re-running a date', () => {
  it('creates nothing new: no action, no dropped contact, no audit row, no state change', async () => {
    const rt = await world();
    await runCycle(rt, D1, { batchSize: 7 });
    const before = await tableCounts(rt);
    const actions = await storedActions(rt);
    const again = await runCycle(rt, D1, { batchSize: 11 });
    expect(again.actionsCreated).toBe(0);
    expect(again.gated).toBe(0);
    expect(again.alreadyPresent).toBe(summaryD1.actionsCreated);
    expect(again.prepared).toBe('earlier');
    expect(await tableCounts(rt)).toEqual(before);
    expectSameActions(await storedActions(rt), actions);
    // Through the CLI as well.
    const cli = await runCli(rt, ['cycle', '--as-of', D1, '--json']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.json().actionsCreated).toBe(0);
    expect(await tableCounts(rt)).toEqual(before);
  });

  it('refuses a date before the last one, and a second run of the same shard at the same time', async () => {
    const rt = runtimes[1]!;
    const earlier = await runDailyCycle(await cycleDeps(rt), { asOf: parsePlainDate('2026-06-30')! });
    expect(earlier).toMatchObject({ ok: false, code: 'as_of_before_last_run' });
    const holder = await rt.pool.connect();
    try {
      await holder.query('select pg_advisory_lock(hashtext($1))', [`cycle:${D1}:0/1`]);
      expect(await runDailyCycle(await cycleDeps(rt), { asOf: parsePlainDate(D1)! })).toMatchObject({ ok: false, code: 'cycle_already_running' });
    } finally {
      await holder.query('select pg_advisory_unlock_all()');
      holder.release();
    }
    expect((await runCli(rt, ['cycle', '--as-of', D1, '--shard', '3/3'])).code).toBe(2);
    expect((await runCli(rt, ['cycle', '--as-of', D1, '--shard', '0/2', '--workers', '2'])).code).toBe(2);
  });
});

describe('a run that fails and is restarted', () => {
  it.each([
    ['after the first committed batch', { afterBatch: (n: number) => { if (n === 1) throw new Error('injected crash'); } }],
    ['after the fourth committed batch', { afterBatch: (n: number) => { if (n === 4) throw new Error('injected crash'); } }],
    ['inside a batch transaction, before its commit', { beforeCommit: (n: number) => { if (n === 3) throw new Error('injected crash'); } }],
    ['inside the last batch transaction', { beforeCommit: (n: number) => { if (n === Math.ceil(ACCOUNTS / 7)) throw new Error('injected crash'); } }],
  ])('%s ends with exactly the actions of an uninterrupted run', async (_label, faults) => {
    const rt = await world();
    await expect(runCycle(rt, D1, { batchSize: 7, faults })).rejects.toThrow(/injected crash/);
    expect((await rt.pool.query(`select status from cycle_runs where as_of = $1`, [D1])).rows).toEqual([{ status: 'failed' }]);
    const resumed = await runCycle(rt, D1, { batchSize: 7 });
    expect(resumed.prepared).toBe('earlier');
    expectSameActions(await storedActions(rt), afterD1);
    await runCycle(rt, D2, { batchSize: 7 });
    expectSameActions(await storedActions(rt), afterD2);
  });

  it('a process killed with SIGKILL in the middle of a run, restarted, ends with exactly the actions of an uninterrupted run', async () => {
    const rt = await world();
    const env = { ...process.env, DATABASE_URL: rt.db.url, RECOURSE_PII_KEY: TEST_PII_KEY.toString('base64'), RECOURSE_PII_KEYS: '', RECOURSE_CYCLE_SCHEDULE: 'off' };
    const child = spawn(process.execPath, ['bin/recourse.js', 'cycle', '--as-of', D1, '--batch-size', '3', '--json'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Kill it once some batches of the date are committed, but not all.
    const deadline = Date.now() + 60_000;
    let committed = 0;
    while (Date.now() < deadline) {
      committed = Number((await rt.pool.query(`select count(*) as n from strategy_account_states where changed_on = $1`, [D1])).rows[0].n);
      if (committed > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    const code = await exited;
    expect(committed, output).toBeGreaterThan(0);
    expect(code, 'the process was killed, not finished').toBeNull();
    const partial = Number((await rt.pool.query(`select count(*) as n from strategy_account_states where changed_on = $1`, [D1])).rows[0].n);
    expect(partial).toBeLessThan(ACCOUNTS);
    await runCycle(rt, D1, { batchSize: 5 });
    expectSameActions(await storedActions(rt), afterD1);
    await runCycle(rt, D2, { batchSize: 5 });
    expectSameActions(await storedActions(rt), afterD2);
  }, 90_000);
});

describe('shards', () => {
  it('three shards (three runtimes at once, as three processes would) produce exactly the actions of one process, day after day', async () => {
    const rt = await world();
    const workers = await Promise.all([0, 1, 2].map(() => runtimeOn(rt.db.url, testConfig(), async () => {}, clock)));
    const shards = async (asOf: string) => {
      const parts = await Promise.all(workers.map((w, index) => runCycle(w, asOf, { shard: { index, count: 3 }, batchSize: 5 })));
      expect(parts.reduce((n, p) => n + p.accounts, 0)).toBe(ACCOUNTS);
      for (const p of parts) expect(p.accounts).toBeGreaterThan(0);
    };
    await shards(D1);
    expectSameActions(await storedActions(rt), afterD1);
    await shards(D2);
    expectSameActions(await storedActions(rt), afterD2);
    for (const w of workers) await w.close();
  });

  it('`cycle --workers 3` runs three processes and merges their summaries, with the same actions', async () => {
    const rt = await world();
    const env = { DATABASE_URL: rt.db.url, RECOURSE_PII_KEY: TEST_PII_KEY.toString('base64'), RECOURSE_CYCLE_SCHEDULE: 'off', PATH: process.env.PATH };
    const r = await runCli(rt, ['cycle', '--as-of', D1, '--workers', '3', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const summary = r.json();
    expect(summary.accounts).toBe(ACCOUNTS);
    expect(summary.shard.count).toBe(3);
    expect(summary.actionsCreated).toBe(summaryD1.actionsCreated);
    expect((await rt.pool.query(`select shard_index, status from cycle_runs where as_of = $1 order by shard_index`, [D1])).rows)
      .toEqual([0, 1, 2].map((i) => ({ shard_index: i, status: 'completed' })));
    expectSameActions(await storedActions(rt), afterD1);
  }, 90_000);
});
