/**
 * Encrypted PII of the portfolio tables (customers.national_id_*, phone contact points): sealing the
 * phones stored in clear before migration 0003, re-encryption under the active key (key rotation),
 * which keys seal what, and decryption for an audited unmask.
 */
import type pg from 'pg';
import { maskPhone, type PiiCipher } from './pii-cipher.ts';

const BATCH_ROWS = 1_000;
const SEAL_LOCK = 7_301_998_003;
/** SQL: the key id in a sealed value's header (see pii-cipher.ts). */
const keyIdSql = (column: string) => `convert_from(substring(${column} from 3 for get_byte(${column}, 1)), 'UTF8')`;
/** SQL: true when a sealed value is not sealed the current way (format 2) under key $1. */
const staleSql = (column: string) => `(get_byte(${column}, 0) <> 2 or ${keyIdSql(column)} <> $1)`;

/**
 * Seals every phone number still stored in clear (written before migration 0003) and then validates
 * the constraint that keeps them out. Once validated, later starts only read one catalog row.
 */
export async function sealClearPhones(client: pg.ClientBase, cipher: PiiCipher): Promise<number> {
  const validated = async () => (await client.query<{ v: boolean }>(
    `select convalidated as v from pg_constraint where conname = 'contact_points_phone_protected'`)).rows[0]?.v ?? true;
  if (await validated()) return 0;
  let sealed = 0;
  await client.query('select pg_advisory_lock($1)', [SEAL_LOCK]);
  try {
    if (await validated()) return 0;
    for (let batch = 0; batch < 1_000_000; batch++) {
      const { rows } = await client.query<{ customer_id: string; position: number; value: string }>(
        `select customer_id, position, value from contact_points where kind = 'phone' and value is not null limit ${BATCH_ROWS}`);
      if (rows.length === 0) break;
      await client.query(
        `update contact_points cp set value = null, value_encrypted = u.e, value_hmac = u.h, value_masked = u.m
         from unnest($1::text[], $2::smallint[], $3::bytea[], $4::bytea[], $5::text[]) as u(c, p, e, h, m)
         where cp.customer_id = u.c and cp.kind = 'phone' and cp.position = u.p`,
        [rows.map((r) => r.customer_id), rows.map((r) => r.position), rows.map((r) => cipher.encrypt(r.value)),
          rows.map((r) => cipher.hmac(r.value)), rows.map((r) => maskPhone(r.value))],
      );
      sealed += rows.length;
    }
    await client.query('alter table contact_points validate constraint contact_points_phone_protected');
  } finally {
    await client.query('select pg_advisory_unlock($1)', [SEAL_LOCK]);
  }
  return sealed;
}

export interface ReencryptCounts { nationalIds: number; phones: number }

/**
 * Re-encrypts every national id and phone not sealed with the active key (all of them with
 * `reindex`, which also recomputes every blind index under the configured index key), in batches,
 * each batch its own transaction: an interrupted run resumes where it stopped.
 */
export async function reencryptPortfolioPii(pool: pg.Pool, cipher: PiiCipher, options: { reindex: boolean }): Promise<ReencryptCounts> {
  const counts: ReencryptCounts = { nationalIds: 0, phones: 0 };
  const stale = (column: string) => (options.reindex ? '$1::text is not null' : staleSql(column));
  let after = '';
  for (let batch = 0; batch < 10_000_000; batch++) {
    const { rows } = await pool.query<{ customer_id: string; e: Buffer }>(
      `select customer_id, national_id_encrypted as e from customers
       where national_id_encrypted is not null and ${stale('national_id_encrypted')} and customer_id > $2
       order by customer_id limit ${BATCH_ROWS}`, [cipher.activeKeyId, after]);
    if (rows.length === 0) break;
    const clear = rows.map((r) => cipher.decrypt(r.e));
    await pool.query(
      `update customers c set national_id_encrypted = u.e, national_id_hmac = u.h
       from unnest($1::text[], $2::bytea[], $3::bytea[]) as u(id, e, h) where c.customer_id = u.id`,
      [rows.map((r) => r.customer_id), clear.map((t) => cipher.encrypt(t)), clear.map((t) => cipher.hmac(t))]);
    counts.nationalIds += rows.length;
    after = rows.at(-1)!.customer_id;
  }
  let afterKey: [string, number] = ['', -1];
  for (let batch = 0; batch < 10_000_000; batch++) {
    const { rows } = await pool.query<{ customer_id: string; position: number; e: Buffer }>(
      `select customer_id, position, value_encrypted as e from contact_points
       where kind = 'phone' and value_encrypted is not null and ${stale('value_encrypted')} and (customer_id, position) > ($2, $3)
       order by customer_id, position limit ${BATCH_ROWS}`, [cipher.activeKeyId, afterKey[0], afterKey[1]]);
    if (rows.length === 0) break;
    const clear = rows.map((r) => cipher.decrypt(r.e));
    await pool.query(
      `update contact_points cp set value_encrypted = u.e, value_hmac = u.h
       from unnest($1::text[], $2::smallint[], $3::bytea[], $4::bytea[]) as u(c, p, e, h)
       where cp.customer_id = u.c and cp.kind = 'phone' and cp.position = u.p`,
      [rows.map((r) => r.customer_id), rows.map((r) => r.position), clear.map((t) => cipher.encrypt(t)), clear.map((t) => cipher.hmac(t))]);
    counts.phones += rows.length;
    const last = rows.at(-1)!;
    afterKey = [last.customer_id, last.position];
  }
  return counts;
}

/** How many sealed values each key id protects, per kind of value. */
export async function portfolioKeyUsage(pool: pg.Pool): Promise<{ kind: string; keyId: string; values: number }[]> {
  const { rows } = await pool.query<{ kind: string; key_id: string; n: string }>(
    `select 'national_id' as kind, ${keyIdSql('national_id_encrypted')} as key_id, count(*) as n
       from customers where national_id_encrypted is not null group by 2
     union all
     select 'phone', ${keyIdSql('value_encrypted')}, count(*) from contact_points where value_encrypted is not null group by 2
     order by 1, 2`);
  return rows.map((r) => ({ kind: r.kind, keyId: r.key_id, values: Number(r.n) }));
}

/** The clear national id and phones of one customer, for an unmask the caller has already audited. */
export async function findCustomerPii(pool: pg.Pool | pg.ClientBase, customerId: string, cipher: PiiCipher): Promise<{ nationalId: string | null; phones: { position: number; number: string; role: string }[] } | null> {
  const customer = await pool.query<{ e: Buffer | null }>('select national_id_encrypted as e from customers where customer_id = $1', [customerId]);
  if (customer.rows.length === 0) return null;
  const phones = await pool.query<{ position: number; e: Buffer; party_role: string }>(
    `select position, value_encrypted as e, party_role from contact_points where customer_id = $1 and kind = 'phone' order by position`, [customerId]);
  const e = customer.rows[0]!.e;
  return {
    nationalId: e === null ? null : cipher.decrypt(e),
    phones: phones.rows.map((p) => ({ position: p.position, number: cipher.decrypt(p.e), role: p.party_role })),
  };
}
