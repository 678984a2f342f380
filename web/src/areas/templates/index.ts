import { createElement, lazy } from 'react';
import { MessageOutlined } from '@ant-design/icons';
import { defineArea } from '../../app/areas.ts';
import { templateMessages } from './messages.ts';

export const templatesArea = defineArea({
  id: 'templates',
  catalog: templateMessages,
  pages: [
    { path: 'templates', permission: 'templates:read', component: lazy(() => import('./templates-page.tsx')) },
    { path: 'templates/:id', permission: 'templates:read', component: lazy(() => import('./template-editor-page.tsx')) },
  ],
  menu: [{ path: '/templates', labelKey: 'menu.templates', icon: createElement(MessageOutlined), permission: 'templates:read', order: 50 }],
});
