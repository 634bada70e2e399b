import { sql } from 'kysely';
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
      const rows = await tx
        .selectFrom('visits')
        .select(['id', 'site_id'])
        .where('status', 'in', ['expected', 'checked_in'])
        .where('expected_departure', '<=', deps.now())
        .orderBy('expected_departure')
        .limit(batch)
        .forUpdate()
        .skipLocked()
        .execute();
      for (const row of rows) {
        await tx
          .updateTable('visits')
          .set({ status: 'expired', updated_at: sql`now()` })
          .where('id', '=', row.id)
          .execute();
        await tx
          .updateTable('qr_tokens')
          .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', sql<Date>`now()`) }))
          .where('visit_id', '=', row.id)
          .execute();
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
