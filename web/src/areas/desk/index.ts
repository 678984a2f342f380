import { createElement, lazy } from 'react';
import { PhoneOutlined } from '@ant-design/icons';
import { defineArea } from '../../app/areas.ts';
import { deskMessages } from './messages.ts';

export const deskArea = defineArea({
  id: 'desk',
  catalog: deskMessages,
  pages: [{ path: 'desk', permission: 'worklist:work', component: lazy(() => import('./desk-page.tsx')) }],
  menu: [{ path: '/desk', labelKey: 'menu.desk', icon: createElement(PhoneOutlined), permission: 'worklist:work', order: 30 }],
});
