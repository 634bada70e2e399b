import type { InvitationQueued, Message, MessageKind, MessageState } from '@atrium/protocol';
import { sql } from 'kysely';
import { recordAudit } from '../audit/record';
import type { Database } from '../db';
import { conflict, notFound } from '../http/errors';
import { type Actor, auditActor } from '../visits/actor';
import type { MessageDelivery } from './delivery';
import type { Mailer } from './transport';

export interface MessageQuery {
  /** Sites the caller is staff of, or null for all (tenant admins and tenant-wide roles). */
  staffSiteIds: string[] | null;
  state?: MessageState;
  siteId?: string;
  visitId?: string;
  id?: string;
  limit: number;
}

/** Recent messages of the sites the caller works at, newest first: what happened to each, never its content. */
export function listMessages(db: Database, tenantId: string, query: MessageQuery): Promise<Message[]> {
  return db.withTenant(tenantId, async (tx) => {
    let select = tx
      .selectFrom('messages')
      .select([
        'id',
        'kind',
        'state',
        'site_id',
        'visit_id',
        'attempts',
        'last_error',
        'next_attempt_at',
        'created_at',
        'sent_at',
      ])
      .$narrowType<{ kind: MessageKind; state: MessageState }>()
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(query.limit);
    const sites = query.staffSiteIds;
    if (sites !== null) select = select.where('site_id', '=', (eb) => eb.fn.any(eb.val(sites)));
    if (query.id) select = select.where('id', '=', query.id);
    if (query.state) select = select.where('state', '=', query.state);
    if (query.siteId) select = select.where('site_id', '=', query.siteId);
    if (query.visitId) select = select.where('visit_id', '=', query.visitId);
    const rows = await select.execute();
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      state: row.state,
      siteId: row.site_id,
      visitId: row.visit_id,
      attempts: row.attempts,
      lastError: row.last_error,
      nextAttemptAt: row.state === 'queued' ? row.next_attempt_at.toISOString() : null,
      createdAt: row.created_at.toISOString(),
      sentAt: row.sent_at?.toISOString() ?? null,
    }));
  });
}

/** Queues a failed message again (staff of its site); it goes out within seconds. */
export async function retryMessage(
  deps: { db: Database; messages: MessageDelivery; now: () => Date },
  tenantId: string,
  actor: Actor,
  scope: { staffSiteIds: string[] | null },
  messageId: string,
): Promise<Message> {
  await deps.db.withTenant(tenantId, async (tx) => {
    const message = await tx
      .selectFrom('messages')
      .select(['state', 'site_id'])
      .where('id', '=', messageId)
      .forUpdate()
      .executeTakeFirst();
    if (!message || (scope.staffSiteIds !== null && !scope.staffSiteIds.includes(message.site_id))) {
      throw notFound('message');
    }
    if (message.state !== 'failed') throw conflict('message_not_failed', 'Only a failed message can be retried.');
    // A retry by hand gets a fresh 24 h of retries.
    await tx
      .updateTable('messages')
      .set({ state: 'queued', next_attempt_at: deps.now(), created_at: deps.now(), last_error: null })
      .where('id', '=', messageId)
      .execute();
    await recordAudit(tx, {
      ...auditActor(actor),
      action: 'message.retried',
      targetType: 'message',
      targetId: messageId,
      outcome: 'success',
    });
  });
  const [message] = await listMessages(deps.db, tenantId, { staffSiteIds: null, id: messageId, limit: 1 });
  void deps.messages.wake();
  return message!;
}

/**
 * Queues the visit's invitation again (the current QR code, freshly signed when it is sent): 409 when email is off,
 * the visitor has no address, or the visit is no longer expected.
 */
export async function sendInvitation(
  deps: { db: Database; mailer: Mailer | undefined; messages: MessageDelivery },
  tenantId: string,
  actor: Actor,
  visitId: string,
): Promise<InvitationQueued> {
  if (!deps.mailer) {
    throw conflict('email_not_configured', 'Email is off on this server (SMTP_URL is not set).');
  }
  const queued = await deps.db.withTenant(tenantId, async (tx) => {
    const visit = await tx
      .selectFrom('visits as v')
      .innerJoin('visitors as p', 'p.id', 'v.visitor_id')
      .select(['v.status', 'v.site_id', 'p.email'])
      .where('v.id', '=', visitId)
      .forUpdate('v')
      .executeTakeFirst();
    if (!visit) throw notFound('visit');
    if (visit.status !== 'expected') {
      throw conflict('visit_not_editable', 'Only a visit that has not started can get an invitation.');
    }
    if (!visit.email) throw conflict('visitor_has_no_email', 'This visitor has no email address.');
    const row = await tx
      .insertInto('messages')
      // The RLS helper: the tenant the transaction was opened for.
      .values({
        tenant_id: sql<string>`app_current_tenant()`,
        site_id: visit.site_id,
        kind: 'invitation',
        visit_id: visitId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(tx, {
      ...auditActor(actor),
      action: 'visit.invitation_sent',
      targetType: 'visit',
      targetId: visitId,
      outcome: 'success',
      details: { messageId: row.id },
    });
    return row.id;
  });
  void deps.messages.wake();
  return { messageId: queued, state: 'queued' };
}
