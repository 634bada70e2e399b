import {
  checkInResponseSchema,
  checkOutResponseSchema,
  id,
  type KioskConfig,
  type KioskHeartbeat,
  kioskCheckInResponseSchema,
  kioskConfigSchema,
  kioskHeartbeatSchema,
  kioskViewSchema,
  pairedKioskSchema,
  pairingStartResponseSchema,
  pairingTokenRequestSchema,
  pairingTokenResponseSchema,
  pairKioskSchema,
  scanRequestSchema,
  walkInRequestSchema,
} from '@atrium/protocol';
import { z } from 'zod';
import { recordAudit } from '../../audit/record';
import type { AppContext } from '../../context';
import { notFound } from '../../http/errors';
import { kioskOf, type RouteDef, route, userOf } from '../../http/routes';
import { recordHeartbeat } from '../../kiosks/heartbeat';
import { hasSiteRole } from '../../tenancy/access';
import { checkInScan } from '../../visits/check-in';
import { checkOutScan } from '../../visits/check-out';
import { pairKiosk, pollPairing, startPairing } from '../../visits/pairing';
import { QR_ISSUER } from '../../visits/qr-tokens';
import { loadSite } from '../../visits/settings';
import { walkIn } from '../../visits/walk-in';

const STAFF = ['tenant_admin', 'site_admin', 'receptionist'] as const;
/** A kiosk is online while its heartbeats arrive: two and a half beats may go missing before staff see it offline. */
const onlineWindowMs = (heartbeatSeconds: number) => heartbeatSeconds * 2500;

export function kioskRoutes(ctx: AppContext): RouteDef[] {
  const kioskAuth = { tokens: ['kiosk'] } as const;
  type Req = Parameters<RouteDef['handler']>[0];
  const ip = (req: Req) => req.ip ?? null;
  /** The kiosk that sent the request, acting at its site. */
  const kioskActor = (req: Req) => ({ ...kioskOf(req), ip: ip(req) });
  return [
    route({
      method: 'post',
      path: '/kiosk/pairing',
      auth: { public: true },
      response: { status: 201, schema: pairingStartResponseSchema },
      async handler(req, res) {
        res.status(201).json(await startPairing(ctx, ip(req)));
      },
    }),
    route({
      method: 'post',
      path: '/kiosk/pairing/token',
      auth: { public: true },
      schemas: { body: pairingTokenRequestSchema },
      response: { status: 200, alsoStatus: [202], schema: pairingTokenResponseSchema },
      async handler(_req, res, input) {
        const { status, body } = await pollPairing(ctx, input.body.deviceCode);
        res.status(status).json(body);
      },
    }),
    route({
      method: 'post',
      path: '/kiosks/pair',
      auth: { tokens: ['user'], roles: STAFF },
      schemas: { body: pairKioskSchema },
      response: { status: 201, schema: pairedKioskSchema },
      async handler(req, res, { body }) {
        const user = userOf(req);
        if (!hasSiteRole(user, body.siteId, STAFF)) throw notFound('site');
        const kiosk = await pairKiosk(ctx, { tenantId: user.tenantId, userId: user.userId, ip: ip(req) }, body);
        res.status(201).json({ kiosk });
      },
    }),
    route({
      method: 'get',
      path: '/kiosks',
      auth: { tokens: ['user'], roles: STAFF },
      response: { status: 200, schema: z.array(kioskViewSchema) },
      async handler(req, res) {
        const user = userOf(req);
        const rows = await ctx.db.withTenant(user.tenantId, (tx) =>
          tx.query<{
            id: string;
            name: string;
            site_id: string;
            paired_at: Date;
            last_seen: Date | null;
            revoked_at: Date | null;
            last_status: (KioskHeartbeat & { reportedAt: string }) | null;
          }>(
            'SELECT id, name, site_id, paired_at, last_seen, revoked_at, last_status FROM kiosks WHERE token_jti IS NOT NULL ORDER BY name, id',
          ),
        );
        const now = ctx.now().getTime();
        const window = onlineWindowMs(ctx.config.KIOSK_HEARTBEAT_SECONDS);
        res.json(
          rows
            .filter((k) => hasSiteRole(user, k.site_id, STAFF))
            .map((k) => ({
              id: k.id,
              name: k.name,
              siteId: k.site_id,
              pairedAt: k.paired_at.toISOString(),
              lastSeen: k.last_seen?.toISOString() ?? null,
              online: !k.revoked_at && !!k.last_seen && now - k.last_seen.getTime() < window,
              revoked: !!k.revoked_at,
              status: k.last_status,
            })),
        );
      },
    }),
    route({
      method: 'delete',
      path: '/kiosks/:id',
      auth: { tokens: ['user'], roles: STAFF },
      schemas: { params: z.object({ id: id('a kiosk id') }) },
      response: { status: 204 },
      async handler(req, res, { params }) {
        const user = userOf(req);
        const { id } = params;
        await ctx.db.withTenant(user.tenantId, async (tx) => {
          const [kiosk] = await tx.query<{ site_id: string }>('SELECT site_id FROM kiosks WHERE id = $1', [id]);
          if (!kiosk || !hasSiteRole(user, kiosk.site_id, STAFF)) throw notFound('kiosk');
          await tx.query('UPDATE kiosks SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1', [id]);
          await recordAudit(tx, {
            actorType: 'user',
            actorId: user.userId,
            action: 'kiosk.revoked',
            targetType: 'kiosk',
            targetId: id,
            outcome: 'success',
            ip: ip(req),
          });
        });
        res.status(204).end();
      },
    }),
    route({
      method: 'get',
      path: '/kiosk/config',
      auth: kioskAuth,
      response: { status: 200, schema: kioskConfigSchema },
      async handler(req, res) {
        const kiosk = kioskOf(req);
        const config = await ctx.db.withTenant(kiosk.tenantId, async (tx) => {
          const site = await loadSite(tx, kiosk.siteId);
          const revoked = await tx.query<{ jti: string }>(
            'SELECT jti FROM qr_tokens WHERE site_id = $1 AND revoked_at IS NOT NULL AND expires_at > $2 ORDER BY jti',
            [kiosk.siteId, ctx.now()],
          );
          return { site: site!, revoked: revoked.map((r) => r.jti) };
        });
        const body: KioskConfig = {
          site: {
            id: config.site.id,
            name: config.site.name,
            timezone: config.site.timezone,
            wifiSsid: config.site.wifi_ssid,
            walkInsAllowed: config.site.settings.walkInsAllowed,
          },
          issuer: QR_ISSUER,
          jwks: (await ctx.keys.qrJwks(kiosk.tenantId)) as KioskConfig['jwks'],
          serverTime: ctx.now().toISOString(),
          revokedJtis: config.revoked,
          keyMaxAgeSeconds: config.site.settings.keyMaxAgeSeconds,
          heartbeatSeconds: ctx.config.KIOSK_HEARTBEAT_SECONDS,
        };
        res.setHeader('Cache-Control', 'no-store');
        res.json(body);
      },
    }),
    route({
      method: 'post',
      path: '/kiosk/heartbeat',
      auth: kioskAuth,
      schemas: { body: kioskHeartbeatSchema },
      response: { status: 204, description: "Recorded; staff see it in GET /kiosks as the kiosk's status." },
      async handler(req, res, { body }) {
        const kiosk = kioskOf(req);
        await recordHeartbeat(ctx.db, kiosk, body, ctx.now());
        res.status(204).end();
      },
    }),
    route({
      method: 'post',
      path: '/kiosk/check-ins',
      auth: kioskAuth,
      schemas: { body: scanRequestSchema },
      response: { status: 201, alsoStatus: [200], schema: kioskCheckInResponseSchema },
      async handler(req, res, { body }) {
        const result = await checkInScan(ctx, kioskActor(req), body);
        res.status(result.status).json(result.offline ? { ...result.body, offline: true } : result.body);
      },
    }),
    route({
      method: 'post',
      path: '/kiosk/check-outs',
      auth: kioskAuth,
      schemas: { body: scanRequestSchema },
      response: { status: 200, schema: checkOutResponseSchema },
      async handler(req, res, { body }) {
        const { visitId } = await checkOutScan(ctx, kioskActor(req), body);
        res.json({ visitId, status: 'checked_out' });
      },
    }),
    route({
      method: 'post',
      path: '/kiosk/walk-ins',
      auth: kioskAuth,
      schemas: { body: walkInRequestSchema },
      response: { status: 201, alsoStatus: [200], schema: checkInResponseSchema },
      async handler(req, res, { body }) {
        const { status, body: answer } = await walkIn(ctx, kioskActor(req), body);
        res.status(status).json(answer);
      },
    }),
  ];
}
