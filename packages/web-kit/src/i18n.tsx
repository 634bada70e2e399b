import { createContext, type Provider, useContext, useEffect } from 'react';
import type { Locale } from './translate';

/**
 * The context and hook of an app's i18n value (each app decides what its value holds): one place for the
 * "used outside the provider" mistake to be caught.
 */
export function createI18nContext<T>(): { I18nContextProvider: Provider<T | null>; useI18n: () => T } {
  const Context = createContext<T | null>(null);
  return {
    I18nContextProvider: Context.Provider,
    useI18n() {
      const value = useContext(Context);
      if (!value) throw new Error('useI18n outside I18nProvider');
      return value;
    },
  };
}

/** Keeps `<html lang>` on the shown language, so screen readers and hyphenation follow it. */
export function useDocumentLanguage(locale: Locale): void {
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
}
