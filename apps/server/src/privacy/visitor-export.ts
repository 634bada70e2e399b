import { recordAudit } from '../audit/record';
import type { Database } from '../db';
import type { Actor } from '../visits/actor';

/**
 * Right of access: everything held about one visitor (their record, visits, WiFi vouchers and sessions), audited as
 * `visitor.exported` in the same transaction. `undefined` when the tenant has no such visitor (nothing is audited).
 */
export async function exportVisitor(db: Database, tenantId: string, actor: Actor, visitorId: string, now: Date) {
  return db.withTenant(tenantId, async (tx) => {
    const visitor = await tx
      .selectFrom('visitors')
      .select(['id', 'name', 'email', 'company', 'phone', 'created_at as createdAt'])
      .where('id', '=', visitorId)
      .executeTakeFirst();
    if (!visitor) return undefined;
    const visits = await tx
      .selectFrom('visits as v')
      .innerJoin('sites as s', 's.id', 'v.site_id')
      .select([
        'v.id',
        's.name as site',
        'v.status',
        'v.expected_arrival as expectedArrival',
        'v.expected_departure as expectedDeparture',
        'v.checked_in_at as checkedInAt',
        'v.checked_out_at as checkedOutAt',
      ])
      .where('v.visitor_id', '=', visitorId)
      .orderBy('v.expected_arrival')
      .execute();
    const vouchers = await tx
      .selectFrom('vouchers as w')
      .innerJoin('visits as v', 'v.id', 'w.visit_id')
      .select([
        'w.id',
        'w.visit_id as visitId',
        'w.username',
        'w.valid_from as validFrom',
        'w.valid_until as validUntil',
        'w.status',
      ])
      .where('v.visitor_id', '=', visitorId)
      .execute();
    const sessions = await tx
      .selectFrom('radius_sessions as r')
      .innerJoin('vouchers as w', 'w.id', 'r.voucher_id')
      .innerJoin('visits as v', 'v.id', 'w.visit_id')
      .select([
        'r.acct_session_id as sessionId',
        'r.calling_station_id as deviceMac',
        'r.framed_ip as ipAddress',
        'r.started_at as startedAt',
        'r.stopped_at as stoppedAt',
        'r.input_octets as inputOctets',
        'r.output_octets as outputOctets',
      ])
      .where('v.visitor_id', '=', visitorId)
      .execute();
    await recordAudit(tx, {
      actorType: actor.type,
      actorId: actor.id,
      action: 'visitor.exported',
      targetType: 'visitor',
      targetId: visitorId,
      outcome: 'success',
      ip: actor.ip,
    });
    return { exportedAt: now.toISOString(), visitor, visits, wifiVouchers: vouchers, wifiSessions: sessions };
  });
}
