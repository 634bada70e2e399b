import type { useI18n } from '../../i18n';

/** The current and new password from a change-password form, and what is wrong with them before asking the server. */
export function readPasswordChange(
  form: HTMLFormElement,
  t: ReturnType<typeof useI18n>['t'],
): { body: { currentPassword: string; newPassword: string }; problems: Record<string, string> } {
  const data = new FormData(form);
  const currentPassword = String(data.get('currentPassword') ?? '');
  const newPassword = String(data.get('newPassword') ?? '');
  const problems: Record<string, string> = {};
  if (!currentPassword) problems.currentPassword = t('errors.field.required');
  if (newPassword.length < 10) problems.newPassword = t('errors.field.passwordLength');
  return { body: { currentPassword, newPassword }, problems };
}
