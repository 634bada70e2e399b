import { checkInResponseSchema } from '@atrium/protocol';
import type { RefusalReason } from '../../flow/flow';
import { useOutboxResult } from '../../flow/useOutboxResult';
import { useI18n } from '../../i18n';
import { AutoReturn } from '../../ui/AutoReturn';
import { CheckIcon, CloudOffIcon, Spinner, WifiIcon } from '../../ui/icons';
import { ScreenHeading } from '../../ui/ScreenHeading';

interface WelcomeScreenProps {
  entryId: number;
  displayName: string;
  timeZone: string | undefined;
  onRefused: (reason: RefusalReason, entryId: number) => void;
  onDone: () => void;
}

/**
 * After a check-in (or walk-in) is written: waits for the first send, then shows the voucher, or, while the kiosk is
 * offline, says the WiFi details follow. If the queued check-in syncs while the visitor is still here, the voucher
 * appears in place.
 */
export function WelcomeScreen({ entryId, displayName, timeZone, onRefused, onDone }: WelcomeScreenProps) {
  const { t, dateTime } = useI18n();
  const entry = useOutboxResult(entryId, onRefused);

  if (!entry) {
    return (
      <section className="screen result" data-testid="checking" aria-busy="true">
        <div className="screen-body">
          <Spinner />
          <ScreenHeading className="lead">{t('welcome.checking', { name: displayName })}</ScreenHeading>
        </div>
      </section>
    );
  }

  const answer = entry.state === 'accepted' ? checkInResponseSchema.safeParse(entry.body) : null;
  const result = answer?.success ? answer.data : null;
  const name = result?.displayName || displayName;

  return (
    <section
      className="screen result welcome"
      data-testid="welcome"
      data-state={entry.state}
      aria-labelledby="welcome-title"
    >
      <div className="screen-body">
        <CheckIcon className="hero-icon ok" />
        {/* The details are the heading's description, read out with it when it takes focus: again when they change. */}
        <ScreenHeading
          key={entry.state}
          id="welcome-title"
          aria-describedby={result ? 'welcome-lead welcome-voucher' : 'offline-welcome'}
          data-testid="welcome-title"
        >
          {name ? t('welcome.title', { name }) : t('welcome.titleNoName')}
        </ScreenHeading>
        {result ? (
          <>
            <p className="lead" id="welcome-lead">
              {t('welcome.checkedIn')}
            </p>
            <div className="voucher" id="welcome-voucher">
              <h2>
                <WifiIcon className="icon" /> {t('welcome.wifiTitle')}
              </h2>
              <dl>
                <div>
                  <dt>{t('welcome.network')}</dt>
                  <dd data-testid="voucher-ssid">{result.voucher.ssid}</dd>
                </div>
                <div>
                  <dt>{t('welcome.username')}</dt>
                  <dd className="credential" data-testid="voucher-username">
                    {result.voucher.username}
                  </dd>
                </div>
                <div>
                  <dt>{t('welcome.password')}</dt>
                  <dd className="credential" data-testid="voucher-password">
                    {result.voucher.password}
                  </dd>
                </div>
              </dl>
              <p className="valid-until" data-testid="voucher-valid-until">
                {t('welcome.validUntil', { time: dateTime(result.voucher.validUntil, timeZone) })}
              </p>
            </div>
          </>
        ) : (
          <p className="notice" id="offline-welcome" data-testid="offline-welcome">
            <CloudOffIcon className="icon" />
            <span>{t('welcome.offline')}</span>
          </p>
        )}
      </div>
      <AutoReturn onDone={onDone} restartKey={entry.state} />
    </section>
  );
}
