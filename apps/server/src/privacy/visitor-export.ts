import { recordAudit } from '../audit/record';
import type { Database } from '../db';
import type { Actor } from '../visits/actor';

/**
 * Right of access: everything held about one visitor (their record, visits, WiFi vouchers and sessions), audited as
 * `visitor.exported` in the same transaction. `undefined` when the tenant has no such visitor (nothing is audited).
 */
export async function exportVisitor(db: Database, tenantId: string, actor: Actor, visitorId: string, now: Date) {
  return db.withTenant(tenantId, async (tx) => {
    const [visitor] = await tx.query(
      'SELECT id, name, email, company, phone, created_at AS "createdAt" FROM visitors WHERE id = $1',
      [visitorId],
    );
    if (!visitor) return undefined;
    const visits = await tx.query(
      `SELECT v.id, s.name AS site, v.status, v.expected_arrival AS "expectedArrival", v.expected_departure AS "expectedDeparture",
              v.checked_in_at AS "checkedInAt", v.checked_out_at AS "checkedOutAt"
         FROM visits v JOIN sites s ON s.id = v.site_id WHERE v.visitor_id = $1 ORDER BY v.expected_arrival`,
      [visitorId],
    );
    const vouchers = await tx.query(
      `SELECT w.id, w.visit_id AS "visitId", w.username, w.valid_from AS "validFrom", w.valid_until AS "validUntil", w.status
         FROM vouchers w JOIN visits v ON v.id = w.visit_id WHERE v.visitor_id = $1`,
      [visitorId],
    );
    const sessions = await tx.query(
      `SELECT r.acct_session_id AS "sessionId", r.calling_station_id AS "deviceMac", r.framed_ip AS "ipAddress",
              r.started_at AS "startedAt", r.stopped_at AS "stoppedAt", r.input_octets AS "inputOctets", r.output_octets AS "outputOctets"
         FROM radius_sessions r JOIN vouchers w ON w.id = r.voucher_id JOIN visits v ON v.id = w.visit_id WHERE v.visitor_id = $1`,
      [visitorId],
    );
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
