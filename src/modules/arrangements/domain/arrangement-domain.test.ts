import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatPlainDate, parsePlainDate } from '../../../kernel/dates.ts';
import { chineseCalendar } from '../../compliance/index.ts';
import { balanceOf, quote, splitEvenly, type DebtPosition, type PlanRules } from './quote.ts';
import { nextBusinessDay } from './business-days.ts';
import { requiredTier, tierOf, type AuthorityPolicy } from './authority.ts';
import { assessAffordability } from './affordability.ts';
import { checkEvidence, sniffEvidenceType } from './evidence.ts';

const d = (text: string) => parsePlainDate(text)!;
const DEBT: DebtPosition = { feesMinor: 20_000n, interestMinor: 50_000n, principalMinor: 1_000_000n, unclassifiedMinor: 0n, overdueMinor: 120_000n };
const CN: PlanRules = { termMonthsMax: 60, termRuleId: 'CN-09', businessDayDueDates: true, calendar: chineseCalendar() };
const PLAIN: PlanRules = { termMonthsMax: 60, termRuleId: 'CN-09', businessDayDueDates: false, calendar: null };
const dates = (q: { installments: { dueOn: number }[] }) => q.installments.map((i) => formatPlainDate(i.dueOn));

describe('business days', () => {
  it('moves rest days and holidays to the next business day; make-up Saturdays are business days', () => {
    const cal = chineseCalendar();
    expect(formatPlainDate(nextBusinessDay(d('2026-10-01'), cal))).toBe('2026-10-08'); // 国庆节 1–7 Oct
    expect(formatPlainDate(nextBusinessDay(d('2026-10-10'), cal))).toBe('2026-10-10'); // make-up Saturday
    expect(formatPlainDate(nextBusinessDay(d('2026-07-04'), cal))).toBe('2026-07-06'); // Saturday → Monday
    expect(formatPlainDate(nextBusinessDay(d('2026-07-06'), cal))).toBe('2026-07-06');
    expect(formatPlainDate(nextBusinessDay(d('2031-03-08'), cal))).toBe('2031-03-10'); // beyond the calendar's data: weekdays
  });
});

describe('quotes', () => {
  it('instalments: the balance in N monthly payments, remainder on the last, due on business days', () => {
    const r = quote({ ...DEBT, principalMinor: 1_000_001n }, { type: 'installments', asOf: d('2026-06-30'), months: 3 }, CN);
    if (!r.ok) throw new Error(r.message);
    expect(r.value.totalMinor).toBe(1_070_001n);
    expect(r.value.installments.map((i) => i.amountMinor)).toEqual([356_667n, 356_667n, 356_667n]);
    expect(dates(r.value)).toEqual(['2026-07-30', '2026-08-31', '2026-09-30']);
    const q4 = quote(DEBT, { type: 'installments', asOf: d('2026-06-30'), months: 4, firstDueOn: d('2026-09-01') }, CN);
    expect(q4.ok && dates(q4.value)).toEqual(['2026-09-01', '2026-10-08', '2026-11-02', '2026-12-01']); // 1 Oct holiday, 1 Nov a Sunday
    expect(q4.ok && q4.value.installments.map((i) => i.amountMinor)).toEqual([267_500n, 267_500n, 267_500n, 267_500n]);
    const plain = quote(DEBT, { type: 'installments', asOf: d('2026-06-30'), months: 4, firstDueOn: d('2026-09-01') }, PLAIN);
    expect(plain.ok && dates(plain.value)).toEqual(['2026-09-01', '2026-10-01', '2026-11-01', '2026-12-01']); // a pack without business-day due dates
  });

  it('instalments may waive the fees (and interest)', () => {
    const r = quote(DEBT, { type: 'installments', asOf: d('2026-06-30'), months: 12, waiveFees: true }, CN);
    expect(r).toMatchObject({ ok: true, value: { waivedFeesMinor: 20_000n, waivedInterestMinor: 0n, totalMinor: 1_050_000n, termMonths: 12 } });
  });

  it('refuses a term above the pack limit, naming the rule; 60 months is fine even when the last date moves to a business day', () => {
    const r = quote(DEBT, { type: 'installments', asOf: d('2026-06-30'), months: 61 }, CN);
    expect(r).toMatchObject({ ok: false, code: 'plan_term_exceeds_limit', details: { rule: 'CN-09', termMonthsMax: 60, termMonths: 61 } });
    expect(!r.ok && r.message).toContain('CN-09');
    expect(quote(DEBT, { type: 'installments', asOf: d('2026-06-30'), months: 60 }, CN).ok).toBe(true);
    expect(quote(DEBT, { type: 'installments', asOf: d('2026-06-30'), months: 12, firstDueOn: d('2031-01-01') }, CN)).toMatchObject({ ok: false, code: 'plan_term_exceeds_limit' });
  });

  it('extension: the amount past due, later, in one payment', () => {
    const r = quote(DEBT, { type: 'extension', asOf: d('2026-06-30'), days: 30 }, CN);
    expect(r).toMatchObject({ ok: true, value: { totalMinor: 120_000n, termMonths: 1 } });
    expect(r.ok && dates(r.value)).toEqual(['2026-07-30']);
    expect(quote({ ...DEBT, overdueMinor: 0n }, { type: 'extension', asOf: d('2026-06-30'), days: 30 }, CN)).toMatchObject({ ok: false, code: 'nothing_owed' });
  });

  it('waiver: a share of fees and interest waived when the rest is paid by a date', () => {
    const r = quote(DEBT, { type: 'waiver', asOf: d('2026-06-30'), feesPercent: 50, interestPercent: 33.33, payBy: d('2026-07-31') }, CN);
    expect(r).toMatchObject({ ok: true, value: { waivedFeesMinor: 10_000n, waivedInterestMinor: 16_665n, totalMinor: 1_043_335n } });
    expect(r.ok && dates(r.value)).toEqual(['2026-07-31']);
    expect(quote(DEBT, { type: 'waiver', asOf: d('2026-06-30'), feesPercent: 101, interestPercent: 0, payBy: d('2026-07-31') }, CN)).toMatchObject({ ok: false, code: 'quote_invalid' });
  });

  it('settlement: a lump sum below the balance, the rest forgiven', () => {
    const r = quote(DEBT, { type: 'settlement', asOf: d('2026-06-30'), amountMinor: 800_000n, payBy: d('2026-07-15') }, CN);
    expect(r).toMatchObject({ ok: true, value: { totalMinor: 800_000n, forgivenMinor: 270_000n, balanceMinor: 1_070_000n } });
    expect(quote(DEBT, { type: 'settlement', asOf: d('2026-06-30'), amountMinor: 2_000_000n, payBy: d('2026-07-15') }, CN)).toMatchObject({ ok: false, code: 'quote_invalid' });
  });

  it('schedules always sum exactly to the agreed total (fast-check)', () => {
    fc.assert(fc.property(
      fc.record({ fees: fc.bigInt({ min: 0n, max: 10n ** 7n }), interest: fc.bigInt({ min: 0n, max: 10n ** 8n }), principal: fc.bigInt({ min: 0n, max: 10n ** 11n }), unclassified: fc.bigInt({ min: 0n, max: 10n ** 9n }) }),
      fc.integer({ min: 1, max: 60 }), fc.boolean(), fc.boolean(), fc.integer({ min: d('2024-01-01'), max: d('2030-12-31') }),
      (debt, months, waiveFees, waiveInterest, asOf) => {
        const position = { feesMinor: debt.fees, interestMinor: debt.interest, principalMinor: debt.principal, unclassifiedMinor: debt.unclassified, overdueMinor: 0n };
        const r = quote(position, { type: 'installments', asOf, months, waiveFees, waiveInterest }, CN);
        if (!r.ok) {
          expect(['nothing_owed', 'quote_invalid']).toContain(r.code);
          return;
        }
        const q = r.value;
        expect(q.installments.reduce((s, i) => s + i.amountMinor, 0n)).toBe(q.totalMinor);
        expect(q.totalMinor + q.waivedFeesMinor + q.waivedInterestMinor).toBe(balanceOf(position));
        expect(q.installments).toHaveLength(months);
        // Equal instalments but the last, which carries the remainder (less than one more per instalment).
        const first = q.installments[0]!.amountMinor;
        for (const i of q.installments.slice(0, -1)) expect(i.amountMinor).toBe(first);
        expect(q.installments.at(-1)!.amountMinor - first).toBeLessThan(BigInt(months));
        for (let k = 1; k < q.installments.length; k++) expect(q.installments[k]!.dueOn).toBeGreaterThan(q.installments[k - 1]!.dueOn);
      },
    ), { numRuns: 300 });
    fc.assert(fc.property(fc.bigInt({ min: 1n, max: 10n ** 15n }), fc.integer({ min: 1, max: 600 }), (total, n) => {
      fc.pre(total >= BigInt(n));
      expect(splitEvenly(total, n).reduce((s, x) => s + x, 0n)).toBe(total);
    }));
  });
});

const POLICY: AuthorityPolicy = {
  id: 't', version: 1,
  tiers: { collector: ['collector', 'agency_user'], supervisor: ['supervisor'], manager: ['strategy_manager', 'admin'] },
  limits: {
    feeWaiverPercentMax: { collector: 20, supervisor: 100, manager: 100 },
    interestWaiverPercentMax: { collector: 0, supervisor: 50, manager: 100 },
    settlementPercentOfBalanceMin: { collector: null, supervisor: 70, manager: 0 },
    extensionDaysMax: { collector: 30, supervisor: 90, manager: 180 },
    planMonthsMax: { collector: 12, supervisor: 36, manager: 60 },
  },
  decisions: { placement_agency: 'supervisor', placement_legal: 'manager', freeze: 'manager', restrict: 'supervisor', lift: 'supervisor' },
};
const owed = { feesMinor: DEBT.feesMinor, interestMinor: DEBT.interestMinor };
const tierFor = (r: ReturnType<typeof quote>, days: number | null = null) => {
  if (!r.ok) throw new Error(r.message);
  return requiredTier(POLICY, r.value, owed, days).tier;
};

describe('authority limits', () => {
  it('maps roles to tiers', () => {
    expect([tierOf(POLICY, 'collector'), tierOf(POLICY, 'supervisor'), tierOf(POLICY, 'admin'), tierOf(POLICY, 'auditor'), tierOf(POLICY, null)]).toEqual(['collector', 'supervisor', 'manager', null, null]);
  });
  it.each([
    ['a 20% fee waiver', { type: 'waiver', asOf: d('2026-06-30'), feesPercent: 20, interestPercent: 0, payBy: d('2026-07-31') }, 'collector'],
    ['a 20.01% fee waiver', { type: 'waiver', asOf: d('2026-06-30'), feesPercent: 20.01, interestPercent: 0, payBy: d('2026-07-31') }, 'supervisor'],
    ['any interest waiver', { type: 'waiver', asOf: d('2026-06-30'), feesPercent: 0, interestPercent: 10, payBy: d('2026-07-31') }, 'supervisor'],
    ['more than half the interest', { type: 'waiver', asOf: d('2026-06-30'), feesPercent: 0, interestPercent: 50.01, payBy: d('2026-07-31') }, 'manager'],
    ['a settlement at 70% of the balance', { type: 'settlement', asOf: d('2026-06-30'), amountMinor: 749_000n, payBy: d('2026-07-15') }, 'supervisor'],
    ['a settlement below 70%', { type: 'settlement', asOf: d('2026-06-30'), amountMinor: 748_999n, payBy: d('2026-07-15') }, 'manager'],
    ['a 30-day extension', { type: 'extension', asOf: d('2026-06-30'), days: 30 }, 'collector'],
    ['a 31-day extension', { type: 'extension', asOf: d('2026-06-30'), days: 31 }, 'supervisor'],
    ['a 12-month plan', { type: 'installments', asOf: d('2026-06-30'), months: 12 }, 'collector'],
    ['a 13-month plan', { type: 'installments', asOf: d('2026-06-30'), months: 13 }, 'supervisor'],
    ['a 37-month plan', { type: 'installments', asOf: d('2026-06-30'), months: 37 }, 'manager'],
    ['a 12-month plan waiving all fees', { type: 'installments', asOf: d('2026-06-30'), months: 12, waiveFees: true }, 'supervisor'],
  ] as const)('%s needs a %s', (_label, request, tier) => {
    expect(tierFor(quote(DEBT, request as never, CN), request.type === 'extension' ? request.days : null)).toBe(tier);
  });
  it('says why, and null when no tier may', () => {
    const r = quote(DEBT, { type: 'extension', asOf: d('2026-06-30'), days: 200 }, { ...CN, termMonthsMax: 600 });
    if (!r.ok) throw new Error(r.message);
    expect(requiredTier(POLICY, r.value, owed, 200)).toEqual({ tier: null, reasons: [{ limit: 'extensionDaysMax', value: '200 days', tier: null }] });
  });
});

describe('affordability', () => {
  const plan = quote(DEBT, { type: 'installments', asOf: d('2026-06-30'), months: 10 }, PLAIN);
  if (!plan.ok) throw new Error(plan.message);
  it('compares the largest instalment with a share of disposable income', () => {
    expect(assessAffordability({ monthlyIncomeMinor: 800_000n, monthlyExpensesMinor: 500_000n, savingsMinor: 0n }, plan.value, { maxSharePercent: 50 }))
      .toEqual({ disposableMinor: 300_000n, capacityMinor: 150_000n, askedMinor: 107_000n, affordable: true });
    expect(assessAffordability({ monthlyIncomeMinor: 600_000n, monthlyExpensesMinor: 500_000n, savingsMinor: 0n }, plan.value, { maxSharePercent: 50 }).affordable).toBe(false);
    expect(assessAffordability({ monthlyIncomeMinor: 400_000n, monthlyExpensesMinor: 500_000n, savingsMinor: 10n ** 9n }, plan.value, { maxSharePercent: 50 })).toMatchObject({ capacityMinor: 0n, affordable: false });
  });
  it('counts savings for a one-off payment', () => {
    const s = quote(DEBT, { type: 'settlement', asOf: d('2026-06-30'), amountMinor: 800_000n, payBy: d('2026-08-30') }, PLAIN);
    if (!s.ok) throw new Error(s.message);
    expect(assessAffordability({ monthlyIncomeMinor: 800_000n, monthlyExpensesMinor: 500_000n, savingsMinor: 500_000n }, s.value, { maxSharePercent: 50 })).toMatchObject({ capacityMinor: 800_000n, affordable: true });
  });
});

describe('evidence files', () => {
  const pdf = Buffer.from('%PDF-1.7\n%…');
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]);
  const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0, 0, 0, 0]), Buffer.from('WEBPVP8 ')]);
  it('tells the type by its first bytes', () => {
    expect([pdf, png, jpeg, webp].map(sniffEvidenceType)).toEqual(['application/pdf', 'image/png', 'image/jpeg', 'image/webp']);
    expect(sniffEvidenceType(Buffer.from('MZ\x90\x00'))).toBeNull();
    expect(sniffEvidenceType(Buffer.from('<html>'))).toBeNull();
  });
  it('refuses empty, too large, other types, and a declared type the content is not', () => {
    expect(checkEvidence(Buffer.alloc(0), null, 100)).toMatchObject({ ok: false, code: 'evidence_empty' });
    expect(checkEvidence(Buffer.concat([pdf, Buffer.alloc(200)]), null, 100)).toMatchObject({ ok: false, code: 'evidence_too_large' });
    expect(checkEvidence(Buffer.from('GIF89a'), 'image/gif', 100)).toMatchObject({ ok: false, code: 'evidence_type_not_allowed' });
    expect(checkEvidence(png, 'application/pdf', 100)).toMatchObject({ ok: false, code: 'evidence_type_mismatch' });
    expect(checkEvidence(png, 'image/png', 100)).toEqual({ ok: true, type: 'image/png' });
  });
});
