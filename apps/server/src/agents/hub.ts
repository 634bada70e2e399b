import { randomUUID } from 'node:crypto';
import { type AgentMessage, agentMessageSchema, parseFrame, type ServerMessage } from '@atrium/protocol';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { SecretBox } from '../crypto/secret-box';
import type { Database } from '../db';
import type { DomainEvent, EventDispatcher } from '../events/outbox';
import type { AgentIdentity } from './ca';
import { agentForCertificate } from './certificates';
import { type RecordOutcome, type ReportedEvent, recordAgentEvents, recordConnection } from './recorder';
import { storableEvent } from './storable';
import { activeVouchers, reconcileMessages, vouchersToPush } from './voucher-feed';

/** What the hub uses: the database, the delivery pool for pushes, the dispatcher it follows, the voucher key. */
export interface AgentHubDeps {
  db: Database;
  /** Reads made while pushing voucher changes: a pool of their own, so pushes never wait behind request traffic. */
  deliveryDb: Database;
  events: EventDispatcher;
  box: SecretBox;
  logger: Logger;
  now: () => Date;
}

export const CLOSE = {
  replaced: { code: 4000, reason: 'replaced by a new connection of the same agent' },
  otherAgent: { code: 4009, reason: 'another agent is connected for this site' },
  unknown: { code: 4003, reason: 'this certificate is not registered or has been revoked' },
  noStatus: { code: 4002, reason: 'expected agent.status first' },
  revoked: { code: 4004, reason: 'this agent has been revoked' },
  slow: { code: 4008, reason: 'the agent is not reading its messages' },
} as const;

const STATUS_TIMEOUT_MS = 10_000;
const HEARTBEAT_MS = 30_000;
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

interface Connection {
  agent: { id: string; tenantId: string; siteId: string };
  identity: AgentIdentity;
  ws: WebSocket;
  ready: boolean;
  alive: boolean;
  /** Voucher changes not pushed yet, in event order (held back until the reconciliation has gone out). */
  outgoing: DomainEvent[];
  pushing: boolean;
  /** Frames not handled yet, in arrival order. */
  inbox: Array<{ data: string; binary: boolean }>;
  draining: boolean;
}

export interface HubStats {
  connections: number;
  invalidMessages: number;
  /** Events recorded after values the database cannot store were made storable. */
  cleanedEvents: number;
  /** Events the database refused even so: recorded as rejected and acked, so the agent drops them. */
  rejectedEvents: number;
}

/** Live agents, one per site; pushes voucher changes from the outbox and takes in status, RADIUS and session events. */
export class AgentHub {
  #bySite = new Map<string, Connection>();
  /** Ids of events each agent already delivered (this process): a resend after a dropped link is acked, not recorded twice. */
  #seen = new Map<string, Set<string>>();
  #invalid = 0;
  #cleaned = 0;
  #rejected = 0;
  #heartbeat: NodeJS.Timeout;
  #unsubscribe: () => void;

  constructor(private readonly deps: AgentHubDeps) {
    this.#unsubscribe = deps.events.subscribe((event) => this.#onEvent(event));
    this.#heartbeat = setInterval(() => this.#beat(), HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  stats(): HubStats {
    return {
      connections: this.#bySite.size,
      invalidMessages: this.#invalid,
      cleanedEvents: this.#cleaned,
      rejectedEvents: this.#rejected,
    };
  }

  isConnected(siteId: string): boolean {
    return this.#bySite.get(siteId)?.ready ?? false;
  }

  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    this.#unsubscribe();
    for (const conn of this.#bySite.values()) conn.ws.close(1001, 'server shutting down');
    this.#bySite.clear();
  }

  /** Takes a WebSocket whose TLS client certificate has been verified; checks it is a registered, live agent. */
  async accept(ws: WebSocket, identity: AgentIdentity): Promise<void> {
    // Frames can arrive while the registration is looked up: hold them, and handle them in order once it is known.
    const early: Array<{ data: string; binary: boolean }> = [];
    const hold = (data: Buffer, binary: boolean) => early.push({ data: data.toString(), binary });
    ws.on('message', hold);
    ws.on('error', () => {});
    const agent = await this.deps.db.withTenant(identity.tenantId, (tx) =>
      agentForCertificate(tx, identity, this.deps.now()),
    );
    ws.off('message', hold);
    if (ws.readyState !== ws.OPEN) return;
    if (!agent) {
      ws.close(CLOSE.unknown.code, CLOSE.unknown.reason);
      return;
    }
    if (agent.renewed) void this.deps.events.wake();
    const existing = this.#bySite.get(identity.siteId);
    if (existing && existing.agent.id !== agent.id) {
      ws.close(CLOSE.otherAgent.code, CLOSE.otherAgent.reason);
      return;
    }
    if (existing) {
      this.#bySite.delete(identity.siteId);
      existing.ws.close(CLOSE.replaced.code, CLOSE.replaced.reason);
    }
    const conn: Connection = {
      agent: { id: agent.id, tenantId: identity.tenantId, siteId: identity.siteId },
      identity,
      ws,
      ready: false,
      alive: true,
      outgoing: [],
      pushing: false,
      inbox: [],
      draining: false,
    };
    this.#bySite.set(identity.siteId, conn);
    const statusTimer = setTimeout(() => {
      if (!conn.ready) ws.close(CLOSE.noStatus.code, CLOSE.noStatus.reason);
    }, STATUS_TIMEOUT_MS);

    const handle = (data: string, binary: boolean) => {
      conn.alive = true;
      conn.inbox.push({ data, binary });
      void this.#drain(conn).catch((error) => {
        // The database is away (a refused event is rejected, never thrown): nothing was acked, so the agent sends
        // these events again after it reconnects.
        this.deps.logger.error({ err: error, agentId: conn.agent.id }, 'recording agent events failed');
        conn.ws.close(1011, 'server error while recording events');
      });
    };
    for (const frame of early) handle(frame.data, frame.binary);
    ws.on('message', (data: Buffer, binary: boolean) => handle(data.toString(), binary));
    ws.on('pong', () => {
      conn.alive = true;
    });
    ws.on('close', () => {
      clearTimeout(statusTimer);
      if (this.#bySite.get(identity.siteId) === conn) {
        this.#bySite.delete(identity.siteId);
        void this.#setConnected(conn, false);
      }
    });
  }

  /** Closes a revoked agent's live connection. */
  disconnect(agentId: string): void {
    for (const conn of this.#bySite.values()) {
      if (conn.agent.id === agentId) conn.ws.close(CLOSE.revoked.code, CLOSE.revoked.reason);
    }
  }

  #send(conn: Connection, message: ServerMessage): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    if (conn.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      conn.ws.close(CLOSE.slow.code, CLOSE.slow.reason);
      return;
    }
    conn.ws.send(JSON.stringify(message));
  }

  #reject(conn: Connection, ref: string | null, message: string): void {
    this.#invalid += 1;
    this.#send(conn, { v: 1, id: randomUUID(), type: 'error', code: 'invalid_message', message, ref });
  }

  /** Frames are handled in arrival order, in batches: one transaction records up to 500 events of a burst. */
  async #drain(conn: Connection): Promise<void> {
    if (conn.draining) return;
    conn.draining = true;
    try {
      while (conn.inbox.length > 0) {
        const batch: ReportedEvent[] = [];
        let announce = false;
        while (conn.inbox.length > 0 && batch.length < 500 && !announce) {
          const frame = conn.inbox.shift()!;
          if (frame.binary) {
            this.#reject(conn, null, 'binary frames are not part of the protocol');
            continue;
          }
          const parsed = parseFrame(agentMessageSchema, frame.data);
          if (!parsed.ok) {
            this.#reject(conn, parsed.id, parsed.error);
            continue;
          }
          const message = parsed.message;
          if (!conn.ready && message.type !== 'agent.status') {
            this.#reject(conn, message.id, 'send agent.status first');
            continue;
          }
          if (this.#seenBefore(conn, message)) {
            this.#send(conn, { v: 1, id: randomUUID(), type: 'ack', ackId: message.id });
            continue;
          }
          batch.push(storableEvent(message, this.deps.now()));
          announce = message.type === 'agent.status' && !conn.ready;
        }
        if (batch.length === 0) continue;
        const outcomes = await recordAgentEvents(this.deps.db, conn.agent, batch);
        for (const [i, { message, cleaned }] of batch.entries()) {
          this.#count(conn, message, cleaned, outcomes[i]!);
          this.#remember(conn, message);
          if (message.type !== 'ack') this.#send(conn, { v: 1, id: randomUUID(), type: 'ack', ackId: message.id });
        }
        if (announce) await this.#reconcile(conn, batch.at(-1)!.message);
      }
    } finally {
      conn.draining = false;
    }
  }

  #count(conn: Connection, message: AgentMessage, cleaned: string[], outcome: RecordOutcome): void {
    const about = { agentId: conn.agent.id, eventId: message.id, eventType: message.type };
    if (typeof outcome === 'object') {
      this.#rejected += 1;
      this.deps.logger.warn({ ...about, err: outcome.error, reason: outcome.rejected }, 'rejected an agent event');
    } else if (outcome === 'recorded' && cleaned.length > 0) {
      this.#cleaned += 1;
      this.deps.logger.warn({ ...about, fields: cleaned }, 'cleaned values the database cannot store');
    }
  }

  #seenBefore(conn: Connection, message: AgentMessage): boolean {
    if (message.type === 'agent.status' || message.type === 'ack') return false;
    return this.#seen.get(conn.agent.id)?.has(message.id) ?? false;
  }

  #remember(conn: Connection, message: AgentMessage): void {
    if (message.type === 'agent.status' || message.type === 'ack') return;
    const seen = this.#seen.get(conn.agent.id) ?? new Set<string>();
    this.#seen.set(conn.agent.id, seen);
    seen.add(message.id);
    // The most recent 20,000 ids: more than an agent buffers.
    if (seen.size > 20_000) seen.delete(seen.values().next().value as string);
  }

  async #reconcile(conn: Connection, status: AgentMessage): Promise<void> {
    const vouchers = await activeVouchers(this.deps, conn.agent, this.deps.now());
    const features = status.type === 'agent.status' ? status.features : undefined;
    for (const message of reconcileMessages(vouchers, features)) this.#send(conn, message);
    conn.ready = true;
    await this.#push(conn);
    await this.#setConnected(conn, true);
  }

  #onEvent(event: DomainEvent): void {
    if (event.type === 'agent.revoked') {
      this.disconnect((event.payload as { agentId: string }).agentId);
      return;
    }
    if (event.type === 'agent.certificate_renewed') {
      // A link still on the old certificate (on this replica or another) gives way to the renewed one.
      const { agentId, serial } = event.payload as DomainEvent<'agent.certificate_renewed'>['payload'];
      // It leaves without marking the agent disconnected: the renewed link (wherever it is) owns that state now.
      for (const [siteId, conn] of this.#bySite) {
        if (conn.agent.id !== agentId || conn.identity.serial === serial) continue;
        this.#bySite.delete(siteId);
        conn.ws.close(CLOSE.replaced.code, CLOSE.replaced.reason);
      }
      return;
    }
    if (event.type !== 'voucher.upserted' && event.type !== 'voucher.revoked') return;
    if (!event.siteId) return;
    const conn = this.#bySite.get(event.siteId);
    if (!conn || conn.identity.tenantId !== event.tenantId) return;
    conn.outgoing.push(event);
    if (conn.ready) {
      void this.#push(conn).catch((error) => this.deps.logger.error({ err: error }, 'pushing voucher changes failed'));
    }
  }

  /**
   * Sends queued voucher changes in event order. A burst of check-ins becomes one query for all their vouchers, on the
   * delivery pool, so pushes never wait behind request traffic. If a push fails, the agent's next reconciliation
   * (on reconnect) brings it level.
   */
  async #push(conn: Connection): Promise<void> {
    if (conn.pushing) return;
    conn.pushing = true;
    try {
      // Let the rest of the dispatcher's current drain land in the queue first.
      await new Promise((resolve) => setImmediate(resolve));
      while (conn.outgoing.length > 0 && this.#bySite.get(conn.identity.siteId) === conn) {
        const batch = conn.outgoing.splice(0, 500);
        const ids = batch
          .filter((event) => event.type === 'voucher.upserted')
          .map((event) => (event.payload as DomainEvent<'voucher.upserted'>['payload']).voucherId);
        const byId = await vouchersToPush({ ...this.deps, db: this.deps.deliveryDb }, conn.agent.tenantId, ids);
        for (const event of batch) {
          if (event.type === 'voucher.revoked') {
            const payload = event.payload as DomainEvent<'voucher.revoked'>['payload'];
            this.#send(conn, {
              v: 1,
              id: randomUUID(),
              type: 'voucher.revoke',
              voucherId: payload.voucherId,
              version: payload.version,
              disconnect: payload.disconnect,
            });
            continue;
          }
          const voucher = byId.get((event.payload as DomainEvent<'voucher.upserted'>['payload']).voucherId);
          if (voucher) this.#send(conn, { v: 1, id: randomUUID(), type: 'voucher.upsert', voucher });
        }
      }
    } finally {
      conn.pushing = false;
    }
  }

  async #setConnected(conn: Connection, connected: boolean): Promise<void> {
    await recordConnection(this.deps, conn.agent, connected).catch((error) =>
      this.deps.logger.warn({ err: error }, 'recording the agent connection state failed'),
    );
  }

  #beat(): void {
    for (const conn of this.#bySite.values()) {
      if (!conn.alive) {
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
      this.#send(conn, { v: 1, id: randomUUID(), type: 'ping', at: this.deps.now().toISOString() });
    }
  }
}
