/** After an admin's reset every API call answers 403 password_change_required until the user sets a new password here. */
import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useNavigate } from 'react-router';
import { ApiError } from '../../api/client.ts';
import { useAuth } from '../../app/auth.tsx';
import { useMessages } from '../../i18n/i18n.tsx';
import { authApi } from './api.ts';
import { authMessages } from './messages.ts';

export default function PasswordPage() {
  const t = useMessages(authMessages);
  const auth = useAuth();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (v: { currentPassword: string; newPassword: string }) => {
    setBusy(true);
    setError(null);
    try {
      await authApi.changePassword(v.currentPassword, v.newPassword);
      await auth.refresh();
      navigate('/', { replace: true });
    } catch (e) {
      setError(t('password.failed', { detail: e instanceof ApiError ? e.problem.detail ?? e.problem.title : String(e) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card style={{ maxWidth: 480 }}>
      <Typography.Title level={4}>{t('password.title')}</Typography.Title>
      {auth.me?.passwordChangeRequired && <Typography.Paragraph>{t('password.explain')}</Typography.Paragraph>}
      {error && <Alert type="error" role="alert" message={error} showIcon style={{ marginBottom: 16 }} />}
      <Form layout="vertical" onFinish={submit} requiredMark={false} name="password-change">
        <Form.Item label={t('password.current')} name="currentPassword" rules={[{ required: true, message: t('password.required') }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item label={t('password.new')} name="newPassword" rules={[{ required: true, message: t('password.required') }, { min: 12, message: t('password.tooShort') }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item label={t('password.confirm')} name="confirm" dependencies={['newPassword']} rules={[
          { required: true, message: t('password.required') },
          ({ getFieldValue }) => ({ validator: (_, value) => (value === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error(t('password.mismatch')))) }),
        ]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>{t('password.submit')}</Button>
      </Form>
    </Card>
  );
}
