/**
 * The server's daily job: runs the cycle for today once the configured local time has passed (and
 * catches up after a restart), once per date, and stops cleanly. Configured by RECOURSE_CYCLE_SCHEDULE.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/kernel/clock.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { startCycleScheduler } from '../../src/workflows/daily-cycle.job.ts';
import { createTestRuntime } from '../support/database.ts';
import { loadDelinquentPortfolio } from '../support/portfolio.ts';
import type { Runtime } from '../../src/runtime.ts';

let now = Date.parse('2026-07-01T01:30:00+08:00');
const clock: Clock = { now: () => new Date(now) };
let rt: Runtime;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const runs = async () => (await rt.pool.query<{ as_of: string; status: string }>('select as_of, status from cycle_runs order by run_id')).rows;

beforeAll(async () => {
  rt = await createTestRuntime({ clock });
  await loadDelinquentPortfolio(rt, 10, '2026-07-01');
});
afterAll(async () => rt?.close());

describe('the daily cycle job', () => {
  it('waits for the scheduled local time, runs once for the date, and again the next day', async () => {
    const log: string[] = [];
    const scheduler = startCycleScheduler(rt, { at: '02:00', log: (l) => log.push(l), tickMs: 25 });
    try {
      await wait(200);
      expect(await runs(), 'before 02:00 in Shanghai').toEqual([]);
      now = Date.parse('2026-07-01T02:00:00+08:00');
      for (let i = 0; i < 100 && (await runs()).length === 0; i++) await wait(50);
      await wait(300);
      expect(await runs()).toEqual([{ as_of: '2026-07-01', status: 'completed' }]);
      expect(log).toEqual([expect.stringMatching(/^daily cycle 2026-07-01: 10 accounts decided, \d+ actions created/)]);
      now = Date.parse('2026-07-01T23:59:00+08:00');
      await wait(200);
      expect(await runs(), 'once per date').toHaveLength(1);
      now = Date.parse('2026-07-02T02:05:00+08:00');
      for (let i = 0; i < 100 && (await runs()).length === 1; i++) await wait(50);
      await wait(300);
      expect((await runs()).map((r) => r.as_of)).toEqual(['2026-07-01', '2026-07-02']);
    } finally {
      await scheduler.stop();
    }
  });

  it('catches up when started after the time, and does nothing for a date already complete', async () => {
    now = Date.parse('2026-07-02T09:00:00+08:00');
    const log: string[] = [];
    const scheduler = startCycleScheduler(rt, { at: '02:00', log: (l) => log.push(l), tickMs: 25 });
    await wait(300);
    await scheduler.stop();
    expect((await runs()).length, '2026-07-02 is already complete').toBe(2);
    now = Date.parse('2026-07-03T09:00:00+08:00');
    const late = startCycleScheduler(rt, { at: '02:00', log: (l) => log.push(l), tickMs: 25 });
    for (let i = 0; i < 100 && (await runs()).length === 2; i++) await wait(50);
    await late.stop();
    expect((await runs()).map((r) => r.as_of)).toEqual(['2026-07-01', '2026-07-02', '2026-07-03']);
  });

  it('is configured by RECOURSE_CYCLE_SCHEDULE: HH:MM, or off; 02:00 by default', () => {
    expect(loadConfig({ RECOURSE_DATA_DIR: '/tmp/recourse-config-test', RECOURSE_PII_KEY: Buffer.alloc(32, 1).toString('base64') }).cycleSchedule).toBe('02:00');
    expect(loadConfig({ RECOURSE_DATA_DIR: '/tmp/recourse-config-test', RECOURSE_PII_KEY: Buffer.alloc(32, 1).toString('base64'), RECOURSE_CYCLE_SCHEDULE: 'off' }).cycleSchedule).toBeNull();
    expect(() => loadConfig({ RECOURSE_DATA_DIR: '/tmp/recourse-config-test', RECOURSE_PII_KEY: Buffer.alloc(32, 1).toString('base64'), RECOURSE_CYCLE_SCHEDULE: '25:00' })).toThrow(ConfigError);
    expect(() => startCycleScheduler(rt, { at: '2am', log: () => {} })).toThrow(/not HH:MM/);
  });
});
