import { ApiError, NETWORK_ERROR } from '@atrium/web-kit';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { reasonFromCode } from '../../flow/flow';
import { type MessageKey, useI18n } from '../../i18n';
import { useServices } from '../../services';
import { useInactivity } from '../../ui/hooks';
import { statusKeys } from './keys';

/** Staff walked away with the list open: it closes by itself, so the next visitor does not read it. */
const STAFF_IDLE_MS = 60_000;

/**
 * Staff view of queued requests the server refused for good (e.g. a code already used at another kiosk). Visitors'
 * names are in it, so it opens only after the site's staff PIN, checked by the server, and closes when left alone.
 */
export function RejectionsDialog({ onClose }: { onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [unlocked, setUnlocked] = useState(false);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  useInactivity(STAFF_IDLE_MS, () => dialog.current?.close());
  const close = () => dialog.current?.close();

  return (
    <dialog
      ref={dialog}
      className="dialog"
      onClose={onClose}
      aria-labelledby="staff-dialog-title"
      data-testid="rejections"
    >
      {unlocked ? (
        <RejectionList onClose={close} />
      ) : (
        <StaffUnlock onUnlocked={() => setUnlocked(true)} onCancel={close} />
      )}
    </dialog>
  );
}

const UNLOCK_ERRORS: Record<string, MessageKey> = {
  staff_pin_wrong: 'staff.pinWrong',
  staff_pin_not_set: 'staff.pinNotSet',
  rate_limited: 'staff.pinRateLimited',
  [NETWORK_ERROR]: 'staff.pinOffline',
};

function StaffUnlock({ onUnlocked, onCancel }: { onUnlocked: () => void; onCancel: () => void }) {
  const { t } = useI18n();
  const { api } = useServices();
  const id = useId();
  const [pin, setPin] = useState('');
  const [error, setError] = useState<MessageKey | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      await api.staffUnlock(pin);
      onUnlocked();
    } catch (failure) {
      const code = failure instanceof ApiError ? failure.code : '';
      setError(UNLOCK_ERRORS[code] ?? 'staff.pinFailed');
      setPin('');
      input.current?.focus();
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="staff-unlock" onSubmit={(event) => void submit(event)} noValidate>
      <h2 id="staff-dialog-title">{t('staff.unlockTitle')}</h2>
      <p>{t('staff.unlockHint')}</p>
      <div className="field">
        <label htmlFor={`${id}-pin`}>{t('staff.pin')}</label>
        <input
          ref={input}
          id={`${id}-pin`}
          type="password"
          inputMode="numeric"
          autoComplete="off"
          maxLength={8}
          // biome-ignore lint/a11y/noAutofocus: the dialog opens to type the PIN; nothing else is on it.
          autoFocus
          value={pin}
          onChange={(event) => setPin(event.target.value.replace(/\D/g, ''))}
          aria-invalid={error !== null}
          aria-describedby={error ? `${id}-error` : undefined}
          data-testid="staff-pin"
        />
        {error && (
          <p className="field-error" id={`${id}-error`} role="alert" data-testid="staff-pin-error">
            {t(error)}
          </p>
        )}
      </div>
      <div className="actions">
        <button type="button" className="btn btn-secondary" onClick={onCancel}>
          {t('staff.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy || pin.length < 4} data-testid="staff-unlock">
          {t('staff.unlock')}
        </button>
      </div>
    </form>
  );
}

function RejectionList({ onClose }: { onClose: () => void }) {
  const { t, dateTime } = useI18n();
  const { outbox } = useServices();
  const queryClient = useQueryClient();
  const closeButton = useRef<HTMLButtonElement>(null);
  const rejections = useQuery({
    queryKey: statusKeys.rejections(),
    queryFn: () => outbox.rejections(),
    networkMode: 'always',
    staleTime: 0,
  });
  // Opens on "Close", never on the button that throws the list away.
  useEffect(() => closeButton.current?.focus(), []);

  async function clear() {
    await outbox.clearRejections();
    await queryClient.invalidateQueries({ queryKey: statusKeys.rejections() });
    onClose();
  }

  const list = rejections.data ?? [];
  return (
    <>
      <h2 id="staff-dialog-title">{t('staff.rejectionsTitle')}</h2>
      <p>{t('staff.rejectionsHint')}</p>
      {list.length === 0 ? (
        <p>{t('staff.rejectionsEmpty')}</p>
      ) : (
        <ul className="rejection-list" data-testid="rejection-list">
          {list.map((r) => (
            <li key={r.id}>
              <strong>
                {t(`staff.kind.${r.kind}`)} · {r.displayName || '—'}
              </strong>
              <span>{dateTime(r.occurredAt)}</span>
              <span>
                {t(`error.${reasonFromCode(r.code)}`)} <code>{r.code}</code>
              </span>
            </li>
          ))}
        </ul>
      )}
      <div className="actions">
        <button type="button" className="btn btn-secondary" onClick={() => void clear()} data-testid="rejections-clear">
          {t('staff.rejectionsClear')}
        </button>
        <button
          ref={closeButton}
          type="button"
          className="btn btn-primary"
          onClick={onClose}
          data-testid="rejections-close"
        >
          {t('staff.close')}
        </button>
      </div>
    </>
  );
}
