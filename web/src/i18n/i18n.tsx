/**
 * The language of the whole app: one locale for messages (per-area catalogs), Intl formats, Ant
 * Design's own texts (ConfigProvider locale) and dayjs (date pickers). zh-CN by default; the choice is
 * kept in localStorage.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ConfigProvider } from 'antd';
import zhCN from 'antd/es/locale/zh_CN';
import enUS from 'antd/es/locale/en_US';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import 'dayjs/locale/en';
import { DEFAULT_LOCALE, isLocale, translator, type Locale, type MessageCatalog, type Translate } from './catalog.ts';
import { formatsFor, type Formats } from './format.ts';

const STORAGE_KEY = 'recourse.locale';

interface I18nState { locale: Locale; setLocale(locale: Locale): void; formats: Formats }
const I18nContext = createContext<I18nState | null>(null);

function storedLocale(): Locale {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    return isLocale(stored) ? stored : DEFAULT_LOCALE;
  } catch {
    return DEFAULT_LOCALE;
  }
}

const ANTD_LOCALES = { 'zh-CN': zhCN, en: enUS } as const;
const DAYJS_LOCALES = { 'zh-CN': 'zh-cn', en: 'en' } as const;

export function I18nProvider({ children, initialLocale }: { children: ReactNode; initialLocale?: Locale }) {
  const [locale, setLocaleState] = useState<Locale>(() => initialLocale ?? storedLocale());
  const setLocale = useCallback((next: Locale) => {
    setLocaleState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // storage refused (private mode): the choice lasts for this page only
    }
  }, []);
  dayjs.locale(DAYJS_LOCALES[locale]);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const value = useMemo(() => ({ locale, setLocale, formats: formatsFor(locale) }), [locale, setLocale]);
  return (
    <I18nContext.Provider value={value}>
      <ConfigProvider locale={ANTD_LOCALES[locale]}>{children}</ConfigProvider>
    </I18nContext.Provider>
  );
}

export function useI18n(): I18nState {
  const state = useContext(I18nContext);
  if (!state) throw new Error('useI18n outside <I18nProvider>');
  return state;
}

/** The translate function of one area's catalog, in the current locale. */
export function useMessages<K extends string>(catalog: MessageCatalog<K>): Translate<K> {
  const { locale } = useI18n();
  return useMemo(() => translator(catalog, locale), [catalog, locale]);
}

export function useFormats(): Formats {
  return useI18n().formats;
}
