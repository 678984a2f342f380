import { describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

// No pause between keystrokes: the forms validate on change, not on timing.
const user = userEvent.setup({ delay: null });
import { ApiError } from '../../api/client.ts';
import { renderInApp } from '../../test-utils.tsx';
import { UnmaskForm, normalizedReason, reasonLength } from './unmask-form.tsx';

describe('unmask reason', () => {
  it('is counted as the server counts it: trimmed, runs of spaces as one, characters not bytes', () => {
    expect(normalizedReason('  customer \n  called\tback ')).toBe('customer called back');
    expect(reasonLength('  a    b  ')).toBe(3);
    expect(reasonLength('客户来电核实身份信息')).toBe(10);
    expect(reasonLength('😀'.repeat(3))).toBe(3);
  });

  it('refuses an empty, a too short and a too long reason, and says how long it is', async () => {
    const onSubmit = vi.fn(async () => {});
    renderInApp(<UnmaskForm onSubmit={onSubmit} />);
    const submit = screen.getByRole('button', { name: /查\s*看/ });
    await user.click(submit);
    expect(await screen.findByText('请填写原因')).toBeTruthy();

    const reason = screen.getByLabelText('原因');
    await user.type(reason, '  too    short  ');
    await user.click(submit);
    expect(await screen.findByText('原因至少 10 个字符（当前 9 个）')).toBeTruthy();

    await user.clear(reason);
    await user.click(reason);
    await user.paste('x'.repeat(501));
    await user.click(submit);
    expect(await screen.findByText('原因最多 500 个字符（当前 501 个）')).toBeTruthy();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('sends the normalised reason, and shows a refusal of the server at the field', async () => {
    const onSubmit = vi.fn(async () => {
      throw new ApiError(400, { title: 'A reason is required', status: 400, code: 'reason_required', detail: 'a reason of at least 10 characters is required' });
    });
    renderInApp(<UnmaskForm onSubmit={onSubmit} />);
    await user.type(screen.getByLabelText('原因'), '  customer   called to verify  ');
    await user.click(screen.getByRole('button', { name: /查\s*看/ }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledWith('customer called to verify'));
    expect(await screen.findByText('a reason of at least 10 characters is required')).toBeTruthy();
  });

  it('speaks English when the language is English', async () => {
    renderInApp(<UnmaskForm onSubmit={async () => {}} />, 'en');
    await user.type(screen.getByLabelText('Reason'), 'short');
    await user.click(screen.getByRole('button', { name: 'Show' }));
    expect(await screen.findByText('A reason has at least 10 characters (5 so far)')).toBeTruthy();
  });
});
