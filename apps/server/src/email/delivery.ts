import type { MessageKind } from '@atrium/protocol';
import type { Logger } from 'pino';
import type { KeyRing } from '../auth/keys';
import type { SecretBox } from '../crypto/secret-box';
import type { Database } from '../db';
import type { EventDispatcher } from '../events/outbox';
import { postToChat } from './chat';
import { compose, type Outgoing, type QueuedMessage } from './compose';
import { MESSAGE_EVENTS, queueMessages } from './intake';
import { classify, type Mailer, SendFailure } from './transport';

/** Temporary failures are retried for this long after the message was queued, then it fails for good. */
export const GIVE_UP_AFTER_MS = 24 * 3600_000;
/** A claimed message is someone else's to retry once this passes (the replica that claimed it died mid-send). */
const LEASE_MS = 5 * 60_000;
const BATCH = 20;

export interface DeliveryDeps {
  db: Database;
  keys: KeyRing;
  box: SecretBox;
  events: EventDispatcher;
  logger: Logger;
  now: () => Date;
  mailer: Mailer | undefined;
  /** First retry after this; each later one waits twice as long, at most an hour (tests shorten it). */
  retryBaseMs?: number;
  pollMs?: number;
}

/** How long to wait before attempt `attempts + 1`: 30 s, 1 min, 2 min, … at most 1 h. */
export function backoffMs(attempts: number, baseMs = 30_000): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), 3600_000);
}

/**
 * Queues messages from visit events and sends those that are due: emails through the mailer, arrivals to a site's chat
 * webhook. Woken by the event dispatcher, and polls as a safety net. Safe on several replicas: each message is claimed
 * (SKIP LOCKED) with a lease before it is sent, and its outcome is recorded after.
 */
export class MessageDelivery {
  #draining: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #started = false;

  constructor(private readonly deps: DeliveryDeps) {}

  start(): void {
    this.#started = true;
    this.#unsubscribe = this.deps.events.subscribe((event) => {
      if (MESSAGE_EVENTS.includes(event.type)) void this.wake();
    });
    this.#timer = setInterval(() => void this.wake(), this.deps.pollMs ?? 5_000);
    this.#timer.unref();
    void this.wake();
  }

  async stop(): Promise<void> {
    this.#started = false;
    this.#unsubscribe?.();
    if (this.#timer) clearInterval(this.#timer);
    await this.#draining;
  }

  /** Runs the intake and sends what is due; coalesces while a run is going. Nothing before start(). */
  wake(): Promise<void> {
    if (!this.#started) return Promise.resolve();
    if (this.#draining) {
      this.#again = true;
      return this.#draining;
    }
    this.#draining = (async () => {
      try {
        do {
          this.#again = false;
          for (const tenantId of await this.deps.db.tenantIds()) await this.#run(tenantId);
        } while (this.#again);
      } catch (error) {
        this.deps.logger.error({ err: error }, 'message delivery failed; it runs again shortly');
      } finally {
        this.#draining = undefined;
      }
    })();
    return this.#draining;
  }

  async #run(tenantId: string): Promise<void> {
    await queueMessages({ db: this.deps.db, emailOn: this.deps.mailer !== undefined }, tenantId);
    for (;;) {
      const claimed = await this.#claim(tenantId);
      for (const message of claimed) await this.#deliver(tenantId, message);
      if (claimed.length < BATCH) return;
    }
  }

  /** Takes due messages for one attempt each, leased so that no other replica sends them meanwhile. */
  #claim(tenantId: string) {
    const now = this.deps.now();
    return this.deps.db.withTenant(tenantId, (tx) =>
      tx
        .updateTable('messages')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: new Date(now.getTime() + LEASE_MS) }))
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('messages')
            .select('id')
            .where('state', '=', 'queued')
            .where('next_attempt_at', '<=', now)
            .orderBy('next_attempt_at')
            .limit(BATCH)
            .forUpdate()
            .skipLocked(),
        )
        .returning(['id', 'kind', 'visit_id as visitId', 'user_id as userId', 'attempts', 'created_at as createdAt'])
        .$narrowType<{ kind: MessageKind }>()
        .execute(),
    );
  }

  async #deliver(tenantId: string, message: QueuedMessage & { attempts: number; createdAt: Date }): Promise<void> {
    let failure: SendFailure | undefined;
    try {
      const outgoing = await this.#compose(tenantId, message);
      if (outgoing.type === 'none') failure = new SendFailure(outgoing.reason, true);
      else if (outgoing.type === 'chat') await postToChat(outgoing.url, outgoing.text);
      else if (!this.deps.mailer) failure = new SendFailure('Email is not configured (SMTP_URL is not set).', true);
      else await this.deps.mailer.send(outgoing.mail);
    } catch (error) {
      failure = error instanceof SendFailure ? error : classify(error);
    }
    const now = this.deps.now();
    const givenUp = failure && !failure.permanent && now.getTime() - message.createdAt.getTime() >= GIVE_UP_AFTER_MS;
    await this.deps.db.withTenant(tenantId, (tx) =>
      tx
        .updateTable('messages')
        .set(
          !failure
            ? { state: 'sent', sent_at: now, last_error: null }
            : failure.permanent || givenUp
              ? { state: 'failed', last_error: givenUp ? `Gave up after 24 h: ${failure.message}` : failure.message }
              : {
                  last_error: failure.message,
                  next_attempt_at: new Date(now.getTime() + backoffMs(message.attempts, this.deps.retryBaseMs)),
                },
        )
        .where('id', '=', message.id)
        .where('state', '=', 'queued')
        .execute(),
    );
    if (failure) {
      this.deps.logger.warn(
        { messageId: message.id, kind: message.kind, attempts: message.attempts, permanent: failure.permanent },
        `message not sent: ${failure.message}`,
      );
    }
  }

  async #compose(tenantId: string, message: QueuedMessage): Promise<Outgoing> {
    const signer = message.kind === 'invitation' ? await this.deps.keys.qrSigningKey(tenantId) : undefined;
    const from = this.deps.mailer?.from ?? '';
    return this.deps.db.withTenant(tenantId, (tx) => compose(tx, { box: this.deps.box, from, signer }, message));
  }
}
