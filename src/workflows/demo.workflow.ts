/**
 * The demo portfolio: generated feed records go through the same import as a bank's feed (so the
 * demo can never hold data a real feed could not), then the portfolio is aged as of the same date.
 */
import { Readable } from 'node:stream';
import { formatPlainDate, type EpochDay } from '../kernel/dates.ts';
import type { Runtime } from '../runtime.ts';
import { demoPortfolio, importFeed, type ImportSummary } from '../modules/portfolio/index.ts';
import { loadDefaultAgingPolicy } from '../modules/delinquency/index.ts';
import { ageAllAccounts, type AgingRunSummary } from './aging.workflow.ts';

export interface DemoSummary { asOf: string; seed: number; accounts: number; import: ImportSummary; aging: AgingRunSummary | null }

function* demoLines(options: { accounts: number; seed: number; asOf: EpochDay }): Generator<Buffer> {
  let batch: string[] = [];
  for (const record of demoPortfolio(options)) {
    batch.push(JSON.stringify(record));
    if (batch.length === 500) {
      yield Buffer.from(batch.join('\n') + '\n');
      batch = [];
    }
  }
  if (batch.length) yield Buffer.from(batch.join('\n') + '\n');
}

export async function loadDemoPortfolio(rt: Runtime, options: { accounts: number; seed: number; asOf: EpochDay }): Promise<DemoSummary> {
  const outcome = await importFeed(rt.pool, Readable.from(demoLines(options)), {
    format: 'ndjson', source: `demo:accounts=${options.accounts},seed=${options.seed}`, skipInvalid: false,
    cipher: rt.cipher, now: () => rt.clock.now(),
  });
  if (!outcome.ok) {
    // The generator only emits valid records; anything else is a bug in it.
    const first = outcome.problems.slice(0, 5).map((p) => `line ${p.line}: ${p.field}: ${p.message}`).join('; ');
    throw new Error(`demo portfolio failed validation: ${first}`);
  }
  const aged = await ageAllAccounts(rt.pool, formatPlainDate(options.asOf), await loadDefaultAgingPolicy(), rt.clock.now());
  return { asOf: formatPlainDate(options.asOf), seed: options.seed, accounts: options.accounts, import: outcome.summary, aging: aged.ok ? aged.value : null };
}

/** True when the portfolio holds no accounts yet (first start). */
export async function portfolioIsEmpty(rt: Runtime): Promise<boolean> {
  const { rows } = await rt.pool.query('select 1 from card_accounts limit 1');
  return rows.length === 0;
}
