/**
 * PII at rest: national ids and phones are encrypted (phones stored before migration 0003 are sealed
 * on the first start after it), every ciphertext names its key, and keys rotate: a new active key,
 * `recourse keys rotate`, the old key retired, everything still readable and equal under the stable
 * blind index; `--reindex` after a blind-index key change. Also the key configuration itself.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase, createTestRuntime, testConfig, testPiiKeys, TEST_PII_KEY, type TestDatabase } from '../support/database.ts';
import { runCli } from '../support/cli.ts';
import { clearContactPoints } from '../support/pii.ts';
import { loadMigrations } from '../../src/db/index.ts';
import { runtimeOn, type Runtime } from '../../src/runtime.ts';
import { ConfigError, loadConfig, type Config } from '../../src/config.ts';
import { PiiCipher, deriveIndexKey } from '../../src/modules/portfolio/index.ts';
import { totpCode } from '../../src/modules/identity/index.ts';
import { buildServer } from '../../src/server.ts';
import { logIn } from '../support/auth.ts';

const NATIONAL_ID = '11010519491231002X';
const PHONE = '13800138000';
const NEW_KEY = Buffer.alloc(32, 9);
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function runtimeWith(db: TestDatabase, piiKeys: Config['piiKeys']): Promise<Runtime> {
  const rt = await runtimeOn(db.url, testConfig({ piiKeys }));
  cleanups.push(() => rt.close());
  return rt;
}

describe('phones and national ids written before migration 0003', () => {
  it('are sealed on the next start: no clear phone remains, and the guard constraint is then validated', async () => {
    const db = await createTestDatabase({ empty: true });
    cleanups.push(() => db.drop());
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('create table schema_migrations (version integer primary key, name text not null, applied_at timestamptz not null default now())');
      for (const m of (await loadMigrations()).filter((m) => m.version < 3)) {
        await client.query(m.sql);
        await client.query('insert into schema_migrations (version, name) values ($1, $2)', [m.version, m.name]);
      }
      // The pre-0003 layout: iv ‖ tag ‖ ciphertext under the single key, and phones in clear.
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', TEST_PII_KEY, iv);
      const body = Buffer.concat([cipher.update(NATIONAL_ID, 'utf8'), cipher.final()]);
      const legacy = Buffer.concat([iv, cipher.getAuthTag(), body]);
      const hmac = deriveIndexKey(TEST_PII_KEY);
      await client.query(`insert into customers (customer_id, name, national_id_encrypted, national_id_hmac, national_id_last4) values ('C1', 'Old', $1, $2, '002X')`,
        [legacy, (await import('node:crypto')).createHmac('sha256', hmac).update(NATIONAL_ID).digest()]);
      await client.query(`insert into contact_points (customer_id, kind, position, value, party_role) values
        ('C1', 'phone', 0, $1, 'debtor'), ('C1', 'phone', 1, '+8613900139000', 'guarantor'), ('C1', 'email', 0, 'old@example.com', 'debtor')`, [PHONE]);
    } finally {
      await client.end();
    }
    const rt = await runtimeWith(db, testPiiKeys());
    expect(await clearContactPoints(rt, `select kind, position, value from contact_points order by kind, position`)).toEqual([
      { kind: 'email', position: 0, value: 'old@example.com' },
      { kind: 'phone', position: 0, value: PHONE },
      { kind: 'phone', position: 1, value: '+8613900139000' },
    ]);
    const { rows: [c] } = await rt.pool.query(`select national_id_encrypted as e from customers`);
    expect(rt.cipher.keyIdOf(c.e)).toBe('default');
    expect(rt.cipher.decrypt(c.e)).toBe(NATIONAL_ID);
    expect((await rt.pool.query(`select convalidated from pg_constraint where conname = 'contact_points_phone_protected'`)).rows[0].convalidated).toBe(true);
    await expect(rt.pool.query(`insert into contact_points (customer_id, kind, position, value, party_role) values ('C1', 'phone', 5, '13700000000', 'debtor')`)).rejects.toThrow(/contact_points_phone_protected/);
    const dump = JSON.stringify((await rt.pool.query(`select * from contact_points`)).rows);
    expect(dump).not.toContain(PHONE);
    // The pre-0003 national id (format 1: header not authenticated) is re-sealed the current way by a rotation.
    expect(c.e[0]).toBe(1);
    expect((await runCli(rt, ['keys', 'rotate', '--json'])).json().reencrypted).toEqual({ nationalIds: 1, phones: 0, totpSecrets: 0 });
    const { rows: [after] } = await rt.pool.query(`select national_id_encrypted as e from customers`);
    expect([after.e[0], rt.cipher.isCurrent(after.e), rt.cipher.decrypt(after.e)]).toEqual([2, true, NATIONAL_ID]);
  });
});

describe('key rotation', () => {
  it('re-encrypts under the new key with `recourse keys rotate`; the old key can then be retired', async () => {
    const rt = await createTestRuntime();
    cleanups.push(() => rt.close());
    const feed = `${rt.config.dataDir}/feed.ndjson`;
    writeFileSync(feed, [
      { type: 'customer', id: 'C1', name: '张伟', nationalId: NATIONAL_ID, phones: [{ number: PHONE }, { number: '+8613900139000' }] },
      { type: 'account', id: 'A1', customerId: 'C1', currency: 'CNY', creditLimit: '1000.00', openedOn: '2026-01-01' },
      { type: 'customer', id: 'C2', name: 'Li Na', nationalId: '110105194912310037', phones: [{ number: '13911112222' }] },
    ].map((r) => JSON.stringify(r)).join('\n') + '\n');
    expect((await runCli(rt, ['import', feed])).code).toBe(0);
    const admin = await runCli(rt, ['users', 'create', '--username', 'keyadmin', '--role', 'admin', '--password-stdin', '--json'], { stdin: 'the admin passphrase' });
    const totpSecret = admin.json().totp.secret as string;
    const status = await runCli(rt, ['keys', 'status', '--json']);
    expect(status.json()).toEqual({
      activeKeyId: 'default', configuredKeyIds: ['default'],
      sealed: [{ kind: 'national_id', keyId: 'default', values: 2 }, { kind: 'phone', keyId: 'default', values: 3 }, { kind: 'totp_secret', keyId: 'default', values: 1 }],
    });
    const before = (await rt.pool.query(`select customer_id, national_id_hmac as h from customers order by 1`)).rows;

    // Step 1: a new first (active) key; the old one stays configured for reading.
    const indexKey = deriveIndexKey(TEST_PII_KEY);
    const both = await runtimeWith(rt.db, { activeKeyId: 'k2026', keys: { k2026: NEW_KEY, default: TEST_PII_KEY }, indexKey });
    const rotated = await runCli(both, ['keys', 'rotate', '--json']);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.json()).toEqual({ activeKeyId: 'k2026', reindex: false, reencrypted: { nationalIds: 2, phones: 3, totpSecrets: 1 } });
    expect((await runCli(both, ['keys', 'rotate', '--json'])).json().reencrypted, 'nothing left to do').toEqual({ nationalIds: 0, phones: 0, totpSecrets: 0 });
    expect((await runCli(both, ['keys', 'status', '--json'])).json().sealed.map((s: { keyId: string }) => s.keyId)).toEqual(['k2026', 'k2026', 'k2026']);
    expect((await rt.pool.query(`select count(*)::int as n from access_audit where action = 'keys_rotated'`)).rows[0].n).toBe(2);

    // Step 2: the old key retired. Everything reads back; the blind index did not change, so a
    // re-import of the same feed is a no-op.
    const only = await runtimeWith(rt.db, { activeKeyId: 'k2026', keys: { k2026: NEW_KEY }, indexKey });
    expect((await only.pool.query(`select customer_id, national_id_hmac as h from customers order by 1`)).rows).toEqual(before);
    const unmask = await runCli(only, ['pii', 'unmask', 'A1', '--reason', 'checking the rotation', '--json']);
    expect(unmask.json()).toMatchObject({ nationalId: NATIONAL_ID, phones: [{ number: PHONE }, { number: '+8613900139000' }] });
    const again = await runCli(only, ['import', feed, '--json']);
    expect(again.json().counts.customer).toEqual({ inserted: 0, updated: 0, unchanged: 2 });
    expect(again.json().counts.contactPoint).toEqual({ inserted: 0, updated: 0, unchanged: 3 });
    const app = await buildServer(only);
    cleanups.push(() => app.close());
    await logIn(app, only, { username: 'keyadmin', password: 'the admin passphrase', role: 'admin', totpSecret });
    expect(totpCode(totpSecret, only.clock.now())).toMatch(/^\d{6}$/);

    // A process still configured with only the retired key cannot read, and says which key it lacks.
    const stale = await runtimeWith(rt.db, testPiiKeys());
    const r = await runCli(stale, ['pii', 'unmask', 'A1', '--reason', 'with the old key only']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/PII key "k2026" sealed this value but is not configured/);
  });

  it('--reindex recomputes every blind index after the index key changes', async () => {
    const rt = await createTestRuntime();
    cleanups.push(() => rt.close());
    const feed = `${rt.config.dataDir}/feed.ndjson`;
    writeFileSync(feed, JSON.stringify({ type: 'customer', id: 'C1', name: 'X', nationalId: NATIONAL_ID, phones: [{ number: PHONE }] }) + '\n');
    expect((await runCli(rt, ['import', feed])).code).toBe(0);
    const newIndex = Buffer.alloc(32, 3);
    const moved = await runtimeWith(rt.db, { activeKeyId: 'default', keys: { default: TEST_PII_KEY }, indexKey: newIndex });
    expect((await runCli(moved, ['import', feed, '--json'])).json().counts.customer.updated, 'a stale index looks like a change').toBe(1);
    const r = await runCli(moved, ['keys', 'rotate', '--reindex', '--json']);
    expect(r.json()).toMatchObject({ reindex: true, reencrypted: { nationalIds: 1, phones: 1 } });
    const cipher = new PiiCipher({ activeKeyId: 'default', keys: { default: TEST_PII_KEY }, indexKey: newIndex });
    const { rows: [c] } = await moved.pool.query(`select national_id_hmac as h from customers`);
    expect(c.h.equals(cipher.hmac(NATIONAL_ID))).toBe(true);
    await clearContactPoints(moved, `select kind, value from contact_points`); // checks each phone's HMAC under the new index key
    expect((await runCli(moved, ['import', feed, '--json'])).json().counts.customer).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
  });
});

describe('key configuration', () => {
  const key = (b: number) => Buffer.alloc(32, b).toString('base64');
  const load = (env: Record<string, string>) => loadConfig({ RECOURSE_DATA_DIR: '/tmp/recourse-config-test', ...env }, '/');

  it('reads a keyring (first key active) and keeps the blind index of the "default" key', () => {
    const c = load({ RECOURSE_PII_KEYS: `k2:${key(2)}, default:${key(1)}` });
    expect(c.piiKeys.activeKeyId).toBe('k2');
    expect(Object.keys(c.piiKeys.keys)).toEqual(['k2', 'default']);
    expect(c.piiKeys.indexKey.equals(deriveIndexKey(Buffer.alloc(32, 1)))).toBe(true);
    expect(load({ RECOURSE_PII_KEY: key(1) }).piiKeys).toEqual({ activeKeyId: 'default', keys: { default: Buffer.alloc(32, 1) }, indexKey: deriveIndexKey(Buffer.alloc(32, 1)) });
    expect(load({ RECOURSE_PII_KEYS: `k2:${key(2)}`, RECOURSE_PII_INDEX_KEY: key(5) }).piiKeys.indexKey).toEqual(Buffer.alloc(32, 5));
  });

  it('names the variable and the entry when something is wrong', () => {
    for (const [env, message] of [
      [{ RECOURSE_PII_KEYS: `k2:${key(2)}` }, /no "default" key: set RECOURSE_PII_INDEX_KEY/],
      [{ RECOURSE_PII_KEYS: `k2:${key(2)},k2:${key(3)}`, RECOURSE_PII_INDEX_KEY: key(1) }, /k2 appears twice/],
      [{ RECOURSE_PII_KEYS: `bad id:${key(2)}`, RECOURSE_PII_INDEX_KEY: key(1) }, /entry 1: must be "id:base64"/],
      [{ RECOURSE_PII_KEYS: 'k2:c2hvcnQ=', RECOURSE_PII_INDEX_KEY: key(1) }, /RECOURSE_PII_KEYS key k2: must be the base64 of exactly 32 bytes/],
      [{ RECOURSE_PII_KEYS: `k2:${key(2)}`, RECOURSE_PII_KEY: key(1) }, /not both/],
      [{ RECOURSE_PII_KEY: 'nope' }, /RECOURSE_PII_KEY: must be the base64/],
      [{ RECOURSE_PII_KEY: key(1), RECOURSE_ADMIN_PASSWORD: 'short' }, /RECOURSE_ADMIN_PASSWORD: must be 12 to 256/],
    ] as const) {
      expect(() => load(env), JSON.stringify(env)).toThrow(ConfigError);
      expect(() => load(env)).toThrow(message);
    }
  });
});
