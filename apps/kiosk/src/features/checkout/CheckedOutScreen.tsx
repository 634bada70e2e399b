import type { RefusalReason } from '../../flow/flow';
import { useOutboxResult } from '../../flow/useOutboxResult';
import { useI18n } from '../../i18n';
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
  const entry = useOutboxResult(entryId, onRefused);

  if (!entry) {
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
