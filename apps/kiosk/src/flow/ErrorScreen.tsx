import { useEffect } from 'react';
import { useI18n } from '../i18n';
import { AutoReturn } from '../ui/AutoReturn';
import { AlertIcon } from '../ui/icons';
import type { RefusalReason } from './flow';
import { markResultShown } from './timing';

interface ErrorScreenProps {
  reason: RefusalReason;
  onRetry: (() => void) | null;
  onDone: () => void;
}

export function ErrorScreen({ reason, onRetry, onDone }: ErrorScreenProps) {
  const { t } = useI18n();
  useEffect(markResultShown, []);
  return (
    <section className="screen result error" data-testid="error" data-reason={reason} aria-labelledby="error-title">
      <div className="screen-body">
        <AlertIcon className="hero-icon danger" />
        <h1 id="error-title">{t('result.errorTitle')}</h1>
        <p className="message" role="alert" data-testid="error-message">
          {t(`error.${reason}`)}
        </p>
        {onRetry && (
          <button type="button" className="btn btn-primary" onClick={onRetry} data-testid="retry">
            {t('result.tryAgain')}
          </button>
        )}
      </div>
      <AutoReturn onDone={onDone} restartKey={reason} doneIsPrimary={onRetry === null} />
    </section>
  );
}
