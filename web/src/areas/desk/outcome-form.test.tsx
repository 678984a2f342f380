import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError } from '../../api/client.ts';
import { renderInApp } from '../../test-utils.tsx';
import { OutcomeForm } from './outcome-form.tsx';

const user = userEvent.setup({ delay: null });
const saved = { contactId: 1, attemptId: 9, noteId: null, callbackWorkItemId: null, workItemDone: true, replayed: false };

async function choose(label: string, option: string) {
  await user.click(screen.getByLabelText(label));
  const items = await screen.findAllByTitle(option);
  await user.click(items.find((e) => e.classList.contains('ant-select-item-option')) ?? items[0]!);
}

describe('outcome form', () => {
  it('offers the cardholder outcome only after the right-party check', async () => {
    renderInApp(<OutcomeForm rightPartyVerified={false} onSubmit={vi.fn()} onSaved={() => {}} />);
    await user.click(screen.getByLabelText('结果'));
    const option = (await screen.findAllByText('接通-本人')).map((e) => e.closest('.ant-select-item-option')).find(Boolean)!;
    expect(option.classList.contains('ant-select-item-option-disabled')).toBe(true);
    await user.click(screen.getByRole('button', { name: /保存结果/ }));
    expect(await screen.findByText('请选择通话结果')).toBeTruthy();
  });

  it('sends the outcome with disposition, reason and note, and shows prohibited language at the note', async () => {
    const onSubmit = vi.fn(async () => {
      throw new ApiError(422, { title: 'x', status: 422, code: 'note_language_prohibited', detail: 'x', findings: [{ ruleId: 'CN-05', category: 'threat', match: '后果自负' }] });
    });
    const onSaved = vi.fn();
    renderInApp(<OutcomeForm rightPartyVerified onSubmit={onSubmit} onSaved={onSaved} />);
    await choose('结果', '接通-本人');
    await choose('处置', '承诺还款');
    await choose('逾期原因', '疾病');
    await user.type(screen.getByLabelText('催记'), '不还就后果自负');
    await user.click(screen.getByRole('button', { name: /保存结果/ }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledWith({ outcome: 'connected_right_party', disposition: 'promise_to_pay', delinquencyReason: 'illness', note: '不还就后果自负' }));
    expect(await screen.findByText('催记含有禁止用语：CN-05 threat “后果自负”')).toBeTruthy();
    expect(onSaved).not.toHaveBeenCalled();
  });

  it('sends a callback as an instant and shows the window refusal at its field', async () => {
    const onSubmit = vi.fn()
      .mockRejectedValueOnce(new ApiError(409, { title: 'x', status: 409, code: 'callback_outside_contact_window', detail: 'not before 2026-07-01T08:00:00+08:00' }))
      .mockResolvedValueOnce(saved);
    const onSaved = vi.fn();
    renderInApp(<OutcomeForm rightPartyVerified={false} onSubmit={onSubmit} onSaved={onSaved} />, 'en');
    await choose('Outcome', 'no answer');
    fireEvent.change(screen.getByLabelText('Call back at'), { target: { value: '2026-06-30T23:00' } });
    await user.click(screen.getByRole('button', { name: /Save the outcome/ }));
    expect(await screen.findByText('not before 2026-07-01T08:00:00+08:00')).toBeTruthy();
    expect(onSubmit).toHaveBeenCalledWith({ outcome: 'no_answer', callbackAt: new Date('2026-06-30T23:00').toISOString() });
    fireEvent.change(screen.getByLabelText('Call back at'), { target: { value: '2026-07-01T09:00' } });
    await user.click(screen.getByRole('button', { name: /Save the outcome/ }));
    expect(await screen.findByTestId('outcome-saved')).toBeTruthy();
    expect(onSaved).toHaveBeenCalledWith(saved);
  });
});
