export type Connectivity = 'online' | 'offline' | 'unreachable';

/**
 * Whether the kiosk can talk to the server: the browser's online flag, corrected by what the last request saw (a
 * lobby WiFi can be "online" with the server out of reach).
 */
export class ConnectivityMonitor {
  private browserOnline: boolean;
  private serverReachable = true;
  private state: Connectivity;
  private readonly listeners = new Set<() => void>();

  constructor(initiallyOnline: boolean) {
    this.browserOnline = initiallyOnline;
    this.state = this.compute();
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): Connectivity => this.state;

  setBrowserOnline(online: boolean): void {
    this.browserOnline = online;
    // Coming back online is a fresh start: the next request tells whether the server answers.
    if (online) this.serverReachable = true;
    this.publish();
  }

  setServerReachable(reachable: boolean): void {
    this.serverReachable = reachable;
    this.publish();
  }

  private compute(): Connectivity {
    if (!this.browserOnline) return 'offline';
    return this.serverReachable ? 'online' : 'unreachable';
  }

  private publish(): void {
    const next = this.compute();
    if (next === this.state) return;
    this.state = next;
    for (const listener of this.listeners) listener();
  }
}
