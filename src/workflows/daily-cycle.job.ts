/**
 * The server's daily job: runs the daily cycle for today's business date once the configured local
 * time (RECOURSE_CYCLE_SCHEDULE, in RECOURSE_TIME_ZONE) has passed and the date is not complete yet —
 * so a server that was down at that time catches up when it starts. Several servers may run it: the
 * cycle's own per-date locks let one work and the others find it running or done. A failed run is
 * retried after `retryMinutes` (it resumes where it stopped). Stopping the server stops the run between
 * two batches (what is committed stays).
 */
import { formatPlainDate } from '../kernel/dates.ts';
import { todayIn } from '../kernel/clock.ts';
import type { Runtime } from '../runtime.ts';
import { dateCompleted } from './cycle-runs.repository.ts';
import { loadCycleDeps, runDailyCycle } from './daily-cycle.workflow.ts';

export interface CycleScheduler { stop(): Promise<void> }

/** "HH:MM" → minutes after local midnight. */
export function scheduleMinute(text: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

function localMinute(now: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return get('hour') * 60 + get('minute');
}

export function startCycleScheduler(rt: Runtime, options: { at: string; log: (line: string) => void; tickMs?: number; retryMinutes?: number }): CycleScheduler {
  const minute = scheduleMinute(options.at);
  if (minute === null) throw new Error(`cycle schedule ${JSON.stringify(options.at)} is not HH:MM`);
  const tickMs = options.tickMs ?? 60_000;
  const retryMs = (options.retryMinutes ?? 15) * 60_000;
  const abort = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let retryAfter = 0;
  let stopped = false;

  const tick = async () => {
    const now = rt.clock.now();
    if (localMinute(now, rt.config.timeZone) < minute || now.getTime() < retryAfter) return;
    const asOf = todayIn(rt.clock, rt.config.timeZone);
    if (await dateCompleted(rt.pool, formatPlainDate(asOf))) return;
    const deps = await loadCycleDeps(rt);
    if (!deps.ok) throw new Error(deps.message);
    const r = await runDailyCycle(deps.value, { asOf, signal: abort.signal });
    if (r.ok) options.log(`daily cycle ${r.value.asOf}: ${r.value.accounts} accounts decided, ${r.value.actionsCreated} actions created in ${(r.value.durationMs / 1000).toFixed(1)} s`);
    else if (r.code === 'cycle_already_running' || r.code === 'aborted') options.log(`daily cycle ${formatPlainDate(asOf)}: ${r.message}`);
    else {
      retryAfter = now.getTime() + retryMs;
      options.log(`daily cycle ${formatPlainDate(asOf)} did not run (${r.code}): ${r.message}; retrying in ${retryMs / 60_000} min`);
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().catch((e: unknown) => {
        retryAfter = rt.clock.now().getTime() + retryMs;
        options.log(`daily cycle failed: ${(e as Error).message}; retrying in ${retryMs / 60_000} min`);
      }).finally(() => {
        running = null;
        schedule();
      });
    }, timer === null ? 0 : tickMs);
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      abort.abort();
      await running;
    },
  };
}
