import type { AgentMessage } from '@atrium/protocol';
import { recordAudit } from '../audit/record';
import type { Database, Queryable } from '../db';
import { type EventDispatcher, emit } from '../events/outbox';
import type { StorableEvent } from './storable';

/** The connected agent whose events are recorded: its id from the registration, tenant and site from its certificate. */
export interface ReportingAgent {
  id: string;
  tenantId: string;
  siteId: string;
}

/** An event as the agent sent it, made storable (`cleaned` names the fields that changed). */
export type ReportedEvent = StorableEvent<AgentMessage>;

/** What became of one event: recorded, already recorded before (a resend), or refused by the database. */
export type RecordOutcome = 'recorded' | 'duplicate' | { rejected: string; error: unknown };

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

/**
 * Records a batch of an agent's events in one transaction, one outcome per event in order. If the database refuses
 * the batch, records it again one event at a time, each behind a savepoint, so only the event it refuses is set aside
 * (recorded as rejected) and its batch-mates are kept. Throws only when the database is away or busy.
 */
export async function recordAgentEvents(
  db: Database,
  agent: ReportingAgent,
  batch: ReportedEvent[],
): Promise<RecordOutcome[]> {
  try {
    return await db.withTenant(agent.tenantId, async (tx) => {
      const outcomes: RecordOutcome[] = [];
      for (const item of batch) outcomes.push((await record(tx, agent, item)) ? 'recorded' : 'duplicate');
      return outcomes;
    });
  } catch (error) {
    if (isTransient(error)) throw error;
  }
  return db.withTenant(agent.tenantId, async (tx) => {
    const outcomes: RecordOutcome[] = [];
    for (const item of batch) {
      await tx.query('SAVEPOINT agent_event');
      try {
        const fresh = await record(tx, agent, item);
        await tx.query('RELEASE SAVEPOINT agent_event');
        outcomes.push(fresh ? 'recorded' : 'duplicate');
      } catch (error) {
        // The rollback and the rejection entry succeeding show the database is fine: the event is what it refuses.
        if (isTransient(error)) throw error;
        await tx.query('ROLLBACK TO SAVEPOINT agent_event');
        outcomes.push(await recordRejection(tx, agent, item.message, error));
        await tx.query('RELEASE SAVEPOINT agent_event');
      }
    }
    return outcomes;
  });
}

/** Marks the agent connected or not, tells dashboards after commit; throws when the database is away. */
export async function recordConnection(
  deps: { db: Database; events: EventDispatcher },
  agent: ReportingAgent,
  connected: boolean,
): Promise<void> {
  await deps.db.withTenant(agent.tenantId, async (tx) => {
    await tx.query('UPDATE agents SET connected = $2, last_seen = now() WHERE id = $1', [agent.id, connected]);
    await emit(tx, connected ? 'agent.connected' : 'agent.disconnected', agent.siteId, { agentId: agent.id });
  });
  void deps.events.wake();
}

/** Keeps an event's id; false when it was kept before (a resend). Status and acks carry no id worth keeping. */
async function isFresh(tx: Queryable, agent: ReportingAgent, message: AgentMessage): Promise<boolean> {
  if (message.type === 'agent.status' || message.type === 'ack') return true;
  const rows = await tx.query(
    `INSERT INTO agent_event_ids (tenant_id, agent_id, event_id) VALUES (app_current_tenant(), $1, $2)
     ON CONFLICT DO NOTHING RETURNING 1`,
    [agent.id, message.id],
  );
  return rows.length > 0;
}

/** Returns false for an event already recorded (a resend). */
async function record(tx: Queryable, agent: ReportingAgent, { message, cleaned }: ReportedEvent): Promise<boolean> {
  if (!(await isFresh(tx, agent, message))) return false;
  if (cleaned.length > 0 && message.type !== 'agent.status' && message.type !== 'ack') {
    await recordAudit(tx, {
      actorType: 'agent',
      actorId: agent.id,
      action: 'agent.event_cleaned',
      outcome: 'success',
      details: { eventId: message.id, eventType: message.type, fields: cleaned.join(',') },
    });
  }
  switch (message.type) {
    case 'agent.status': {
      const { v: _v, id: _id, type: _type, features: _features, ...status } = message;
      await tx.query('UPDATE agents SET last_status = $2, last_seen = now() WHERE id = $1', [
        agent.id,
        JSON.stringify(status),
      ]);
      return true;
    }
    case 'radius.auth': {
      await recordAudit(tx, {
        actorType: 'agent',
        actorId: agent.id,
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
          agent.siteId,
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
          agent.siteId,
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
        await emit(tx, 'session.terminate_failed', agent.siteId, {
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
 * even that be refused, the event is still dropped (and logged by the caller): no event may hold up the link.
 */
async function recordRejection(
  tx: Queryable,
  agent: ReportingAgent,
  message: AgentMessage,
  error: unknown,
): Promise<RecordOutcome> {
  const { sqlstate, reason } = rejectionReason(error);
  await tx.query('SAVEPOINT agent_event_rejection');
  try {
    const fresh = await isFresh(tx, agent, message);
    if (fresh) {
      await recordAudit(tx, {
        actorType: 'agent',
        actorId: agent.id,
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
