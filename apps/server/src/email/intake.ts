import type { MessageKind } from '@atrium/protocol';
import { sql } from 'kysely';
import type { Database, Tx } from '../db';
import type { EventPayloads, EventType } from '../events/outbox';
import { siteSettings } from '../visits/settings';

/** Outbox events that may queue messages. */
export const MESSAGE_EVENTS: readonly EventType[] = [
  'visit.created',
  'visit.updated',
  'visit.cancelled',
  'visit.checked_in',
];
const BATCH = 200;

type Row = { id: number; type: EventType; payload: EventPayloads[EventType]; created_at: Date };
type NewMessage = { kind: MessageKind; visitId: string; siteId: string; userId?: string | null };

/** What one visit looks like to the intake: who can be emailed, and what its site wants. */
async function visitFacts(tx: Tx, visitId: string) {
  return tx
    .selectFrom('visits as v')
    .innerJoin('visitors as p', 'p.id', 'v.visitor_id')
    .innerJoin('sites as s', 's.id', 'v.site_id')
    .leftJoin('users as u', (join) => join.onRef('u.id', '=', 'v.host_user_id').on('u.status', '=', 'active'))
    .select([
      'v.site_id',
      'v.status',
      'v.host_user_id',
      'p.email',
      's.settings',
      'u.email_notifications',
      (eb) =>
        eb
          .exists(
            eb
              .selectFrom('messages as m')
              .select('m.id')
              .whereRef('m.visit_id', '=', 'v.id')
              .where('m.kind', '=', 'invitation')
              .where('m.state', '=', 'sent'),
          )
          .as('invited'),
    ])
    .where('v.id', '=', visitId)
    .executeTakeFirst();
}

/** The messages one event asks for (none when email is off, the visitor has no address, or the host opted out). */
async function messagesFor(tx: Tx, event: Row, emailOn: boolean): Promise<NewMessage[]> {
  const { visitId } = event.payload as { visitId: string };
  const visit = await visitFacts(tx, visitId);
  if (!visit) return [];
  const settings = siteSettings(visit.settings);
  const base = { visitId, siteId: visit.site_id };
  const toVisitor = emailOn && visit.email !== null;
  switch (event.type) {
    case 'visit.created': {
      const { sendInvitation } = event.payload as EventPayloads['visit.created'];
      // A walk-in is checked in by now: it needs no invitation.
      return toVisitor && sendInvitation !== false && visit.status === 'expected'
        ? [{ kind: 'invitation', ...base }]
        : [];
    }
    case 'visit.updated': {
      const { newCode } = event.payload as EventPayloads['visit.updated'];
      return toVisitor && newCode && visit.status === 'expected' ? [{ kind: 'invitation', ...base }] : [];
    }
    case 'visit.cancelled':
      // An invitation not sent yet never goes out; one already sent is withdrawn from the visitor's calendar.
      await tx
        .deleteFrom('messages')
        .where('visit_id', '=', visitId)
        .where('kind', '=', 'invitation')
        .where('state', '=', 'queued')
        .execute();
      return toVisitor && visit.invited ? [{ kind: 'cancellation', ...base }] : [];
    case 'visit.checked_in': {
      const wanted: NewMessage[] = [];
      if (emailOn && visit.host_user_id && visit.email_notifications) {
        wanted.push({ kind: 'host_arrival', ...base, userId: visit.host_user_id });
      }
      if (toVisitor && settings.wifiDetailsEmail) wanted.push({ kind: 'wifi_details', ...base });
      if (settings.chatWebhookUrl) wanted.push({ kind: 'chat_arrival', ...base });
      return wanted;
    }
    default:
      return [];
  }
}

/**
 * Turns the tenant's new visit events into queued messages, in order, from where the last run stopped. The tenant row
 * is locked for the run, so replicas take turns, and a message is keyed by its event: a run that repeats an event
 * (after a crash between queueing and moving the cursor) queues nothing twice. Returns how many were queued.
 */
export async function queueMessages(deps: { db: Database; emailOn: boolean }, tenantId: string): Promise<number> {
  let queued = 0;
  for (;;) {
    const batch = await deps.db.withTenant(tenantId, async (tx) => {
      const tenant = await tx
        .selectFrom('tenants')
        .select(['message_cursor', 'messages_since'])
        .forUpdate()
        .executeTakeFirstOrThrow();
      const events = await tx
        .selectFrom('events')
        .select(['id', 'type', 'payload', 'created_at'])
        .where('id', '>', tenant.message_cursor)
        .orderBy('id')
        .limit(BATCH)
        .$narrowType<Row>()
        .execute();
      let count = 0;
      for (const event of events) {
        if (!MESSAGE_EVENTS.includes(event.type)) continue;
        if (event.created_at < tenant.messages_since) continue;
        const wanted = await messagesFor(tx, event, deps.emailOn);
        if (wanted.length === 0) continue;
        const rows = await tx
          .insertInto('messages')
          .values(
            wanted.map((m) => ({
              // The RLS helper: the tenant the transaction was opened for.
              tenant_id: sql<string>`app_current_tenant()`,
              site_id: m.siteId,
              kind: m.kind,
              visit_id: m.visitId,
              user_id: m.userId ?? null,
              event_id: event.id,
            })),
          )
          .onConflict((oc) => oc.columns(['tenant_id', 'event_id', 'kind']).doNothing())
          .returning('id')
          .execute();
        count += rows.length;
      }
      const last = events.at(-1);
      if (last) await tx.updateTable('tenants').set({ message_cursor: last.id }).execute();
      return { events: events.length, queued: count };
    });
    queued += batch.queued;
    if (batch.events < BATCH) return queued;
  }
}
