import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n';

/**
 * A destructive action that asks first, in place: the button turns into the question with "yes" and "no".
 * Focus moves to the question's "no" button and back to the trigger, so keyboard users keep their place; Escape
 * answers "no".
 */
export function ConfirmButton({
  label,
  question,
  confirmLabel,
  onConfirm,
  busy,
  testId,
  className = 'btn btn-danger',
}: {
  label: string;
  question: string;
  confirmLabel: string;
  onConfirm: () => void;
  busy?: boolean;
  testId?: string;
  className?: string;
}) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  const keepRef = useRef<HTMLButtonElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) keepRef.current?.focus();
    else if (wasAsking.current) triggerRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  if (!asking) {
    return (
      <button
        ref={triggerRef}
        type="button"
        className={className}
        onClick={() => setAsking(true)}
        disabled={busy}
        data-testid={testId}
      >
        {label}
      </button>
    );
  }
  return (
    <fieldset
      className="confirm"
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          setAsking(false);
        }
      }}
    >
      <legend className="confirm-question">{question}</legend>
      <button
        type="button"
        className="btn btn-danger"
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
        data-testid={testId ? `${testId}-confirm` : undefined}
      >
        {confirmLabel}
      </button>
      <button ref={keepRef} type="button" className="btn btn-secondary" onClick={() => setAsking(false)}>
        {t('common.keep')}
      </button>
    </fieldset>
  );
}
