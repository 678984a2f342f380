/**
 * Delinquency buckets (账龄 M0, M1, …) are data, not code: a scheme is an ordered list of day ranges
 * so that a bank with different cut-offs changes a policy document, not this module.
 */

export interface Bucket {
  readonly name: string;
  /** Smallest days past due in the bucket (inclusive). */
  readonly minDays: number;
  /** Largest days past due in the bucket (inclusive); null for the open-ended last bucket. */
  readonly maxDays: number | null;
}

/**
 * Ordered, contiguous ranges starting with the current bucket 0..0 and ending open-ended
 * (delinquency.schema.ts enforces this for documents).
 */
export type BucketScheme = readonly Bucket[];

export const defaultBucketScheme: BucketScheme = Object.freeze([
  { name: 'M0', minDays: 0, maxDays: 0 },
  { name: 'M1', minDays: 1, maxDays: 30 },
  { name: 'M2', minDays: 31, maxDays: 60 },
  { name: 'M3', minDays: 61, maxDays: 90 },
  { name: 'M4', minDays: 91, maxDays: 120 },
  { name: 'M5', minDays: 121, maxDays: 150 },
  { name: 'M6', minDays: 151, maxDays: 180 },
  { name: 'M7+', minDays: 181, maxDays: null },
].map((bucket) => Object.freeze(bucket)));

/** Index of the bucket holding `days` past due; days below the first range fall into the first bucket. */
export function bucketIndexOfDays(days: number, scheme: BucketScheme): number {
  // Linear scan: schemes have about eight buckets, so this beats a binary search.
  for (let i = 0; i < scheme.length; i++) {
    const max = scheme[i]!.maxDays;
    if (max === null || days <= max) return i;
  }
  // Only reachable for a scheme without an open-ended last bucket, which validation rejects.
  return scheme.length - 1;
}

/** Name of the bucket holding `days` past due. */
export function bucketOfDays(days: number, scheme: BucketScheme): string {
  return scheme[bucketIndexOfDays(days, scheme)]!.name;
}

/**
 * Bucket of a host snapshot that reports whole cycles delinquent instead of days: k >= 1 is the k-th
 * bucket after the current one (clamped to the last), anything else is the current bucket.
 */
export function bucketOfCycles(cycles: number, scheme: BucketScheme): string {
  // `!(cycles >= 1)` also sends NaN to the current bucket rather than to an undefined index.
  const index = !(cycles >= 1) ? 0 : Math.min(Math.floor(cycles), scheme.length - 1);
  return scheme[index]!.name;
}

export function bucketNames(scheme: BucketScheme): string[] {
  return scheme.map((bucket) => bucket.name);
}

/** Position of the bucket named `name` in the scheme, or -1 when the scheme has no such bucket. */
export function bucketIndex(name: string, scheme: BucketScheme): number {
  return scheme.findIndex((bucket) => bucket.name === name);
}
