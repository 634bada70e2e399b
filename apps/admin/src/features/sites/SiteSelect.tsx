import { useI18n } from '../../i18n';
import { Field } from '../../ui/Field';

/**
 * The site field of a form, sent as `siteId`: one option per site. Uncontrolled (read from the form on submit) unless
 * `onChange` is given.
 */
export function SiteSelect({
  sites,
  error,
  testId,
  value,
  onChange,
}: {
  sites: ReadonlyArray<{ id: string; name: string }>;
  error: string | undefined;
  testId: string;
  value?: string;
  onChange?: (siteId: string) => void;
}) {
  const { t } = useI18n();
  return (
    <Field label={t('common.site')} error={error}>
      {(a11y) => (
        <select
          {...a11y}
          name="siteId"
          {...(onChange ? { value, onChange: (event) => onChange(event.currentTarget.value) } : {})}
          data-testid={testId}
        >
          {sites.map((site) => (
            <option key={site.id} value={site.id}>
              {site.name}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
