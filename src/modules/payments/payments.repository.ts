/**
 * The payments module's own table, payment_postings: what it posted, with the input's hash and the
 * allocation it answered. The money itself is in portfolio's append-only `payments` table (written
 * through portfolio's `appendPayments`), so aging and arrangement evaluation see every payment.
 */
import type pg from 'pg';

type Db = pg.ClientBase | pg.Pool;

export interface StoredLine { target: string; statementDate: string | null; amountMinor: string }

export interface PostingRow {
  paymentId: string; customerId: string; accountId: string; source: 'api' | 'file' | 'cli'; inputHash: string; reference: string | null;
  fileName: string | null; fileLine: number | null; reason: string | null; postedBy: string; policy: string; allocation: StoredLine[];
}

export async function findPostings(db: Db, paymentIds: readonly string[]): Promise<Map<string, PostingRow>> {
  const out = new Map<string, PostingRow>();
  if (paymentIds.length === 0) return out;
  const { rows } = await db.query<{ payment_id: string; customer_id: string; account_id: string; source: PostingRow['source']; input_hash: string; reference: string | null; file_name: string | null; file_line: number | null; reason: string | null; posted_by: string; policy: string; allocation: StoredLine[] }>(
    'select * from payment_postings where payment_id = any($1::text[])', [[...new Set(paymentIds)]]);
  for (const r of rows) {
    out.set(r.payment_id, {
      paymentId: r.payment_id, customerId: r.customer_id, accountId: r.account_id, source: r.source, inputHash: r.input_hash, reference: r.reference,
      fileName: r.file_name, fileLine: r.file_line, reason: r.reason, postedBy: r.posted_by, policy: r.policy, allocation: r.allocation,
    });
  }
  return out;
}

export async function insertPostings(client: pg.ClientBase, rows: readonly PostingRow[], at: Date): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `insert into payment_postings (payment_id, customer_id, account_id, source, input_hash, reference, file_name, file_line, reason, posted_by, policy, allocation, recorded_at)
     select x.payment_id, x.customer_id, x.account_id, x.source, x.input_hash, x.reference, x.file_name, x.file_line, x.reason, x.posted_by, x.policy, x.allocation, $2
     from jsonb_to_recordset($1::jsonb) as x (payment_id text, customer_id text, account_id text, source text, input_hash text, reference text, file_name text,
       file_line integer, reason text, posted_by text, policy text, allocation jsonb)`,
    [JSON.stringify(rows.map((r) => ({
      payment_id: r.paymentId, customer_id: r.customerId, account_id: r.accountId, source: r.source, input_hash: r.inputHash, reference: r.reference,
      file_name: r.fileName, file_line: r.fileLine, reason: r.reason, posted_by: r.postedBy, policy: r.policy, allocation: r.allocation,
    }))), at],
  );
}

/** Serialises postings to the same accounts (allocation depends on the order payments are applied). */
export async function lockAccounts(client: pg.ClientBase, accountIds: readonly string[]): Promise<void> {
  const ids = [...new Set(accountIds)].sort();
  await client.query('select count(pg_advisory_xact_lock(73012, hashtext(t.id))) from (select id from unnest($1::text[]) as u (id) order by id) t', [ids]);
}

/** The payment that reverses `paymentId`, if any. */
export async function reversalOf(db: Db, paymentId: string): Promise<string | null> {
  const { rows } = await db.query<{ payment_id: string }>('select payment_id from payments where reverses = $1', [paymentId]);
  return rows[0]?.payment_id ?? null;
}
