/**
 * Where the real UCI dataset is: RECOURSE_UCI_CSV, else `shared/datasets/…` beside the checkout or in
 * any folder above it (a CI clone may sit deeper than ../), else /work/shared. Missing data is an
 * error naming every place looked at, never a skipped test.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const RELATIVE = join('shared', 'datasets', 'uci-credit-card-default', 'UCI_Credit_Card.csv');

export function uciDatasetPath(): string {
  const tried: string[] = [];
  const candidates: string[] = [];
  if (process.env.RECOURSE_UCI_CSV) candidates.push(resolve(process.env.RECOURSE_UCI_CSV));
  for (let dir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'); ; dir = dirname(dir)) {
    candidates.push(join(dir, RELATIVE));
    if (dirname(dir) === dir) break;
  }
  candidates.push(join('/work', RELATIVE));
  for (const c of candidates) {
    if (existsSync(c)) return c;
    tried.push(c);
  }
  throw new Error(`the UCI dataset (UCI_Credit_Card.csv) is not in any of: ${tried.join(', ')}; set RECOURSE_UCI_CSV`);
}
