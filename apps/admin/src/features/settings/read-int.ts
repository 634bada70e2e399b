import type { useI18n } from '../../i18n';

/** A whole number in [min, max] from a form field, or the message saying what is wrong. */
export function readInt(
  raw: FormDataEntryValue | null,
  min: number,
  max: number,
  t: ReturnType<typeof useI18n>['t'],
): number | string {
  const value = Number(String(raw ?? '').trim());
  if (!Number.isInteger(value) || value < min || value > max) return t('errors.field.number', { min, max });
  return value;
}
