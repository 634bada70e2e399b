import type { AuditEventView, auditQuerySchema } from '@atrium/protocol';
import { sql } from 'kysely';
import type { z } from 'zod';
import type { Database } from '../db';

export type AuditQuery = z.output<typeof auditQuerySchema>;

export interface AuditPage {
  items: AuditEventView[];
  /** The id to pass as `before` for the next (older) page; null on the last page. */
  nextCursor: number | null;
}

/** One page of the tenant's audit log, newest first; `action` matches itself and its sub-actions (`key` → `key.*`). */
export async function listAuditEvents(db: Database, tenantId: string, q: AuditQuery): Promise<AuditPage> {
  const rows = await db.withTenant(tenantId, (tx) => {
    let query = tx
      .selectFrom('audit_events')
      .select([
        'id',
        'occurred_at as occurredAt',
        'actor_type as actorType',
        'actor_id as actorId',
        'action',
        'target_type as targetType',
        'target_id as targetId',
        'outcome',
        // inet arrives as text with its netmask; host() gives the bare address.
        sql<string | null>`host(ip)`.as('ip'),
        'details',
      ])
      .orderBy('id', 'desc')
      .limit(q.limit + 1);
    const { action } = q;
    if (action !== undefined)
      query = query.where((eb) => eb.or([eb('action', '=', action), eb('action', 'like', `${action}.%`)]));
    if (q.actorId !== undefined) query = query.where('actor_id', '=', q.actorId);
    if (q.targetId !== undefined) query = query.where('target_id', '=', q.targetId);
    if (q.outcome !== undefined) query = query.where('outcome', '=', q.outcome);
    if (q.before !== undefined) query = query.where('id', '<', q.before);
    return query.execute();
  });
  const items = rows
    .slice(0, q.limit)
    .map((row) => ({ ...row, occurredAt: row.occurredAt.toISOString() }) as AuditEventView);
  return { items, nextCursor: rows.length > q.limit ? items[items.length - 1]!.id : null };
}
