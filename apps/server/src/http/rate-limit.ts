/**
 * Fixed-window counters in memory: enough to blunt guessing from one process. Lockouts that must survive restarts and
 * span replicas (failed sign-ins) are kept in the database instead.
 */
export class RateLimiter {
  #windows = new Map<string, { start: number; count: number }>();
  #lastSweep = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one attempt; returns the seconds to wait when over the limit, else 0. */
  hit(key: string): number {
    const now = this.now();
    this.#sweep(now);
    const window = this.#windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      this.#windows.set(key, { start: now, count: 1 });
      return 0;
    }
    window.count += 1;
    if (window.count <= this.limit) return 0;
    return Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000));
  }

  /** Seconds left for a key that is over the limit, without counting an attempt. */
  blockedFor(key: string): number {
    const window = this.#windows.get(key);
    const now = this.now();
    if (!window || now - window.start >= this.windowMs || window.count < this.limit) return 0;
    return Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000));
  }

  reset(key: string): void {
    this.#windows.delete(key);
  }

  #sweep(now: number) {
    if (now - this.#lastSweep < this.windowMs) return;
    this.#lastSweep = now;
    for (const [key, window] of this.#windows) if (now - window.start >= this.windowMs) this.#windows.delete(key);
  }
}
