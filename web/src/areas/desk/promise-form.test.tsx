import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError } from '../../api/client.ts';
import { renderInApp } from '../../test-utils.tsx';
import { PromiseForm } from './promise-form.tsx';
import { addDays, parseAmount } from './money.ts';

const user = userEvent.setup({ delay: null });
const TODAY = '2026-06-30';
const ok = async () => ({ promiseId: 7, replayed: false, captureTaken: false });

function setDate(label: string, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe('amounts and dates', () => {
  it('reads an amount exactly in the currency\'s minor units, never through a float', () => {
    expect(parseAmount('1234.5', 'CNY')).toEqual({ ok: true, minor: 123450n, text: '1234.5' });
    expect(parseAmount('0.1', 'CNY')).toMatchObject({ minor: 10n });
    expect(parseAmount('999999999999999.99', 'CNY')).toMatchObject({ minor: 99999999999999999n });
    expect(parseAmount('1.005', 'CNY')).toEqual({ ok: false, problem: 'digits', digits: 2 });
    expect(parseAmount('100', 'JPY')).toMatchObject({ minor: 100n });
    expect(parseAmount('100.5', 'JPY')).toEqual({ ok: false, problem: 'digits', digits: 0 });
    for (const bad of ['1,000', '1e3', '-5', '.5', '', ' ']) expect(parseAmount(bad, 'CNY')).toMatchObject({ ok: false, problem: 'format' });
    expect(parseAmount('0.00', 'CNY')).toMatchObject({ ok: false, problem: 'zero' });
    expect(addDays('2026-12-31', 30)).toBe('2027-01-30');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
  });
});

describe('promise-to-pay form', () => {
  it('refuses an amount that is not an exact decimal of the currency', async () => {
    const onSubmit = vi.fn(ok);
    renderInApp(<PromiseForm currency="CNY" today={TODAY} daysAheadMax={30} onSubmit={onSubmit} />);
    const amount = screen.getByLabelText('承诺金额（CNY）');
    const submit = screen.getByRole('button', { name: /记录承诺/ });
    await user.click(submit);
    expect(await screen.findByText('请填写金额')).toBeTruthy();
    await user.type(amount, '1,000');
    await user.click(submit);
    expect(await screen.findByText('金额格式不对：只用数字和小数点，如 1000.50')).toBeTruthy();
    await user.clear(amount);
    await user.type(amount, '10.005');
    await user.click(submit);
    expect(await screen.findByText('CNY 最多 2 位小数')).toBeTruthy();
    await user.clear(amount);
    await user.type(amount, '0');
    await user.click(submit);
    expect(await screen.findByText('金额必须大于零')).toBeTruthy();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('keeps the date from today to the limit, and sends the exact strings', async () => {
    const onSubmit = vi.fn(ok);
    renderInApp(<PromiseForm currency="CNY" today={TODAY} daysAheadMax={30} onSubmit={onSubmit} />);
    await user.type(screen.getByLabelText('承诺金额（CNY）'), '500.50');
    const submit = screen.getByRole('button', { name: /记录承诺/ });
    setDate('承诺还款日', '2026-06-29');
    await user.click(submit);
    expect(await screen.findByText('日期不能早于今天（2026年6月30日）')).toBeTruthy();
    setDate('承诺还款日', '2026-07-31');
    await user.click(submit);
    expect(await screen.findByText('承诺还款日最晚为 2026年7月30日（30 天内）；更长请做分期方案')).toBeTruthy();
    expect(onSubmit).not.toHaveBeenCalled();
    setDate('承诺还款日', '2026-07-30');
    await user.click(submit);
    await waitFor(() => expect(onSubmit).toHaveBeenCalledWith({ amount: '500.50', promisedOn: '2026-07-30' }));
    expect((await screen.findByTestId('promise-result')).textContent).toBe('已记录承诺还款 #7');
  });

  it('shows the server\'s refusal at the field it names, in English too', async () => {
    const onSubmit = vi.fn(async () => {
      throw new ApiError(422, { title: 'x', status: 422, code: 'promised_date_invalid', detail: 'promised date 2026-07-01 is after the account closed', errors: [{ field: 'body.promisedOn', message: 'x' }] });
    });
    renderInApp(<PromiseForm currency="USD" today={TODAY} daysAheadMax={30} onSubmit={onSubmit} />, 'en');
    await user.type(screen.getByLabelText('Amount (USD)'), '25');
    setDate('Promised date', '2026-07-01');
    await user.click(screen.getByRole('button', { name: /Record the promise/ }));
    expect(await screen.findByText('promised date 2026-07-01 is after the account closed')).toBeTruthy();
  });
});
