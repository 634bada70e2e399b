import { type AuditEventView, auditPageSchema, auditQuerySchema } from '@atrium/protocol';
import type { AppContext } from '../../context';
import { type RouteDef, route, userOf } from '../../http/routes';

export function auditRoutes(ctx: AppContext): RouteDef[] {
  return [
    route({
      method: 'get',
      path: '/audit',
      auth: { tokens: ['user'], roles: ['tenant_admin'] },
      schemas: { query: auditQuerySchema },
      response: { status: 200, schema: auditPageSchema },
      async handler(req, res, { query: q }) {
        const user = userOf(req);
        const rows = await ctx.db.withTenant(user.tenantId, (tx) =>
          tx.query<AuditEventView & { occurredAt: Date }>(
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
        res.json({ items, nextCursor: rows.length > q.limit ? items[items.length - 1]!.id : null });
      },
    }),
  ];
}
