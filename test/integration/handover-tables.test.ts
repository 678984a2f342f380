/**
 * The outbox and work items (migration 0006): idempotent by key, set-based, and bad rows refused by
 * the database whole (nothing of a refused batch is written).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime } from '../support/database.ts';
import type { Runtime } from '../../src/runtime.ts';
import { enqueueMessages, type OutboxMessageInput } from '../../src/modules/communications/index.ts';
import { createWorkItems, type WorkItemInput } from '../../src/modules/worklist/index.ts';

const at = new Date('2026-06-30T01:00:00Z');
const message = (key: string, over: Partial<OutboxMessageInput> = {}): OutboxMessageInput => ({
  idempotencyKey: key, customerId: 'C1', accountId: 'A1', channel: 'sms', templateId: 'cn-sms-reminder-gentle', notBefore: at,
  origin: 'cycle', strategy: { id: 'default', version: 3, variant: 'champion' }, decision: { segment: 'early', stage: 'sms' }, ...over,
});
const item = (key: string, over: Partial<WorkItemInput> = {}): WorkItemInput => ({
  idempotencyKey: key, customerId: 'C1', accountId: 'A1', kind: 'agent_call', priority: 50, notBefore: at, origin: 'cycle', ...over,
});

describe('outbox and work items', () => {
  let rt: Runtime & { close(): Promise<void> };
  beforeAll(async () => {
    rt = await createTestRuntime();
  });
  afterAll(async () => rt?.close());

  it('enqueue messages once per key, with strategy, variant and decision kept', async () => {
    expect(await enqueueMessages(rt.pool, [message('k1'), message('k2', { channel: 'email', tone: 'firm' })])).toEqual({ inserted: 2, existing: 0 });
    expect(await enqueueMessages(rt.pool, [message('k1', { templateId: 'other' }), message('k3')])).toEqual({ inserted: 1, existing: 1 });
    const { rows } = await rt.pool.query('select idempotency_key, channel, template_id, status, strategy_id, strategy_version, strategy_variant, decision, next_attempt_at from outbox_messages order by message_id');
    expect(rows.map((r) => r.idempotency_key)).toEqual(['k1', 'k2', 'k3']);
    expect(rows[0]).toMatchObject({ template_id: 'cn-sms-reminder-gentle', status: 'pending', strategy_id: 'default', strategy_version: 3, strategy_variant: 'champion', decision: { segment: 'early', stage: 'sms' } });
    expect(rows[0].next_attempt_at.toISOString()).toBe(at.toISOString());
  });

  it('refuse a batch with an unknown channel whole', async () => {
    await expect(enqueueMessages(rt.pool, [message('k4'), message('k5', { channel: 'fax' as never })])).rejects.toThrow(/outbox_messages_channel_check/);
    const { rows } = await rt.pool.query(`select count(*)::int as n from outbox_messages where idempotency_key in ('k4', 'k5')`);
    expect(rows[0].n).toBe(0);
  });

  it('create work items once per key and refuse unknown kinds whole', async () => {
    expect(await createWorkItems(rt.pool, [item('w1'), item('w2', { kind: 'field_visit', priority: 80, stage: 'visit' })])).toEqual({ inserted: 2, existing: 0 });
    expect(await createWorkItems(rt.pool, [item('w1', { priority: 1 })])).toEqual({ inserted: 0, existing: 1 });
    await expect(createWorkItems(rt.pool, [item('w3'), item('w4', { kind: 'lunch' as never })])).rejects.toThrow(/work_items_kind_check/);
    const { rows } = await rt.pool.query('select idempotency_key, kind, priority, status from work_items order by work_item_id');
    expect(rows).toEqual([
      { idempotency_key: 'w1', kind: 'agent_call', priority: 50, status: 'open' },
      { idempotency_key: 'w2', kind: 'field_visit', priority: 80, status: 'open' },
    ]);
  });

  it('limit the batch size', async () => {
    const many = Array.from({ length: 10_001 }, (_, i) => message(`m${i}`));
    await expect(enqueueMessages(rt.pool, many)).rejects.toThrow(/at most 10000/);
  });
});
