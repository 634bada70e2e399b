import { ApiError } from '@atrium/web-kit';
import type { ReactNode } from 'react';
import { useI18n } from '../i18n';

type Tone = 'info' | 'success' | 'warning' | 'error';

/** A message box. Errors are announced at once (role=alert), the rest politely (role=status). */
export function Notice({ tone = 'info', children, action }: { tone?: Tone; children: ReactNode; action?: ReactNode }) {
  return (
    <div className={`notice notice-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      <div className="notice-body">{children}</div>
      {action && <div className="notice-action">{action}</div>}
    </div>
  );
}

/**
 * The error of a form submission. For invalid input the fields show their own message; a field the form does not
 * render (or a message without a field) is spelled out here so nothing is lost.
 */
export function FormError({ error, fields }: { error: unknown; fields: readonly string[] }) {
  const { t, errorMessage } = useI18n();
  if (!error) return null;
  if (error instanceof ApiError && error.code === 'invalid_input') {
    const unknown = Object.entries(error.fieldErrors()).filter(([field]) => !fields.includes(field));
    return (
      <Notice tone="error">
        {t('errors.invalid_input')}
        {unknown.length > 0 && (
          <ul className="plain">
            {unknown.map(([field, message]) => (
              <li key={field}>
                {field}: {message}
              </li>
            ))}
          </ul>
        )}
      </Notice>
    );
  }
  return <Notice tone="error">{errorMessage(error)}</Notice>;
}

/** Field → message from a failed mutation (server's `details.field`) merged over the client's own checks. */
export function fieldErrorsOf(error: unknown, local: Record<string, string> = {}): Record<string, string> {
  const server = error instanceof ApiError && error.code === 'invalid_input' ? error.fieldErrors() : {};
  return { ...server, ...local };
}
