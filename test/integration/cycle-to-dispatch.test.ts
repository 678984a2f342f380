/**
 * The daily cycle and the dispatcher together, under the shipped default strategy: every message the
 * cycle plans names a template the catalog holds and renders with the account's real data, and the
 * dispatcher sends it (or defers/blocks it by the pack's rules at send time) — none dies for want of a
 * template or a variable. The strategy is refused when it names a template the catalog lacks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { ConsoleProvider } from '../../src/modules/communications/index.ts';
import { publishStrategy, validateStrategyDocument } from '../../src/modules/strategy/index.ts';
import { openCommunications, type CommunicationsRuntime } from '../../src/workflows/communications-runtime.workflow.ts';
import { createTestRuntime } from '../support/database.ts';
import { movableClock } from '../support/eventually.ts';
import { loadDelinquentPortfolio } from '../support/portfolio.ts';
import { cycleDeps, runCycle } from '../support/cycle.ts';

const DEFAULT_STRATEGY = new URL('../../policies/strategy/default.json', import.meta.url).pathname;
const D1 = '2026-07-01'; // a Wednesday
const clock = movableClock('2026-06-30T18:00:00Z'); // 02:00 on D1 in Shanghai
type Rt = Awaited<ReturnType<typeof createTestRuntime>>;
let rt: Rt;
let comms: CommunicationsRuntime;
const written: string[] = [];
const out = { write: (t: string) => written.push(t) };

beforeAll(async () => {
  rt = await createTestRuntime({ clock });
  await loadDelinquentPortfolio(rt, 150, D1);
  const doc = JSON.parse(await readFile(DEFAULT_STRATEGY, 'utf8'));
  const published = await publishStrategy(rt.pool, doc, (await cycleDeps(rt)).strategyContext, 'test');
  expect(published.ok, published.ok ? '' : published.message).toBe(true);
  comms = await openCommunications(rt, { providers: () => [new ConsoleProvider('sms', out), new ConsoleProvider('voice_robot', out), new ConsoleProvider('letter', out), new ConsoleProvider('email', out)] });
  await comms.start();
});
afterAll(async () => {
  await comms?.close();
  await rt?.close();
});

describe('cycle → outbox → dispatcher', () => {
  it('every message the cycle plans is rendered and handed to its provider, or held back by a named rule', async () => {
    const summary = await runCycle(rt, D1);
    const { rows: planned } = await rt.pool.query<{ channel: string; n: number }>(`select channel, count(*)::int as n from outbox_messages group by channel order by channel`);
    const total = planned.reduce((s, r) => s + r.n, 0);
    expect(total).toBeGreaterThan(20);
    expect(planned.map((r) => r.channel)).toEqual(expect.arrayContaining(['sms', 'voice_robot']));
    expect(summary.actionsCreated).toBeGreaterThanOrEqual(total);

    clock.set('2026-07-01T02:30:00Z'); // 10:30 in Shanghai: inside every CN window
    const round = await comms.dispatcher.drain();
    expect(round.claimed).toBe(total);

    const { rows } = await rt.pool.query<{ status: string; last_error: string | null; n: number }>(
      `select status, last_error, count(*)::int as n from outbox_messages group by status, last_error order by status`);
    const byStatus = Object.fromEntries(rows.map((r) => [r.status, r.n]));
    // Nothing failed to render or died (pending = deferred by the gate to a later window; blocked = a rule at send time).
    expect(rows.filter((r) => !['sent', 'pending', 'blocked'].includes(r.status)), JSON.stringify(rows)).toEqual([]);
    expect(rows.filter((r) => r.last_error !== null && r.status === 'sent')).toEqual([]);
    expect(byStatus.sent ?? 0).toBeGreaterThan(total / 2);
    // Each sent message left a ledger row and the rendered text went to the provider (console here).
    const { rows: ledger } = await rt.pool.query<{ n: number }>(`select count(*)::int as n from contact_attempts where idempotency_key like 'outbox:%:sent'`);
    expect(ledger[0]!.n).toBe(byStatus.sent);
    expect(written.join('')).toMatch(/逾期|past due/);
    // The strategy's provenance survives onto the messages.
    const { rows: provenance } = await rt.pool.query(`select distinct strategy_id, strategy_version from outbox_messages`);
    expect(provenance).toEqual([{ strategy_id: 'default-strategy', strategy_version: 1 }]);
  });

  it('a strategy naming a template the catalog lacks is refused at its path', async () => {
    const doc = JSON.parse(await readFile(DEFAULT_STRATEGY, 'utf8'));
    const text = JSON.stringify(doc).replace('"cn-voice-reminder-gentle"', '"cn-voice-reminder-whisper"');
    const r = validateStrategyDocument(JSON.parse(text), (await cycleDeps(rt)).strategyContext);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.message).toMatch(/templates\["zh-CN"\].*cn-voice-reminder-whisper/);
  });
});
