import { isLocale, type Locale, localeFromLanguages } from '@atrium/web-kit';

/** The locale to start with: a saved choice, else the browser's language when we have it, else English. */
export function pickLocale(saved: string | null, browserLanguages: readonly string[]): Locale {
  return isLocale(saved) ? saved : localeFromLanguages(browserLanguages);
}
