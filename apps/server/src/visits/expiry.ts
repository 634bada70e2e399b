import { recordAudit } from '../audit/record';
import type { Database } from '../db';
import { type EventDispatcher, emit } from '../events/outbox';
import { emitVoucherRevocations, revokeVisitVouchers } from './vouchers';

/**
 * Expires the tenant's visits past their departure and revokes their vouchers, in batches; safe to run on every
 * replica. Resolves once the revocations are delivered to this replica's subscribers (the agent hub).
 */
export async function expireVisits(
  deps: { db: Database; events: EventDispatcher; now: () => Date },
  tenantId: string,
  batch = 200,
): Promise<number> {
  let total = 0;
  for (;;) {
    const expired = await deps.db.withTenant(tenantId, async (tx) => {
      const rows = await tx.query<{ id: string; site_id: string }>(
        `SELECT id, site_id FROM visits WHERE status IN ('expected', 'checked_in') AND expected_departure <= $1
          ORDER BY expected_departure LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [deps.now(), batch],
      );
      for (const row of rows) {
        await tx.query("UPDATE visits SET status = 'expired', updated_at = now() WHERE id = $1", [row.id]);
        await tx.query('UPDATE qr_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE visit_id = $1', [row.id]);
        const revoked = await revokeVisitVouchers(tx, row.id, 'expired');
        await recordAudit(tx, {
          actorType: 'system',
          action: 'visit.expired',
          targetType: 'visit',
          targetId: row.id,
          outcome: 'success',
        });
        await emit(tx, 'visit.expired', row.site_id, { visitId: row.id });
        await emitVoucherRevocations(tx, row.id, revoked);
      }
      return rows.length;
    });
    total += expired;
    if (expired < batch) break;
  }
  if (total > 0) await deps.events.wake();
  return total;
}
