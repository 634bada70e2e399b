import { useI18n } from '../i18n';
import { useAutoReturn } from './hooks';

export const RESULT_SECONDS = 20;

/** The footer of a result screen: a visible countdown back to the start, "stay" (unless `showStay` is false), and "done". */
interface AutoReturnProps {
  onDone: () => void;
  restartKey?: unknown;
  /** False when the screen has its own main action, so "done" does not compete with it. */
  doneIsPrimary?: boolean;
  /** False on refusal screens: one way out is enough, and any touch restarts the countdown anyway. */
  showStay?: boolean;
}

export function AutoReturn({ onDone, restartKey, doneIsPrimary = true, showStay = true }: AutoReturnProps) {
  const { t } = useI18n();
  const { secondsLeft, stay } = useAutoReturn(RESULT_SECONDS, onDone, restartKey);
  return (
    <div className="auto-return">
      <p className="countdown" data-testid="countdown" aria-live="off">
        <span
          className="countdown-ring"
          aria-hidden="true"
          style={{ ['--progress' as string]: secondsLeft / RESULT_SECONDS }}
        />
        {t('result.returning', { seconds: secondsLeft })}
      </p>
      <div className="actions">
        {showStay && (
          <button type="button" className="btn btn-secondary" onClick={stay} data-testid="stay">
            {t('result.stay')}
          </button>
        )}
        <button
          type="button"
          className={`btn ${doneIsPrimary ? 'btn-primary' : 'btn-secondary'}`}
          onClick={onDone}
          data-testid="done"
        >
          {t('result.done')}
        </button>
      </div>
    </div>
  );
}
