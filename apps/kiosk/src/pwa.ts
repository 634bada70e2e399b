/**
 * Software updates wait for a quiet moment: the new service worker is installed in the background and takes over only
 * once the kiosk has been at rest for a while, never while a visitor is in the middle of something.
 */
export class UpdateGate {
  private apply: (() => Promise<void>) | null = null;
  private readonly listeners = new Set<() => void>();

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): boolean => this.apply !== null;

  /** Called by the service worker registration when a new version is waiting. */
  offer(apply: () => Promise<void>): void {
    this.apply = apply;
    for (const listener of this.listeners) listener();
  }

  async install(): Promise<void> {
    const apply = this.apply;
    this.apply = null;
    await apply?.();
  }
}

const UPDATE_CHECK_MS = 60 * 60_000;

/** Registers the service worker (production builds only); loaded after the first render to keep the start small. */
export async function registerServiceWorker(gate: UpdateGate): Promise<void> {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  const { registerSW } = await import('virtual:pwa-register');
  const updateSW = registerSW({
    immediate: true,
    onNeedRefresh: () => gate.offer(() => updateSW(true)),
    onRegisteredSW(_url, registration) {
      if (registration) setInterval(() => void registration.update().catch(() => undefined), UPDATE_CHECK_MS);
    },
  });
}
