import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from 'react';
import { de } from './de';
import { en, type MessageKey, type Messages } from './en';
import { defaultLocale, type Locale, translate, type Vars } from './translate';

export type { MessageKey } from './en';
export type { Locale } from './translate';
export { LOCALES } from './translate';

const CATALOGUES: Record<Locale, Messages> = { en, de };
const BCP47: Record<Locale, string> = { en: 'en-GB', de: 'de-DE' };

export interface I18n {
  locale: Locale;
  /** The tablet's language, which the kiosk returns to between visitors. */
  restingLocale: Locale;
  /** The visitor's choice; it lasts until the kiosk goes back to rest. */
  setLocale(locale: Locale): void;
  /** Back to the tablet's language, for the next visitor. */
  resetLocale(): void;
  t(key: MessageKey, vars?: Vars): string;
  /** Date and time of day in the given IANA zone (the site's). */
  dateTime(iso: string | number, timeZone?: string): string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [restingLocale] = useState<Locale>(() => defaultLocale(navigator.languages ?? [navigator.language]));
  const [locale, setLocale] = useState<Locale>(restingLocale);
  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = CATALOGUES[locale]['app.title'];
  }, [locale]);

  const value = useMemo<I18n>(() => {
    const messages = CATALOGUES[locale];
    const tag = BCP47[locale];
    return {
      locale,
      restingLocale,
      setLocale,
      resetLocale: () => setLocale(restingLocale),
      t: (key, vars) => translate(messages, key, vars),
      dateTime(iso, timeZone) {
        const date = new Date(iso);
        if (Number.isNaN(date.getTime())) return String(iso);
        try {
          return new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(date);
        } catch {
          // An unknown time zone name from the server: the tablet's zone is better than no time at all.
          return new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
        }
      },
    };
  }, [locale, restingLocale]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
