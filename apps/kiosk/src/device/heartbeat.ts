import type { KioskHeartbeat } from '@atrium/protocol';
import type { KioskApi } from '../api';
import type { OutboxSnapshot } from '../outbox/outbox';
import type { DeviceSession } from './session';

/** Used until the first config names the server's interval. */
export const DEFAULT_HEARTBEAT_SECONDS = 30;

export interface HeartbeatDeps {
  api: Pick<KioskApi, 'heartbeat'>;
  session: Pick<DeviceSession, 'getSnapshot' | 'storedConfigFor'>;
  outbox: { getSnapshot(): OutboxSnapshot; subscribe(listener: () => void): () => void };
  appVersion: string;
  isOnline: () => boolean;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

/**
 * Tells the server, while paired, that this kiosk is alive and how it is doing: on a fixed beat (the server's
 * heartbeatSeconds), whenever the outbox depth changes, and when the network comes back. Staff see a kiosk as offline
 * when beats stop, and see a queue that is not draining. A beat that fails is simply the next one's job.
 */
export class Heartbeat {
  #timer: unknown;
  #lastDepth = -1;
  #unsubscribe: (() => void) | undefined;
  #stopped = true;

  constructor(private readonly deps: HeartbeatDeps) {}

  start(): void {
    this.#stopped = false;
    this.#unsubscribe = this.deps.outbox.subscribe(() => {
      if (this.deps.outbox.getSnapshot().queued !== this.#lastDepth) void this.beat();
    });
    void this.beat();
  }

  stop(): void {
    this.#stopped = true;
    this.#unsubscribe?.();
    (this.deps.clearTimer ?? clearTimeout)(this.#timer as ReturnType<typeof setTimeout>);
  }

  /** Sends one heartbeat now and schedules the next. */
  async beat(): Promise<void> {
    const device = this.deps.session.getSnapshot();
    const stored = device ? this.deps.session.storedConfigFor(device.kiosk.id) : null;
    this.#schedule(stored?.config.heartbeatSeconds ?? DEFAULT_HEARTBEAT_SECONDS);
    if (!device) return;
    const body: KioskHeartbeat = {
      appVersion: this.deps.appVersion,
      outboxDepth: this.deps.outbox.getSnapshot().queued,
      lastSyncAt: stored ? new Date(stored.fetchedAt).toISOString() : null,
      online: this.deps.isOnline(),
    };
    this.#lastDepth = body.outboxDepth;
    await this.deps.api.heartbeat(body).catch(() => undefined);
  }

  #schedule(seconds: number): void {
    if (this.#stopped) return;
    const clear = this.deps.clearTimer ?? ((timer: unknown) => clearTimeout(timer as ReturnType<typeof setTimeout>));
    clear(this.#timer);
    this.#timer = (this.deps.setTimer ?? setTimeout)(() => void this.beat(), seconds * 1000);
  }
}
