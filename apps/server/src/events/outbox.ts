import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Database, Tx } from '../db';

/** Event types and their payloads: ids and codes only, never names, emails or phone numbers. */
export interface EventPayloads {
  /** sendInvitation false: the creator asked for no invitation email. */
  'visit.created': { visitId: string; sendInvitation?: boolean };
  /** newCode: the times changed, so the visit has a new QR code (and the visitor a new invitation). */
  'visit.updated': { visitId: string; newCode?: boolean };
  'visit.cancelled': { visitId: string };
  'visit.checked_in': { visitId: string; checkInId: string; kioskId: string | null; offline: boolean };
  'visit.checked_out': { visitId: string; checkInId: string | null; reason: 'kiosk' | 'staff' | 'erasure' };
  'visit.expired': { visitId: string };
  'voucher.upserted': { voucherId: string; visitId: string; version: number };
  'voucher.revoked': { voucherId: string; visitId: string; version: number; disconnect: boolean };
  'check_in.conflict': { conflictId: string; visitId: string; kioskId: string | null };
  'agent.connected': { agentId: string };
  'agent.disconnected': { agentId: string };
  'agent.revoked': { agentId: string };
  /** The agent's certificate ends within 30 days: at most once per agent per day (for email, once it exists). */
  'agent.certificate_expiring': { agentId: string };
  /** A renewed certificate connected for the first time: every replica drops the agent's links on an older one. */
  'agent.certificate_renewed': { agentId: string; serial: string };
  'session.terminate_failed': { terminationId: string; voucherId: string; result: string };
  /** A user was disabled, re-roled or had their password reset/changed: every replica re-checks them at once. */
  'user.access_changed': { userId: string };
}
export type EventType = keyof EventPayloads;

export interface DomainEvent<T extends EventType = EventType> {
  id: number;
  tenantId: string;
  siteId: string | null;
  type: T;
  payload: EventPayloads[T];
  createdAt: Date;
}

export const EVENTS_CHANNEL = 'atrium_events';

/** Writes an event in the caller's transaction; it is delivered only if that transaction commits. */
export async function emit<T extends EventType>(
  tx: Tx,
  type: T,
  siteId: string | null,
  payload: EventPayloads[T],
): Promise<number> {
  // Event ids must commit in order per tenant, or the dispatcher could read id 6 before id 5 commits and skip 5. The
  // lock is held from here to commit, so emit as the last step of a transaction. Raw SQL: advisory locks have no builder.
  await sql`SELECT pg_advisory_xact_lock(hashtextextended('atrium_events:' || app_current_tenant()::text, 0))`.execute(
    tx,
  );
  const { id } = await tx
    .insertInto('events')
    // The RLS helper: the tenant the transaction was opened for.
    .values({ tenant_id: sql<string>`app_current_tenant()`, site_id: siteId, type, payload: JSON.stringify(payload) })
    .returning('id')
    .executeTakeFirstOrThrow();
  // Other replicas wake on commit (the payload is the event id, never data); pg_notify has no builder either.
  await sql`SELECT pg_notify(${EVENTS_CHANNEL}, ${String(id)})`.execute(tx);
  return id;
}

type Subscriber = (event: DomainEvent) => void;

/**
 * Delivers committed events in order to in-process subscribers (agent hub, live dashboards). It drains on a wake-up
 * (after a local commit, or a NOTIFY from another replica) and polls once a second as a safety net.
 */
export class EventDispatcher {
  #subscribers = new Set<Subscriber>();
  #last = new Map<string, number>();
  #draining: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly pollMs = 1000,
  ) {}

  subscribe(fn: Subscriber): () => void {
    this.#subscribers.add(fn);
    return () => this.#subscribers.delete(fn);
  }

  /** Starts after the newest existing event of each tenant: history is not replayed to live subscribers. */
  async start(): Promise<void> {
    for (const tenantId of await this.db.tenantIds()) {
      const row = await this.db.withTenant(tenantId, (tx) =>
        tx
          .selectFrom('events')
          .select((eb) => eb.fn.max('id').as('max'))
          .executeTakeFirst(),
      );
      this.#last.set(tenantId, row?.max ?? 0);
    }
    this.#unlisten = await this.db.backend.listen(EVENTS_CHANNEL, () => this.wake());
    this.#timer = setInterval(() => this.wake(), this.pollMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#unlisten?.();
    await this.#draining;
  }

  /** Asks for a drain; coalesces while one is running. Resolves when the events committed so far are delivered. */
  wake(): Promise<void> {
    if (this.#draining) {
      this.#again = true;
      return this.#draining;
    }
    this.#draining = (async () => {
      try {
        do {
          this.#again = false;
          await this.#drain();
        } while (this.#again);
      } catch (error) {
        this.logger.error({ err: error }, 'event delivery failed; will retry');
      } finally {
        this.#draining = undefined;
      }
    })();
    return this.#draining;
  }

  async #drain(): Promise<void> {
    for (const tenantId of await this.db.tenantIds()) {
      for (;;) {
        const last = this.#last.get(tenantId) ?? 0;
        const rows = await this.db.withTenant(tenantId, (tx) =>
          tx
            .selectFrom('events')
            .select(['id', 'site_id', 'type', 'payload', 'created_at'])
            .where('id', '>', last)
            .orderBy('id')
            .limit(500)
            .$narrowType<{ type: EventType; payload: DomainEvent['payload'] }>()
            .execute(),
        );
        for (const row of rows) {
          this.#last.set(tenantId, row.id);
          const event: DomainEvent = {
            id: row.id,
            tenantId,
            siteId: row.site_id,
            type: row.type,
            payload: row.payload,
            createdAt: row.created_at,
          };
          for (const subscriber of this.#subscribers) {
            try {
              subscriber(event);
            } catch (error) {
              this.logger.error({ err: error, eventId: row.id }, 'an event subscriber failed');
            }
          }
        }
        if (rows.length < 500) break;
      }
    }
  }
}
