import { recordAudit } from '../audit/record';
import type { AppContext } from '../context';
import { RETENTION_ROLE } from '../db/database';

export const DEFAULT_RETENTION_DAYS = 30;
export const DEFAULT_AUDIT_RETENTION_DAYS = 365;
const BATCH = 500;
const DAY_MS = 24 * 3600_000;

export interface PurgeCounts {
  visitors: number;
  visits: number;
  events: number;
  auditEvents: number;
}

/**
 * Deletes visitor PII (and everything tied to it: visits, QR tokens, check-ins, vouchers, WiFi sessions) once a visit
 * ended more than `retentionDays` ago, old outbox events with it, and audit entries past their own retention. Batched,
 * and safe on several replicas at once (SKIP LOCKED).
 */
export async function purgeTenant(ctx: AppContext, tenantId: string): Promise<PurgeCounts> {
  const counts: PurgeCounts = { visitors: 0, visits: 0, events: 0, auditEvents: 0 };
  const [settings] = await ctx.db.withTenant(tenantId, (tx) =>
    tx.query<{ retention: number | null; audit: number | null }>(
      `SELECT (settings->>'retentionDays')::int AS retention, (settings->>'auditRetentionDays')::int AS audit FROM tenants`,
    ),
  );
  const now = ctx.now().getTime();
  const cutoff = new Date(now - (settings?.retention ?? DEFAULT_RETENTION_DAYS) * DAY_MS);
  const auditCutoff = new Date(now - (settings?.audit ?? DEFAULT_AUDIT_RETENTION_DAYS) * DAY_MS);

  for (;;) {
    const batch = await ctx.db.withTenant(tenantId, async (tx) => {
      // A visitor goes when every one of their visits ended before the cut-off.
      const visitors = await tx.query<{ id: string }>(
        `SELECT p.id FROM visitors p
          WHERE NOT EXISTS (
                  SELECT 1 FROM visits v WHERE v.visitor_id = p.id
                   AND (v.status IN ('expected', 'checked_in') OR coalesce(v.checked_out_at, v.expected_departure) >= $1))
            AND (EXISTS (SELECT 1 FROM visits v WHERE v.visitor_id = p.id) OR p.created_at < $1)
          ORDER BY p.id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [cutoff, BATCH],
      );
      if (visitors.length === 0) return { visitors: 0, visits: 0 };
      const ids = visitors.map((row) => row.id);
      const visits = await tx.query('DELETE FROM visits WHERE visitor_id = ANY($1::uuid[]) RETURNING id', [ids]);
      await tx.query('DELETE FROM visitors WHERE id = ANY($1::uuid[])', [ids]);
      return { visitors: ids.length, visits: visits.length };
    });
    counts.visitors += batch.visitors;
    counts.visits += batch.visits;
    if (batch.visitors < BATCH) break;
  }
  // Sessions of vouchers already gone are removed by cascade; orphans (no voucher matched) age out with the same cut-off.
  await ctx.db.withTenant(tenantId, async (tx) => {
    await tx.query('DELETE FROM radius_sessions WHERE voucher_id IS NULL AND updated_at < $1', [cutoff]);
    // Agents resend within minutes; a day of ids is plenty to recognise a resend.
    await tx.query('DELETE FROM agent_event_ids WHERE received_at < $1', [new Date(now - DAY_MS)]);
  });

  for (;;) {
    const removed = await ctx.db.withTenant(
      tenantId,
      async (tx) => ({
        events: (
          await tx.query(
            'DELETE FROM events WHERE id IN (SELECT id FROM events WHERE created_at < $1 LIMIT $2) RETURNING id',
            [cutoff, BATCH],
          )
        ).length,
        audit: (
          await tx.query(
            'DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE occurred_at < $1 LIMIT $2) RETURNING id',
            [auditCutoff, BATCH],
          )
        ).length,
      }),
      RETENTION_ROLE,
    );
    counts.events += removed.events;
    counts.auditEvents += removed.audit;
    if (removed.events < BATCH && removed.audit < BATCH) break;
  }
  if (counts.visitors + counts.events + counts.auditEvents > 0) {
    await ctx.db.withTenant(tenantId, (tx) =>
      recordAudit(tx, { actorType: 'system', action: 'retention.purged', outcome: 'success', details: { ...counts } }),
    );
  }
  return counts;
}
