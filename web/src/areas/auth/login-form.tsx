/**
 * The login form: username and password, then the one-time code when the server says the account
 * needs one (401 totp_required) — the code field then appears and keeps the password typed so far.
 * Server refusals are shown above the form in words, never as a raw code.
 */
import { useState } from 'react';
import { Alert, Button, Form, Input } from 'antd';
import { ApiError } from '../../api/client.ts';
import { useMessages } from '../../i18n/i18n.tsx';
import { authMessages } from './messages.ts';
import type { LoginInput } from './api.ts';

export const TOTP_PATTERN = /^\d{6}$/;

export function LoginForm({ onSubmit }: { onSubmit(input: LoginInput): Promise<void> }) {
  const t = useMessages(authMessages);
  const [form] = Form.useForm<{ username: string; password: string; totp?: string }>();
  const [needsTotp, setNeedsTotp] = useState(false);
  const [error, setError] = useState<{ text: string; severity: 'warning' | 'error' } | null>(null);
  const [busy, setBusy] = useState(false);

  const describe = (e: unknown): string => {
    if (!(e instanceof ApiError)) return t('login.failed', { detail: e instanceof Error ? e.message : String(e) });
    switch (e.code) {
      case 'invalid_credentials':
        return needsTotp ? t('login.invalidTotp') : t('login.invalidCredentials');
      case 'totp_required':
        return t('login.totpRequired');
      case 'account_locked':
        return t('login.locked', { seconds: Number(e.problem['retryAfterSeconds'] ?? 60) });
      case 'rate_limited':
        return t('login.rateLimited');
      default:
        return t('login.failed', { detail: e.problem.detail ?? e.problem.title });
    }
  };

  const submit = async (values: { username: string; password: string; totp?: string }) => {
    setBusy(true);
    setError(null);
    try {
      await onSubmit({ username: values.username.trim(), password: values.password, ...(needsTotp && values.totp ? { totp: values.totp } : {}) });
    } catch (e) {
      if (e instanceof ApiError && e.code === 'totp_required') setNeedsTotp(true);
      if (e instanceof ApiError && e.code === 'invalid_credentials' && needsTotp) form.setFieldValue('totp', '');
      setError({ text: describe(e), severity: e instanceof ApiError && e.code === 'totp_required' ? 'warning' : 'error' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Form form={form} layout="vertical" requiredMark={false} onFinish={submit} aria-label={t('login.title')} name="login">
      {error && <Alert type={error.severity} message={error.text} showIcon role="alert" style={{ marginBottom: 16 }} />}
      <Form.Item label={t('login.username')} name="username" rules={[
        { required: true, whitespace: true, message: t('login.usernameRequired') },
        { max: 64, message: t('login.usernameTooLong') },
      ]}>
        <Input autoComplete="username" autoFocus />
      </Form.Item>
      <Form.Item label={t('login.password')} name="password" rules={[{ required: true, message: t('login.passwordRequired') }]}>
        <Input.Password autoComplete="current-password" />
      </Form.Item>
      {needsTotp && (
        <Form.Item label={t('login.totp')} name="totp" extra={t('login.totpHelp')} rules={[
          { required: true, message: t('login.totpRequired') },
          { pattern: TOTP_PATTERN, message: t('login.totpFormat') },
        ]}>
          <Input autoComplete="one-time-code" inputMode="numeric" maxLength={6} autoFocus />
        </Form.Item>
      )}
      <Button type="primary" htmlType="submit" block loading={busy}>{t('login.submit')}</Button>
    </Form>
  );
}
