import {
  ApiError,
  BCP47,
  createI18nContext,
  type Locale,
  NETWORK_ERROR,
  translate,
  useDocumentLanguage,
  type Vars,
} from '@atrium/web-kit';
import { type ReactNode, useCallback, useMemo, useState } from 'react';
import { de } from './de';
import { en, type MessageKey, type Messages } from './en';
import { errorKey, isAdminErrorCode } from './errors';
import { pickLocale } from './locale';

export type { Locale } from '@atrium/web-kit';
export type { MessageKey } from './en';

const CATALOGUES: Record<Locale, Messages> = { en, de };
const STORAGE_KEY = 'atrium.admin.locale';

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

const { I18nContextProvider, useI18n } = createI18nContext<I18n>();

export { useI18n };

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(() =>
    pickLocale(localStorage.getItem(STORAGE_KEY), navigator.languages ?? [navigator.language]),
  );
  useDocumentLanguage(locale);
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
          if (isAdminErrorCode(error.code)) return t(errorKey(error.code));
          if (error.status >= 500) return t('errors.server', { message: error.message });
          return t('errors.generic', { message: error.message });
        }
        return t('errors.generic', { message: error instanceof Error ? error.message : String(error) });
      },
    };
  }, [locale, setLocale]);

  return <I18nContextProvider value={value}>{children}</I18nContextProvider>;
}
