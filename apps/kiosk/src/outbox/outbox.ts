import type { OutboxEntry, OutboxPayload, OutboxRejection, OutboxStore } from './types';

/** How one attempt to send an entry ended. */
export type SendResult =
  | { type: 'accepted'; status: number; body: unknown }
  | { type: 'rejected'; status: number; code: string; message: string }
  | { type: 'retry'; reason: string };

export type Sender = (entry: OutboxEntry) => Promise<SendResult>;

/** What the visitor's screen knows about an entry written in this session. */
export type EntryState =
  | { state: 'pending' }
  | { state: 'queued'; reason: string }
  | { state: 'accepted'; status: number; body: unknown }
  | { state: 'rejected'; status: number; code: string; message: string };

export interface OutboxSnapshot {
  /** Entries written but not yet settled by the server. */
  queued: number;
  /** Refusals kept for staff. */
  rejected: number;
  syncing: boolean;
  /** Why the last attempt did not go through, until one does. */
  lastError: string | null;
}

export interface OutboxOptions {
  store: OutboxStore;
  send: Sender;
  now?: () => number;
  random?: () => number;
  newKey?: () => string;
  /** Runs a flush pass exclusively (a Web Lock in the browser, so two tabs never send the same entry at once). */
  lock?: <T>(task: () => Promise<T>) => Promise<T>;
}

export type EnqueueInput = (
  | { kind: 'check_in' | 'check_out'; body: { token: string; occurredAt: string } }
  | { kind: 'walk_in'; body: Omit<Extract<OutboxPayload, { kind: 'walk_in' }>['body'], 'idempotencyKey'> }
) & { displayName: string; jti?: string; jtiExpiresAt?: number };

const FIRST_RETRY_MS = 15_000;
const MAX_RETRY_MS = 5 * 60_000;
/** Settled states are kept for the screens that wait on them; older ones are of no use to anybody. */
const KEPT_STATES = 50;

/** Delay before the interval flush tries an entry again after `attempts` transient failures (±20 % jitter). */
export function retryDelayMs(attempts: number, random: number): number {
  const base = Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), MAX_RETRY_MS);
  return Math.round(base * (0.8 + 0.4 * random));
}

/**
 * A failed HTTP answer, sorted: 401 (the kiosk must re-pair; the entry can still go out with the new token), 408,
 * 425, 429 and 5xx are worth retrying; any other 4xx is the server's final word on this request.
 */
export function isDefinitiveFailure(status: number): boolean {
  return status >= 400 && status < 500 && ![401, 408, 425, 429].includes(status);
}

/**
 * The kiosk's offline outbox. Every check-in, check-out and walk-in is written to the store first, then sent strictly
 * in order. An entry leaves the queue only on a 2xx or a definitive 4xx (which is recorded for staff); anything else
 * keeps it, and everything behind it, for a later flush. The idempotency key is made once, when the entry is written,
 * so however often an entry is sent the server acts on it once.
 */
export class Outbox {
  private readonly store: OutboxStore;
  private readonly send: Sender;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly newKey: () => string;
  private readonly lock: <T>(task: () => Promise<T>) => Promise<T>;
  private readonly states = new Map<number, EntryState>();
  private readonly listeners = new Set<() => void>();
  private snapshot: OutboxSnapshot = { queued: 0, rejected: 0, syncing: false, lastError: null };
  private running: Promise<void> | null = null;
  private pending: { force: boolean } | null = null;

  constructor(options: OutboxOptions) {
    this.store = options.store;
    this.send = options.send;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.newKey = options.newKey ?? (() => crypto.randomUUID());
    this.lock = options.lock ?? ((task) => task());
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): OutboxSnapshot => this.snapshot;

  entryState(id: number): EntryState | undefined {
    return this.states.get(id);
  }

  isJtiUsed(jti: string): Promise<boolean> {
    return this.store.isJtiUsed(jti);
  }

  rejections(): Promise<OutboxRejection[]> {
    return this.store.rejections();
  }

  async clearRejections(): Promise<void> {
    await this.store.clearRejections();
    await this.refresh();
  }

  /** The visitor saw this entry's refusal on screen: staff need not follow it up. */
  async dismissRejection(entryId: number): Promise<void> {
    await this.store.removeRejection(entryId);
    await this.refresh();
  }

  /** Reads the counts from the store (at start-up: what an earlier session left behind) and drops stale jtis. */
  async load(): Promise<void> {
    await this.store.pruneJtis(this.now());
    await this.refresh();
  }

  /** Writes a request to the queue with a fresh idempotency key. Throws JtiAlreadyUsedError for a replayed jti. */
  async enqueue(input: EnqueueInput): Promise<OutboxEntry> {
    const { displayName, jti, jtiExpiresAt } = input;
    const payload = { kind: input.kind, body: { ...input.body, idempotencyKey: this.newKey() } } as OutboxPayload;
    const entry = await this.store.add({
      ...payload,
      jti: jti ?? null,
      jtiExpiresAt: jtiExpiresAt ?? null,
      displayName,
      createdAt: this.now(),
      attempts: 0,
      nextAttemptAt: 0,
      lastError: null,
    });
    this.setState(entry.id, { state: 'pending' });
    await this.refresh();
    return entry;
  }

  /**
   * Sends what is queued, oldest first. `force` ignores the retry back-off (use it when the network came back, at
   * start and right after a new entry). A call while a flush runs makes one more pass after it, so nothing written
   * meanwhile waits for the next interval.
   */
  flush(options: { force?: boolean } = {}): Promise<void> {
    const force = options.force ?? false;
    if (this.running) {
      this.pending = { force: force || (this.pending?.force ?? false) };
      return this.running;
    }
    this.running = (async () => {
      let next: { force: boolean } | null = { force };
      this.update({ syncing: true });
      try {
        while (next) {
          this.pending = null;
          const pass = next;
          await this.lock(() => this.pass(pass.force));
          next = this.pending;
        }
      } finally {
        this.running = null;
        this.update({ syncing: false });
      }
    })();
    return this.running;
  }

  private async pass(force: boolean): Promise<void> {
    const entries = await this.store.list();
    for (const [index, entry] of entries.entries()) {
      if (!force && entry.nextAttemptAt > this.now()) {
        this.markQueued(entries.slice(index), entry.lastError ?? 'waiting');
        return;
      }
      let result: SendResult;
      try {
        result = await this.send(entry);
      } catch (error) {
        result = { type: 'retry', reason: error instanceof Error ? error.message : String(error) };
      }
      if (result.type === 'accepted') {
        await this.store.remove(entry.id);
        this.setState(entry.id, { state: 'accepted', status: result.status, body: result.body });
        this.snapshot = { ...this.snapshot, lastError: null };
      } else if (result.type === 'rejected') {
        await this.store.reject(
          entry,
          {
            entryId: entry.id,
            kind: entry.kind,
            displayName: entry.displayName,
            occurredAt: entry.body.occurredAt,
            rejectedAt: this.now(),
            status: result.status,
            code: result.code,
            message: result.message,
          },
          // A token refused for any other reason may be scanned again and should meet the server's verdict again.
          result.code !== 'already_used',
        );
        this.setState(entry.id, {
          state: 'rejected',
          status: result.status,
          code: result.code,
          message: result.message,
        });
        this.snapshot = { ...this.snapshot, lastError: null };
      } else {
        const attempts = entry.attempts + 1;
        await this.store.update({
          ...entry,
          attempts,
          nextAttemptAt: this.now() + retryDelayMs(attempts, this.random()),
          lastError: result.reason,
        });
        this.snapshot = { ...this.snapshot, lastError: result.reason };
        this.markQueued(entries.slice(index), result.reason);
        await this.refresh();
        return;
      }
      await this.refresh();
    }
  }

  private markQueued(entries: OutboxEntry[], reason: string): void {
    for (const entry of entries) {
      const state = this.states.get(entry.id);
      if (state && (state.state === 'pending' || state.state === 'queued')) {
        this.states.set(entry.id, { state: 'queued', reason });
      }
    }
    this.emit();
  }

  private setState(id: number, state: EntryState): void {
    this.states.set(id, state);
    if (this.states.size > KEPT_STATES) {
      const oldest = this.states.keys().next().value;
      if (oldest !== undefined) this.states.delete(oldest);
    }
    this.emit();
  }

  private async refresh(): Promise<void> {
    const [queued, rejected] = await Promise.all([this.store.count(), this.store.rejections()]);
    this.update({ queued, rejected: rejected.length });
  }

  private update(change: Partial<OutboxSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...change };
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
