/**
 * Work items (migration 0006): human work (agent calls, field visits, callbacks, reviews) handed from
 * deciders to collectors' queues. Creation is idempotent by key and set-based: one statement per batch.
 */
import type pg from 'pg';

export const WORK_ITEM_KINDS = ['agent_call', 'field_visit', 'callback', 'review'] as const;
export type WorkItemKind = (typeof WORK_ITEM_KINDS)[number];

export interface WorkItemInput {
  idempotencyKey: string;
  customerId: string;
  accountId: string | null;
  kind: WorkItemKind;
  /** Higher first. */
  priority: number;
  notBefore: Date;
  dueBy?: Date | null;
  reason?: string | null;
  origin: 'cycle' | 'staff' | 'api' | 'cli';
  requestedBy?: string | null;
  strategy?: { id: string; version: number; variant: string | null } | null;
  stage?: string | null;
  decision?: unknown;
  teamId?: string | null;
}

export const WORK_ITEM_BATCH_MAX = 10_000;

/** Creates up to WORK_ITEM_BATCH_MAX items in one statement; keys already present are left as they are. */
export async function createWorkItems(client: pg.ClientBase | pg.Pool, items: readonly WorkItemInput[]): Promise<{ inserted: number; existing: number }> {
  if (items.length === 0) return { inserted: 0, existing: 0 };
  if (items.length > WORK_ITEM_BATCH_MAX) throw new Error(`createWorkItems: at most ${WORK_ITEM_BATCH_MAX} items per call, got ${items.length}`);
  const rows = items.map((i) => ({
    idempotency_key: i.idempotencyKey, customer_id: i.customerId, account_id: i.accountId, kind: i.kind, priority: i.priority,
    not_before: i.notBefore.toISOString(), due_by: i.dueBy ? i.dueBy.toISOString() : null, reason: i.reason ?? null, origin: i.origin,
    requested_by: i.requestedBy ?? null, strategy_id: i.strategy?.id ?? null, strategy_version: i.strategy?.version ?? null,
    strategy_variant: i.strategy?.variant ?? null, stage: i.stage ?? null, decision: i.decision ?? null, team_id: i.teamId ?? null,
  }));
  const { rowCount } = await client.query(
    `insert into work_items (idempotency_key, customer_id, account_id, kind, priority, not_before, due_by, reason, origin, requested_by,
       strategy_id, strategy_version, strategy_variant, stage, decision, team_id)
     select * from jsonb_to_recordset($1::jsonb) as x (idempotency_key text, customer_id text, account_id text, kind text, priority integer,
       not_before timestamptz, due_by timestamptz, reason text, origin text, requested_by text, strategy_id text, strategy_version integer,
       strategy_variant text, stage text, decision jsonb, team_id text)
     on conflict (idempotency_key) do nothing`,
    [JSON.stringify(rows)],
  );
  const inserted = rowCount ?? 0;
  return { inserted, existing: items.length - inserted };
}
