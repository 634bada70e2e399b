import { randomUUID } from 'node:crypto';
import { recordAudit } from '../audit/record';
import type { AppContext } from '../context';
import { notFound } from '../http/errors';
import type { Actor } from '../visits/actor';
import { recordCheckOut } from '../visits/check-out';
import { emitVoucherRevocations, revokeVisitVouchers } from '../visits/vouchers';

/**
 * Right to erasure: a visitor on site is checked out first, every active voucher is revoked at the agent (the revoke
 * events commit in the same transaction), then the visitor and everything tied to them are deleted. The audit entry
 * names the visitor's id and counts, never the erased values. The event dispatcher is woken once the erasure commits.
 */
export async function eraseVisitor(
  ctx: AppContext,
  tenantId: string,
  actor: Actor,
  visitorId: string,
): Promise<{ visits: number }> {
  const erased = await ctx.db.withTenant(tenantId, async (tx) => {
    const visitor = await tx
      .selectFrom('visitors')
      .select('id')
      .where('id', '=', visitorId)
      .forUpdate()
      .executeTakeFirst();
    if (!visitor) throw notFound('visitor');
    const visits = await tx.selectFrom('visits').select(['id', 'status']).where('visitor_id', '=', visitorId).execute();
    for (const visit of visits) {
      if (visit.status === 'checked_in') {
        const outcome = await recordCheckOut(tx, {
          visitId: visit.id,
          siteId: null,
          idempotencyKey: randomUUID(),
          occurredAt: ctx.now(),
          offline: false,
          kioskId: null,
          actor,
          reason: 'staff',
        });
        if (!outcome.ok) throw outcome.error;
      }
      await emitVoucherRevocations(tx, visit.id, await revokeVisitVouchers(tx, visit.id));
    }
    await tx.deleteFrom('visits').where('visitor_id', '=', visitorId).execute();
    await tx.deleteFrom('visitors').where('id', '=', visitorId).execute();
    await recordAudit(tx, {
      ...{ actorType: actor.type, actorId: actor.id, ip: actor.ip },
      action: 'visitor.erased',
      targetType: 'visitor',
      targetId: visitorId,
      outcome: 'success',
      details: { visits: visits.length },
    });
    return { visits: visits.length };
  });
  // The revoke events are committed now: deliver them to the agents without waiting for the next poll.
  void ctx.events.wake();
  return erased;
}
