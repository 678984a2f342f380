import { describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError } from '../../api/client.ts';
import { renderInApp } from '../../test-utils.tsx';
import { RightPartyCheckForm } from './rpc-form.tsx';

const user = userEvent.setup({ delay: null });

describe('right-party check form', () => {
  it('needs a name and four digits or letters before asking the server', async () => {
    const onSubmit = vi.fn();
    renderInApp(<RightPartyCheckForm onSubmit={onSubmit} onPassed={() => {}} />);
    await user.click(screen.getByRole('button', { name: /核\s*验/ }));
    expect(await screen.findByText('请填写对方报出的姓名')).toBeTruthy();
    expect(await screen.findByText('请填写 4 位数字或字母（末位可为 X）')).toBeTruthy();
    await user.type(screen.getByLabelText('客户姓名'), '王璐');
    await user.type(screen.getByLabelText('证件号码后四位'), '12-4');
    await user.click(screen.getByRole('button', { name: /核\s*验/ }));
    expect(await screen.findByText('请填写 4 位数字或字母（末位可为 X）')).toBeTruthy();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('sends the trimmed answers, counts the attempts left and locks after the last', async () => {
    const answers = [{ passed: false, attemptsLeft: 2 }, { passed: false, attemptsLeft: 1 }, { passed: false, attemptsLeft: 0 }];
    const onSubmit = vi.fn(async () => ({ contactId: 1, verifiedAt: null, ...answers.shift()! }));
    const onPassed = vi.fn();
    renderInApp(<RightPartyCheckForm onSubmit={onSubmit} onPassed={onPassed} />);
    expect(screen.getByTestId('rpc-attempts').textContent).toBe('剩余尝试次数：3');
    await user.type(screen.getByLabelText('客户姓名'), '  王璐 ');
    await user.type(screen.getByLabelText('证件号码后四位'), '001x');
    await user.click(screen.getByRole('button', { name: /核\s*验/ }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledWith('王璐', '001x'));
    expect(await screen.findByText('核身未通过，还可尝试 2 次')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: /核\s*验/ }));
    expect(await screen.findByText('核身未通过，还可尝试 1 次')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: /核\s*验/ }));
    expect(await screen.findByTestId('rpc-locked')).toBeTruthy();
    expect(screen.queryByLabelText('客户姓名')).toBeNull();
    expect(onPassed).not.toHaveBeenCalled();
  });

  it('reports a pass, the server\'s lock and a third party\'s number', async () => {
    const onPassed = vi.fn();
    const { unmount } = renderInApp(<RightPartyCheckForm onSubmit={async () => ({ contactId: 1, passed: true, attemptsLeft: 2, verifiedAt: '2026-06-30T02:00:00Z' })} onPassed={onPassed} />);
    await user.type(screen.getByLabelText('客户姓名'), '王璐');
    await user.type(screen.getByLabelText('证件号码后四位'), '0010');
    await user.click(screen.getByRole('button', { name: /核\s*验/ }));
    expect(await screen.findByTestId('rpc-passed')).toBeTruthy();
    expect(onPassed).toHaveBeenCalledOnce();
    unmount();

    const third = async () => {
      throw new ApiError(409, { title: 'x', status: 409, code: 'right_party_check_not_applicable' });
    };
    renderInApp(<RightPartyCheckForm onSubmit={third} onPassed={() => {}} />, 'en');
    await user.type(screen.getByLabelText('Customer name'), 'Wang Lu');
    await user.type(screen.getByLabelText('Last four of the national id'), '0010');
    await user.click(screen.getByRole('button', { name: /Verify/ }));
    expect(await screen.findByText('A third party\'s number: no right-party check, no debt details')).toBeTruthy();
  });
});
