import { describe, expect, it, vi } from 'vitest';
import type { ReactElement } from 'react';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ApiError } from '../../api/client.ts';
import { renderInApp } from '../../test-utils.tsx';
import { PlanForm } from './plan-form.tsx';
import type { QuoteInput, QuoteView } from './api.ts';

const user = userEvent.setup({ delay: null });

/** A quote as the server computes it: equal instalments, the remainder on the last, the 60-month limit. */
function fakeQuote(input: QuoteInput): QuoteView {
  if (input.months > 60) {
    throw new ApiError(422, { title: 'x', status: 422, code: 'plan_term_exceeds_limit', detail: `a plan of ${input.months} months is longer than 60 (CN-09)`, rule: 'CN-09', termMonthsMax: 60 });
  }
  const totalMinor = 100_000n;
  const each = totalMinor / BigInt(input.months);
  const installments = Array.from({ length: input.months }, (_, i) => ({
    seq: i + 1, dueOn: `2026-${String(7 + (i % 6)).padStart(2, '0')}-30`,
    amount: ((i === input.months - 1 ? totalMinor - each * BigInt(input.months - 1) : each) / 100n).toString() + '.' + ((i === input.months - 1 ? totalMinor - each * BigInt(input.months - 1) : each) % 100n).toString().padStart(2, '0'),
  }));
  return {
    accountId: 'A1', currency: 'CNY', type: 'installments', asOf: '2026-06-30', balance: '1000.00', owed: { fees: '0.00', interest: '0.00', principal: '1000.00', unclassified: '0.00', overdue: '1000.00' },
    waivedFees: '0.00', waivedInterest: '0.00', forgiven: '0.00', total: '1000.00', termMonths: input.months, installments,
    rules: { termMonthsMax: 60, rule: 'CN-09', businessDayDueDates: true, evidenceRequired: true, affordabilityRequired: true, pack: 'cn@2' },
    authority: { requiredTier: 'supervisor', reasons: [] },
  };
}

function renderWithQuery(ui: ReactElement, locale: 'zh-CN' | 'en' = 'zh-CN') {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return renderInApp(<QueryClientProvider client={client}>{ui}</QueryClientProvider>, locale);
}

describe('plan form with a live schedule', () => {
  it('asks the quote API as the months change and shows its schedule, the remainder on the last instalment', async () => {
    const quote = vi.fn(async (input: QuoteInput) => fakeQuote(input));
    renderWithQuery(<PlanForm currency="CNY" quote={quote} debounceMs={0} />);
    await waitFor(() => expect(quote).toHaveBeenLastCalledWith({ type: 'installments', months: 12 }));
    expect((await screen.findByTestId('plan-total')).textContent).toBe('合计 ¥1,000.00，12 期');
    const months = screen.getByLabelText('期数（月）');
    await user.clear(months);
    await user.type(months, '3');
    await waitFor(() => expect(quote).toHaveBeenLastCalledWith({ type: 'installments', months: 3 }));
    await waitFor(() => expect(screen.getByTestId('plan-total').textContent).toBe('合计 ¥1,000.00，3 期'));
    const rows = screen.getByTestId('plan-preview').querySelectorAll('tbody tr');
    expect([...rows].map((r) => r.querySelectorAll('td')[2]!.textContent)).toEqual(['¥333.33', '¥333.33', '¥333.34']);
    expect(screen.getByText(/规则：最长 60 个月（CN-09），遇节假日顺延至工作日 · 审批级别：主管/)).toBeTruthy();
  });

  it('shows the pack\'s 60-month limit at the months field, and no stale schedule', async () => {
    const quote = vi.fn(async (input: QuoteInput) => fakeQuote(input));
    renderWithQuery(<PlanForm currency="CNY" quote={quote} debounceMs={0} />);
    await screen.findByTestId('plan-total');
    const months = screen.getByLabelText('期数（月）');
    await user.clear(months);
    await user.type(months, '61');
    expect(await screen.findByText('a plan of 61 months is longer than 60 (CN-09)')).toBeTruthy();
    expect(screen.queryByTestId('plan-preview')).toBeNull();
    await user.clear(months);
    await user.type(months, '60');
    await waitFor(() => expect(screen.getByTestId('plan-total').textContent).toBe('合计 ¥1,000.00，60 期'));
    expect(screen.queryByText('a plan of 61 months is longer than 60 (CN-09)')).toBeNull();
  });

  it('sends the waivers and the declared finances, proposes the plan and shows that it waits for approval', async () => {
    const quote = vi.fn(async (input: QuoteInput) => fakeQuote(input));
    const propose = vi.fn(async () => ({ proposalId: 4, accountId: 'A1', type: 'installments', status: 'proposed' as const, requiredTier: 'supervisor', proposedBy: 'c1', decidedBy: null, planId: null, quote: { total: '1000.00', termMonths: 12, currency: 'CNY' } }));
    renderWithQuery(<PlanForm currency="CNY" quote={quote} propose={propose} debounceMs={0} />, 'en');
    await screen.findByTestId('plan-total');
    await user.click(screen.getByLabelText('Waive fees'));
    await waitFor(() => expect(quote).toHaveBeenLastCalledWith({ type: 'installments', months: 12, waiveFees: true }));
    await user.type(screen.getByLabelText('Monthly income'), '8000.00');
    await user.type(screen.getByLabelText('Monthly expenses'), '3000');
    await user.click(screen.getByRole('button', { name: /Propose the plan/ }));
    await waitFor(() => expect(propose).toHaveBeenCalledWith({ quote: { type: 'installments', months: 12, waiveFees: true }, declared: { monthlyIncome: '8000.00', monthlyExpenses: '3000' } }));
    expect((await screen.findByTestId('plan-status')).textContent).toBe('Proposed, waiting for a supervisor\'s approval (#4)');
  });
});
