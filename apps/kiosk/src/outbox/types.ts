import type { ScanRequest } from '@atrium/protocol';
import type { WalkInRequest } from '../api';

export type OutboxKind = 'check_in' | 'check_out' | 'walk_in';

/** What goes on the wire, per kind; the idempotency key is part of the body from the moment it is written. */
export type OutboxPayload =
  | { kind: 'check_in' | 'check_out'; body: ScanRequest }
  | { kind: 'walk_in'; body: WalkInRequest };

export type OutboxEntry = OutboxPayload & {
  /** Ascending; the queue is sent strictly in this order. */
  id: number;
  /** A check-in's QR token id, held as used on this kiosk (no same-kiosk replay while offline). */
  jti: string | null;
  /** Display name for the visitor's screen and the staff list. */
  displayName: string;
  /** Device clock, ms. */
  createdAt: number;
  attempts: number;
  /** Device clock, ms; the interval flush waits until then, a forced flush (online, start, new scan) does not. */
  nextAttemptAt: number;
  lastError: string | null;
};

export type NewOutboxEntry = Omit<OutboxEntry, 'id'> & { jtiExpiresAt: number | null };

/** A queued request the server refused for good; kept so staff can follow up. */
export interface OutboxRejection {
  id: number;
  entryId: number;
  kind: OutboxKind;
  displayName: string;
  occurredAt: string;
  rejectedAt: number;
  status: number;
  code: string;
  message: string;
}

export interface UsedJti {
  jti: string;
  /** The token's `exp` (ms): after it the token is refused as expired anyway, so the record can go. */
  expiresAt: number;
  usedAt: number;
}

export class JtiAlreadyUsedError extends Error {
  constructor(readonly jti: string) {
    super(`QR token ${jti} was already used on this kiosk`);
    this.name = 'JtiAlreadyUsedError';
  }
}

/** Persistence behind the outbox: IndexedDB in the browser, memory in tests. Every method is atomic. */
export interface OutboxStore {
  /** Appends an entry; for a check-in also records its jti as used, or throws JtiAlreadyUsedError without adding. */
  add(entry: NewOutboxEntry): Promise<OutboxEntry>;
  /** Oldest first. */
  list(): Promise<OutboxEntry[]>;
  count(): Promise<number>;
  update(entry: OutboxEntry): Promise<void>;
  /** Drops an entry the server accepted. */
  remove(id: number): Promise<void>;
  /** Drops an entry the server refused for good, records why, and frees its jti when `freeJti`. */
  reject(entry: OutboxEntry, rejection: Omit<OutboxRejection, 'id'>, freeJti: boolean): Promise<void>;
  rejections(): Promise<OutboxRejection[]>;
  clearRejections(): Promise<void>;
  /** Drops the refusal of one entry (the visitor saw it on screen). */
  removeRejection(entryId: number): Promise<void>;
  isJtiUsed(jti: string): Promise<boolean>;
  /** Forgets used jtis whose token expired before `before` (ms). */
  pruneJtis(before: number): Promise<void>;
}
