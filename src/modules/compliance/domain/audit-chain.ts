/**
 * The audit hash chain: each row's hash is SHA-256 over its own fields and the previous row's hash,
 * so altering, inserting or deleting a row breaks every link after it. `ChainVerifier` walks rows in
 * (chain, seq) order and names the first broken row of each chain. Pure: the repository streams rows.
 */
import { hash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditRow {
  chain: string;
  seq: number;
  kind: string;
  occurredAt: number;
  subject: string | null;
  inputDigest: string | null;
  payload: string;
  prevHash: string;
  hash: string;
}

/** Stable JSON: object keys sorted at every level, so equal values always give the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value === undefined ? null : value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * The stored text of a payload: plain JSON.stringify (the text itself is hashed, so key order only has
 * to be what the writer produced); bigints, which JSON cannot hold, fall back to decimal strings.
 */
export function payloadText(payload: unknown): string {
  try {
    return JSON.stringify(payload) ?? 'null';
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    return JSON.stringify(payload, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  }
}

export function sha256(text: string): string {
  return hash('sha256', text, 'hex');
}

/**
 * SHA-256 over the row's fields, one per line: texts JSON-quoted (so none holds a raw line break),
 * numbers and hex hashes as they are, the payload text last and verbatim.
 */
export function rowHash(r: Omit<AuditRow, 'hash'>): string {
  return hash('sha256', `${JSON.stringify(r.chain)}\n${r.seq}\n${JSON.stringify(r.kind)}\n${r.occurredAt}\n${JSON.stringify(r.subject)}\n${JSON.stringify(r.inputDigest)}\n${r.prevHash}\n${r.payload}`, 'hex');
}

export type BreakKind = 'altered' | 'inserted' | 'deleted';

export interface ChainBreak { chain: string; seq: number; kind: BreakKind; message: string }

export interface ChainSummary { chain: string; rows: number; lastSeq: number; headSeq: number | null; break: ChainBreak | null }

/** Feed rows ordered by (chain, seq), then heads; `finish` returns every chain's summary. */
export class ChainVerifier {
  #chains = new Map<string, { rows: number; lastSeq: number; lastHash: string; break: ChainBreak | null }>();

  add(r: AuditRow): void {
    let c = this.#chains.get(r.chain);
    if (!c) this.#chains.set(r.chain, (c = { rows: 0, lastSeq: 0, lastHash: GENESIS_HASH, break: null }));
    c.rows++;
    if (c.break) return;
    c.break = this.#inspect(r, c.lastSeq, c.lastHash);
    c.lastSeq = r.seq;
    c.lastHash = r.hash;
  }

  #inspect(r: AuditRow, lastSeq: number, lastHash: string): ChainBreak | null {
    const at = (seq: number, kind: BreakKind, message: string): ChainBreak => ({ chain: r.chain, seq, kind, message });
    const selfConsistent = rowHash(r) === r.hash;
    if (r.seq > lastSeq + 1) {
      const missing = r.seq - lastSeq - 1;
      return at(lastSeq + 1, 'deleted', `row ${r.chain}#${lastSeq + 1}${missing > 1 ? `…#${r.seq - 1}` : ''} is missing (deleted)`);
    }
    if (!selfConsistent) {
      // Renumbered rows: the content hashes correctly under a neighbouring seq.
      if (rowHash({ ...r, seq: r.seq - 1 }) === r.hash) return at(r.seq - 1, 'inserted', `a row was inserted at ${r.chain}#${r.seq - 1} (the rows after it were renumbered)`);
      if (rowHash({ ...r, seq: r.seq + 1 }) === r.hash) return at(r.seq, 'deleted', `a row was deleted before ${r.chain}#${r.seq + 1} (the rows after it were renumbered)`);
      return at(r.seq, 'altered', `row ${r.chain}#${r.seq} was altered: its content does not match its hash`);
    }
    if (r.prevHash !== lastHash) {
      return at(r.seq, 'inserted', `row ${r.chain}#${r.seq} does not link to ${r.seq === 1 ? 'the start of the chain' : `row #${lastSeq}`}: it was inserted or replaced (or #${lastSeq} was altered and re-hashed)`);
    }
    return null;
  }

  finish(heads: ReadonlyMap<string, { seq: number; hash: string }>): ChainSummary[] {
    const names = new Set([...this.#chains.keys(), ...heads.keys()]);
    return [...names].sort().map((chain) => {
      const c = this.#chains.get(chain) ?? { rows: 0, lastSeq: 0, lastHash: GENESIS_HASH, break: null };
      const head = heads.get(chain) ?? null;
      let problem = c.break;
      if (!problem && head && head.seq > c.lastSeq) problem = { chain, seq: c.lastSeq + 1, kind: 'deleted', message: `rows ${chain}#${c.lastSeq + 1}…#${head.seq} recorded by the chain head are missing (deleted)` };
      if (!problem && head && head.seq < c.lastSeq) problem = { chain, seq: head.seq + 1, kind: 'inserted', message: `row ${chain}#${head.seq + 1} was appended behind the chain's back (the head ends at #${head.seq})` };
      if (!problem && head && head.seq === c.lastSeq && head.hash !== c.lastHash) problem = { chain, seq: c.lastSeq, kind: 'altered', message: `row ${chain}#${c.lastSeq} does not match the hash recorded by the chain head` };
      if (!problem && !head && c.rows > 0) problem = { chain, seq: 1, kind: 'inserted', message: `chain ${chain} has rows but no head: its rows were inserted behind the log's back` };
      return { chain, rows: c.rows, lastSeq: c.lastSeq, headSeq: head?.seq ?? null, break: problem };
    });
  }
}
