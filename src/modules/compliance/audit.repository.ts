/**
 * The audit log tables: append a batch of events to one chain under the chain head's row lock
 * (appends to one chain are serialised; different chains do not wait for each other), and stream
 * every row back for verification with one COPY.
 */
import { StringDecoder } from 'node:string_decoder';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { CopyWriter, copyField } from '../../db/index.ts';
import { assert } from '../../kernel/assert.ts';
import { limits } from '../../kernel/limits.ts';
import { canonicalJson, GENESIS_HASH, rowHash, type AuditRow } from './domain/audit-chain.ts';

export interface AuditEvent {
  kind: string;
  occurredAt: number;
  subject: string | null;
  inputDigest: string | null;
  /** Any JSON value; stored as canonical JSON text, exactly what was hashed. */
  payload: unknown;
}

export interface AppendResult { chain: string; firstSeq: number; lastSeq: number }

const CHAIN = /^[a-z][a-z0-9_.-]{0,63}$/;

/** Appends inside the caller's transaction; the head row stays locked until it commits. */
export async function appendToChain(client: pg.ClientBase, chain: string, events: readonly AuditEvent[]): Promise<AppendResult> {
  assert(CHAIN.test(chain), `audit chain name ${JSON.stringify(chain)} is not valid`);
  await client.query('insert into audit_heads (chain, seq, hash) values ($1, 0, $2) on conflict (chain) do nothing', [chain, GENESIS_HASH]);
  const head = (await client.query<{ seq: bigint; hash: string }>('select seq, hash from audit_heads where chain = $1 for update', [chain])).rows[0];
  assert(head, 'the chain head exists after the upsert');
  let seq = Number(head.seq);
  let prevHash = head.hash;
  const firstSeq = seq + 1;
  if (events.length === 0) return { chain, firstSeq, lastSeq: seq };
  const rows: AuditRow[] = [];
  for (const e of events) {
    const row = { chain, seq: ++seq, kind: e.kind, occurredAt: e.occurredAt, subject: e.subject, inputDigest: e.inputDigest, payload: canonicalJson(e.payload), prevHash };
    const full = { ...row, hash: rowHash(row) };
    rows.push(full);
    prevHash = full.hash;
  }
  if (rows.length <= 200) {
    await client.query(
      `insert into audit_log (chain, seq, kind, occurred_at, subject, input_digest, payload, prev_hash, hash)
       select $1, * from unnest($2::bigint[], $3::text[], $4::float8[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
         as r(seq, kind, at_ms, subject, input_digest, payload, prev_hash, hash)`.replace('select $1, *', 'select $1, r.seq, r.kind, to_timestamp(r.at_ms / 1000.0), r.subject, r.input_digest, r.payload, r.prev_hash, r.hash'),
      [chain, rows.map((r) => r.seq), rows.map((r) => r.kind), rows.map((r) => r.occurredAt), rows.map((r) => r.subject), rows.map((r) => r.inputDigest), rows.map((r) => r.payload), rows.map((r) => r.prevHash), rows.map((r) => r.hash)],
    );
  } else {
    const writer = CopyWriter.open(client, 'copy audit_log (chain, seq, kind, occurred_at, subject, input_digest, payload, prev_hash, hash) from stdin', limits.auditBatchRows / 10);
    for (const r of rows) {
      await writer.write([copyField(chain), String(r.seq), copyField(r.kind), new Date(r.occurredAt).toISOString(), copyField(r.subject), copyField(r.inputDigest), copyField(r.payload), r.prevHash, r.hash]);
    }
    await writer.end();
  }
  await client.query('update audit_heads set seq = $2, hash = $3 where chain = $1', [chain, seq, prevHash]);
  return { chain, firstSeq, lastSeq: seq };
}

const COPY_ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', b: '\b', f: '\f', v: '\v' };
const unescape = (text: string) => (text === '\\N' ? null : text.includes('\\') ? text.replace(/\\(.)/g, (_, c: string) => COPY_ESCAPES[c] ?? c) : text);

/** Every audit row in (chain, seq) order, streamed. */
export async function* auditRows(client: pg.ClientBase): AsyncGenerator<AuditRow> {
  const sql = `copy (select chain, seq, kind, round(extract(epoch from occurred_at) * 1000)::bigint, subject, input_digest, payload, prev_hash, hash
    from audit_log order by chain, seq) to stdout`;
  const stream = client.query(copyStreams.to(sql));
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const text = rest + decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n', rest.length); nl !== -1; nl = text.indexOf('\n', start)) {
      const f = text.slice(start, nl).split('\t');
      start = nl + 1;
      yield {
        chain: unescape(f[0]!)!, seq: Number(f[1]), kind: unescape(f[2]!)!, occurredAt: Number(f[3]), subject: unescape(f[4]!), inputDigest: unescape(f[5]!),
        payload: unescape(f[6]!)!, prevHash: f[7]!, hash: f[8]!,
      };
    }
    rest = text.slice(start);
  }
}

export async function auditHeads(client: pg.ClientBase): Promise<Map<string, { seq: number; hash: string }>> {
  const { rows } = await client.query<{ chain: string; seq: bigint; hash: string }>('select chain, seq, hash from audit_heads where seq > 0');
  return new Map(rows.map((r) => [r.chain, { seq: Number(r.seq), hash: r.hash }]));
}
