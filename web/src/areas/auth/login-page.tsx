import { Card, Typography } from 'antd';
import { Navigate, useLocation } from 'react-router';
import { useAuth } from '../../app/auth.tsx';
import { LanguageSwitch } from '../../app/language-switch.tsx';
import { useMessages } from '../../i18n/i18n.tsx';
import { LoginForm } from './login-form.tsx';
import { authMessages } from './messages.ts';

export default function LoginPage() {
  const t = useMessages(authMessages);
  const auth = useAuth();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  if (auth.status === 'signed-in') return <Navigate to={auth.me?.passwordChangeRequired ? '/password' : from} replace />;
  return (
    <main style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', background: '#f0f2f5' }}>
      <div style={{ position: 'absolute', top: 16, right: 24 }}><LanguageSwitch /></div>
      <Card style={{ width: 380 }}>
        <Typography.Title level={3} style={{ marginBottom: 0 }}>Recourse</Typography.Title>
        <Typography.Paragraph type="secondary">{t('login.subtitle')}</Typography.Paragraph>
        <Typography.Title level={4}>{t('login.title')}</Typography.Title>
        <LoginForm onSubmit={auth.login} />
      </Card>
    </main>
  );
}
