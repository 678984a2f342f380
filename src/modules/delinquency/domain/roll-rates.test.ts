import { describe, expect, it } from 'vitest';
import { bucketDistribution, rollRateMatrix } from './roll-rates.ts';
import { defaultBucketScheme } from './buckets.ts';

const move = (from: string, to: string, balanceMinor: bigint) => ({ from, to, balanceMinor });

describe('rollRateMatrix', () => {
  const pairs = [
    move('M0', 'M0', 100n), move('M0', 'M0', 200n), move('M0', 'M1', 50n),
    move('M1', 'M0', 10n), move('M1', 'M2', 20n), move('M1', 'M2', 30n), move('M1', 'M1', 40n),
    move('M7+', 'M7+', 5n),
  ];
  // A generator, to show any iterable works and it is consumed once.
  const matrix = rollRateMatrix((function* () { yield* pairs; })(), defaultBucketScheme);
  const row = (from: string) => matrix.rows.find((r) => r.from === from)!;
  const cell = (from: string, to: string) => row(from).cells.find((c) => c.to === to)!;

  it('is square over the scheme, in scheme order', () => {
    expect(matrix.buckets).toEqual(['M0', 'M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7+']);
    expect(matrix.rows.map((r) => r.from)).toEqual(matrix.buckets);
    for (const r of matrix.rows) expect(r.cells.map((c) => c.to)).toEqual(matrix.buckets);
  });

  it('counts accounts and sums balances per row and cell', () => {
    expect(row('M0').total).toEqual({ accounts: 3, balanceMinor: 350n });
    expect(row('M1').total).toEqual({ accounts: 4, balanceMinor: 100n });
    expect(cell('M0', 'M0')).toEqual({ to: 'M0', accounts: 2, balanceMinor: 300n, rate: 0.6667 });
    expect(cell('M0', 'M1')).toEqual({ to: 'M1', accounts: 1, balanceMinor: 50n, rate: 0.3333 });
    expect(cell('M1', 'M2')).toEqual({ to: 'M2', accounts: 2, balanceMinor: 50n, rate: 0.5 });
    expect(cell('M1', 'M0').rate).toBe(0.25);
    expect(cell('M7+', 'M7+').rate).toBe(1);
  });

  it('gives empty rows zero totals and zero rates', () => {
    expect(row('M3').total).toEqual({ accounts: 0, balanceMinor: 0n });
    expect(row('M3').cells.every((c) => c.accounts === 0 && c.rate === 0 && c.balanceMinor === 0n)).toBe(true);
  });

  it('rejects a bucket outside the scheme', () => {
    expect(() => rollRateMatrix([move('M0', 'M9', 1n)], defaultBucketScheme)).toThrow(/M9/);
  });
});

describe('bucketDistribution', () => {
  it('lists every bucket in order, zeros included', () => {
    const items = [{ bucket: 'M2', balanceMinor: 7n }, { bucket: 'M0', balanceMinor: 3n }, { bucket: 'M2', balanceMinor: -2n }];
    expect(bucketDistribution(items, defaultBucketScheme)).toEqual([
      { bucket: 'M0', accounts: 1, balanceMinor: 3n },
      { bucket: 'M1', accounts: 0, balanceMinor: 0n },
      { bucket: 'M2', accounts: 2, balanceMinor: 5n },
      ...['M3', 'M4', 'M5', 'M6', 'M7+'].map((bucket) => ({ bucket, accounts: 0, balanceMinor: 0n })),
    ]);
  });

  it('rejects a bucket outside the scheme', () => {
    expect(() => bucketDistribution([{ bucket: 'late', balanceMinor: 0n }], defaultBucketScheme)).toThrow(/late/);
  });
});
