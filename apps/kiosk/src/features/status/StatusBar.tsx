import { useState, useSyncExternalStore } from 'react';
import { useI18n } from '../../i18n';
import { useOutboxSnapshot } from '../../outbox/useEntryState';
import { useServices } from '../../services';
import { RejectionsDialog } from './RejectionsDialog';

/** Bottom line for visitors and staff: connection, what waits to be sent, and the staff list behind a PIN. */
export function StatusBar({ kioskName }: { kioskName: string | null }) {
  const { t } = useI18n();
  const { outbox, connectivity } = useServices();
  const state = useSyncExternalStore(connectivity.subscribe, connectivity.getSnapshot);
  const { queued, rejected, syncing } = useOutboxSnapshot(outbox);
  const [showRejections, setShowRejections] = useState(false);

  return (
    <footer className="status-bar" data-testid="status-bar" data-connectivity={state}>
      <span className={`connection ${state}`} data-testid="connectivity">
        <span className="dot" aria-hidden="true" />
        {t(`status.${state}`)}
      </span>
      {/* Shown only while something waits: "0 waiting" means nothing to a visitor. */}
      <span className="queue has-items" hidden={queued === 0}>
        <span data-testid="queued-count">{queued}</span> {t('status.queued')}
        {syncing && <span className="syncing"> · {t('status.syncing')}</span>}
      </span>
      {rejected > 0 && (
        <button
          type="button"
          className="btn btn-link rejected"
          onClick={() => setShowRejections(true)}
          data-testid="rejected-count"
        >
          {t('status.staff', { count: rejected })}
        </button>
      )}
      {kioskName && <span className="kiosk-name">{t('status.kiosk', { name: kioskName })}</span>}
      {showRejections && <RejectionsDialog onClose={() => setShowRejections(false)} />}
    </footer>
  );
}
