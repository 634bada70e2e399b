import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useI18n } from '../../i18n';
import { useServices } from '../../services';
import { statusKeys } from './keys';

/** Staff view of queued requests the server refused for good (e.g. a code already used at another kiosk). */
export function RejectionsDialog({ onClose }: { onClose: () => void }) {
  const { t, dateTime } = useI18n();
  const { outbox } = useServices();
  const queryClient = useQueryClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const rejections = useQuery({
    queryKey: statusKeys.rejections(),
    queryFn: () => outbox.rejections(),
    networkMode: 'always',
    staleTime: 0,
  });

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  async function clear() {
    await outbox.clearRejections();
    await queryClient.invalidateQueries({ queryKey: statusKeys.rejections() });
    onClose();
  }

  const list = rejections.data ?? [];
  return (
    <dialog
      ref={dialog}
      className="dialog"
      onClose={onClose}
      aria-labelledby="rejections-title"
      data-testid="rejections"
    >
      <h2 id="rejections-title">{t('staff.rejectionsTitle')}</h2>
      <p>{t('staff.rejectionsHint')}</p>
      {list.length === 0 ? (
        <p>{t('staff.rejectionsEmpty')}</p>
      ) : (
        <ul className="rejection-list">
          {list.map((r) => (
            <li key={r.id}>
              <strong>
                {t(`staff.kind.${r.kind}`)} · {r.displayName || '—'}
              </strong>
              <span>{dateTime(r.occurredAt)}</span>
              <span>
                {r.message} <code>{r.code}</code>
              </span>
            </li>
          ))}
        </ul>
      )}
      <div className="actions">
        <button type="button" className="btn btn-secondary" onClick={() => void clear()}>
          {t('staff.rejectionsClear')}
        </button>
        <button type="button" className="btn btn-primary" onClick={() => dialog.current?.close()}>
          {t('staff.close')}
        </button>
      </div>
    </dialog>
  );
}
