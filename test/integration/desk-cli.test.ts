/**
 * The desk's commands with ugly input: `plan propose`, `approvals decide`, `account action`,
 * `promise kept-rate`, `evidence add` refuse bad amounts, dates, terms, unknown accounts and users with
 * exit 2 (3 for what does not exist) naming the flag, and write nothing; a good proposal is idempotent.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime, tableSnapshot } from '../support/database.ts';
import { TestClock, seedPortfolio } from '../support/collector.ts';
import { createStaffUser } from '../support/auth.ts';
import { runCli } from '../support/cli.ts';

type Rt = Awaited<ReturnType<typeof createTestRuntime>>;
let rt: Rt;
let collector = '';
const clock = new TestClock('2026-06-30T02:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'recourse-desk-cli-'));

beforeAll(async () => {
  rt = await createTestRuntime({ clock });
  const statements = [{ statementDate: '2026-05-05', dueDate: '2026-05-25', minimumDue: '500.00', closingBalance: '5120.01', principal: '5000.01', interest: '100.00', fees: '20.00' }];
  await seedPortfolio(rt, [{ id: 'C1', name: '张伟', nationalId: '11010519491231002X', phones: [{ number: '13800138000' }] }], [
    { id: 'A1', customerId: 'C1', team: 'team-a', statements }, { id: 'A2', customerId: 'C1', team: 'team-a', statements },
  ]);
  collector = (await createStaffUser(rt, { role: 'collector', teamId: 'team-a' })).username;
});
afterAll(async () => rt?.close());

const propose = (...args: string[]) => runCli(rt, ['plan', 'propose', '--account', 'A1', ...args]);

describe('desk commands', () => {
  it('refuse ugly input naming the flag, and write nothing', async () => {
    const text = join(dir, 'note.txt');
    writeFileSync(text, 'not a pdf');
    const before = await tableSnapshot(rt, ['audit_log', 'audit_heads', 'access_audit']);
    const cases: [string[], number, RegExp][] = [
      [['plan', 'propose', '--account', 'NOPE', '--type', 'extension', '--days', '10'], 3, /account_not_found/],
      [['plan', 'propose', '--account', 'A1', '--type', 'installments', '--months', '0'], 2, /--months/],
      [['plan', 'propose', '--account', 'A1', '--type', 'installments', '--months', '100000'], 2, /--months/],
      [['plan', 'propose', '--account', 'A1', '--type', 'installments', '--months', '-3'], 2, /--months/],
      [['plan', 'propose', '--account', 'A1', '--type', 'installments'], 2, /--months/],
      [['plan', 'propose', '--account', 'A1', '--type', 'installments', '--months', '72', '--income', '9000', '--expenses', '1000', '--evidence', '1'], 2, /plan_term_exceeds_limit.*CN-09/],
      [['plan', 'propose', '--account', 'A1', '--type', 'installments', '--months', '6', '--income', '9000', '--expenses', '1000'], 2, /--evidence: evidence_required.*CN-09/],
      [['plan', 'propose', '--account', 'A1', '--type', 'installments', '--months', '6', '--income', '9000'], 2, /--income and --expenses/],
      [['plan', 'propose', '--account', 'A1', '--type', 'installments', '--months', '6', '--income', 'lots', '--expenses', '1'], 2, /--income/],
      [['plan', 'propose', '--account', 'A1', '--type', 'installments', '--months', '6', '--evidence', 'x,1'], 2, /--evidence/],
      [['plan', 'propose', '--account', 'A1', '--type', 'settlement', '--amount', '-5'], 2, /--amount/],
      [['plan', 'propose', '--account', 'A1', '--type', 'settlement', '--amount', '99999.00'], 2, /--amount: quote_invalid/],
      [['plan', 'propose', '--account', 'A1', '--type', 'settlement', '--amount', '4000', '--pay-by', '2026-02-30'], 2, /--pay-by/],
      [['plan', 'propose', '--account', 'A1', '--type', 'waiver', '--fees-percent', '150'], 2, /--fees-percent/],
      [['plan', 'propose', '--account', 'A1', '--type', 'extension', '--days', '400'], 2, /beyond_every_authority/],
      [['plan', 'propose', '--account', 'A1', '--type', 'extension', '--days', '10', '--as', 'nobody'], 3, /--as nobody/],
      [['plan', 'propose', '--account', 'A1', '--type', 'extension', '--days', '10', '--note', '再不还款就通知你单位和家人，列入黑名单'], 2, /--note: note_language_prohibited/],
      [['approvals', 'decide', 'bogus', '1', '--approve'], 2, /kind/],
      [['approvals', 'decide', 'arrangement', '1'], 2, /--approve and --reject/],
      [['approvals', 'decide', 'arrangement', '0', '--approve'], 2, /whole number/],
      [['approvals', 'decide', 'arrangement', '999', '--approve'], 3, /proposal_not_found/],
      [['approvals', 'decide', 'account_action', '999', '--reject'], 3, /recommendation_not_found/],
      [['account', 'action', 'A1', '--action', 'explode', '--reason', 'because'], 2, /--action/],
      [['account', 'action', 'A1', '--action', 'freeze', '--reason', 'x'], 2, /--reason/],
      [['account', 'action', 'NOPE', '--action', 'freeze', '--reason', 'evasion'], 3, /account_not_found/],
      [['promise', 'kept-rate', '--from', '2026-06-01', '--to', '2026-06-30', '--by', 'region'], 2, /--by/],
      [['promise', 'kept-rate', '--from', '2026-02-30', '--to', '2026-06-30'], 2, /not a real date/],
      [['promise', 'kept-rate', '--from', '2026-07-01', '--to', '2026-06-30'], 2, /--from is after --to/],
      [['evidence', 'add', 'A1', text], 2, /evidence_type_not_allowed/],
      [['evidence', 'add', 'A1', join(dir, 'missing.pdf')], 2, /no such file/],
      [['evidence', 'add', 'NOPE', text], 3, /no account/],
    ];
    for (const [argv, code, message] of cases) {
      const r = await runCli(rt, argv);
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(code);
      expect(r.stderr, argv.join(' ')).toMatch(message);
    }
    expect(await tableSnapshot(rt, ['audit_log', 'audit_heads', 'access_audit'])).toEqual(before);
  });

  it('a proposal within the proposer\'s authority is agreed at once, the same key again answers it, another input under that key is refused', async () => {
    const first = await propose('--type', 'extension', '--days', '20', '--as', collector, '--idempotency-key', 'k1', '--json');
    expect(first.code, first.stderr).toBe(0);
    expect(first.json()).toMatchObject({ type: 'extension', status: 'approved', requiredTier: 'collector', proposedBy: collector, replayed: false });
    const again = await propose('--type', 'extension', '--days', '20', '--as', collector, '--idempotency-key', 'k1');
    expect(again.stdout).toContain('(already proposed)');
    const other = await propose('--type', 'extension', '--days', '25', '--as', collector, '--idempotency-key', 'k1');
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/idempotency_key_reused/);
    const active = await propose('--type', 'extension', '--days', '25', '--as', collector);
    expect(active.code).toBe(2);
    expect(active.stderr).toMatch(/plan_already_active/);
    expect(Number((await rt.pool.query('select count(*) as n from repayment_plans')).rows[0].n)).toBe(1);
  });

  it('the proposer withdraws a waiting proposal; another user may not', async () => {
    const other = (await createStaffUser(rt, { role: 'collector', teamId: 'team-a' })).username;
    const p = (await runCli(rt, ['plan', 'propose', '--account', 'A2', '--type', 'extension', '--days', '60', '--as', collector, '--json'])).json();
    expect(p).toMatchObject({ status: 'proposed', requiredTier: 'supervisor' });
    const notYours = await runCli(rt, ['plan', 'withdraw', String(p.proposalId), '--account', 'A2', '--as', other]);
    expect(notYours.code).toBe(2);
    expect(notYours.stderr).toMatch(/not_your_proposal/);
    expect((await runCli(rt, ['plan', 'withdraw', '999', '--account', 'A2', '--as', collector])).code).toBe(3);
    const done = await runCli(rt, ['plan', 'withdraw', String(p.proposalId), '--account', 'A2', '--as', collector, '--json']);
    expect(done.code, done.stderr).toBe(0);
    expect(done.json()).toMatchObject({ status: 'withdrawn', decidedBy: collector });
  });
});
