import { createElement, lazy } from 'react';
import { DashboardOutlined } from '@ant-design/icons';
import { defineArea } from '../../app/areas.ts';
import { dashboardMessages } from './messages.ts';

export const dashboardArea = defineArea({
  id: 'dashboard',
  catalog: dashboardMessages,
  pages: [{ path: 'dashboard', permission: 'accounts:read', component: lazy(() => import('./dashboard-page.tsx')) }],
  menu: [{ path: '/dashboard', labelKey: 'menu.dashboard', icon: createElement(DashboardOutlined), permission: 'accounts:read', order: 10 }],
});
