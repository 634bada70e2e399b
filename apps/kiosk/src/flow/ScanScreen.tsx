import { useI18n } from '../i18n';
import { Scanner } from '../scan/Scanner';
import type { ScanMode } from '../scan/verify';
import { useInactivity } from '../ui/hooks';
import { Spinner } from '../ui/icons';
import { ScreenHeading } from '../ui/ScreenHeading';
import type { CameraFailure } from './flow';

/** Nobody in front of the camera for this long: switch it off and go back to the start. */
const SCAN_TIMEOUT_MS = 60_000;

interface ScanScreenProps {
  mode: ScanMode;
  checking: boolean;
  onDecoded: (text: string) => void;
  onFailure: (reason: CameraFailure) => void;
  onCancel: () => void;
}

export function ScanScreen({ mode, checking, onDecoded, onFailure, onCancel }: ScanScreenProps) {
  const { t } = useI18n();
  useInactivity(SCAN_TIMEOUT_MS, onCancel, !checking);
  return (
    <section className="screen scanning" data-testid="scanning" data-mode={mode} aria-labelledby="scan-title">
      {/* Focused again while the code is checked: the button that was used is disabled then. */}
      <ScreenHeading key={checking ? 'checking' : 'scanning'} id="scan-title" className="scan-title">
        {t(mode === 'check_in' ? 'scan.title.check_in' : 'scan.title.check_out')}
      </ScreenHeading>
      {checking ? (
        <div className="screen-body" data-testid="checking">
          <Spinner />
          <p className="lead">{t('scan.checking')}</p>
        </div>
      ) : (
        <>
          <Scanner onDecoded={onDecoded} onFailure={onFailure} />
          <p className="scan-hint" data-testid="scan-hint">
            {t('scan.hint')}
          </p>
        </>
      )}
      <div className="actions">
        <button type="button" className="btn btn-secondary" onClick={onCancel} disabled={checking} data-testid="cancel">
          {t('scan.cancel')}
        </button>
      </div>
    </section>
  );
}
