/**
 * Hardship evidence files (a hospital certificate, an income statement): PDF or image only, told by
 * their first bytes (never by the name or the declared type alone), within a size limit.
 */
export const EVIDENCE_TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'image/webp'] as const;
export type EvidenceType = (typeof EVIDENCE_TYPES)[number];

/** The media type the content really is, from its magic bytes; null for anything else. */
export function sniffEvidenceType(bytes: Uint8Array): EvidenceType | null {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf'; // %PDF-
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x52, 0x49, 0x46, 0x46) && bytes[8] === 0x57 && bytes[9] === 0x45 && bytes[10] === 0x42 && bytes[11] === 0x50) return 'image/webp'; // RIFF….WEBP
  return null;
}

export type EvidenceError = 'evidence_empty' | 'evidence_too_large' | 'evidence_type_not_allowed' | 'evidence_type_mismatch';

export function checkEvidence(bytes: Uint8Array, declaredType: string | null, maxBytes: number): { ok: true; type: EvidenceType } | { ok: false; code: EvidenceError; message: string } {
  if (bytes.length === 0) return { ok: false, code: 'evidence_empty', message: 'the file is empty' };
  if (bytes.length > maxBytes) return { ok: false, code: 'evidence_too_large', message: `the file has ${bytes.length} bytes; at most ${maxBytes} are accepted` };
  const type = sniffEvidenceType(bytes);
  if (type === null) return { ok: false, code: 'evidence_type_not_allowed', message: `the content is not a PDF, PNG, JPEG or WebP file (first bytes ${Buffer.from(bytes.subarray(0, 8)).toString('hex')})` };
  if (declaredType !== null && declaredType !== 'application/octet-stream' && declaredType !== type) {
    return { ok: false, code: 'evidence_type_mismatch', message: `declared as ${declaredType} but the content is ${type}` };
  }
  return { ok: true, type };
}
