import { Segmented } from 'antd';
import { useI18n, useMessages } from '../i18n/i18n.tsx';
import { LOCALES, type Locale } from '../i18n/catalog.ts';
import { appMessages } from './messages.ts';

/** Each language named in itself, so anyone finds their own. */
const NAMES: Record<Locale, string> = { 'zh-CN': '中文', en: 'English' };

export function LanguageSwitch() {
  const { locale, setLocale } = useI18n();
  const t = useMessages(appMessages);
  return (
    <Segmented<Locale>
      aria-label={t('app.language')}
      value={locale}
      onChange={(value) => setLocale(value)}
      options={LOCALES.map((l) => ({ value: l, label: <span lang={l}>{NAMES[l]}</span> }))}
    />
  );
}
