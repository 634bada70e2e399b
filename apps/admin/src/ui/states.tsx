import type { ReactNode } from 'react';
import { useI18n } from '../i18n';
import { Notice } from './Notice';

export function Loading({ label }: { label?: string }) {
  const { t } = useI18n();
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label ?? t('common.loading')}
    </p>
  );
}

/** A load failure, in words, with a way to try again. */
export function LoadError({ title, error, onRetry }: { title: string; error: unknown; onRetry?: () => void }) {
  const { t, errorMessage } = useI18n();
  return (
    <Notice
      tone="error"
      action={
        onRetry && (
          <button type="button" className="btn btn-secondary" onClick={onRetry}>
            {t('common.retry')}
          </button>
        )
      }
    >
      <strong>{title}</strong> {errorMessage(error)}
    </Notice>
  );
}

export function Empty({ children, action }: { children: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty">
      <p>{children}</p>
      {action}
    </div>
  );
}
