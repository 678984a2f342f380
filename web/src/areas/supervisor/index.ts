import { createElement, lazy } from 'react';
import { TeamOutlined } from '@ant-design/icons';
import { defineArea } from '../../app/areas.ts';
import { supervisorMessages } from './messages.ts';

export const supervisorArea = defineArea({
  id: 'supervisor',
  catalog: supervisorMessages,
  pages: [{ path: 'supervisor', permission: 'worklist:supervise', component: lazy(() => import('./supervisor-page.tsx')) }],
  menu: [{ path: '/supervisor', labelKey: 'menu.supervisor', icon: createElement(TeamOutlined), permission: 'worklist:supervise', order: 35 }],
});
