import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createKioskApi } from './api';
import { openKioskDb } from './db';
import { Heartbeat } from './device/heartbeat';
import { DeviceSession, idbDeviceStorage } from './device/session';
import { ConnectivityMonitor } from './features/status/connectivity';
import { I18nProvider } from './i18n';
import { IdbOutboxStore } from './outbox/idb-store';
import { Outbox } from './outbox/outbox';
import { apiSender } from './outbox/send';
import { registerServiceWorker, UpdateGate } from './pwa';
import { type KioskServices, ServicesProvider } from './services';
import './styles.css';

/** The kiosk's own version, from its package.json (vite.config.ts). */
declare const __APP_VERSION__: string;

/** The outbox is flushed on this interval (honouring each entry's back-off), besides on `online` and at start. */
const OUTBOX_FLUSH_MS = 15_000;

/** Runs a task under a Web Lock shared by every tab of this origin. */
function webLock(name: string) {
  // request() resolves with the task's own result; its typing nests the promise.
  return <T,>(task: () => Promise<T>) => navigator.locks.request(name, task) as unknown as Promise<T>;
}

async function start() {
  const db = await openKioskDb();
  const storage = idbDeviceStorage(db);
  const session = new DeviceSession(storage, await storage.load());
  const connectivity = new ConnectivityMonitor(navigator.onLine);
  const api = createKioskApi({
    getToken: () => session.token(),
    onUnpaired: (token) => void session.forget(token),
    onReachable: (reachable) => connectivity.setServerReachable(reachable),
  });
  const outbox = new Outbox({
    store: new IdbOutboxStore(db),
    send: apiSender(api),
    lock: navigator.locks ? webLock('atrium-kiosk-outbox') : undefined,
  });
  await outbox.load();
  const heartbeat = new Heartbeat({
    api,
    session,
    outbox,
    appVersion: __APP_VERSION__,
    isOnline: () => navigator.onLine,
  });
  heartbeat.start();
  const updates = new UpdateGate();
  const services: KioskServices = { api, session, outbox, connectivity, updates };

  window.addEventListener('online', () => {
    connectivity.setBrowserOnline(true);
    void outbox.flush({ force: true });
    void heartbeat.beat();
  });
  window.addEventListener('offline', () => connectivity.setBrowserOnline(false));
  setInterval(() => void outbox.flush(), OUTBOX_FLUSH_MS);
  void outbox.flush({ force: true });

  const queryClient = new QueryClient({
    defaultOptions: { queries: { refetchOnWindowFocus: false }, mutations: { retry: false } },
  });

  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <ServicesProvider services={services}>
          <I18nProvider>
            <App />
          </I18nProvider>
        </ServicesProvider>
      </QueryClientProvider>
    </StrictMode>,
  );
  void registerServiceWorker(updates);
}

start().catch((error: unknown) => {
  // Without IndexedDB the kiosk cannot keep its pairing or its queue; say so instead of showing a blank page.
  const root = document.getElementById('root');
  if (root) {
    root.textContent = `Atrium kiosk cannot start: ${error instanceof Error ? error.message : String(error)}`;
    root.className = 'fatal';
  }
});
