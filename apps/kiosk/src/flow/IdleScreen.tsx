import { useI18n } from '../i18n';
import type { ScanMode } from '../scan/verify';
import { QrIcon } from '../ui/icons';
import { LanguageSwitch } from '../ui/LanguageSwitch';
import { ScreenHeading } from '../ui/ScreenHeading';

interface IdleScreenProps {
  siteName: string | null;
  walkInsAllowed: boolean;
  onScan: (mode: ScanMode) => void;
  onWalkIn: () => void;
}

export function IdleScreen({ siteName, walkInsAllowed, onScan, onWalkIn }: IdleScreenProps) {
  const { t } = useI18n();
  return (
    <section className="screen idle" data-testid="idle" aria-labelledby="idle-title">
      <div className="screen-top">
        <p className="eyebrow">{siteName ? t('idle.greeting', { site: siteName }) : t('idle.greetingNoSite')}</p>
        <LanguageSwitch />
      </div>
      <div className="screen-body">
        <QrIcon className="hero-icon" />
        <ScreenHeading id="idle-title">{t('idle.title')}</ScreenHeading>
        <p className="lead">{t('idle.hint')}</p>
        <button
          type="button"
          className="btn btn-primary btn-hero"
          onClick={() => onScan('check_in')}
          data-testid="start-scan"
        >
          <QrIcon className="icon" /> {t('idle.scan')}
        </button>
      </div>
      <div className="actions secondary-actions">
        <button
          type="button"
          className="btn btn-secondary"
          onClick={() => onScan('check_out')}
          data-testid="start-checkout"
        >
          {t('idle.checkOut')}
        </button>
        {walkInsAllowed && (
          <button type="button" className="btn btn-secondary" onClick={onWalkIn} data-testid="start-walkin">
            {t('idle.walkIn')}
          </button>
        )}
      </div>
    </section>
  );
}
