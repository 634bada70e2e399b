import { LOCALES, useI18n } from '../i18n';

export function LanguageSwitch() {
  const { locale, setLocale, t } = useI18n();
  return (
    <fieldset className="language-switch">
      <legend className="visually-hidden">{t('language.label')}</legend>
      {LOCALES.map((code) => (
        <button
          key={code}
          type="button"
          lang={code}
          className="btn btn-chip"
          aria-pressed={locale === code}
          onClick={() => setLocale(code)}
          data-testid={`lang-${code}`}
        >
          {t(`language.${code}`)}
        </button>
      ))}
    </fieldset>
  );
}
