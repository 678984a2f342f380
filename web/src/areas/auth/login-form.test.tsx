import { describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

// No pause between keystrokes: the forms validate on change, not on timing.
const user = userEvent.setup({ delay: null });
import { ApiError } from '../../api/client.ts';
import { renderInApp } from '../../test-utils.tsx';
import { LoginForm } from './login-form.tsx';

const problem = (status: number, code: string, extra: Record<string, unknown> = {}) => new ApiError(status, { title: code, status, code, detail: code, ...extra });

describe('login form', () => {
  it('refuses to submit without a username and a password, naming both fields', async () => {
    const onSubmit = vi.fn(async () => {});
    renderInApp(<LoginForm onSubmit={onSubmit} />);
    await user.click(screen.getByRole('button', { name: /登\s*录/ }));
    expect(await screen.findByText('请输入用户名')).toBeTruthy();
    expect(screen.getByText('请输入密码')).toBeTruthy();
    await user.type(screen.getByLabelText('用户名'), '   ');
    await user.click(screen.getByRole('button', { name: /登\s*录/ }));
    expect(await screen.findByText('请输入用户名')).toBeTruthy();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('asks for the one-time code when the server says so, checks it is 6 digits, and sends it with the password', async () => {
    const onSubmit = vi.fn(async (input: { totp?: string }) => {
      if (!input.totp) throw problem(401, 'totp_required');
    });
    renderInApp(<LoginForm onSubmit={onSubmit} />);
    expect(screen.queryByLabelText('动态验证码')).toBeNull();
    await user.type(screen.getByLabelText('用户名'), ' li.na ');
    await user.type(screen.getByLabelText('密码'), 'correct horse battery staple');
    await user.click(screen.getByRole('button', { name: /登\s*录/ }));
    expect(await screen.findByText('此账号需要动态验证码')).toBeTruthy();
    expect(onSubmit).toHaveBeenCalledTimes(1);
    expect(onSubmit).toHaveBeenLastCalledWith({ username: 'li.na', password: 'correct horse battery staple' });

    const code = screen.getByLabelText('动态验证码');
    await user.type(code, '12a45');
    await user.click(screen.getByRole('button', { name: /登\s*录/ }));
    expect(await screen.findByText('动态验证码为 6 位数字')).toBeTruthy();
    expect(onSubmit).toHaveBeenCalledTimes(1);

    await user.clear(code);
    await user.type(code, '123456');
    await user.click(screen.getByRole('button', { name: /登\s*录/ }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(2));
    expect(onSubmit).toHaveBeenLastCalledWith({ username: 'li.na', password: 'correct horse battery staple', totp: '123456' });
  });

  it('says in words why the server refused: wrong credentials, a wrong code, a lock with its wait', async () => {
    const answers = [problem(401, 'invalid_credentials'), problem(423, 'account_locked', { retryAfterSeconds: 120 })];
    const onSubmit = vi.fn(async () => {
      throw answers.shift();
    });
    renderInApp(<LoginForm onSubmit={onSubmit} />);
    await user.type(screen.getByLabelText('用户名'), 'li.na');
    await user.type(screen.getByLabelText('密码'), 'wrong');
    await user.click(screen.getByRole('button', { name: /登\s*录/ }));
    expect((await screen.findByRole('alert')).textContent).toContain('用户名或密码错误');
    await user.click(screen.getByRole('button', { name: /登\s*录/ }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('账号已锁定，请在 120 秒后重试'));
  });

  it('speaks English when the language is English', async () => {
    renderInApp(<LoginForm onSubmit={async () => {}} />, 'en');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByText('Enter your username')).toBeTruthy();
    expect(screen.getByLabelText('Password')).toBeTruthy();
  });
});
