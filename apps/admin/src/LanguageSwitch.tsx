import { LOCALES, type Locale } from '@atrium/web-kit';
import { useI18n } from './i18n';

/** Language names in their own language, so anyone can find theirs. */
const NAMES: Record<Locale, string> = { en: 'English', de: 'Deutsch' };

export function LanguageSwitch() {
  const { locale, setLocale, t } = useI18n();
  return (
    <label className="lang-switch">
      <span className="visually-hidden">{t('nav.language')}</span>
      <select
        value={locale}
        onChange={(event) => setLocale(event.currentTarget.value as Locale)}
        data-testid="language"
      >
        {LOCALES.map((code) => (
          <option key={code} value={code} lang={code}>
            {NAMES[code]}
          </option>
        ))}
      </select>
    </label>
  );
}
