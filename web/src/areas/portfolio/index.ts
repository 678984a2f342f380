import { createElement, lazy } from 'react';
import { TableOutlined } from '@ant-design/icons';
import { defineArea } from '../../app/areas.ts';
import { portfolioMessages } from './messages.ts';

export const portfolioArea = defineArea({
  id: 'portfolio',
  catalog: portfolioMessages,
  pages: [
    { path: 'accounts', permission: 'accounts:read', component: lazy(() => import('./accounts-page.tsx')) },
    { path: 'accounts/:id', permission: 'accounts:read', component: lazy(() => import('./account-page.tsx')) },
  ],
  menu: [{ path: '/accounts', labelKey: 'menu.accounts', icon: createElement(TableOutlined), permission: 'accounts:read', order: 20 }],
});
