import type { AgentMessage } from '@atrium/protocol';
import { sql } from 'kysely';
import { recordAudit } from '../audit/record';
import type { Database, Tx } from '../db';
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
      // Savepoints on a bound transaction: Kysely has builders only for transactions it opened itself.
      await sql`SAVEPOINT agent_event`.execute(tx);
      try {
        const fresh = await record(tx, agent, item);
        await sql`RELEASE SAVEPOINT agent_event`.execute(tx);
        outcomes.push(fresh ? 'recorded' : 'duplicate');
      } catch (error) {
        // The rollback and the rejection entry succeeding show the database is fine: the event is what it refuses.
        if (isTransient(error)) throw error;
        await sql`ROLLBACK TO SAVEPOINT agent_event`.execute(tx);
        outcomes.push(await recordRejection(tx, agent, item.message, error));
        await sql`RELEASE SAVEPOINT agent_event`.execute(tx);
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
    await tx.updateTable('agents').set({ connected, last_seen: sql`now()` }).where('id', '=', agent.id).execute();
    await emit(tx, connected ? 'agent.connected' : 'agent.disconnected', agent.siteId, { agentId: agent.id });
  });
  void deps.events.wake();
}

/** Columns an accounting update keeps when the new packet leaves them out. */
type KeptColumn = 'stopped_at' | 'session_time' | 'input_octets' | 'output_octets' | 'terminate_cause' | 'framed_ip';

/** Whether the voucher an agent names is one of this tenant's (row level security hides the others). */
async function voucherExists(tx: Tx, voucherId: string): Promise<boolean> {
  const row = await tx.selectFrom('vouchers').select('id').where('id', '=', voucherId).executeTakeFirst();
  return row !== undefined;
}

/** Keeps an event's id; false when it was kept before (a resend). Status and acks carry no id worth keeping. */
async function isFresh(tx: Tx, agent: ReportingAgent, message: AgentMessage): Promise<boolean> {
  if (message.type === 'agent.status' || message.type === 'ack') return true;
  const kept = await tx
    .insertInto('agent_event_ids')
    // The RLS helper: the tenant the transaction was opened for.
    .values({ tenant_id: sql<string>`app_current_tenant()`, agent_id: agent.id, event_id: message.id })
    .onConflict((oc) => oc.doNothing())
    .returning('event_id')
    .executeTakeFirst();
  return kept !== undefined;
}

/** Returns false for an event already recorded (a resend). */
async function record(tx: Tx, agent: ReportingAgent, { message, cleaned }: ReportedEvent): Promise<boolean> {
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
      await tx
        .updateTable('agents')
        .set({ last_status: JSON.stringify(status), last_seen: sql`now()` })
        .where('id', '=', agent.id)
        .execute();
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
      const voucher = message.voucherId ? await voucherExists(tx, message.voucherId) : false;
      const at = new Date(message.at);
      await tx
        .insertInto('radius_sessions')
        .values({
          tenant_id: sql<string>`app_current_tenant()`,
          site_id: agent.siteId,
          voucher_id: voucher ? message.voucherId : null,
          acct_session_id: message.acctSessionId,
          nas_ip: message.nasIp ?? '',
          nas_identifier: message.nasIdentifier,
          calling_station_id: message.callingStationId,
          framed_ip: message.framedIp,
          started_at: at,
          updated_at: at,
          stopped_at: message.status === 'stop' ? at : null,
          session_time: message.sessionTime,
          input_octets: message.inputOctets,
          output_octets: message.outputOctets,
          terminate_cause: message.terminateCause,
        })
        .onConflict((oc) =>
          oc.columns(['site_id', 'acct_session_id', 'nas_ip']).doUpdateSet((eb) => {
            const kept = <C extends KeptColumn>(column: C) =>
              eb.fn.coalesce(eb.ref(`excluded.${column}`), eb.ref(`radius_sessions.${column}`));
            return {
              updated_at: eb.ref('excluded.updated_at'),
              stopped_at: kept('stopped_at'),
              session_time: kept('session_time'),
              input_octets: kept('input_octets'),
              output_octets: kept('output_octets'),
              terminate_cause: kept('terminate_cause'),
              framed_ip: kept('framed_ip'),
            };
          }),
        )
        .execute();
      return true;
    }
    case 'session.terminate.result': {
      if (!(await voucherExists(tx, message.voucherId))) return true;
      const row = await tx
        .insertInto('session_terminations')
        .values({
          tenant_id: sql<string>`app_current_tenant()`,
          site_id: agent.siteId,
          voucher_id: message.voucherId,
          acct_session_id: message.acctSessionId,
          terminator: message.terminator,
          result: message.result,
          error_cause: message.errorCause,
          detail: message.detail,
          occurred_at: new Date(message.at),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (message.result !== 'ack' && message.result !== 'no_session') {
        await emit(tx, 'session.terminate_failed', agent.siteId, {
          terminationId: row.id,
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
  tx: Tx,
  agent: ReportingAgent,
  message: AgentMessage,
  error: unknown,
): Promise<RecordOutcome> {
  const { sqlstate, reason } = rejectionReason(error);
  await sql`SAVEPOINT agent_event_rejection`.execute(tx);
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
    await sql`RELEASE SAVEPOINT agent_event_rejection`.execute(tx);
    if (!fresh) return 'duplicate';
  } catch (recordingError) {
    if (isTransient(recordingError)) throw recordingError;
    await sql`ROLLBACK TO SAVEPOINT agent_event_rejection`.execute(tx);
    await sql`RELEASE SAVEPOINT agent_event_rejection`.execute(tx);
  }
  return { rejected: reason, error };
}
