/**
 * Versioned migrations: `src/db/migrations/NNNN_name.sql`, applied in order, each in its own
 * transaction, under an advisory lock so that two processes starting together do not race.
 */
import { readdir, readFile } from 'node:fs/promises';
import type pg from 'pg';
import currencyCodes from 'currency-codes';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
const MIGRATION_LOCK = 7_301_998_001;

export interface Migration { version: number; name: string; sql: string }

export async function loadMigrations(): Promise<Migration[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => ({
      version: Number(file.slice(0, 4)),
      name: file.slice(5, -4),
      sql: await readFile(new URL(file, MIGRATIONS_DIR), 'utf8'),
    })),
  );
}

/** Applies every pending migration; returns the versions applied. */
export async function migrate(client: pg.ClientBase): Promise<number[]> {
  const applied: number[] = [];
  await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query(`create table if not exists schema_migrations (
      version integer primary key, name text not null, applied_at timestamptz not null default now())`);
    const done = new Set(
      (await client.query<{ version: number }>('select version from schema_migrations')).rows.map((r) => r.version),
    );
    for (const m of await loadMigrations()) {
      if (done.has(m.version)) continue;
      await client.query('begin');
      try {
        await client.query(m.sql);
        await client.query('insert into schema_migrations (version, name) values ($1, $2)', [m.version, m.name]);
        await client.query('commit');
      } catch (e) {
        await client.query('rollback');
        throw new Error(`migration ${m.version}_${m.name} failed: ${(e as Error).message}`, { cause: e });
      }
      applied.push(m.version);
    }
    await syncCurrencies(client);
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  }
  return applied;
}

/** Reference data: ISO 4217 currencies with their minor digits, from the `currency-codes` package. */
async function syncCurrencies(client: pg.ClientBase): Promise<void> {
  const rows = currencyCodes.data.filter((c) => /^[A-Z]{3}$/.test(c.code) && Number.isInteger(c.digits));
  await client.query(
    `insert into currencies (code, minor_digits)
     select * from unnest($1::text[], $2::smallint[])
     on conflict (code) do update set minor_digits = excluded.minor_digits
       where currencies.minor_digits is distinct from excluded.minor_digits`,
    [rows.map((r) => r.code), rows.map((r) => r.digits)],
  );
}
