/**
 * Hardship evidence: upload (type by magic bytes, size limit, SHA-256) and retrieval (audited in the
 * access audit with who and why). Data scopes are the caller's business (the routes check them).
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { err, ok, type Result } from '../../kernel/result.ts';
import { recordAccess, type Principal } from '../identity/index.ts';
import { checkEvidence, type EvidenceError } from './domain/evidence.ts';
import * as repo from './evidence.repository.ts';

export async function uploadEvidence(db: pg.Pool, e: { customerId: string; accountId: string | null; bytes: Buffer; declaredType: string | null; description: string | null; by: string; at: Date; bytesMax: number }): Promise<Result<repo.EvidenceMeta, EvidenceError>> {
  const checked = checkEvidence(e.bytes, e.declaredType, e.bytesMax);
  if (!checked.ok) return err(checked.code, checked.message);
  const sha256 = createHash('sha256').update(e.bytes).digest('hex');
  return ok(await repo.insertEvidence(db, { customerId: e.customerId, accountId: e.accountId, mediaType: checked.type, sha256, content: e.bytes, description: e.description, uploadedBy: e.by, at: e.at }));
}

/** The file, after its access-audit row (who, which file, why). The stored checksum is verified on the way out. */
export async function readEvidence(db: pg.Pool, actor: Principal, evidenceId: number, reason: string | null, ip: string | null, now: Date): Promise<Result<repo.EvidenceMeta & { content: Buffer; auditId: string }, 'evidence_not_found'>> {
  const found = await repo.findEvidence(db, evidenceId);
  if (!found) return err('evidence_not_found', `no evidence ${evidenceId}`);
  if (createHash('sha256').update(found.content).digest('hex') !== found.sha256) throw new Error(`evidence ${evidenceId}: stored content does not match its SHA-256`);
  const auditId = await recordAccess(db, actor, now, {
    action: 'evidence_read', subjectKind: 'evidence', subjectId: String(evidenceId), reason, ip,
    details: { customerId: found.customerId, accountId: found.accountId, mediaType: found.mediaType, sizeBytes: found.sizeBytes, sha256: found.sha256 },
  });
  return ok({ ...found, auditId });
}

export const listEvidence = (db: pg.Pool | pg.ClientBase, customerId: string) => repo.listEvidence(db, customerId);
export const evidenceMeta = (db: pg.Pool | pg.ClientBase, ids: readonly number[]) => repo.evidenceMeta(db, ids);
export type { EvidenceMeta } from './evidence.repository.ts';
