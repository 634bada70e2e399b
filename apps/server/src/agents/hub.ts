import { randomUUID } from 'node:crypto';
import {
  type AgentMessage,
  type AgentVoucher,
  agentMessageSchema,
  parseFrame,
  type ServerMessage,
} from '@atrium/protocol';
import type { WebSocket } from 'ws';
import { recordAudit } from '../audit/record';
import type { AppContext } from '../context';
import type { Queryable } from '../db';
import { type DomainEvent, emit } from '../events/outbox';
import { voucherContext } from '../visits/vouchers';
import { agentForCertificate } from './certificates';
import { type StorableEvent, storableEvent } from './storable';

/** Who is on the other end: taken from the verified client certificate, never from a message. */
export interface AgentIdentity {
  tenantId: string;
  siteId: string;
  serial: string;
  fingerprint: string;
}

export const CLOSE = {
  replaced: { code: 4000, reason: 'replaced by a new connection of the same agent' },
  otherAgent: { code: 4009, reason: 'another agent is connected for this site' },
  unknown: { code: 4003, reason: 'this certificate is not registered or has been revoked' },
  noStatus: { code: 4002, reason: 'expected agent.status first' },
  revoked: { code: 4004, reason: 'this agent has been revoked' },
  slow: { code: 4008, reason: 'the agent is not reading its messages' },
  dead: { code: 4001, reason: 'no heartbeat' },
} as const;

const STATUS_TIMEOUT_MS = 10_000;
const HEARTBEAT_MS = 30_000;
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

interface Connection {
  agentId: string;
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

interface VoucherRow {
  id: string;
  username: string;
  password_sealed: string;
  valid_from: Date;
  valid_until: Date;
  version: number;
}

export interface HubStats {
  connections: number;
  invalidMessages: number;
  /** Events recorded after values the database cannot store were made storable. */
  cleanedEvents: number;
  /** Events the database refused even so: recorded as rejected and acked, so the agent drops them. */
  rejectedEvents: number;
}

type Inbound = StorableEvent<AgentMessage>;
type Outcome = 'recorded' | 'duplicate' | { rejected: string; error: unknown };

/** A SQLSTATE class or socket error saying the database is away, busy or stopping: nothing is wrong with the event. */
function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (/^(08|40|53|55|57|58)[0-9A-Z]{3}$/.test(code) || /^E[A-Z]+$/.test(code));
}

/** Why the database refused an event, for the audit entry: the SQLSTATE and its class, never the refused value. */
function rejectionReason(error: unknown): { sqlstate: string | null; reason: string } {
  const code = (error as { code?: unknown } | null)?.code;
  const sqlstate = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
  const reason =
    sqlstate?.startsWith('22') === true
      ? 'a value the database cannot store'
      : sqlstate?.startsWith('23') === true
        ? 'a value that breaks a database constraint'
        : sqlstate?.startsWith('54') === true
          ? 'a value too large for the database'
          : 'the server could not record it';
  return { sqlstate, reason };
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

  constructor(private readonly ctx: AppContext) {
    this.#unsubscribe = ctx.events.subscribe((event) => this.#onEvent(event));
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
    const agent = await this.ctx.db.withTenant(identity.tenantId, (tx) =>
      agentForCertificate(tx, identity, this.ctx.now()),
    );
    ws.off('message', hold);
    if (ws.readyState !== ws.OPEN) return;
    if (!agent) {
      ws.close(CLOSE.unknown.code, CLOSE.unknown.reason);
      return;
    }
    if (agent.renewed) void this.ctx.events.wake();
    const existing = this.#bySite.get(identity.siteId);
    if (existing && existing.agentId !== agent.id) {
      ws.close(CLOSE.otherAgent.code, CLOSE.otherAgent.reason);
      return;
    }
    if (existing) {
      this.#bySite.delete(identity.siteId);
      existing.ws.close(CLOSE.replaced.code, CLOSE.replaced.reason);
    }
    const conn: Connection = {
      agentId: agent.id,
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
        this.ctx.logger.error({ err: error, agentId: conn.agentId }, 'recording agent events failed');
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
      if (conn.agentId === agentId) conn.ws.close(CLOSE.revoked.code, CLOSE.revoked.reason);
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
        const batch: Inbound[] = [];
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
          batch.push(storableEvent(message, this.ctx.now()));
          announce = message.type === 'agent.status' && !conn.ready;
        }
        if (batch.length === 0) continue;
        const outcomes = await this.#recordBatch(conn, batch);
        for (const [i, { message, cleaned }] of batch.entries()) {
          const outcome = outcomes[i]!;
          const about = { agentId: conn.agentId, eventId: message.id, eventType: message.type };
          if (typeof outcome === 'object') {
            this.#rejected += 1;
            this.ctx.logger.warn({ ...about, err: outcome.error, reason: outcome.rejected }, 'rejected an agent event');
          } else if (outcome === 'recorded' && cleaned.length > 0) {
            this.#cleaned += 1;
            this.ctx.logger.warn({ ...about, fields: cleaned }, 'cleaned values the database cannot store');
          }
          this.#remember(conn, message);
          if (message.type !== 'ack') this.#send(conn, { v: 1, id: randomUUID(), type: 'ack', ackId: message.id });
        }
        if (announce) await this.#reconcile(conn);
      }
    } finally {
      conn.draining = false;
    }
  }

  #seenBefore(conn: Connection, message: AgentMessage): boolean {
    if (message.type === 'agent.status' || message.type === 'ack') return false;
    return this.#seen.get(conn.agentId)?.has(message.id) ?? false;
  }

  #remember(conn: Connection, message: AgentMessage): void {
    if (message.type === 'agent.status' || message.type === 'ack') return;
    const seen = this.#seen.get(conn.agentId) ?? new Set<string>();
    this.#seen.set(conn.agentId, seen);
    seen.add(message.id);
    // The most recent 20,000 ids: more than an agent buffers.
    if (seen.size > 20_000) seen.delete(seen.values().next().value as string);
  }

  async #reconcile(conn: Connection): Promise<void> {
    const { tenantId, siteId } = conn.identity;
    const vouchers = await this.ctx.db.withTenant(tenantId, (tx) => this.#activeVouchers(tx, siteId));
    this.#send(conn, { v: 1, id: randomUUID(), type: 'vouchers.reconcile', vouchers });
    conn.ready = true;
    await this.#push(conn);
    await this.#setConnected(conn, true);
  }

  /**
   * Records a batch in one transaction. If the database refuses it, records it again one event at a time, each behind
   * a savepoint, so only the event it refuses is set aside (recorded as rejected) and its batch-mates are kept.
   */
  async #recordBatch(conn: Connection, batch: Inbound[]): Promise<Outcome[]> {
    const { tenantId } = conn.identity;
    try {
      return await this.ctx.db.withTenant(tenantId, async (tx) => {
        const outcomes: Outcome[] = [];
        for (const item of batch) outcomes.push((await this.#record(tx, conn, item)) ? 'recorded' : 'duplicate');
        return outcomes;
      });
    } catch (error) {
      if (isTransient(error)) throw error;
    }
    return this.ctx.db.withTenant(tenantId, async (tx) => {
      const outcomes: Outcome[] = [];
      for (const item of batch) {
        await tx.query('SAVEPOINT agent_event');
        try {
          const fresh = await this.#record(tx, conn, item);
          await tx.query('RELEASE SAVEPOINT agent_event');
          outcomes.push(fresh ? 'recorded' : 'duplicate');
        } catch (error) {
          // The rollback and the rejection entry succeeding show the database is fine: the event is what it refuses.
          if (isTransient(error)) throw error;
          await tx.query('ROLLBACK TO SAVEPOINT agent_event');
          outcomes.push(await this.#recordRejection(tx, conn, item.message, error));
          await tx.query('RELEASE SAVEPOINT agent_event');
        }
      }
      return outcomes;
    });
  }

  /** Returns false for an event already recorded (a resend). */
  async #record(tx: Queryable, conn: Connection, { message, cleaned }: Inbound): Promise<boolean> {
    const { siteId } = conn.identity;
    if (message.type !== 'agent.status' && message.type !== 'ack') {
      const [fresh] = await tx.query(
        `INSERT INTO agent_event_ids (tenant_id, agent_id, event_id) VALUES (app_current_tenant(), $1, $2)
         ON CONFLICT DO NOTHING RETURNING 1`,
        [conn.agentId, message.id],
      );
      if (!fresh) return false;
      if (cleaned.length > 0) {
        await recordAudit(tx, {
          actorType: 'agent',
          actorId: conn.agentId,
          action: 'agent.event_cleaned',
          outcome: 'success',
          details: { eventId: message.id, eventType: message.type, fields: cleaned.join(',') },
        });
      }
    }
    switch (message.type) {
      case 'agent.status': {
        const { v: _v, id: _id, type: _type, ...status } = message;
        await tx.query('UPDATE agents SET last_status = $2, last_seen = now() WHERE id = $1', [
          conn.agentId,
          JSON.stringify(status),
        ]);
        return true;
      }
      case 'radius.auth': {
        await recordAudit(tx, {
          actorType: 'agent',
          actorId: conn.agentId,
          action: 'radius.auth',
          targetType: message.voucherId ? 'voucher' : undefined,
          targetId: message.voucherId,
          outcome: message.result === 'accept' ? 'success' : 'failure',
          details: { reason: message.reason, method: message.method, at: message.at },
        });
        return true;
      }
      case 'radius.acct': {
        if (message.status === 'accounting-on' || message.status === 'accounting-off') return true;
        const voucher = message.voucherId
          ? (await tx.query('SELECT 1 FROM vouchers WHERE id = $1', [message.voucherId])).length > 0
          : false;
        await tx.query(
          `INSERT INTO radius_sessions (tenant_id, site_id, voucher_id, acct_session_id, nas_ip, nas_identifier, calling_station_id,
                                        framed_ip, started_at, updated_at, stopped_at, session_time, input_octets, output_octets, terminate_cause)
           VALUES (app_current_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12, $13)
           ON CONFLICT (site_id, acct_session_id, nas_ip) DO UPDATE SET
             updated_at = excluded.updated_at, stopped_at = coalesce(excluded.stopped_at, radius_sessions.stopped_at),
             session_time = coalesce(excluded.session_time, radius_sessions.session_time),
             input_octets = coalesce(excluded.input_octets, radius_sessions.input_octets),
             output_octets = coalesce(excluded.output_octets, radius_sessions.output_octets),
             terminate_cause = coalesce(excluded.terminate_cause, radius_sessions.terminate_cause),
             framed_ip = coalesce(excluded.framed_ip, radius_sessions.framed_ip)`,
          [
            siteId,
            voucher ? message.voucherId : null,
            message.acctSessionId,
            message.nasIp ?? '',
            message.nasIdentifier,
            message.callingStationId,
            message.framedIp,
            new Date(message.at),
            message.status === 'stop' ? new Date(message.at) : null,
            message.sessionTime,
            message.inputOctets,
            message.outputOctets,
            message.terminateCause,
          ],
        );
        return true;
      }
      case 'session.terminate.result': {
        const [voucher] = await tx.query('SELECT 1 FROM vouchers WHERE id = $1', [message.voucherId]);
        if (!voucher) return true;
        const [row] = await tx.query<{ id: string }>(
          `INSERT INTO session_terminations (tenant_id, site_id, voucher_id, acct_session_id, terminator, result, error_cause, detail, occurred_at)
           VALUES (app_current_tenant(), $1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
          [
            siteId,
            message.voucherId,
            message.acctSessionId,
            message.terminator,
            message.result,
            message.errorCause,
            message.detail,
            new Date(message.at),
          ],
        );
        if (message.result !== 'ack' && message.result !== 'no_session') {
          await emit(tx, 'session.terminate_failed', siteId, {
            terminationId: row!.id,
            voucherId: message.voucherId,
            result: message.result,
          });
        }
        return true;
      }
      case 'ack':
        return true;
    }
  }

  /**
   * Sets a refused event aside: its id is kept (a resend is acked, not tried again) and the audit log says why. Should
   * even that be refused, the event is still dropped (and logged): no event may hold up the link.
   */
  async #recordRejection(tx: Queryable, conn: Connection, message: AgentMessage, error: unknown): Promise<Outcome> {
    const { sqlstate, reason } = rejectionReason(error);
    await tx.query('SAVEPOINT agent_event_rejection');
    try {
      const fresh =
        message.type === 'agent.status' || message.type === 'ack'
          ? true
          : (
              await tx.query(
                `INSERT INTO agent_event_ids (tenant_id, agent_id, event_id) VALUES (app_current_tenant(), $1, $2)
                 ON CONFLICT DO NOTHING RETURNING 1`,
                [conn.agentId, message.id],
              )
            ).length > 0;
      if (fresh) {
        await recordAudit(tx, {
          actorType: 'agent',
          actorId: conn.agentId,
          action: 'agent.event_rejected',
          outcome: 'failure',
          details: { eventId: message.id, eventType: message.type, sqlstate, reason },
        });
      }
      await tx.query('RELEASE SAVEPOINT agent_event_rejection');
      if (!fresh) return 'duplicate';
    } catch (recordingError) {
      if (isTransient(recordingError)) throw recordingError;
      await tx.query('ROLLBACK TO SAVEPOINT agent_event_rejection');
      await tx.query('RELEASE SAVEPOINT agent_event_rejection');
    }
    return { rejected: reason, error };
  }

  async #activeVouchers(tx: Queryable, siteId: string): Promise<AgentVoucher[]> {
    const rows = await tx.query<VoucherRow>(
      `SELECT id, username, password_sealed, valid_from, valid_until, version FROM vouchers
        WHERE site_id = $1 AND status = 'active' AND valid_until > $2 ORDER BY id`,
      [siteId, this.ctx.now()],
    );
    return rows.map((row) => this.#toAgentVoucher(row));
  }

  #toAgentVoucher(row: VoucherRow): AgentVoucher {
    return {
      id: row.id,
      username: row.username,
      password: this.ctx.box.open(row.password_sealed, voucherContext(row.id)).toString(),
      validFrom: row.valid_from.toISOString(),
      validUntil: row.valid_until.toISOString(),
      version: row.version,
    };
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
        if (conn.agentId !== agentId || conn.identity.serial === serial) continue;
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
      void this.#push(conn).catch((error) => this.ctx.logger.error({ err: error }, 'pushing voucher changes failed'));
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
        const rows =
          ids.length === 0
            ? []
            : await this.ctx.deliveryDb.withTenant(conn.identity.tenantId, (tx) =>
                tx.query<VoucherRow>(
                  `SELECT id, username, password_sealed, valid_from, valid_until, version FROM vouchers
                   WHERE id = ANY($1::uuid[]) AND status = 'active'`,
                  [ids],
                ),
              );
        const byId = new Map(rows.map((row) => [row.id, row]));
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
          const row = byId.get((event.payload as DomainEvent<'voucher.upserted'>['payload']).voucherId);
          if (row)
            this.#send(conn, { v: 1, id: randomUUID(), type: 'voucher.upsert', voucher: this.#toAgentVoucher(row) });
        }
      }
    } finally {
      conn.pushing = false;
    }
  }

  async #setConnected(conn: Connection, connected: boolean): Promise<void> {
    await this.ctx.db
      .withTenant(conn.identity.tenantId, async (tx) => {
        await tx.query('UPDATE agents SET connected = $2, last_seen = now() WHERE id = $1', [conn.agentId, connected]);
        await emit(tx, connected ? 'agent.connected' : 'agent.disconnected', conn.identity.siteId, {
          agentId: conn.agentId,
        });
      })
      .then(() => this.ctx.events.wake())
      .catch((error) => this.ctx.logger.warn({ err: error }, 'recording the agent connection state failed'));
  }

  #beat(): void {
    for (const conn of this.#bySite.values()) {
      if (!conn.alive) {
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
      this.#send(conn, { v: 1, id: randomUUID(), type: 'ping', at: this.ctx.now().toISOString() });
    }
  }
}
