import { erasureResultSchema, id, privacyInventorySchema, visitorExportSchema } from '@atrium/protocol';
import { z } from 'zod';
import { recordAudit } from '../../audit/record';
import type { AppContext } from '../../context';
import { notFound } from '../../http/errors';
import { type RouteDef, route, userOf } from '../../http/routes';
import { eraseVisitor } from '../../privacy/erasure';
import { DEFAULT_AUDIT_RETENTION_DAYS, DEFAULT_RETENTION_DAYS } from '../../privacy/retention';

const idParams = z.object({ id: id('a visitor id') });
const auth = { tokens: ['user'], roles: ['tenant_admin'] } as const;

export function privacyRoutes(ctx: AppContext): RouteDef[] {
  return [
    route({
      method: 'delete',
      path: '/visitors/:id',
      auth,
      schemas: { params: idParams },
      response: { status: 200, schema: erasureResultSchema },
      async handler(req, res, { params }) {
        const user = userOf(req);
        const result = await eraseVisitor(
          ctx,
          user.tenantId,
          { type: 'user', id: user.userId, ip: req.ip ?? null },
          params.id,
        );
        void ctx.events.wake();
        res.json({ erased: true, visits: result.visits });
      },
    }),
    route({
      method: 'get',
      path: '/visitors/:id/export',
      auth,
      schemas: { params: idParams },
      response: { status: 200, schema: visitorExportSchema, description: 'A download (Content-Disposition).' },
      async handler(req, res, { params }) {
        const user = userOf(req);
        const { id } = params;
        const data = await ctx.db.withTenant(user.tenantId, async (tx) => {
          const [visitor] = await tx.query(
            'SELECT id, name, email, company, phone, created_at AS "createdAt" FROM visitors WHERE id = $1',
            [id],
          );
          if (!visitor) return undefined;
          const visits = await tx.query(
            `SELECT v.id, s.name AS site, v.status, v.expected_arrival AS "expectedArrival", v.expected_departure AS "expectedDeparture",
                    v.checked_in_at AS "checkedInAt", v.checked_out_at AS "checkedOutAt"
               FROM visits v JOIN sites s ON s.id = v.site_id WHERE v.visitor_id = $1 ORDER BY v.expected_arrival`,
            [id],
          );
          const vouchers = await tx.query(
            `SELECT w.id, w.visit_id AS "visitId", w.username, w.valid_from AS "validFrom", w.valid_until AS "validUntil", w.status
               FROM vouchers w JOIN visits v ON v.id = w.visit_id WHERE v.visitor_id = $1`,
            [id],
          );
          const sessions = await tx.query(
            `SELECT r.acct_session_id AS "sessionId", r.calling_station_id AS "deviceMac", r.framed_ip AS "ipAddress",
                    r.started_at AS "startedAt", r.stopped_at AS "stoppedAt", r.input_octets AS "inputOctets", r.output_octets AS "outputOctets"
               FROM radius_sessions r JOIN vouchers w ON w.id = r.voucher_id JOIN visits v ON v.id = w.visit_id WHERE v.visitor_id = $1`,
            [id],
          );
          await recordAudit(tx, {
            actorType: 'user',
            actorId: user.userId,
            action: 'visitor.exported',
            targetType: 'visitor',
            targetId: id,
            outcome: 'success',
            ip: req.ip ?? null,
          });
          return {
            exportedAt: ctx.now().toISOString(),
            visitor,
            visits,
            wifiVouchers: vouchers,
            wifiSessions: sessions,
          };
        });
        if (!data) throw notFound('visitor');
        res.setHeader('Content-Disposition', `attachment; filename="visitor-${id}.json"`);
        res.json(data);
      },
    }),
    route({
      method: 'get',
      path: '/privacy/inventory',
      auth,
      response: { status: 200, schema: privacyInventorySchema },
      async handler(req, res) {
        const user = userOf(req);
        const inventory = await ctx.db.withTenant(user.tenantId, async (tx) => {
          const [settings] = await tx.query<{ retention: number | null; audit: number | null }>(
            `SELECT (settings->>'retentionDays')::int AS retention, (settings->>'auditRetentionDays')::int AS audit FROM tenants`,
          );
          const count = async (sql: string) => (await tx.query<{ n: number }>(sql))[0]!.n;
          const retentionDays = settings?.retention ?? DEFAULT_RETENTION_DAYS;
          return {
            generatedAt: ctx.now().toISOString(),
            categories: [
              {
                category: 'visitors',
                data: ['name', 'email', 'company', 'phone'],
                purpose: 'visitor registration and evacuation list',
                records: await count('SELECT count(*)::int AS n FROM visitors'),
                withEmail: await count('SELECT count(*)::int AS n FROM visitors WHERE email IS NOT NULL'),
                withPhone: await count('SELECT count(*)::int AS n FROM visitors WHERE phone IS NOT NULL'),
                retention: `${retentionDays} days after the visit ends`,
              },
              {
                category: 'visits',
                data: ['site', 'host', 'arrival and departure times', 'check-in and check-out times'],
                purpose: 'visitor management',
                records: await count('SELECT count(*)::int AS n FROM visits'),
                retention: `${retentionDays} days after the visit ends`,
              },
              {
                category: 'wifi_vouchers',
                data: ['voucher username and password (encrypted)', 'validity'],
                purpose: 'guest WiFi access',
                records: await count('SELECT count(*)::int AS n FROM vouchers'),
                retention: `${retentionDays} days after the visit ends`,
              },
              {
                category: 'wifi_sessions',
                data: ['device MAC address', 'IP address', 'traffic volume', 'session times'],
                purpose: 'guest WiFi operation and session termination',
                records: await count('SELECT count(*)::int AS n FROM radius_sessions'),
                retention: `${retentionDays} days after the visit ends`,
              },
              {
                category: 'staff_accounts',
                data: ['name', 'email', 'password hash', 'TOTP secret (encrypted)'],
                purpose: 'sign-in of hosts, receptionists and admins',
                records: await count('SELECT count(*)::int AS n FROM users'),
                retention: 'until the account is deleted',
              },
              {
                category: 'audit_log',
                data: ['ids of actors and targets', 'action', 'outcome', 'IP address', 'time'],
                purpose: 'security and accountability',
                records: await count('SELECT count(*)::int AS n FROM audit_events'),
                retention: `${settings?.audit ?? DEFAULT_AUDIT_RETENTION_DAYS} days`,
              },
            ],
          };
        });
        res.json(inventory);
      },
    }),
  ];
}
