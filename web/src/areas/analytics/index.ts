import { createElement, lazy } from 'react';
import { LineChartOutlined } from '@ant-design/icons';
import { defineArea } from '../../app/areas.ts';
import { analyticsMessages } from './messages.ts';

export const analyticsArea = defineArea({
  id: 'analytics',
  catalog: analyticsMessages,
  pages: [{ path: 'analytics', permission: 'reports:read', component: lazy(() => import('./analytics-page.tsx')) }],
  menu: [{ path: '/analytics', labelKey: 'menu.analytics', icon: createElement(LineChartOutlined), permission: 'reports:read', order: 15 }],
});
