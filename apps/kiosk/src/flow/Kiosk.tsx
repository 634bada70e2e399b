import { useCallback, useReducer, useSyncExternalStore } from 'react';
import type { PairedDevice } from '../device/types';
import { useKioskConfig } from '../device/useKioskConfig';
import { submitCheckIn } from '../features/checkin/submit-check-in';
import { WelcomeScreen } from '../features/checkin/WelcomeScreen';
import { CheckedOutScreen } from '../features/checkout/CheckedOutScreen';
import { submitCheckOut } from '../features/checkout/submit-check-out';
import { StaffBanners } from '../features/status/StaffBanners';
import { StatusBar } from '../features/status/StatusBar';
import { submitWalkIn, type WalkInForm } from '../features/walkin/submit-walk-in';
import { WalkInScreen } from '../features/walkin/WalkInScreen';
import { useI18n } from '../i18n';
import type { ScanMode } from '../scan/verify';
import { useServices } from '../services';
import { useInactivity } from '../ui/hooks';
import { ErrorScreen } from './ErrorScreen';
import { type CameraFailure, flowReducer, initialScreen, isAtRest, type RefusalReason, reasonFromLocal } from './flow';
import { IdleScreen } from './IdleScreen';
import { ScanScreen } from './ScanScreen';
import { markDecoded } from './timing';

/** How long the kiosk must sit at rest before a waiting software update reloads it. */
const UPDATE_AFTER_REST_MS = 15_000;
/** A language picked by a visitor who then walked away is reset for the next one. */
const LOCALE_RESET_MS = 60_000;

export function Kiosk({ device }: { device: PairedDevice }) {
  const { api, session, outbox, updates } = useServices();
  const { resetLocale, locale, restingLocale } = useI18n();
  const config = useKioskConfig(api, session, device);
  const cached = config.data ?? null;
  const [screen, dispatch] = useReducer(flowReducer, initialScreen);
  const atRest = isAtRest(screen);

  const goHome = useCallback(() => {
    dispatch({ type: 'home' });
    resetLocale();
  }, [resetLocale]);
  const refused = useCallback(
    (reason: RefusalReason, entryId?: number) => dispatch({ type: 'refused', reason, entryId }),
    [],
  );

  async function handleDecoded(mode: ScanMode, text: string) {
    markDecoded();
    dispatch({ type: 'scanned' });
    try {
      const deps = { outbox, cached };
      const result = mode === 'check_in' ? await submitCheckIn(text, deps) : await submitCheckOut(text, deps);
      if (result.ok) {
        dispatch({ type: 'accepted', kind: mode, entryId: result.entryId, displayName: result.displayName });
      } else {
        const validFrom = result.notBefore?.toISOString();
        dispatch({ type: 'refused', reason: reasonFromLocal(result.reason), ...(validFrom ? { validFrom } : {}) });
      }
    } catch {
      refused('unknown');
    }
  }

  async function handleWalkIn(form: WalkInForm) {
    const result = await submitWalkIn(form, { outbox, cached });
    if (!result.ok) return result.errors;
    dispatch({ type: 'accepted', kind: 'walk_in', entryId: result.entryId, displayName: result.displayName });
    return [];
  }

  const updateWaiting = useSyncExternalStore(updates.subscribe, updates.getSnapshot);
  useInactivity(UPDATE_AFTER_REST_MS, () => void updates.install(), atRest && updateWaiting);
  useInactivity(LOCALE_RESET_MS, resetLocale, atRest && locale !== restingLocale);

  const site = cached?.config.site;
  return (
    <div className="kiosk">
      <StaffBanners cached={cached} />
      <main className="kiosk-main">
        {screen.name === 'idle' && (
          <IdleScreen
            siteName={site?.name ?? null}
            walkInsAllowed={site?.walkInsAllowed ?? false}
            onScan={(mode) => dispatch({ type: 'scan', mode })}
            onWalkIn={() => dispatch({ type: 'walk_in' })}
          />
        )}
        {(screen.name === 'scanning' || screen.name === 'checking') && (
          <ScanScreen
            mode={screen.mode}
            checking={screen.name === 'checking'}
            onDecoded={(text) => void handleDecoded(screen.mode, text)}
            onFailure={(reason: CameraFailure) => refused(reason)}
            onCancel={goHome}
          />
        )}
        {screen.name === 'walk_in' && <WalkInScreen onSubmit={handleWalkIn} onCancel={goHome} />}
        {screen.name === 'welcome' && (
          <WelcomeScreen
            key={screen.entryId}
            entryId={screen.entryId}
            displayName={screen.displayName}
            timeZone={site?.timezone}
            onRefused={refused}
            onDone={goHome}
          />
        )}
        {screen.name === 'checked_out' && (
          <CheckedOutScreen
            key={screen.entryId}
            entryId={screen.entryId}
            displayName={screen.displayName}
            onRefused={refused}
            onDone={goHome}
          />
        )}
        {screen.name === 'error' && (
          <ErrorScreen
            key={`${screen.reason}:${screen.attempt}`}
            reason={screen.reason}
            attempt={screen.attempt}
            validFrom={screen.validFrom}
            timeZone={site?.timezone}
            onAction={dispatch}
            onDone={goHome}
          />
        )}
      </main>
      <StatusBar kioskName={device.kiosk.name} />
    </div>
  );
}
