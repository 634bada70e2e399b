import { createContext, type ReactNode, useContext } from 'react';
import type { KioskApi } from './api';
import type { DeviceSession } from './device/session';
import type { ConnectivityMonitor } from './features/status/connectivity';
import type { Outbox } from './outbox/outbox';
import type { UpdateGate } from './pwa';

/** The long-lived objects the screens use; made once in main.tsx. */
export interface KioskServices {
  api: KioskApi;
  session: DeviceSession;
  outbox: Outbox;
  connectivity: ConnectivityMonitor;
  updates: UpdateGate;
}

const ServicesContext = createContext<KioskServices | null>(null);

export function ServicesProvider({ services, children }: { services: KioskServices; children: ReactNode }) {
  return <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>;
}

export function useServices(): KioskServices {
  const value = useContext(ServicesContext);
  if (!value) throw new Error('useServices outside ServicesProvider');
  return value;
}
