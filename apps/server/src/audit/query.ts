import type { AuditEventView, auditQuerySchema } from '@atrium/protocol';
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
  const rows = await db.withTenant(tenantId, (tx) =>
    tx.query<Omit<AuditEventView, 'occurredAt'> & { occurredAt: Date }>(
      `SELECT id, occurred_at AS "occurredAt", actor_type AS "actorType", actor_id AS "actorId", action,
              target_type AS "targetType", target_id AS "targetId", outcome, host(ip) AS ip, details
         FROM audit_events
        WHERE ($1::text IS NULL OR action = $1 OR action LIKE $1 || '.%')
          AND ($2::uuid IS NULL OR actor_id = $2)
          AND ($3::uuid IS NULL OR target_id = $3)
          AND ($4::text IS NULL OR outcome = $4)
          AND ($5::bigint IS NULL OR id < $5)
        ORDER BY id DESC
        LIMIT $6`,
      [q.action ?? null, q.actorId ?? null, q.targetId ?? null, q.outcome ?? null, q.before ?? null, q.limit + 1],
    ),
  );
  const items = rows.slice(0, q.limit).map((row) => ({ ...row, occurredAt: row.occurredAt.toISOString() }));
  return { items, nextCursor: rows.length > q.limit ? items[items.length - 1]!.id : null };
}
