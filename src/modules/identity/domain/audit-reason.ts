/** Why a caller unmasks PII or exports accounts: required, specific, and never itself a carrier of PII. */
import { err, ok, type Result } from '../../../kernel/result.ts';
import { redactPii } from './pii-redaction.ts';

export const REASON = { lengthMin: 10, lengthMax: 500 } as const;

export function auditReason(text: string | undefined | null): Result<string, 'reason_required'> {
  const reason = (text ?? '').trim().replace(/\s+/g, ' ');
  if ([...reason].length < REASON.lengthMin) return err('reason_required', `a reason of at least ${REASON.lengthMin} characters is required (it is written to the audit trail)`, { field: 'reason' });
  if ([...reason].length > REASON.lengthMax) return err('reason_required', `the reason must have at most ${REASON.lengthMax} characters`, { field: 'reason' });
  return ok(redactPii(reason));
}
