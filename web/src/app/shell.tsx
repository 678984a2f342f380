/** The signed-in frame: side menu (entries the caller's permissions allow), header with language, user and logout. */
import { Suspense, useMemo } from 'react';
import { Button, Dropdown, Layout, Menu, Space, Spin, Typography } from 'antd';
import { LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { useI18n, useMessages } from '../i18n/i18n.tsx';
import { translator } from '../i18n/catalog.ts';
import { LanguageSwitch } from './language-switch.tsx';
import { useAuth } from './auth.tsx';
import { appMessages } from './messages.ts';
import { AREAS } from './registry.ts';

export function useMenu() {
  const { locale } = useI18n();
  const auth = useAuth();
  return useMemo(() => AREAS
    .flatMap((area) => area.menu.map((item) => ({ ...item, label: translator(area.catalog, locale)(item.labelKey) })))
    .filter((item) => !item.permission || auth.can(item.permission))
    .sort((a, b) => a.order - b.order), [locale, auth]);
}

export function AppShell() {
  const t = useMessages(appMessages);
  const auth = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const menu = useMenu();
  const selected = menu.filter((m) => location.pathname === m.path || location.pathname.startsWith(`${m.path}/`)).map((m) => m.path);
  const roleKey = `role.${auth.me?.role ?? ''}` as Parameters<typeof t>[0];
  const roleName = auth.me?.role ? (t(roleKey) === roleKey ? auth.me.role : t(roleKey)) : '';
  const logout = async () => {
    await auth.logout();
    navigate('/login', { replace: true });
  };
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider width={200} breakpoint="lg" collapsedWidth={64} theme="dark">
        <div style={{ color: '#fff', fontWeight: 600, fontSize: 16, padding: '16px 20px', whiteSpace: 'nowrap', overflow: 'hidden' }}>Recourse</div>
        <nav aria-label={t('app.menu')}>
          <Menu theme="dark" mode="inline" selectedKeys={selected}
            items={menu.map((m) => ({ key: m.path, icon: m.icon, label: <Link to={m.path}>{m.label}</Link> }))} />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ background: '#fff', padding: '0 24px', display: 'flex', alignItems: 'center', justifyContent: 'space-between', borderBottom: '1px solid #f0f0f0' }}>
          <Typography.Text strong>{t('app.name')}</Typography.Text>
          <Space size="middle">
            <LanguageSwitch />
            <Dropdown menu={{ items: [{ key: 'password', label: <Link to="/password">{t('app.changePassword')}</Link> }] }} trigger={['click']}>
              <Button type="text" icon={<UserOutlined />} aria-label={`${t('app.signedInAs')} ${auth.me?.name ?? ''}`}>
                <span data-testid="current-user">{auth.me?.name}</span>
                {roleName && <Typography.Text type="secondary" data-testid="current-role">· {roleName}</Typography.Text>}
              </Button>
            </Dropdown>
            <Button icon={<LogoutOutlined />} onClick={logout}>{t('app.logout')}</Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: 24, minWidth: 0 }}>
          <main>
            <Suspense fallback={<Spin tip={t('app.loading')}><div style={{ height: 120 }} /></Spin>}>
              <Outlet />
            </Suspense>
          </main>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
