/**
 * The audit log tables: append a batch of events to one chain under the chain head's row lock
 * (appends to one chain are serialised; different chains do not wait for each other), and stream
 * every row back for verification with one COPY.
 */
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { copyField, copyOutLines, unescapeCopy } from '../../db/index.ts';
import { assert } from '../../kernel/assert.ts';
import { GENESIS_HASH, payloadText, rowHash, type AuditRow } from './domain/audit-chain.ts';

export interface AuditEvent {
  kind: string;
  occurredAt: number;
  subject: string | null;
  inputDigest: string | null;
  /** Any JSON value; stored as JSON text, exactly the text that was hashed (bigints as decimal strings). */
  payload: unknown;
  /** The payload already serialised as JSON (bulk writers); used verbatim instead of `payload`. */
  payloadJson?: string;
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
  if (events.length <= 200) {
    const rows: AuditRow[] = [];
    for (const e of events) {
      const row = { chain, seq: ++seq, kind: e.kind, occurredAt: e.occurredAt, subject: e.subject, inputDigest: e.inputDigest, payload: e.payloadJson ?? payloadText(e.payload), prevHash };
      const full = { ...row, hash: rowHash(row) };
      rows.push(full);
      prevHash = full.hash;
    }
    await client.query(
      `insert into audit_log (chain, seq, kind, occurred_at, subject, input_digest, payload, prev_hash, hash)
       select $1, r.seq, r.kind, to_timestamp(r.at_ms / 1000.0), r.subject, r.input_digest, r.payload, r.prev_hash, r.hash
       from unnest($2::bigint[], $3::text[], $4::float8[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
         as r(seq, kind, at_ms, subject, input_digest, payload, prev_hash, hash)`,
      [chain, rows.map((r) => r.seq), rows.map((r) => r.kind), rows.map((r) => r.occurredAt), rows.map((r) => r.subject), rows.map((r) => r.inputDigest), rows.map((r) => r.payload), rows.map((r) => r.prevHash), rows.map((r) => r.hash)],
    );
  } else {
    // Bulk: hash and encode each row straight into COPY text, in ~1 MB chunks, honouring back-pressure.
    const stream = client.query(copyStreams.from('copy audit_log (chain, seq, kind, occurred_at, subject, input_digest, payload, prev_hash, hash) from stdin'));
    const done = finished(stream);
    const chainField = copyField(chain);
    let lines: string[] = [];
    let bytes = 0;
    let lastAt = NaN;
    let lastAtText = '';
    for (const e of events) {
      if (e.occurredAt !== lastAt) {
        lastAt = e.occurredAt;
        lastAtText = new Date(lastAt).toISOString();
      }
      const row = { chain, seq: ++seq, kind: e.kind, occurredAt: e.occurredAt, subject: e.subject, inputDigest: e.inputDigest, payload: e.payloadJson ?? payloadText(e.payload), prevHash };
      const hash = rowHash(row);
      const line = `${chainField}\t${row.seq}\t${copyField(row.kind)}\t${lastAtText}\t${copyField(row.subject)}\t${copyField(row.inputDigest)}\t${copyField(row.payload)}\t${prevHash}\t${hash}\n`;
      prevHash = hash;
      lines.push(line);
      bytes += line.length;
      if (bytes >= 1 << 20) {
        if (!stream.write(lines.join(''))) await once(stream, 'drain');
        lines = [];
        bytes = 0;
      }
    }
    stream.end(lines.join(''));
    await done;
  }
  await client.query('update audit_heads set seq = $2, hash = $3 where chain = $1', [chain, seq, prevHash]);
  return { chain, firstSeq, lastSeq: seq };
}

const unescape = (text: string) => (text === '\\N' ? null : unescapeCopy(text));

/** Every audit row in (chain, seq) order, streamed. */
export async function* auditRows(client: pg.ClientBase): AsyncGenerator<AuditRow> {
  const sql = `copy (select chain, seq, kind, round(extract(epoch from occurred_at) * 1000)::bigint, subject, input_digest, payload, prev_hash, hash
    from audit_log order by chain, seq) to stdout`;
  for await (const line of copyOutLines(client, sql)) {
    const f = line.split('\t');
    yield {
      chain: unescape(f[0]!)!, seq: Number(f[1]), kind: unescape(f[2]!)!, occurredAt: Number(f[3]), subject: unescape(f[4]!), inputDigest: unescape(f[5]!),
      payload: unescape(f[6]!)!, prevHash: f[7]!, hash: f[8]!,
    };
  }
}

export async function auditHeads(client: pg.ClientBase): Promise<Map<string, { seq: number; hash: string }>> {
  const { rows } = await client.query<{ chain: string; seq: bigint; hash: string }>('select chain, seq, hash from audit_heads where seq > 0');
  return new Map(rows.map((r) => [r.chain, { seq: Number(r.seq), hash: r.hash }]));
}
