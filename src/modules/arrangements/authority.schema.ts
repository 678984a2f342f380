/**
 * The authority policy document (policies/arrangements/authority.json): tiers of roles, each tier's
 * limits, who decides the strategy's proposals, the affordability share, the evidence file limit.
 * Validated with every problem's path; a limit must not loosen as the tier falls (a collector may not
 * do what a supervisor may not).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { parsePlainDate } from '../../kernel/dates.ts';
import { err, ok, type Result } from '../../kernel/result.ts';
import { TIERS, type AuthorityPolicy } from './domain/authority.ts';

const tier = z.enum(TIERS);
const perTier = (max: number) => z.strictObject({ collector: z.number().min(0).max(max).nullable(), supervisor: z.number().min(0).max(max).nullable(), manager: z.number().min(0).max(max).nullable() });

export const authorityDocumentSchema = z.strictObject({
  id: z.string().min(1),
  version: z.int().min(1),
  effectiveFrom: z.string().refine((s) => parsePlainDate(s) !== null, 'must be a real date "YYYY-MM-DD"'),
  description: z.string().optional(),
  tiers: z.strictObject({ collector: z.array(z.string().min(1)), supervisor: z.array(z.string().min(1)), manager: z.array(z.string().min(1)).min(1) }),
  limits: z.strictObject({
    feeWaiverPercentMax: perTier(100),
    interestWaiverPercentMax: perTier(100),
    settlementPercentOfBalanceMin: perTier(100),
    extensionDaysMax: perTier(3650),
    planMonthsMax: perTier(600),
  }),
  decisions: z.strictObject({ placement_agency: tier, placement_legal: tier, freeze: tier, restrict: tier, lift: tier }),
  affordability: z.strictObject({ maxSharePercent: z.number().gt(0).max(100) }),
  /** When a waiver or settlement names no date: paid within this many days. */
  payByDaysDefault: z.int().min(1).max(366),
  evidence: z.strictObject({ bytesMax: z.int().min(1024).max(100 * 1024 * 1024) }),
});
export type AuthorityDocument = z.infer<typeof authorityDocumentSchema> & AuthorityPolicy;

/** Shape, then meaning: higher tiers may do at least what lower ones may. */
export function validateAuthorityDocument(doc: unknown): Result<AuthorityDocument, 'invalid_policy'> {
  const parsed = authorityDocumentSchema.safeParse(doc);
  if (!parsed.success) return err('invalid_policy', parsed.error.issues.map((i) => `$.${i.path.join('.')}: ${i.message}`).join('; '));
  const d = parsed.data;
  const problems: string[] = [];
  const looser = (name: string, higherIsLooser: boolean) => {
    const l = (d.limits as Record<string, Record<string, number | null>>)[name]!;
    for (let i = 1; i < TIERS.length; i++) {
      const lower = l[TIERS[i - 1]!]!;
      const higher = l[TIERS[i]!]!;
      if (lower === null) continue;
      if (higher === null || (higherIsLooser ? higher < lower : higher > lower)) problems.push(`$.limits.${name}.${TIERS[i]}: a ${TIERS[i]} may not do less than a ${TIERS[i - 1]} (${higher} vs ${lower})`);
    }
  };
  for (const name of ['feeWaiverPercentMax', 'interestWaiverPercentMax', 'extensionDaysMax', 'planMonthsMax']) looser(name, true);
  looser('settlementPercentOfBalanceMin', false);
  if (problems.length) return err('invalid_policy', problems.join('; '));
  return ok(Object.freeze(d) as AuthorityDocument);
}

const SHIPPED = new URL('../../../policies/arrangements/authority.json', import.meta.url);
let shipped: Promise<AuthorityDocument> | undefined;

/** The shipped authority policy; an invalid shipped file is a packaging bug, so it throws. */
export function loadAuthorityPolicy(): Promise<AuthorityDocument> {
  shipped ??= readFile(SHIPPED, 'utf8').then((text) => {
    const r = validateAuthorityDocument(JSON.parse(text));
    if (!r.ok) throw new Error(`${SHIPPED.pathname}: ${r.message}`);
    return r.value;
  });
  return shipped;
}
