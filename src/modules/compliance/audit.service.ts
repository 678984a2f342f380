/** The audit log as a service: append audited events to a chain, verify every chain end to end. */
import type pg from 'pg';
import { inTransaction } from '../../db/index.ts';
import { appendToChain, auditHeads, auditRows, type AppendResult, type AuditEvent } from './audit.repository.ts';
import { ChainVerifier, type ChainSummary } from './domain/audit-chain.ts';

/** Appends events to `chain` in one transaction (or inside the caller's, when given a client). */
export function appendAudited(db: pg.Pool | pg.PoolClient, chain: string, events: readonly AuditEvent[]): Promise<AppendResult> {
  if ('totalCount' in db) return inTransaction(db, (client) => appendToChain(client, chain, events));
  return appendToChain(db, chain, events);
}

export interface AuditVerification { ok: boolean; rows: number; chains: ChainSummary[] }

/** Walks every row of every chain in one repeatable-read snapshot; names the first broken row of each chain. */
export async function verifyAuditLog(pool: pg.Pool): Promise<AuditVerification> {
  const client = await pool.connect();
  try {
    await client.query('begin isolation level repeatable read read only');
    const verifier = new ChainVerifier();
    let rows = 0;
    for await (const row of auditRows(client)) {
      verifier.add(row);
      rows++;
    }
    const chains = verifier.finish(await auditHeads(client));
    await client.query('commit');
    return { ok: chains.every((c) => c.break === null), rows, chains };
  } catch (e) {
    await client.query('rollback').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}
