/**
 * How a screen slots in: each area (portfolio, dashboard, and later the collector desk, approvals,
 * strategy and template admin) is a folder under src/areas/ with its API client (api.ts), its
 * messages in both languages (messages.ts) and an index.ts that defines the area: its pages (lazy, so
 * an area's code loads only when opened), the permission each needs, and its menu entries.
 * src/app/registry.ts lists the areas; nothing else changes.
 */
import type { ComponentType, LazyExoticComponent, ReactNode } from 'react';
import type { MessageCatalog } from '../i18n/catalog.ts';

export interface AreaPage {
  /** Client route under /app/, e.g. "accounts/:id". */
  path: string;
  /** A permission from GET /auth/me the page needs (the API enforces it too). */
  permission?: string;
  component: LazyExoticComponent<ComponentType>;
}

export interface AreaMenuItem<K extends string = string> {
  path: string;
  labelKey: K;
  icon: ReactNode;
  permission?: string;
  /** Position in the side menu (lower first). */
  order: number;
}

export interface Area<K extends string = string> {
  id: string;
  catalog: MessageCatalog<K>;
  pages: AreaPage[];
  menu: AreaMenuItem<K>[];
}

export function defineArea<K extends string>(area: Area<K>): Area {
  return area as unknown as Area;
}
