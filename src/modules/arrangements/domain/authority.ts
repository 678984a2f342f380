/**
 * Authority limits by role, as data (policies/arrangements/authority.json): how far each tier may go
 * on its own — the share of fees or interest it may waive, how far below the balance it may settle,
 * how long an extension or a plan it may agree — and which tier decides placements and account
 * actions. The roles of the system map onto three tiers (collector, supervisor, manager). An
 * arrangement beyond its proposer's tier waits in the approval inbox for someone of the tier it needs.
 */
import type { Quote } from './quote.ts';

export const TIERS = ['collector', 'supervisor', 'manager'] as const;
export type Tier = (typeof TIERS)[number];
const rank = (t: Tier) => TIERS.indexOf(t);

/** Per tier: the limit, or null when that tier may not do it at all. */
export type PerTier = Readonly<Record<Tier, number | null>>;

export interface AuthorityLimits {
  /** Largest share of the fees owed a tier may waive, in percent. */
  feeWaiverPercentMax: PerTier;
  interestWaiverPercentMax: PerTier;
  /** Smallest settlement a tier may accept, in percent of the balance. */
  settlementPercentOfBalanceMin: PerTier;
  /** Longest extension, in days. */
  extensionDaysMax: PerTier;
  /** Longest plan, in months. */
  planMonthsMax: PerTier;
}

export interface AuthorityPolicy {
  id: string;
  version: number;
  /** Which roles act at which tier (a role in several: its highest). */
  tiers: Readonly<Record<Tier, readonly string[]>>;
  limits: AuthorityLimits;
  /** Who decides what the strategy proposes: placements and account actions. */
  decisions: Readonly<Record<'placement_agency' | 'placement_legal' | 'freeze' | 'restrict' | 'lift', Tier>>;
}

export function tierOf(policy: AuthorityPolicy, role: string | null): Tier | null {
  if (role === null) return null;
  let best: Tier | null = null;
  for (const t of TIERS) if (policy.tiers[t].includes(role) && (best === null || rank(t) > rank(best))) best = t;
  return best;
}

export const atLeast = (have: Tier | null, need: Tier) => have !== null && rank(have) >= rank(need);

export interface AuthorityReason { limit: keyof AuthorityLimits; value: string; tier: Tier | null }

/** The lowest tier whose limit allows `fits`; null when no tier's does. */
function lowest(limits: PerTier, fits: (limit: number) => boolean): Tier | null {
  for (const t of TIERS) {
    const l = limits[t];
    if (l !== null && fits(l)) return t;
  }
  return null;
}

/**
 * The tier an arrangement needs (the highest any of its terms needs), with why; `tier: null` means no
 * tier may agree it. Comparisons are exact: waived × 100 ≤ limit × owed.
 */
export function requiredTier(policy: AuthorityPolicy, q: Quote, owed: { feesMinor: bigint; interestMinor: bigint }, extensionDays: number | null): { tier: Tier | null; reasons: AuthorityReason[] } {
  const L = policy.limits;
  const reasons: AuthorityReason[] = [];
  const hundredths = (limit: number) => BigInt(Math.round(limit * 100));
  const share = (part: bigint, whole: bigint) => (whole === 0n ? '0' : `${((part * 10_000n) / whole) / 100n}.${String(((part * 10_000n) / whole) % 100n).padStart(2, '0')}`);
  if (q.waivedFeesMinor > 0n) {
    reasons.push({ limit: 'feeWaiverPercentMax', value: `${share(q.waivedFeesMinor, owed.feesMinor)}%`, tier: lowest(L.feeWaiverPercentMax, (l) => q.waivedFeesMinor * 10_000n <= hundredths(l) * owed.feesMinor) });
  }
  if (q.waivedInterestMinor > 0n) {
    reasons.push({ limit: 'interestWaiverPercentMax', value: `${share(q.waivedInterestMinor, owed.interestMinor)}%`, tier: lowest(L.interestWaiverPercentMax, (l) => q.waivedInterestMinor * 10_000n <= hundredths(l) * owed.interestMinor) });
  }
  if (q.type === 'settlement') {
    reasons.push({ limit: 'settlementPercentOfBalanceMin', value: `${share(q.totalMinor, q.balanceMinor)}%`, tier: lowest(L.settlementPercentOfBalanceMin, (l) => q.totalMinor * 10_000n >= hundredths(l) * q.balanceMinor) });
  }
  if (q.type === 'extension' && extensionDays !== null) {
    reasons.push({ limit: 'extensionDaysMax', value: `${extensionDays} days`, tier: lowest(L.extensionDaysMax, (l) => extensionDays <= l) });
  }
  if (q.type === 'installments') {
    reasons.push({ limit: 'planMonthsMax', value: `${q.termMonths} months`, tier: lowest(L.planMonthsMax, (l) => q.termMonths <= l) });
  }
  if (reasons.some((r) => r.tier === null)) return { tier: null, reasons };
  const tier = reasons.reduce<Tier>((t, r) => (rank(r.tier!) > rank(t) ? r.tier! : t), 'collector');
  return { tier, reasons };
}
