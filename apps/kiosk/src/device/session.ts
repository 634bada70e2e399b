import type { KioskDb } from '../db';
import type { CachedConfig, PairedDevice } from './types';

export interface DeviceStorage {
  load(): Promise<{ device: PairedDevice | null; config: CachedConfig | null }>;
  /** Stores a new pairing and drops the previous one's config (it may be for another site) and its staff list. */
  pair(device: PairedDevice): Promise<void>;
  saveConfig(config: CachedConfig): Promise<void>;
  /** Forgets token, config and the staff list; the outbox and used jtis stay, they are sent after the next pairing. */
  forget(): Promise<void>;
}

export function idbDeviceStorage(db: KioskDb): DeviceStorage {
  return {
    async load() {
      const [device, config] = await Promise.all([db.get('device', 'current'), db.get('config', 'current')]);
      return { device: device ?? null, config: config ?? null };
    },
    async pair(device) {
      const tx = db.transaction(['device', 'config', 'rejections'], 'readwrite');
      await tx.objectStore('config').delete('current');
      await tx.objectStore('rejections').clear();
      await tx.objectStore('device').put(device, 'current');
      await tx.done;
    },
    async saveConfig(config) {
      await db.put('config', config, 'current');
    },
    async forget() {
      const tx = db.transaction(['device', 'config', 'rejections'], 'readwrite');
      await tx.objectStore('rejections').clear();
      await tx.objectStore('device').delete('current');
      await tx.objectStore('config').delete('current');
      await tx.done;
    },
  };
}

/** The kiosk's pairing, readable by React (useSyncExternalStore) and by the API client (the bearer token). */
export class DeviceSession {
  private device: PairedDevice | null;
  /** The config saved by an earlier run: what the kiosk works with until the first sync. */
  private storedConfig: CachedConfig | null;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly storage: DeviceStorage,
    initial: { device: PairedDevice | null; config: CachedConfig | null },
  ) {
    this.device = initial.device;
    this.storedConfig = initial.device ? initial.config : null;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): PairedDevice | null => this.device;

  token(): string | null {
    return this.device?.token ?? null;
  }

  storedConfigFor(kioskId: string): CachedConfig | null {
    return this.device?.kiosk.id === kioskId ? this.storedConfig : null;
  }

  async pair(device: PairedDevice): Promise<void> {
    await this.storage.pair(device);
    this.device = device;
    this.storedConfig = null;
    this.emit();
  }

  async saveConfig(config: CachedConfig): Promise<void> {
    await this.storage.saveConfig(config);
    this.storedConfig = config;
  }

  /** The server refused `token` for good; a newer pairing made meanwhile is kept. */
  async forget(token: string): Promise<void> {
    if (this.device?.token !== token) return;
    this.device = null;
    this.storedConfig = null;
    this.emit();
    await this.storage.forget();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
