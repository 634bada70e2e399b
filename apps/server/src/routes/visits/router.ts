import {
  checkInResponseSchema,
  createdVisitSchema,
  createVisitSchema,
  id,
  listVisitsQuerySchema,
  onSiteEntrySchema,
  updateVisitSchema,
  visitCheckedOutSchema,
  visitSchema,
} from '@atrium/protocol';
import QRCode from 'qrcode';
import { z } from 'zod';
import { recordAudit } from '../../audit/record';
import type { AppContext } from '../../context';
import { forbidden, notFound } from '../../http/errors';
import { type RouteDef, route, userOf } from '../../http/routes';
import { hasSiteRole } from '../../tenancy/access';
import {
  type Actor,
  cancelVisit,
  checkIn,
  checkOut,
  createVisit,
  qrTokenFor,
  settle,
  updateVisit,
} from '../../visits/service';
import { listVisits, loadVisit, onSite } from '../../visits/views';

const idParams = z.object({ id: id('a visit id') });
const staffScanSchema = z.object({ idempotencyKey: z.uuid().optional() });
const STAFF = ['tenant_admin', 'site_admin', 'receptionist'] as const;

export function visitRoutes(ctx: AppContext): RouteDef[] {
  const auth = { tokens: ['user'] } as const;
  const actorOf = (req: Parameters<RouteDef['handler']>[0]): Actor => ({
    type: 'user',
    id: userOf(req).userId,
    ip: req.ip ?? null,
  });

  /** Loads a visit the caller may see: staff of its site, or its host. */
  async function visibleVisit(req: Parameters<RouteDef['handler']>[0], id: string, staffOnly = false) {
    const user = userOf(req);
    const visit = await ctx.db.withTenant(user.tenantId, (tx) => loadVisit(tx, id));
    if (!visit) throw notFound('visit');
    const staff = hasSiteRole(user, visit.siteId, STAFF);
    if (!staff && (staffOnly || visit.hostUserId !== user.userId)) {
      if (hasSiteRole(user, visit.siteId, ['member'])) throw forbidden('Only reception staff or the host can do this.');
      throw notFound('visit');
    }
    return { user, visit };
  }

  return [
    route({
      method: 'get',
      path: '/visits',
      auth,
      schemas: { query: listVisitsQuerySchema },
      response: { status: 200, schema: z.array(visitSchema) },
      async handler(req, res, { query: q }) {
        const user = userOf(req);
        const staffSiteIds = user.roles.some(
          (g) => g.role !== 'member' && (g.role === 'tenant_admin' || g.siteId === null),
        )
          ? null
          : user.roles.filter((g) => g.role !== 'member').map((g) => g.siteId!);
        const visits = await ctx.db.withTenant(user.tenantId, (tx) =>
          listVisits(tx, { ...q, staffSiteIds, hostUserId: user.userId }),
        );
        res.json(visits);
      },
    }),
    route({
      method: 'post',
      path: '/visits',
      auth,
      schemas: { body: createVisitSchema },
      response: { status: 201, schema: createdVisitSchema },
      async handler(req, res, { body }) {
        const user = userOf(req);
        if (!hasSiteRole(user, body.siteId, [...STAFF, 'member'])) throw notFound('site');
        const hostUserId = body.hostUserId ?? user.userId;
        if (hostUserId !== user.userId && !hasSiteRole(user, body.siteId, STAFF)) {
          throw forbidden('Only reception staff can register visitors for another host.');
        }
        const signer = await ctx.keys.qrSigningKey(user.tenantId);
        const created = await ctx.db.withTenant(user.tenantId, async (tx) => {
          const visit = await createVisit(ctx, tx, actorOf(req), { ...body, hostUserId });
          return { ...visit, qrToken: (await qrTokenFor(tx, signer, visit.id))! };
        });
        void ctx.events.wake();
        res.status(201).json(created);
      },
    }),
    route({
      method: 'get',
      path: '/visits/:id',
      auth,
      schemas: { params: idParams },
      response: { status: 200, schema: visitSchema },
      async handler(req, res, { params }) {
        const { user, visit } = await visibleVisit(req, params.id);
        await ctx.db.withTenant(user.tenantId, (tx) =>
          recordAudit(tx, {
            actorType: 'user',
            actorId: user.userId,
            action: 'visitor.viewed',
            targetType: 'visitor',
            targetId: visit.visitorId,
            outcome: 'success',
            ip: req.ip ?? null,
            details: { visitId: visit.id },
          }),
        );
        res.json(visit);
      },
    }),
    route({
      method: 'patch',
      path: '/visits/:id',
      auth,
      schemas: { params: idParams, body: updateVisitSchema },
      response: { status: 200, schema: visitSchema },
      async handler(req, res, { params, body }) {
        const { user, visit } = await visibleVisit(req, params.id);
        // The same rule as on create: only reception staff of the site choose a host other than themselves.
        const { hostUserId } = body;
        if (hostUserId && hostUserId !== user.userId && !hasSiteRole(user, visit.siteId, STAFF)) {
          throw forbidden('Only reception staff can hand a visit to another host.');
        }
        const updated = await ctx.db.withTenant(user.tenantId, (tx) =>
          updateVisit(ctx, tx, actorOf(req), visit.id, body),
        );
        void ctx.events.wake();
        res.json(updated);
      },
    }),
    route({
      method: 'delete',
      path: '/visits/:id',
      auth,
      schemas: { params: idParams },
      response: { status: 200, schema: visitSchema, description: 'The visit, now cancelled.' },
      async handler(req, res, { params }) {
        const { user, visit } = await visibleVisit(req, params.id);
        const cancelled = await ctx.db.withTenant(user.tenantId, (tx) => cancelVisit(tx, actorOf(req), visit.id));
        void ctx.events.wake();
        res.json(cancelled);
      },
    }),
    route({
      method: 'get',
      path: '/visits/:id/qr',
      auth,
      schemas: { params: idParams, query: z.object({ format: z.enum(['svg', 'png']).default('svg') }) },
      response: { status: 200, contentType: ['image/svg+xml', 'image/png'], description: "The visit's QR code." },
      async handler(req, res, { params, query }) {
        const { user, visit } = await visibleVisit(req, params.id);
        const signer = await ctx.keys.qrSigningKey(user.tenantId);
        const token = await ctx.db.withTenant(user.tenantId, (tx) => qrTokenFor(tx, signer, visit.id));
        if (!token || visit.status !== 'expected') throw notFound('QR code (the visit is no longer expected)');
        const options = { errorCorrectionLevel: 'M' as const, margin: 4 };
        res.setHeader('Cache-Control', 'no-store');
        if (query.format === 'png') {
          res.type('image/png').send(await QRCode.toBuffer(token, { ...options, type: 'png', scale: 8 }));
        } else {
          res.type('image/svg+xml').send(await QRCode.toString(token, { ...options, type: 'svg' }));
        }
      },
    }),
    route({
      method: 'post',
      path: '/visits/:id/check-in',
      auth,
      schemas: { params: idParams, body: staffScanSchema },
      response: { status: 201, alsoStatus: [200], schema: checkInResponseSchema },
      async handler(req, res, { params, body: input }) {
        const { user, visit } = await visibleVisit(req, params.id, true);
        const now = ctx.now();
        const { status, body } = await settle(
          ctx.db.withTenant(user.tenantId, (tx) =>
            checkIn(ctx, tx, {
              siteId: visit.siteId,
              visitId: visit.id,
              jti: null,
              idempotencyKey: input.idempotencyKey ?? crypto.randomUUID(),
              occurredAt: now,
              offline: false,
              kioskId: null,
              actor: actorOf(req),
            }),
          ),
        );
        void ctx.events.wake();
        res.status(status).json(body);
      },
    }),
    route({
      method: 'post',
      path: '/visits/:id/check-out',
      auth,
      schemas: { params: idParams, body: staffScanSchema },
      response: { status: 200, schema: visitCheckedOutSchema },
      async handler(req, res, { params, body }) {
        const { user, visit } = await visibleVisit(req, params.id, true);
        await settle(
          ctx.db.withTenant(user.tenantId, (tx) =>
            checkOut(tx, {
              visitId: visit.id,
              siteId: null,
              idempotencyKey: body.idempotencyKey ?? crypto.randomUUID(),
              occurredAt: ctx.now(),
              offline: false,
              kioskId: null,
              actor: actorOf(req),
              reason: 'staff',
            }),
          ),
        );
        void ctx.events.wake();
        res.json({ id: visit.id, status: 'checked_out' });
      },
    }),
    route({
      method: 'get',
      path: '/sites/:id/on-site',
      auth: { tokens: ['user'], roles: STAFF },
      schemas: { params: z.object({ id: id('a site id') }) },
      response: { status: 200, schema: z.array(onSiteEntrySchema) },
      async handler(req, res, { params }) {
        const user = userOf(req);
        const siteId = params.id;
        if (!hasSiteRole(user, siteId, STAFF)) throw notFound('site');
        const list = await ctx.db.withTenant(user.tenantId, async (tx) => {
          const [site] = await tx.query('SELECT 1 FROM sites WHERE id = $1', [siteId]);
          return site ? onSite(tx, siteId) : undefined;
        });
        if (!list) throw notFound('site');
        res.json(list);
      },
    }),
  ];
}
