/**
 * `recourse plan quote`: the schedule in exact money from what the account owes per component, due
 * dates on CN business days, the pack's 60-month limit (exit 2 naming CN-09), the authority needed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime, tableSnapshot } from '../support/database.ts';
import { TestClock, seedPortfolio } from '../support/collector.ts';
import { runCli } from '../support/cli.ts';

type Rt = Awaited<ReturnType<typeof createTestRuntime>>;
let rt: Rt;
const clock = new TestClock('2026-06-30T02:00:00Z');

beforeAll(async () => {
  rt = await createTestRuntime({ clock });
  await seedPortfolio(rt, [{ id: 'C1', name: '张伟', nationalId: '11010519491231002X', phones: [{ number: '13800138000' }] }], [
    { id: 'A1', customerId: 'C1', team: 'team-a', statements: [
      { statementDate: '2026-04-05', dueDate: '2026-04-25', minimumDue: '300.00', closingBalance: '3030.00', principal: '3000.00', interest: '25.00', fees: '5.00' },
      { statementDate: '2026-05-05', dueDate: '2026-05-25', minimumDue: '500.00', closingBalance: '5120.01', principal: '5000.01', interest: '100.00', fees: '20.00' },
    ] },
  ]);
});
afterAll(async () => rt?.close());

const quote = (...args: string[]) => runCli(rt, ['plan', 'quote', '--account', 'A1', '--as-of', '2026-06-30', ...args]);

describe('recourse plan quote', () => {
  it('splits the balance less the waived fees into instalments that sum exactly, due on business days', async () => {
    const before = await tableSnapshot(rt);
    const r = await quote('--type', 'installments', '--months', '12', '--waive-fees', '--json');
    expect(r.code, r.stderr).toBe(0);
    const q = r.json();
    expect(q).toMatchObject({ accountId: 'A1', currency: 'CNY', type: 'installments', balance: '5120.01', waivedFees: '20.00', total: '5100.01', termMonths: 12 });
    expect(q.owed).toEqual({ fees: '20.00', interest: '100.00', principal: '5000.01', unclassified: '0.00', overdue: '800.00' });
    expect(q.installments).toHaveLength(12);
    expect(q.installments.slice(0, 11).every((i: { amount: string }) => i.amount === '425.00')).toBe(true);
    expect(q.installments[11].amount).toBe('425.01');
    const cents = q.installments.reduce((s: bigint, i: { amount: string }) => s + BigInt(i.amount.replace('.', '')), 0n);
    expect(cents).toBe(510001n);
    // 30 Aug 2026 is a Sunday: that instalment moves to Monday 31 Aug; 30 Jan 2027, a Saturday, to 1 Feb.
    expect(q.installments.map((i: { dueOn: string }) => i.dueOn)).toEqual([
      '2026-07-30', '2026-08-31', '2026-09-30', '2026-10-30', '2026-11-30', '2026-12-30', '2027-02-01', '2027-03-01', '2027-03-30', '2027-04-30', '2027-05-31', '2027-06-30']);
    expect(q.rules).toMatchObject({ termMonthsMax: 60, rule: 'CN-09', businessDayDueDates: true });
    expect(q.authority).toEqual({ requiredTier: 'supervisor', reasons: [{ limit: 'feeWaiverPercentMax', value: '100.00%', tier: 'supervisor' }, { limit: 'planMonthsMax', value: '12 months', tier: 'collector' }] });
    expect(await tableSnapshot(rt), 'a quote writes nothing').toEqual(before);
  });

  it('refuses a term above the pack limit with exit 2, naming the rule', async () => {
    const r = await quote('--type', 'installments', '--months', '72', '--json');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('plan_term_exceeds_limit');
    expect(r.stderr).toContain('72 months is above the limit of 60 months (CN-09)');
    expect((await quote('--type', 'installments', '--months', '60', '--json')).code).toBe(0);
  });

  it('quotes the other arrangements, and refuses bad input naming the flag', async () => {
    expect((await quote('--type', 'extension', '--days', '45', '--json')).json()).toMatchObject({ total: '800.00', installments: [{ dueOn: '2026-08-14', amount: '800.00' }], authority: { requiredTier: 'supervisor' } });
    expect((await quote('--type', 'waiver', '--fees-percent', '20', '--pay-by', '2026-07-31', '--json')).json()).toMatchObject({ waivedFees: '4.00', total: '5116.01', authority: { requiredTier: 'collector' } });
    expect((await quote('--type', 'settlement', '--amount', '3000.00', '--pay-by', '2026-07-15', '--json')).json()).toMatchObject({ total: '3000.00', forgiven: '2120.01', authority: { requiredTier: 'manager' } });
    const missing = await quote('--type', 'installments');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--months');
    expect((await quote('--type', 'lease')).code).toBe(2);
    expect((await runCli(rt, ['plan', 'quote', '--account', 'NOPE', '--type', 'extension', '--days', '5'])).code).toBe(3);
  });
});
