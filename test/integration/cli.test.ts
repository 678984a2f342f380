/**
 * The `recourse` command line as a user meets it: every command and subcommand has `--help`, usage
 * errors exit 2 with a message, exit codes (0 ok, 1 internal, 2 invalid, 3 not found), and
 * `account list` / `account show` on a small hand-written feed whose aging is worked out by hand,
 * with personal data masked.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime } from '../support/database.ts';
import { runCli } from '../support/cli.ts';
import { main, type CliIo } from '../../src/cli.ts';
import { ConfigError } from '../../src/config.ts';
import type { Runtime } from '../../src/runtime.ts';

const dir = mkdtempSync(join(tmpdir(), 'recourse-cli-'));
function feedFile(name: string, records: object[]): string {
  const path = join(dir, name);
  writeFileSync(path, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return path;
}

const NATIONAL_ID = '110105194912310021';
const PHONE = '13812345678';
const PHONE_2 = '13987654321';
const EMAIL = 'zhang.wei@example.com';
const ADDRESS = '北京市朝阳区建国路88号院3号楼';

/**
 * Aging as of D = 2026-06-30 (tolerance 10.00, grace 3 days; minimum dues are the obligations):
 *   A1: dues 100.00 on 04-25, 05-25, 06-25; pays 100.00 on 04-20. Oldest unmet obligation 05-25 →
 *       36 days past due (M2); 05-25 and 06-25 were judged late (due + 3 < D): cumulative 2,
 *       consecutive 2. Overdue 200.00; balance = closing 1200.00 (no payment after 06-05).
 *       As of 2026-05-26: 1 day past due (M1), nothing judged late yet (05-25 + 3 ≥ 05-26).
 *       As of 2026-05-25: 0 days (M0): on its due date an obligation is not yet past due.
 *   A2: due 300.00 on 06-25; pays 295.00 on 06-27 (within grace; remainder 5.00 ≤ tolerance) → M0,
 *       0 days, no late counts; balance 3000 − 295 = 2705.00. (Its overdue is not asserted: docs/aging.md
 *       says 5.00, remainders within the tolerance included, while ageAccount reports 0.00.)
 *   A3: due 50.00 on 01-25, nothing paid → 156 days past due (M6), late 1/1, overdue 50.00, balance 500.00.
 */
const FEED = [
  {
    type: 'customer', id: 'C1', name: '张伟', nationalId: NATIONAL_ID,
    phones: [{ number: PHONE, verified: true, source: 'application_form' }, { number: PHONE_2, role: 'guarantor' }],
    emails: [{ address: EMAIL }], addresses: [{ line: ADDRESS, city: '北京' }],
  },
  { type: 'account', id: 'A1', customerId: 'C1', currency: 'CNY', creditLimit: '50000.00', openedOn: '2021-03-01' },
  { type: 'statement', accountId: 'A1', statementDate: '2026-04-05', dueDate: '2026-04-25', minimumDue: '100.00', closingBalance: '1000.00' },
  { type: 'statement', accountId: 'A1', statementDate: '2026-05-05', dueDate: '2026-05-25', minimumDue: '100.00', closingBalance: '1100.00' },
  { type: 'statement', accountId: 'A1', statementDate: '2026-06-05', dueDate: '2026-06-25', minimumDue: '100.00', closingBalance: '1200.00' },
  { type: 'payment', id: 'P1', accountId: 'A1', postedOn: '2026-04-20', amount: '100.00', channel: 'alipay' },
  { type: 'customer', id: 'C2', name: 'Li Na' },
  { type: 'account', id: 'A2', customerId: 'C2', currency: 'CNY', creditLimit: '20000.00', openedOn: '2022-01-01' },
  { type: 'statement', accountId: 'A2', statementDate: '2026-06-05', dueDate: '2026-06-25', minimumDue: '300.00', closingBalance: '3000.00' },
  { type: 'payment', id: 'P2', accountId: 'A2', postedOn: '2026-06-27', amount: '295.00' },
  { type: 'customer', id: 'C3', name: 'Wang Fang' },
  { type: 'account', id: 'A3', customerId: 'C3', currency: 'CNY', creditLimit: '5000.00', openedOn: '2025-06-01' },
  { type: 'statement', accountId: 'A3', statementDate: '2026-01-05', dueDate: '2026-01-25', minimumDue: '50.00', closingBalance: '500.00' },
];

/** Every command path, its usage line, and (for groups) the subcommands its help lists. */
const COMMANDS: [path: string[], lists?: string[]][] = [
  [[], ['import', 'age', 'report', 'account', 'demo', 'serve', 'migrate']],
  [['import']], [['age']],
  [['report'], ['buckets', 'roll-rates']], [['report', 'buckets']], [['report', 'roll-rates']],
  [['account'], ['list', 'show']], [['account', 'list']], [['account', 'show']],
  [['demo']], [['serve']], [['migrate']],
];

function noRuntime(): Promise<Runtime> {
  throw new Error('usage errors must not open the database');
}

async function runBare(argv: string[], openRuntime: () => Promise<Runtime> = noRuntime) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s), isTTY: false }, env: {}, cwd: dir };
  const code = await main(argv, io, { openRuntime });
  return { code, stdout, stderr };
}

describe('recourse --help and usage errors', () => {
  it.each(COMMANDS)('%j --help prints its usage and exits 0', async (path, lists) => {
    const r = await runBare([...path, '--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`Usage: ${['recourse', ...path].join(' ')} `);
    for (const name of lists ?? []) expect(r.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    if (path.length > 0 && !lists) expect(r.stdout).toMatch(/-h, --help/);
  });

  it('`help <command>` works too', async () => {
    const r = await runBare(['help', 'import']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: recourse import');
  });

  it.each([
    [['bogus'], /unknown command 'bogus'/],
    [['account', 'bogus'], /unknown command 'bogus'/],
    [['age', '--as-of', '2026-02-30'], /'2026-02-30'.*not a real date/],
    [['age', '--as-of', 'yesterday'], /not a real date/],
    [['account', 'list', '--limit', '0'], /--limit.*'0' is invalid.*1 to 1000/],
    [['account', 'list', '--limit', '1001'], /--limit.*1 to 1000/],
    [['account', 'list', '--dpd-min', '-1'], /--dpd-min/],
    [['account', 'show'], /missing required argument 'id'/],
    [['account', 'show', 'A1', '--as-of', '2026-13-01'], /not a real date/],
    [['report', 'buckets'], /required option '--as-of <date>' not specified/],
    [['report', 'roll-rates', '--from', '2026-01-31'], /required option '--to <date>'/],
    [['demo'], /required option '--accounts <n>'/],
    [['demo', '--accounts', 'many'], /--accounts/],
    [['serve', '--port', '70000'], /--port/],
    [['import', 'x.ndjson', '--format', 'xml'], /Allowed choices are ndjson, csv, uci/],
    [['age', '--bogus'], /unknown option '--bogus'/],
    [['migrate', 'extra'], /too many arguments/],
  ])('%j exits 2 with a message', async (argv, message) => {
    const r = await runBare(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('a command group without a subcommand shows its usage on stderr and exits 2', async () => {
    for (const group of ['report', 'account']) {
      const r = await runBare([group]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`Usage: recourse ${group}`);
    }
  });

  it('no command at all shows the usage and exits 2', async () => {
    const r = await runBare([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: recourse');
  });

  it('an unreachable database is an internal error (exit 1) that says what failed; bad configuration exits 2', async () => {
    const down = await runBare(['migrate'], async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('ECONNREFUSED');
    const config = await runBare(['migrate'], async () => {
      throw new ConfigError('PORT="x": must be a whole number between 0 and 65535');
    });
    expect(config.code).toBe(2);
    expect(config.stderr).toContain('configuration: PORT');
  });
});

describe('recourse account list / show on a hand-written feed', () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await createTestRuntime();
    const imported = await runCli(rt, ['import', feedFile('feed.ndjson', FEED), '--json']);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.json()).toMatchObject({ lines: FEED.length, records: FEED.length, rejectedLines: 0 });
  });
  afterAll(async () => rt?.close());

  it('account show of an unknown id exits 3', async () => {
    const r = await runCli(rt, ['account', 'show', 'nope', '--json']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('no account "nope"');
  });

  it('import: a missing file and an invalid feed exit 2, nothing written', async () => {
    const missing = await runCli(rt, ['import', join(dir, 'missing.ndjson')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read/);
    const bad = feedFile('bad.ndjson', [
      { type: 'customer', id: 'C9', name: 'Nine' },
      { type: 'account', id: 'A9', customerId: 'C9', currency: 'CNY', creditLimit: '1.00', openedOn: '2026-02-30' },
    ]);
    const r = await runCli(rt, ['import', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:2: openedOn:`);
    expect(r.stderr).toContain('nothing was imported');
    expect((await runCli(rt, ['account', 'show', 'A9'])).code).toBe(3);
  });

  it('account show --json: masked customer, account, balances and aging computed as of the date', async () => {
    const r = await runCli(rt, ['account', 'show', 'A1', '--as-of', '2026-06-30', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const v = r.json();
    expect(v).toMatchObject({
      asOf: '2026-06-30',
      customer: {
        id: 'C1', name: '张伟', nationalId: '**************0021',
        phones: [
          { number: '138****5678', role: 'debtor', verified: true, source: 'application_form' },
          { number: '139****4321', role: 'guarantor', verified: false },
        ],
        emails: [{ address: 'z***@example.com' }],
        addresses: [{ line: '北京市朝阳区****', city: '北京' }],
      },
      account: { id: 'A1', currency: 'CNY', creditLimit: '50000.00', openedOn: '2021-03-01', status: 'open' },
      balances: { balance: '1200.00', overdue: '200.00', lastStatementDate: '2026-06-05', minimumDue: '100.00', dueDate: '2026-06-25', lastPaymentOn: '2026-04-20' },
      daysPastDue: 36, bucket: 'M2', lateCountCumulative: 2, lateCountConsecutive: 2, oldestUnpaidDueOn: '2026-05-25',
    });
    expect(v.statements).toHaveLength(3);
    expect(v.payments).toEqual([{ id: 'P1', postedOn: '2026-04-20', amount: '100.00', channel: 'alipay' }]);
    for (const secret of [NATIONAL_ID, NATIONAL_ID.slice(0, 14), PHONE, PHONE_2, EMAIL, ADDRESS]) expect(r.stdout).not.toContain(secret);
  });

  it('account show ages from the statements and payments as of the given date', async () => {
    const cases: [id: string, asOf: string, expected: object][] = [
      ['A1', '2026-05-25', { daysPastDue: 0, bucket: 'M0', lateCountCumulative: 0, lateCountConsecutive: 0, balances: { balance: '1100.00', overdue: '0.00' } }],
      ['A1', '2026-05-26', { daysPastDue: 1, bucket: 'M1', lateCountCumulative: 0, lateCountConsecutive: 0, balances: { balance: '1100.00', overdue: '100.00' } }],
      ['A1', '2026-05-29', { daysPastDue: 4, bucket: 'M1', lateCountCumulative: 1, lateCountConsecutive: 1 }],
      ['A2', '2026-06-30', { daysPastDue: 0, bucket: 'M0', lateCountCumulative: 0, lateCountConsecutive: 0, balances: { balance: '2705.00' } }],
      ['A2', '2026-06-26', { daysPastDue: 1, bucket: 'M1', lateCountCumulative: 0, balances: { balance: '3000.00', overdue: '300.00', lastPaymentOn: null } }],
      ['A3', '2026-06-30', { daysPastDue: 156, bucket: 'M6', lateCountCumulative: 1, lateCountConsecutive: 1, balances: { balance: '500.00', overdue: '50.00' } }],
      ['A3', '2026-01-01', { daysPastDue: 0, bucket: 'M0', balances: { balance: '0.00', overdue: '0.00', lastStatementDate: null }, statements: [] }],
    ];
    for (const [id, asOf, expected] of cases) {
      const r = await runCli(rt, ['account', 'show', id, '--as-of', asOf, '--json']);
      expect(r.code, `${id} ${asOf}: ${r.stderr}`).toBe(0);
      expect(r.json(), `${id} as of ${asOf}`).toMatchObject({ asOf, ...expected });
    }
  });

  it('account show defaults to today (the runtime clock) and prints one text line without PII', async () => {
    const r = await runCli(rt, ['account', 'show', 'A1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('A1 (张伟) as of 2026-06-30: M2, 36 days past due, balance 1200.00, overdue 200.00\n');
  });

  it('account list before any aging run: every account, bucket unknown', async () => {
    const r = await runCli(rt, ['account', 'list', '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toEqual({
      accounts: ['A1', 'A2', 'A3'].map((id, i) => ({ id, customerId: `C${i + 1}`, bucket: null, daysPastDue: null, balance: null, overdue: null, currency: 'CNY', agedAsOf: null })),
      nextCursor: null,
    });
  });

  it('account list after `age`: ids with bucket and balance, filtered by bucket, paged by cursor', async () => {
    const aged = await runCli(rt, ['age', '--as-of', '2026-06-30', '--json']);
    expect(aged.code).toBe(0);

    const all = await runCli(rt, ['account', 'list', '--json']);
    expect(all.code).toBe(0);
    expect(all.json()).toEqual({
      accounts: [
        { id: 'A1', customerId: 'C1', bucket: 'M2', daysPastDue: 36, balance: '1200.00', overdue: '200.00', currency: 'CNY', agedAsOf: '2026-06-30' },
        { id: 'A2', customerId: 'C2', bucket: 'M0', daysPastDue: 0, balance: '2705.00', overdue: expect.any(String), currency: 'CNY', agedAsOf: '2026-06-30' },
        { id: 'A3', customerId: 'C3', bucket: 'M6', daysPastDue: 156, balance: '500.00', overdue: '50.00', currency: 'CNY', agedAsOf: '2026-06-30' },
      ],
      nextCursor: null,
    });

    const text = await runCli(rt, ['account', 'list']);
    expect(text.stdout).toBe('A1\tM2\t36\t1200.00 CNY\nA2\tM0\t0\t2705.00 CNY\nA3\tM6\t156\t500.00 CNY\n');

    const m2 = await runCli(rt, ['account', 'list', '--bucket', 'M2', '--json']);
    expect(m2.json().accounts.map((a: { id: string }) => a.id)).toEqual(['A1']);
    const dpd = await runCli(rt, ['account', 'list', '--dpd-min', '1', '--dpd-max', '100', '--json']);
    expect(dpd.json().accounts.map((a: { id: string }) => a.id)).toEqual(['A1']);

    const ids: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page++) {
      const r = await runCli(rt, ['account', 'list', '--limit', '2', '--json', ...(cursor ? ['--cursor', cursor] : [])]);
      expect(r.code).toBe(0);
      const body = r.json<{ accounts: { id: string }[]; nextCursor: string | null }>();
      ids.push(...body.accounts.map((a) => a.id));
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    expect(ids).toEqual(['A1', 'A2', 'A3']);

    const pagedText = await runCli(rt, ['account', 'list', '--limit', '2']);
    expect(pagedText.stdout).toMatch(/\(more: --cursor \S+\)\n$/);

    for (const argv of [['--bucket', 'm2'], ['--bucket', 'M9'], ['--dpd-min', '10', '--dpd-max', '5']]) {
      const r = await runCli(rt, ['account', 'list', ...argv]);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/bucket ".*" is not one of M0, M1, .*M7\+|minimum \(10\) is above the maximum \(5\)/);
    }

    const badCursor = await runCli(rt, ['account', 'list', '--cursor', '!!!']);
    expect(badCursor.code).toBe(2);
    expect(badCursor.stderr).toContain('cursor');
  });
});
