/** Renders a component inside the app's providers (language), as the app does. */
import type { ReactElement } from 'react';
import { render } from '@testing-library/react';
import { I18nProvider } from './i18n/i18n.tsx';
import type { Locale } from './i18n/catalog.ts';

export function renderInApp(ui: ReactElement, locale: Locale = 'zh-CN') {
  return render(<I18nProvider initialLocale={locale}>{ui}</I18nProvider>);
}
