/**
 * `recourse report buckets` and `recourse report roll-rates` on a small hand-built portfolio whose every
 * bucket and balance is worked out by hand below, including host snapshots that override the computed
 * aging for their own date only, and an account in a second currency.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime } from '../support/database.ts';
import { runCli } from '../support/cli.ts';
import type { Runtime } from '../../src/runtime.ts';

const BUCKETS = ['M0', 'M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7+'];
const D1 = '2026-03-31';
const D2 = '2026-04-30';

function account(id: string, currency = 'CNY', openedOn = '2026-01-01') {
  return [
    { type: 'customer', id: `C-${id}`, name: `Customer ${id}` },
    { type: 'account', id, customerId: `C-${id}`, currency, creditLimit: '100000', openedOn },
  ];
}
const statements = (id: string, months: number[], closingBalance: string) =>
  months.map((m) => ({ type: 'statement', accountId: id, statementDate: `2026-0${m}-05`, dueDate: `2026-0${m}-25`, minimumDue: '100.00', closingBalance }));
const payments = (id: string, months: number[]) =>
  months.map((m) => ({ type: 'payment', id: `${id}-pay-${m}`, accountId: id, postedOn: `2026-0${m}-20`, amount: '100.00' }));

/**
 * Computed aging (minimum due 100.00 on the 25th of each month):
 *   R1 pays every month: M0 at D1 and D2; balance 1000.00 − 100.00 paid after the statement = 900.00.
 *   R2 never pays since January: D1 65 days (M3), D2 95 days (M4); balance 2000.00.
 *   R3 never pays since February: D1 34 days (M2), D2 64 days (M3); balance 3000.00.
 *   R4 pays every month (M0, balance 3900.00), but the host says 5 cycles (M5) on D1 only.
 *   R5 pays January and February: D1 6 days (M1), D2 36 days (M2), balance 5000.00; the host says
 *      −1 (M0) on D2 only.
 *   R6 is a JPY account opened after D1; at D2 it is 10 days past due (M1), balance 50000 yen.
 *   R2 also has a host snapshot of 9 cycles on 2026-04-15, a date neither report below asks for.
 */
const FEED = [
  ...account('R1'), ...statements('R1', [1, 2, 3, 4], '1000.00'), ...payments('R1', [1, 2, 3, 4]),
  ...account('R2'), ...statements('R2', [1, 2, 3, 4], '2000.00'),
  ...account('R3'), ...statements('R3', [2, 3, 4], '3000.00'),
  ...account('R4'), ...statements('R4', [1, 2, 3, 4], '4000.00'), ...payments('R4', [1, 2, 3, 4]),
  ...account('R5'), ...statements('R5', [1, 2, 3, 4], '5000.00'), ...payments('R5', [1, 2]),
  ...account('R6', 'JPY', '2026-04-10'),
  { type: 'statement', accountId: 'R6', statementDate: '2026-04-12', dueDate: '2026-04-20', minimumDue: '1000', closingBalance: '50000' },
  { type: 'delinquency', accountId: 'R4', asOf: D1, cyclesDelinquent: 5 },
  { type: 'delinquency', accountId: 'R5', asOf: D2, cyclesDelinquent: -1, balance: '4999.00' },
  { type: 'delinquency', accountId: 'R2', asOf: '2026-04-15', cyclesDelinquent: 9 },
];

type Share = [bucket: string, accounts: number, balance: Record<string, string>];
function bucketRows(currencies: Record<string, string>, shares: Share[]) {
  return BUCKETS.map((bucket) => {
    const share = shares.find(([b]) => b === bucket);
    return { bucket, accounts: share?.[1] ?? 0, balance: { ...currencies, ...share?.[2] } };
  });
}

describe('bucket and roll-rate reports', () => {
  let rt: Runtime & { close(): Promise<void> };
  beforeAll(async () => {
    rt = await createTestRuntime();
    const file = join(mkdtempSync(join(tmpdir(), 'recourse-reports-')), 'feed.ndjson');
    writeFileSync(file, FEED.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const run = await runCli(rt, ['import', file]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
  afterAll(async () => rt?.close());

  it('buckets at D1: computed aging, and the host snapshot of that date for R4', async () => {
    const run = await runCli(rt, ['report', 'buckets', '--as-of', D1, '--json']);
    expect(run.code).toBe(0);
    expect(run.json()).toEqual({
      asOf: D1, accounts: 5, fromHostSnapshots: 1,
      buckets: bucketRows({ CNY: '0.00' }, [
        ['M0', 1, { CNY: '900.00' }], ['M1', 1, { CNY: '5000.00' }], ['M2', 1, { CNY: '3000.00' }],
        ['M3', 1, { CNY: '2000.00' }], ['M5', 1, { CNY: '3900.00' }],
      ]),
    });
  });

  it('buckets at D2: R4 back to its computed M0, R5 overridden by the host, balances per currency', async () => {
    const run = await runCli(rt, ['report', 'buckets', '--as-of', D2, '--json']);
    expect(run.code).toBe(0);
    expect(run.json()).toEqual({
      asOf: D2, accounts: 6, fromHostSnapshots: 1,
      buckets: bucketRows({ CNY: '0.00', JPY: '0' }, [
        ['M0', 3, { CNY: '9800.00' }], ['M1', 1, { JPY: '50000' }], ['M3', 1, { CNY: '3000.00' }], ['M4', 1, { CNY: '2000.00' }],
      ]),
    });
    const text = await runCli(rt, ['report', 'buckets', '--as-of', D2]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`buckets as of ${D2}: 6 accounts (1 from host snapshots)`);
    expect(text.stdout).toMatch(/M0 +3 +9800\.00 CNY, 0 JPY/);
  });

  it('buckets on the date of R2’s own snapshot use it (M7+ for 9 cycles)', async () => {
    const run = await runCli(rt, ['report', 'buckets', '--as-of', '2026-04-15', '--json']);
    expect(run.code).toBe(0);
    const report = run.json();
    expect(report.fromHostSnapshots).toBe(1);
    expect(report.buckets.map((b: { accounts: number }) => b.accounts)).toEqual([3, 1, 1, 0, 0, 0, 0, 1]);
  });

  it('roll rates D1 → D2: accounts existing at both dates, host snapshots at either end', async () => {
    const run = await runCli(rt, ['report', 'roll-rates', '--from', D1, '--to', D2, '--json']);
    expect(run.code).toBe(0);
    const moves: Record<string, [to: string, balance: string]> = {
      M0: ['M0', '900.00'], // R1
      M1: ['M0', '5000.00'], // R5: computed M1 at D1, host M0 at D2
      M2: ['M3', '3000.00'], // R3
      M3: ['M4', '2000.00'], // R2
      M5: ['M0', '3900.00'], // R4: host M5 at D1, computed M0 at D2
    };
    expect(run.json()).toEqual({
      from: D1, to: D2, accounts: 5, buckets: BUCKETS,
      rows: BUCKETS.map((from) => {
        const move = moves[from];
        return {
          from,
          accounts: move ? 1 : 0,
          balance: { CNY: move ? move[1] : '0.00' },
          cells: BUCKETS.map((to) => {
            const hit = move?.[0] === to;
            return { to, accounts: hit ? 1 : 0, balance: { CNY: hit ? move![1] : '0.00' }, rate: hit ? 1 : 0 };
          }),
        };
      }),
    });
    const text = await runCli(rt, ['report', 'roll-rates', '--from', D1, '--to', D2]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`roll rates ${D1} → ${D2} (5 accounts; rows: from, columns: to)`);
  });

  it('roll rates with several accounts per row give the row shares', async () => {
    // From 2026-04-15 (R2 host M7+; R1, R4, R6 M0; R5 M1; R3 M2) to D2.
    const run = await runCli(rt, ['report', 'roll-rates', '--from', '2026-04-15', '--to', D2, '--json']);
    expect(run.code).toBe(0);
    const report = run.json();
    expect(report.accounts).toBe(6);
    const m0 = report.rows[0];
    expect(m0).toMatchObject({ from: 'M0', accounts: 3, balance: { CNY: '4800.00', JPY: '50000' } });
    expect(m0.cells.slice(0, 2)).toEqual([
      { to: 'M0', accounts: 2, balance: { CNY: '4800.00', JPY: '0' }, rate: 0.6667 },
      { to: 'M1', accounts: 1, balance: { CNY: '0.00', JPY: '50000' }, rate: 0.3333 },
    ]);
    expect(report.rows[7]).toMatchObject({ from: 'M7+', accounts: 1 });
    expect(report.rows[7].cells[4]).toMatchObject({ to: 'M4', accounts: 1, rate: 1 });
  });

  it('refuses --to before --from', async () => {
    const run = await runCli(rt, ['report', 'roll-rates', '--from', D2, '--to', D1]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--to must not be before --from/);
  });
});
