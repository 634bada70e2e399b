import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError, NETWORK_ERROR } from '../api';
import { de } from './de';
import { en, type MessageKey, type Messages } from './en';
import { type Locale, pickLocale, translate, type Vars } from './translate';

export type { MessageKey } from './en';
export type { Locale } from './translate';

const CATALOGUES: Record<Locale, Messages> = { en, de };
const STORAGE_KEY = 'atrium.admin.locale';
const BCP47: Record<Locale, string> = { en: 'en-GB', de: 'de-DE' };

export interface I18n {
  locale: Locale;
  /** The locale for Intl formatting. */
  tag: string;
  setLocale(locale: Locale): void;
  t(key: MessageKey, vars?: Vars): string;
  /** Date and time of day, in the given IANA zone (the site's) or the browser's. */
  dateTime(iso: string, timeZone?: string): string;
  time(iso: string, timeZone?: string): string;
  number(value: number): string;
  /** A sentence for people from any thrown error: known codes are translated, others use the server's words. */
  errorMessage(error: unknown): string;
}

const I18nContext = createContext<I18n | null>(null);

function hasMessage(key: string): key is MessageKey {
  return key in en;
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(() =>
    pickLocale(localStorage.getItem(STORAGE_KEY), navigator.languages ?? [navigator.language]),
  );
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const setLocale = useCallback((next: Locale) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLocaleState(next);
  }, []);

  const value = useMemo<I18n>(() => {
    const messages = CATALOGUES[locale];
    const tag = BCP47[locale];
    const t = (key: MessageKey, vars?: Vars) => translate(messages, key, vars);
    const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
    const format = (kind: 'dt' | 't', timeZone: string | undefined) => {
      const id = `${kind}|${timeZone ?? ''}`;
      let f = dateTimeFormats.get(id);
      if (!f) {
        f = new Intl.DateTimeFormat(tag, {
          ...(kind === 'dt' ? { dateStyle: 'medium' } : {}),
          timeStyle: 'short',
          ...(timeZone ? { timeZone } : {}),
        });
        dateTimeFormats.set(id, f);
      }
      return f;
    };
    return {
      locale,
      tag,
      setLocale,
      t,
      dateTime: (iso, timeZone) => format('dt', timeZone).format(new Date(iso)),
      time: (iso, timeZone) => format('t', timeZone).format(new Date(iso)),
      number: (n) => new Intl.NumberFormat(tag).format(n),
      errorMessage(error) {
        if (error instanceof ApiError) {
          if (error.code === 'rate_limited')
            return t('errors.rate_limited', { seconds: error.retryAfterSeconds ?? 60 });
          if (error.code === NETWORK_ERROR) return t('errors.network_error');
          const key = `errors.${error.code}`;
          if (hasMessage(key)) return t(key);
          if (error.status >= 500) return t('errors.server', { message: error.message });
          return t('errors.generic', { message: error.message });
        }
        return t('errors.generic', { message: error instanceof Error ? error.message : String(error) });
      },
    };
  }, [locale, setLocale]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
