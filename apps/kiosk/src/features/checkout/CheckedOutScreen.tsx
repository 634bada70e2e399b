import type { RefusalReason } from '../../flow/flow';
import { useOutboxResult } from '../../flow/useOutboxResult';
import { useI18n } from '../../i18n';
import { AutoReturn } from '../../ui/AutoReturn';
import { CheckIcon, CloudOffIcon, Spinner } from '../../ui/icons';
import { ScreenHeading } from '../../ui/ScreenHeading';

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
          <ScreenHeading className="lead">{t('checkout.checking')}</ScreenHeading>
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
        <ScreenHeading id="checkout-title" aria-describedby="checkout-details">
          {displayName ? t('checkout.title', { name: displayName }) : t('checkout.titleNoName')}
        </ScreenHeading>
        {entry.state === 'accepted' ? (
          <p className="lead" id="checkout-details">
            {t('checkout.done')}
          </p>
        ) : (
          <p className="notice" id="checkout-details" data-testid="offline-checkout">
            <CloudOffIcon className="icon" />
            <span>{t('checkout.queued')}</span>
          </p>
        )}
      </div>
      <AutoReturn onDone={onDone} restartKey={entry.state} />
    </section>
  );
}
