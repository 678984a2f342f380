/** Hardship evidence files: stored in the database (bytea) with their SHA-256; append-only. */
import type pg from 'pg';

type Db = pg.ClientBase | pg.Pool;

export interface EvidenceMeta {
  evidenceId: number; customerId: string; accountId: string | null; mediaType: string; sizeBytes: number; sha256: string;
  description: string | null; uploadedBy: string; uploadedAt: string;
}

const META = 'evidence_id, customer_id, account_id, media_type, size_bytes, sha256, description, uploaded_by, uploaded_at';
type MetaRow = { evidence_id: bigint; customer_id: string; account_id: string | null; media_type: string; size_bytes: number; sha256: string; description: string | null; uploaded_by: string; uploaded_at: Date };
const metaOf = (r: MetaRow): EvidenceMeta => ({
  evidenceId: Number(r.evidence_id), customerId: r.customer_id, accountId: r.account_id, mediaType: r.media_type, sizeBytes: r.size_bytes, sha256: r.sha256,
  description: r.description, uploadedBy: r.uploaded_by, uploadedAt: r.uploaded_at.toISOString(),
});

export async function insertEvidence(db: Db, e: { customerId: string; accountId: string | null; mediaType: string; sha256: string; content: Buffer; description: string | null; uploadedBy: string; at: Date }): Promise<EvidenceMeta> {
  const { rows } = await db.query<MetaRow>(
    `insert into hardship_evidence (customer_id, account_id, media_type, size_bytes, sha256, content, description, uploaded_by, uploaded_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning ${META}`,
    [e.customerId, e.accountId, e.mediaType, e.content.length, e.sha256, e.content, e.description, e.uploadedBy, e.at],
  );
  return metaOf(rows[0]!);
}

export async function listEvidence(db: Db, customerId: string): Promise<EvidenceMeta[]> {
  const { rows } = await db.query<MetaRow>(`select ${META} from hardship_evidence where customer_id = $1 order by evidence_id desc`, [customerId]);
  return rows.map(metaOf);
}

export async function findEvidence(db: Db, evidenceId: number): Promise<(EvidenceMeta & { content: Buffer }) | null> {
  const { rows } = await db.query<MetaRow & { content: Buffer }>(`select ${META}, content from hardship_evidence where evidence_id = $1`, [evidenceId]);
  return rows[0] ? { ...metaOf(rows[0]), content: rows[0].content } : null;
}

export async function evidenceMeta(db: Db, evidenceIds: readonly number[]): Promise<EvidenceMeta[]> {
  if (evidenceIds.length === 0) return [];
  const { rows } = await db.query<MetaRow>(`select ${META} from hardship_evidence where evidence_id = any($1::bigint[]) order by evidence_id`, [evidenceIds]);
  return rows.map(metaOf);
}
