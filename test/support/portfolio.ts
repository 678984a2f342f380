/**
 * Small delinquent portfolios for strategy and cycle tests, imported through the real feed import:
 * account i is 1–200 days past due (spread deterministically), with a verified debtor phone and
 * address, and balances large and small.
 */
import { Readable } from 'node:stream';
import { addMonths, formatPlainDate, parsePlainDate } from '../../src/kernel/dates.ts';
import { importFeed, type FeedRecord } from '../../src/modules/portfolio/index.ts';
import type { Runtime } from '../../src/runtime.ts';

export interface DelinquentAccount { customerId: string; accountId: string; daysPastDue: number }

/** Records of `n` delinquent accounts as of `asOf`: the oldest unpaid minimum is due `daysPastDue` days before. */
export function delinquentRecords(n: number, asOf: string, prefix = 't'): { records: FeedRecord[]; accounts: DelinquentAccount[] } {
  const day = parsePlainDate(asOf)!;
  const records: FeedRecord[] = [];
  const accounts: DelinquentAccount[] = [];
  for (let i = 1; i <= n; i++) {
    const customerId = `${prefix}c${String(i).padStart(4, '0')}`;
    const accountId = `${prefix}a${String(i).padStart(4, '0')}`;
    const daysPastDue = 1 + ((i * 37) % 200);
    const balance = 2_000 + ((i * 7919) % 90_000);
    records.push({
      type: 'customer', id: customerId, name: `Test Customer ${i}`, language: i % 5 === 0 ? 'en' : 'zh-CN', timeZone: 'Asia/Shanghai',
      phones: [{ number: `1380000${String(i).padStart(4, '0')}`, role: 'debtor', verified: i % 13 !== 0, source: 'application_form' }],
      addresses: [{ line: `${i} Test Road`, city: 'Shanghai', role: 'debtor', verified: true, source: 'application_form' }],
    });
    records.push({ type: 'account', id: accountId, customerId, currency: 'CNY', creditLimit: '50000.00', openedOn: '2024-01-01' });
    // Monthly statements, the oldest one due `daysPastDue` days ago; none paid.
    const firstDue = day - daysPastDue;
    for (let k = 0; addMonths(firstDue, k) < day && k < 8; k++) {
      const due = addMonths(firstDue, k);
      records.push({
        type: 'statement', accountId, statementDate: formatPlainDate(due - 20), dueDate: formatPlainDate(due),
        minimumDue: `${Math.round(balance / 10)}.00`, closingBalance: `${balance + k * 100}.00`,
      });
    }
    accounts.push({ customerId, accountId, daysPastDue });
  }
  return { records, accounts };
}

export async function importRecords(rt: Runtime, records: readonly FeedRecord[]): Promise<void> {
  const body = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
  const outcome = await importFeed(rt.pool, Readable.from([Buffer.from(body)]), { format: 'ndjson', source: 'test', skipInvalid: false, cipher: rt.cipher, now: () => rt.clock.now() });
  if (!outcome.ok) throw new Error(`test feed: ${outcome.problems.slice(0, 3).map((p) => `${p.line}: ${p.field}: ${p.message}`).join('; ')}`);
}

/** Imports `n` delinquent accounts as of `asOf`. */
export async function loadDelinquentPortfolio(rt: Runtime, n: number, asOf: string, prefix = 't'): Promise<DelinquentAccount[]> {
  const { records, accounts } = delinquentRecords(n, asOf, prefix);
  await importRecords(rt, records);
  return accounts;
}
