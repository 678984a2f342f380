/**
 * Stable hashing for champion/challenger assignment and for sharding the daily cycle.
 *
 * An account's variant is a pure function of (salt, account id, split): FNV-1a (32 bit) of
 * `salt:accountId` mod 10,000 gives a point in [0, 10000); the variants, in document order, own
 * consecutive ranges of `percent × 100` points. The same salt and split give every account the same
 * variant on every day and after every re-publish; changing one variant's share moves only accounts
 * between the ranges that changed.
 */

/** FNV-1a, 32 bit, over the UTF-16 code units of `text` (ids are ASCII). */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export const ASSIGNMENT_POINTS = 10_000;

/** The account's point in [0, 10000). */
export function assignmentPoint(salt: string, accountId: string): number {
  return fnv1a32(`${salt}:${accountId}`) % ASSIGNMENT_POINTS;
}

export interface SplitRange<T> { upTo: number; value: T }

/** Ranges [previous upTo, upTo) from whole-percent shares that add up to 100. */
export function splitRanges<T>(shares: readonly { percent: number; value: T }[]): SplitRange<T>[] {
  let upTo = 0;
  return shares.map((s) => ({ upTo: (upTo += s.percent * 100), value: s.value }));
}

export function pick<T>(ranges: readonly SplitRange<T>[], point: number): T {
  for (const r of ranges) if (point < r.upTo) return r.value;
  return ranges[ranges.length - 1]!.value;
}
