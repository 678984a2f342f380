import { createElement, lazy } from 'react';
import { ApartmentOutlined } from '@ant-design/icons';
import { defineArea } from '../../app/areas.ts';
import { strategyMessages } from './messages.ts';

export const strategyArea = defineArea({
  id: 'strategy',
  catalog: strategyMessages,
  pages: [
    { path: 'strategies', permission: 'strategy:read', component: lazy(() => import('./strategies-page.tsx')) },
    { path: 'strategies/editor', permission: 'strategy:read', component: lazy(() => import('./strategy-editor-page.tsx')) },
  ],
  menu: [{ path: '/strategies', labelKey: 'menu.strategies', icon: createElement(ApartmentOutlined), permission: 'strategy:read', order: 40 }],
});
