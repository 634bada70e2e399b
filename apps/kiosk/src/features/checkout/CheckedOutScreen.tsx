import { useEffect } from 'react';
import { type RefusalReason, reasonFromCode } from '../../flow/flow';
import { markResultShown } from '../../flow/timing';
import { useI18n } from '../../i18n';
import { useEntryState } from '../../outbox/useEntryState';
import { useServices } from '../../services';
import { AutoReturn } from '../../ui/AutoReturn';
import { CheckIcon, CloudOffIcon, Spinner } from '../../ui/icons';

interface CheckedOutScreenProps {
  entryId: number;
  displayName: string;
  onRefused: (reason: RefusalReason, entryId: number) => void;
  onDone: () => void;
}

export function CheckedOutScreen({ entryId, displayName, onRefused, onDone }: CheckedOutScreenProps) {
  const { t } = useI18n();
  const { outbox } = useServices();
  const entry = useEntryState(outbox, entryId);

  useEffect(() => {
    if (entry?.state === 'rejected') onRefused(reasonFromCode(entry.code), entryId);
  }, [entry, entryId, onRefused]);
  useEffect(() => {
    if (entry?.state === 'accepted' || entry?.state === 'queued') markResultShown();
  }, [entry?.state]);

  if (entry === undefined || entry.state === 'pending' || entry.state === 'rejected') {
    return (
      <section className="screen result" data-testid="checking" aria-busy="true">
        <div className="screen-body">
          <Spinner />
          <p className="lead">{t('checkout.checking')}</p>
        </div>
      </section>
    );
  }

  return (
    <section
      className="screen result checked-out"
      data-testid="checked-out"
      data-state={entry.state}
      aria-labelledby="checkout-title"
    >
      <div className="screen-body">
        <CheckIcon className="hero-icon ok" />
        <h1 id="checkout-title">
          {displayName ? t('checkout.title', { name: displayName }) : t('checkout.titleNoName')}
        </h1>
        {entry.state === 'accepted' ? (
          <p className="lead">{t('checkout.done')}</p>
        ) : (
          <p className="notice" data-testid="offline-checkout">
            <CloudOffIcon className="icon" />
            <span>{t('checkout.queued')}</span>
          </p>
        )}
      </div>
      <AutoReturn onDone={onDone} restartKey={entry.state} />
    </section>
  );
}
