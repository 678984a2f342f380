import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bucketIndex, bucketIndexOfDays, bucketNames, bucketOfCycles, bucketOfDays, defaultBucketScheme, type BucketScheme } from './buckets.ts';

/** A bank with monthly cut-offs at 29 days, to show the scheme is data. */
const shortScheme: BucketScheme = [
  { name: 'C', minDays: 0, maxDays: 0 },
  { name: 'X1', minDays: 1, maxDays: 29 },
  { name: 'X2+', minDays: 30, maxDays: null },
];

describe('bucketOfDays', () => {
  it.each([
    [0, 'M0'], [1, 'M1'], [30, 'M1'], [31, 'M2'], [60, 'M2'], [61, 'M3'], [90, 'M3'], [91, 'M4'],
    [120, 'M4'], [121, 'M5'], [150, 'M5'], [151, 'M6'], [180, 'M6'], [181, 'M7+'], [10_000, 'M7+'],
  ])('%i days → %s', (days, bucket) => {
    expect(bucketOfDays(days, defaultBucketScheme)).toBe(bucket);
  });

  it('follows the scheme it is given', () => {
    expect([0, 1, 29, 30, 31].map((d) => bucketOfDays(d, shortScheme))).toEqual(['C', 'X1', 'X1', 'X2+', 'X2+']);
  });

  it('puts every day into the bucket whose range contains it', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2_000 }), (days) => {
      const bucket = defaultBucketScheme[bucketIndexOfDays(days, defaultBucketScheme)]!;
      expect(days).toBeGreaterThanOrEqual(bucket.minDays);
      if (bucket.maxDays !== null) expect(days).toBeLessThanOrEqual(bucket.maxDays);
    }));
  });
});

describe('bucketOfCycles', () => {
  it.each([
    [-2, 'M0'], [-1, 'M0'], [0, 'M0'], [1, 'M1'], [2, 'M2'], [6, 'M6'], [7, 'M7+'], [9, 'M7+'], [Number.NaN, 'M0'],
  ])('%d cycles → %s', (cycles, bucket) => {
    expect(bucketOfCycles(cycles, defaultBucketScheme)).toBe(bucket);
  });

  it('clamps to the last bucket of a short scheme', () => {
    expect([0, 1, 2, 3].map((k) => bucketOfCycles(k, shortScheme))).toEqual(['C', 'X1', 'X2+', 'X2+']);
  });
});

describe('bucket names and indexes', () => {
  it('lists names in scheme order', () => {
    expect(bucketNames(defaultBucketScheme)).toEqual(['M0', 'M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7+']);
  });

  it('finds a bucket by name, -1 when absent', () => {
    expect(bucketIndex('M0', defaultBucketScheme)).toBe(0);
    expect(bucketIndex('M3', defaultBucketScheme)).toBe(3);
    expect(bucketIndex('M7+', defaultBucketScheme)).toBe(7);
    expect(bucketIndex('M8', defaultBucketScheme)).toBe(-1);
    expect(bucketIndex('X1', shortScheme)).toBe(1);
  });
});
