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
      // account_events carries no foreign key (0015): card accounts, which events name, are never deleted.
      await client.query(`insert into account_events (account_id, customer_id, occurred_on, kind) values ('a1', 'c1', '2020-02-02', 'roll_forward')`);
      await expect(client.query(`update account_events set kind = 'cure' where account_id = 'a1'`)).rejects.toThrow(/append-only/);
      await client.query(`insert into card_accounts (account_id, customer_id, currency, credit_limit_minor, opened_on) values ('a9', 'c1', 'CNY', 100, '2020-01-01')`);
      await expect(client.query(`delete from card_accounts where account_id = 'a9'`)).rejects.toThrow(/card accounts are never deleted \(account a9/);
      expect((await client.query(`select count(*)::int as n from card_accounts`)).rows[0].n).toBe(2);
    } finally {
      await client.end();
    }
  });

  it('0005 backfills account histories from data stored before it', async () => {
    const old = await createTestDatabase({ empty: true });
    const client = new pg.Client({ connectionString: old.url });
    await client.connect();
    try {
      await client.query('create table schema_migrations (version integer primary key, name text not null, applied_at timestamptz not null default now())');
      for (const m of (await loadMigrations()).filter((m) => m.version < 5)) {
        await client.query(m.sql);
        await client.query('insert into schema_migrations (version, name) values ($1, $2)', [m.version, m.name]);
      }
      await client.query(`insert into currencies values ('CNY', 2)`);
      await client.query(`insert into customers (customer_id, name) values ('c1', 'Test')`);
      await client.query(`insert into card_accounts (account_id, customer_id, currency, credit_limit_minor, opened_on)
        values ('a1', 'c1', 'CNY', 100, '2020-01-01'), ('a2', 'c1', 'CNY', 100, '2020-01-02')`);
      await client.query(`insert into statements (account_id, statement_date, customer_id, due_date, minimum_due_minor, closing_balance_minor)
        values ('a1', '1970-02-01', 'c1', '1970-02-21', 500, -700), ('a1', '1970-01-01', 'c1', '1970-01-21', 100, 1000)`);
      await client.query(`insert into payments (payment_id, account_id, customer_id, posted_on, amount_minor) values ('p1', 'a1', 'c1', '1970-01-11', 250)`);
      expect(await migrate(client)).toContain(5);
      const { rows } = await client.query('select * from account_histories order by account_id');
      expect(rows).toEqual([
        { account_id: 'a1', customer_id: 'c1', currency: 'CNY', opened_on: expect.anything(), statements: '0,20,100,1000;31,51,500,-700', payments: '10,250' },
        { account_id: 'a2', customer_id: 'c1', currency: 'CNY', opened_on: expect.anything(), statements: null, payments: null },
      ]);
    } finally {
      await client.end();
      await old.drop();
    }
  });
});
