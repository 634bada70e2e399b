import { useCallback, useEffect, useSyncExternalStore } from 'react';
import type { PairedDevice } from './device/types';
import { PairingScreen } from './features/pairing/PairingScreen';
import { StatusBar } from './features/status/StatusBar';
import { Kiosk } from './flow/Kiosk';
import { useServices } from './services';

/** Unpaired: the pairing screen. Paired: the visitor flow. A revoked token (401) brings the pairing screen back. */
export function App() {
  const { session, outbox } = useServices();
  const device = useSyncExternalStore(session.subscribe, session.getSnapshot);

  // A new pairing or a revocation emptied the staff list; what waited in the outbox goes out with the new token.
  useEffect(() => {
    void outbox.load().then(() => device && outbox.flush({ force: true }));
  }, [device, outbox]);

  const paired = useCallback((next: PairedDevice) => void session.pair(next), [session]);

  if (!device) {
    return (
      <div className="kiosk">
        <main className="kiosk-main">
          <PairingScreen onPaired={paired} />
        </main>
        <StatusBar kioskName={null} />
      </div>
    );
  }
  return <Kiosk key={device.kiosk.id} device={device} />;
}
