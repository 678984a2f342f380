/** A fresh database per test file, cloned from the migrated template built in global-setup. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { adminUrl, withDatabase } from '../../src/db/index.ts';
import { runtimeOn, type Runtime } from '../../src/runtime.ts';
import { communicationsConfig, type Config } from '../../src/config.ts';
import { fixedClock, type Clock } from '../../src/kernel/clock.ts';
import { deriveIndexKey } from '../../src/modules/portfolio/index.ts';

export const TEST_PII_KEY = Buffer.alloc(32, 7);

/** The test keyring: TEST_PII_KEY as the "default" key, its derived blind-index key. */
export function testPiiKeys(): Config['piiKeys'] {
  return { activeKeyId: 'default', keys: { default: TEST_PII_KEY }, indexKey: deriveIndexKey(TEST_PII_KEY) };
}

export interface TestDatabase { name: string; url: string; drop(): Promise<void> }

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl(inject('databaseUrl')) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new database: a clone of the migrated template, or empty with `{ empty: true }`. */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const name = `recourse_test_${randomBytes(6).toString('hex')}`;
  const template = options.empty ? 'template0' : inject('templateDatabase');
  await admin((c) => c.query(`create database ${name} template ${template}`));
  return {
    name,
    url: withDatabase(inject('databaseUrl'), name),
    drop: () => admin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => {}),
  };
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    dataDir: mkdtempSync(join(tmpdir(), 'recourse-data-')),
    databaseUrl: null,
    port: 0,
    host: '127.0.0.1',
    logLevel: 'silent',
    timeZone: 'Asia/Shanghai',
    demoAccounts: 0,
    demoSeed: 1,
    piiKeys: testPiiKeys(),
    rateLimitPerMinute: 100_000,
    ipRateLimitPerMinute: 1_000_000,
    loginRateLimitPerMinute: 100_000,
    sessionIdleMinutes: 30,
    sessionMaxHours: 12,
    adminPassword: null,
    demoPassword: null,
    compliancePack: 'cn',
    complianceOverrides: [],
    // Serve web/dist as it is (buildServer registers the app's routes; the e2e tests build it first).
    webApp: 'serve',
    // No dispatcher job in tests (a test runs the dispatcher itself); console providers.
    communications: communicationsConfig({ RECOURSE_DISPATCHER: 'off' }),
    cycleSchedule: null,
    clockStart: null,
    ...overrides,
  };
}

/** A Runtime on a fresh database; `close()` also drops the database. */
export async function createTestRuntime(options: { clock?: Clock; config?: Partial<Config> } = {}): Promise<Runtime & { db: TestDatabase }> {
  const db = await createTestDatabase();
  const clock = options.clock ?? fixedClock(new Date('2026-06-30T04:00:00Z'));
  const rt = await runtimeOn(db.url, testConfig(options.config), async () => {}, clock);
  return {
    ...rt,
    db,
    async close() {
      await rt.close();
      await db.drop();
    },
  };
}

/**
 * Every table's row count and a digest of its rows: equal before and after proves that nothing was
 * written (bad input leaves no trace). Tables in `except` are skipped (e.g. the imports log).
 */
export async function tableSnapshot(rt: Pick<Runtime, 'pool'>, except: readonly string[] = []): Promise<Record<string, { n: number; md5: string }>> {
  const { rows: tables } = await rt.pool.query<{ t: string }>(
    `select table_name as t from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
  );
  const out: Record<string, { n: number; md5: string }> = {};
  for (const { t } of tables) {
    if (except.includes(t)) continue;
    const { rows } = await rt.pool.query<{ n: number; md5: string }>(
      `select count(*)::int as n, md5(coalesce(string_agg(x::text, E'\\n' order by x::text), '')) as md5 from ${t} x`,
    );
    out[t] = rows[0]!;
  }
  return out;
}
