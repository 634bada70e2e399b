import {
  checkInResponseSchema,
  checkOutResponseSchema,
  id,
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
  staffUnlockRequestSchema,
  walkInRequestSchema,
} from '@atrium/protocol';
import { z } from 'zod';
import type { AppContext } from '../../context';
import { notFound } from '../../http/errors';
import { kioskOf, type RouteDef, route, userOf } from '../../http/routes';
import { type KioskManager, listKiosks, revokeKiosk } from '../../kiosks/admin';
import { kioskConfig } from '../../kiosks/config';
import { recordHeartbeat } from '../../kiosks/heartbeat';
import { pairKiosk, pollPairing, startPairing } from '../../kiosks/pairing';
import { unlockStaff } from '../../kiosks/staff-unlock';
import { hasSiteRole } from '../../tenancy/access';
import { checkInScan } from '../../visits/check-in';
import { checkOutScan } from '../../visits/check-out';
import { walkIn } from '../../visits/walk-in';

const STAFF = ['tenant_admin', 'site_admin', 'receptionist'] as const;

export function kioskRoutes(ctx: AppContext): RouteDef[] {
  const kioskAuth = { tokens: ['kiosk'] } as const;
  type Req = Parameters<RouteDef['handler']>[0];
  const ip = (req: Req) => req.ip ?? null;
  /** Staff manage the kiosks of the sites where they hold a staff role. */
  const managerOf = (req: Req): KioskManager => {
    const user = userOf(req);
    const manages = (siteId: string) => hasSiteRole(user, siteId, STAFF);
    return { userId: user.userId, tenantId: user.tenantId, ip: ip(req), manages };
  };
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
        const manager = managerOf(req);
        if (!manager.manages(body.siteId)) throw notFound('site');
        const kiosk = await pairKiosk(ctx, manager, body);
        res.status(201).json({ kiosk });
      },
    }),
    route({
      method: 'get',
      path: '/kiosks',
      auth: { tokens: ['user'], roles: STAFF },
      response: { status: 200, schema: z.array(kioskViewSchema) },
      async handler(req, res) {
        res.json(await listKiosks(ctx, managerOf(req)));
      },
    }),
    route({
      method: 'delete',
      path: '/kiosks/:id',
      auth: { tokens: ['user'], roles: STAFF },
      schemas: { params: z.object({ id: id('a kiosk id') }) },
      response: { status: 204 },
      async handler(req, res, { params }) {
        await revokeKiosk(ctx.db, managerOf(req), params.id);
        res.status(204).end();
      },
    }),
    route({
      method: 'get',
      path: '/kiosk/config',
      auth: kioskAuth,
      response: { status: 200, schema: kioskConfigSchema },
      async handler(req, res) {
        const config = await kioskConfig(ctx, kioskOf(req));
        res.setHeader('Cache-Control', 'no-store');
        res.json(config);
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
      path: '/kiosk/staff-unlock',
      auth: kioskAuth,
      schemas: { body: staffUnlockRequestSchema },
      response: { status: 204, description: "The site's staff PIN is right: the kiosk may show its staff views." },
      async handler(req, res, { body }) {
        await unlockStaff(ctx, kioskOf(req), body.pin, ip(req));
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
