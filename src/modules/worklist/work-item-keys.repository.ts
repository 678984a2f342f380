/** Looking up work items by idempotency key (a resumed or repeated daily cycle skips the ones it already created). */
import type pg from 'pg';

export async function existingWorkItemKeys(db: pg.ClientBase | pg.Pool, keys: readonly string[]): Promise<string[]> {
  if (keys.length === 0) return [];
  const { rows } = await db.query<{ k: string }>('select idempotency_key as k from work_items where idempotency_key = any($1::text[])', [keys]);
  return rows.map((r) => r.k);
}
