import { useEffect } from 'react';
import { useI18n } from '../i18n';
import { AutoReturn } from '../ui/AutoReturn';
import { AlertIcon } from '../ui/icons';
import { ScreenHeading } from '../ui/ScreenHeading';
import { type Attempt, type RefusalAction, type RefusalReason, refusalHelp } from './flow';
import { markResultShown } from './timing';

interface ErrorScreenProps {
  reason: RefusalReason;
  attempt: Attempt | null;
  /** For a code that is not valid yet: from when it is (ISO). */
  validFrom?: string;
  /** The site's zone, for that time. */
  timeZone?: string;
  onAction: (action: NonNullable<RefusalAction>) => void;
  onDone: () => void;
}

/** A refusal: what happened as the title, why in one sentence, the one action that can help, and the way out. */
export function ErrorScreen({ reason, attempt, validFrom, timeZone, onAction, onDone }: ErrorScreenProps) {
  const { t, when } = useI18n();
  useEffect(markResultShown, []);
  const { title, action } = refusalHelp(reason, attempt);
  const actionLabel =
    action?.type === 'scan' && action.mode !== attempt
      ? t(action.mode === 'check_out' ? 'refusal.checkOutInstead' : 'refusal.checkInInstead')
      : t('result.tryAgain');
  return (
    <section
      className="screen result error"
      data-testid="error"
      data-reason={reason}
      data-title={title}
      aria-labelledby="error-title"
    >
      <div className="screen-body">
        <AlertIcon className="hero-icon danger" />
        <ScreenHeading id="error-title" aria-describedby="error-message">
          {title === 'notYet' && validFrom
            ? t('refusal.validFrom', { time: when(validFrom, timeZone) })
            : t(`refusal.${title}`)}
        </ScreenHeading>
        <p className="message" id="error-message" data-testid="error-message">
          {t(`error.${reason}`)}
        </p>
        {action && (
          <button type="button" className="btn btn-primary" onClick={() => onAction(action)} data-testid="retry">
            {actionLabel}
          </button>
        )}
      </div>
      <AutoReturn onDone={onDone} restartKey={reason} doneIsPrimary={action === null} showStay={false} />
    </section>
  );
}
