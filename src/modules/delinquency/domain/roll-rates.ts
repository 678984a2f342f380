/**
 * Roll rates (迁徙率): how accounts in each bucket at one date moved between buckets by a later date,
 * and the bucket distribution of a portfolio. Counts and balances are exact; only rates are floats.
 */
import { assert } from '../../../kernel/assert.ts';
import { bucketIndex, bucketNames, type BucketScheme } from './buckets.ts';

export interface BucketMove {
  from: string;
  to: string;
  balanceMinor: bigint;
}

export interface RollRateCell {
  to: string;
  accounts: number;
  balanceMinor: bigint;
  /** Share of the row's accounts that moved here, rounded to 4 decimals; 0 for an empty row. */
  rate: number;
}

export interface RollRateRow {
  from: string;
  total: { accounts: number; balanceMinor: bigint };
  cells: RollRateCell[];
}

export interface RollRateMatrix {
  buckets: string[];
  rows: RollRateRow[];
}

export interface BucketShare {
  bucket: string;
  accounts: number;
  balanceMinor: bigint;
}

/** Full square matrix in scheme order, empty rows and cells included, so reports line up across dates. */
export function rollRateMatrix(pairs: Iterable<BucketMove>, scheme: BucketScheme): RollRateMatrix {
  const names = bucketNames(scheme);
  const rows: RollRateRow[] = names.map((from) => ({
    from,
    total: { accounts: 0, balanceMinor: 0n },
    cells: names.map((to) => ({ to, accounts: 0, balanceMinor: 0n, rate: 0 })),
  }));
  for (const pair of pairs) {
    const row = rows[indexOf(pair.from, scheme)]!;
    const cell = row.cells[indexOf(pair.to, scheme)]!;
    row.total.accounts++;
    row.total.balanceMinor += pair.balanceMinor;
    cell.accounts++;
    cell.balanceMinor += pair.balanceMinor;
  }
  for (const row of rows) {
    for (const cell of row.cells) cell.rate = row.total.accounts === 0 ? 0 : round4(cell.accounts / row.total.accounts);
  }
  return { buckets: names, rows };
}

/** Accounts and balance per bucket, every bucket of the scheme in order (zeros included). */
export function bucketDistribution(items: Iterable<{ bucket: string; balanceMinor: bigint }>, scheme: BucketScheme): BucketShare[] {
  const shares: BucketShare[] = bucketNames(scheme).map((bucket) => ({ bucket, accounts: 0, balanceMinor: 0n }));
  for (const item of items) {
    const share = shares[indexOf(item.bucket, scheme)]!;
    share.accounts++;
    share.balanceMinor += item.balanceMinor;
  }
  return shares;
}

/** Buckets come from aging under the same scheme, so an unknown name is a programming error. */
function indexOf(name: string, scheme: BucketScheme): number {
  const index = bucketIndex(name, scheme);
  assert(index >= 0, `bucket ${JSON.stringify(name)} is not in the scheme (${bucketNames(scheme).join(', ')})`);
  return index;
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
