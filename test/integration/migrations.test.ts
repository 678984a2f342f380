import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { loadMigrations, migrate } from '../../src/db/index.ts';

describe('migrations', () => {
  let db: TestDatabase;
  afterAll(async () => db?.drop());

  it('apply every version in order to an empty database, then nothing on a second run', async () => {
    db = await createTestDatabase({ empty: true });
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const versions = (await loadMigrations()).map((m) => m.version);
      expect(versions.length).toBeGreaterThanOrEqual(2);
      expect(await migrate(client)).toEqual(versions);
      expect(await migrate(client)).toEqual([]);
      const { rows } = await client.query<{ version: number }>('select version from schema_migrations order by version');
      expect(rows.map((r) => r.version)).toEqual(versions);
      const tables = (await client.query<{ t: string }>(`select table_name as t from information_schema.tables where table_schema = 'public'`)).rows.map((r) => r.t);
      for (const t of ['customers', 'contact_points', 'card_accounts', 'statements', 'payments', 'host_delinquency_snapshots', 'account_events', 'account_delinquency', 'aging_runs', 'imports']) {
        expect(tables).toContain(t);
      }
      const cny = await client.query('select minor_digits from currencies where code = $1', ['CNY']);
      expect(cny.rows[0]).toEqual({ minor_digits: 2 });
    } finally {
      await client.end();
    }
  });

  it('keep payments and account events append-only', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(`insert into customers (customer_id, name) values ('c1', 'Test')`);
      await client.query(`insert into card_accounts (account_id, customer_id, currency, credit_limit_minor, opened_on) values ('a1', 'c1', 'CNY', 100, '2020-01-01')`);
      await client.query(`insert into payments (payment_id, account_id, customer_id, posted_on, amount_minor) values ('p1', 'a1', 'c1', '2020-02-01', 100)`);
      await expect(client.query(`update payments set amount_minor = 1 where payment_id = 'p1'`)).rejects.toThrow(/append-only/);
      await expect(client.query(`delete from payments where payment_id = 'p1'`)).rejects.toThrow(/append-only/);
    } finally {
      await client.end();
    }
  });
});
