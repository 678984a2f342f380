/**
 * Client routes under /app/ (the server answers index.html for every one of them; the API lives outside
 * /app, so a client route can never shadow an API route). Pages come from the area registry.
 */
import { Suspense, createElement, lazy } from 'react';
import { Button, Result, Spin } from 'antd';
import { Navigate, Outlet, RouterProvider, createBrowserRouter, useLocation, useNavigate, type RouteObject } from 'react-router';
import { useAuth } from './auth.tsx';
import { AppShell, useMenu } from './shell.tsx';
import { AREAS } from './registry.ts';
import { useMessages } from '../i18n/i18n.tsx';
import { appMessages } from './messages.ts';

export const APP_BASENAME = '/app';

const LoginPage = lazy(() => import('../areas/auth/login-page.tsx'));
const PasswordPage = lazy(() => import('../areas/auth/password-page.tsx'));

function FullPageSpin() {
  return <div style={{ display: 'flex', height: '100vh', alignItems: 'center', justifyContent: 'center' }}><Spin size="large" /></div>;
}

/** Signed in, or off to the login page (remembering where the user was going). */
function RequireSession() {
  const auth = useAuth();
  const location = useLocation();
  if (auth.status === 'loading') return <FullPageSpin />;
  if (auth.status === 'anonymous') return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  if (auth.me?.passwordChangeRequired && location.pathname !== '/password') return <Navigate to="/password" replace />;
  return <Outlet />;
}

function RequirePermission({ permission, children }: { permission: string | undefined; children: React.ReactNode }) {
  const auth = useAuth();
  const t = useMessages(appMessages);
  if (permission && !auth.can(permission)) return <Result status="403" title={t('app.forbidden')} />;
  return <>{children}</>;
}

function Home() {
  const menu = useMenu();
  const t = useMessages(appMessages);
  const first = menu[0];
  return first ? <Navigate to={first.path} replace /> : <Result status="info" title={t('app.nothingAllowed')} />;
}

function NotFound() {
  const t = useMessages(appMessages);
  const location = useLocation();
  const navigate = useNavigate();
  return <Result status="404" title={t('app.notFound')} subTitle={t('app.notFoundDetail', { path: location.pathname })} extra={<Button type="primary" onClick={() => navigate('/')}>{t('app.backHome')}</Button>} />;
}

export function routes(): RouteObject[] {
  return [
    { path: '/login', element: <Suspense fallback={<FullPageSpin />}><LoginPage /></Suspense> },
    {
      element: <RequireSession />,
      children: [{
        element: <AppShell />,
        children: [
          { index: true, element: <Home /> },
          { path: 'password', element: <PasswordPage /> },
          ...AREAS.flatMap((area) => area.pages.map((page) => ({
            path: page.path,
            element: <RequirePermission permission={page.permission}>{createElement(page.component)}</RequirePermission>,
          }))),
          { path: '*', element: <NotFound /> },
        ],
      }],
    },
  ];
}

export function App() {
  return <RouterProvider router={createBrowserRouter(routes(), { basename: APP_BASENAME })} />;
}
