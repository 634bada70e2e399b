import {
  BCP47,
  createI18nContext,
  type Locale,
  localeFromLanguages,
  translate,
  useDocumentLanguage,
  type Vars,
} from '@atrium/web-kit';
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { de } from './de';
import { en, type MessageKey, type Messages } from './en';

export type { Locale } from '@atrium/web-kit';
export { LOCALES } from '@atrium/web-kit';
export type { MessageKey } from './en';

const CATALOGUES: Record<Locale, Messages> = { en, de };

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
  /** Only the time of day when it is today in that zone, else date and time. */
  when(iso: string, timeZone?: string): string;
}

const { I18nContextProvider, useI18n } = createI18nContext<I18n>();

export { useI18n };

export function I18nProvider({ children }: { children: ReactNode }) {
  // The tablet's language when we have it, else English.
  const [restingLocale] = useState<Locale>(() => localeFromLanguages(navigator.languages ?? [navigator.language]));
  const [locale, setLocale] = useState<Locale>(restingLocale);
  useDocumentLanguage(locale);
  useEffect(() => {
    document.title = CATALOGUES[locale]['app.title'];
  }, [locale]);

  const value = useMemo<I18n>(() => {
    const messages = CATALOGUES[locale];
    const tag = BCP47[locale];
    /** A formatter in the site's zone; the tablet's zone for a zone name this browser does not know. */
    const formatter = (options: Intl.DateTimeFormatOptions, timeZone?: string) => {
      try {
        return new Intl.DateTimeFormat(tag, { ...options, timeZone });
      } catch {
        return new Intl.DateTimeFormat(tag, options);
      }
    };
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
      when(iso, timeZone) {
        const date = new Date(iso);
        if (Number.isNaN(date.getTime())) return iso;
        const day = formatter({ dateStyle: 'short' }, timeZone);
        const today = day.format(date) === day.format(new Date());
        return formatter(today ? { timeStyle: 'short' } : { dateStyle: 'medium', timeStyle: 'short' }, timeZone).format(
          date,
        );
      },
    };
  }, [locale, restingLocale]);

  return <I18nContextProvider value={value}>{children}</I18nContextProvider>;
}
