export type Locale = 'en' | 'de';
export const LOCALES: readonly Locale[] = ['en', 'de'];
/** The tag for Intl formatting of each locale. */
export const BCP47: Record<Locale, string> = { en: 'en-GB', de: 'de-DE' };
export type Vars = Record<string, string | number>;

/** Fills `{name}` placeholders; an unknown placeholder stays visible so a missing value is noticed. */
export function translate<K extends string>(messages: Record<K, string>, key: K, vars?: Vars): string {
  const text = messages[key];
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

export function isLocale(value: unknown): value is Locale {
  return (LOCALES as readonly unknown[]).includes(value);
}

/** The first of the browser's languages we have (`de-AT` counts as `de`), else English. */
export function localeFromLanguages(browserLanguages: readonly string[]): Locale {
  for (const tag of browserLanguages) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLocale(base)) return base;
  }
  return 'en';
}
