import type { PairedDevice } from '../../device/types';
import { useI18n } from '../../i18n';
import { useServices } from '../../services';
import { useNow } from '../../ui/hooks';
import { Spinner } from '../../ui/icons';
import { LanguageSwitch } from '../../ui/LanguageSwitch';
import { ScreenHeading } from '../../ui/ScreenHeading';
import { formatRemaining } from './pairing';
import { usePairing } from './usePairing';

export function PairingScreen({ onPaired }: { onPaired: (device: PairedDevice) => void }) {
  const { t } = useI18n();
  const { api } = useServices();
  const now = useNow(1000);
  const { code, expiresAt, expiresIn, unreachable, pairedAs } = usePairing(api, onPaired);

  return (
    <section className="screen pairing" data-testid="pairing" aria-labelledby="pairing-title">
      <div className="screen-top">
        <p className="eyebrow">{t('app.title')}</p>
        <LanguageSwitch />
      </div>
      <div className="screen-body">
        <ScreenHeading id="pairing-title">{t('pairing.title')}</ScreenHeading>
        <p className="lead">{t('pairing.instructions')}</p>
        {code ? (
          <p className="pairing-code">
            <span className="visually-hidden">{t('pairing.codeLabel')}: </span>
            <span data-testid="pairing-code">
              {code.split('').map((digit, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a digit's place is its identity.
                <span key={index} className="digit">
                  {digit}
                </span>
              ))}
            </span>
          </p>
        ) : (
          <p className="pairing-code placeholder" aria-hidden="true">
            <Spinner />
          </p>
        )}
        <p className="pairing-status" role="status">
          {pairedAs
            ? t('pairing.paired', { name: pairedAs })
            : unreachable
              ? t('pairing.unreachable')
              : code
                ? t('pairing.waiting')
                : t('pairing.loading')}
        </p>
        {code && expiresAt && !pairedAs && (
          <p className="fine-print">
            {t('pairing.expiresIn', { time: formatRemaining(Math.min(expiresAt - now, expiresIn)) })}
          </p>
        )}
      </div>
    </section>
  );
}
