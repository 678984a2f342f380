/** Parses and checks one self-contained check line against a pack set: the what-if path shared by the CLI and HTTP. */
import { err, ok, type Result } from '../../kernel/result.ts';
import { check, unavailableVerdict, type Verdict } from './domain/check.ts';
import { checkLineSchema, issuePaths, type CheckLine } from './compliance.schema.ts';
import { toProposedContact, toSnapshot } from './check-input.schema.ts';
import type { PackSet } from './pack-loader.service.ts';

export interface LineProblem { field: string; message: string }

export function parseCheckLine(value: unknown): Result<CheckLine, 'invalid_check_line'> {
  const parsed = checkLineSchema.safeParse(value);
  if (parsed.success) return ok(parsed.data);
  const problems = issuePaths(parsed.error);
  return err('invalid_check_line', problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems);
}

/** Checks a parsed line; now defaults to the line's own `at` (what-if evaluation). */
export function checkLine(packs: PackSet, packId: string, line: CheckLine, now?: number): Verdict {
  const contact = toProposedContact(line);
  const evaluatedAt = now ?? contact.at;
  const pack = packs.select(packId, contact.at);
  if (!pack) return unavailableVerdict({ id: packId, version: 0 }, contact, evaluatedAt, `no version of pack ${packId} is in effect at ${line.at}`);
  return check(pack, contact, toSnapshot(line), evaluatedAt);
}
