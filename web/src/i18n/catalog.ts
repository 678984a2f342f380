/**
 * A small typed message catalog. Each area defines its messages once per locale with
 * `defineMessages(zhCN, en)`: zh-CN (the default) names the keys, en must give exactly the same keys
 * (the compiler refuses a missing key, and an extra one in the object literal). `{name}` placeholders are filled from params.
 */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

export function isLocale(text: unknown): text is Locale {
  return typeof text === 'string' && (LOCALES as readonly string[]).includes(text);
}

export type MessageParams = Record<string, string | number>;

export interface MessageCatalog<K extends string> {
  readonly messages: Readonly<Record<Locale, Readonly<Record<K, string>>>>;
}

export function defineMessages<const Z extends Record<string, string>>(zhCN: Z, en: { readonly [K in keyof Z]: string }): MessageCatalog<Extract<keyof Z, string>> {
  return { messages: { 'zh-CN': zhCN, en: en as Record<Extract<keyof Z, string>, string> } };
}

export type Translate<K extends string> = (key: K, params?: MessageParams) => string;

/** `{name}` → params.name; an unknown placeholder stays visible so a missing param is noticed, not hidden. */
export function interpolate(template: string, params?: MessageParams): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** A key the catalog lacks (a code built at run time, say a status the API added) comes back as the key itself. */
export function translator<K extends string>(catalog: MessageCatalog<K>, locale: Locale): Translate<K> {
  const table = catalog.messages[locale];
  return (key, params) => interpolate((table[key] as string | undefined) ?? key, params);
}
