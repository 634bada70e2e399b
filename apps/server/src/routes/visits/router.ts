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
import { z } from 'zod';
import type { AppContext } from '../../context';
import { forbidden, notFound } from '../../http/errors';
import { type RouteDef, route, userOf } from '../../http/routes';
import { hasSiteRole } from '../../tenancy/access';
import type { Actor } from '../../visits/actor';
import { checkInByStaff } from '../../visits/check-in';
import { checkOutByStaff } from '../../visits/check-out';
import { cancelVisit, createVisit, updateVisit } from '../../visits/manage';
import { qrPng, qrSvg } from '../../visits/qr-image';
import { visitQrToken } from '../../visits/qr-tokens';
import { findVisit, listVisits, onSite, recordVisitorViewed } from '../../visits/views';

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
    const visit = await findVisit(ctx.db, user.tenantId, id);
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
        res.json(await listVisits(ctx.db, user.tenantId, { ...q, staffSiteIds, hostUserId: user.userId }));
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
        res.status(201).json(await createVisit(ctx, user.tenantId, actorOf(req), { ...body, hostUserId }));
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
        await recordVisitorViewed(ctx.db, user.tenantId, actorOf(req), visit);
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
        res.json(await updateVisit(ctx, user.tenantId, actorOf(req), visit.id, body));
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
        res.json(await cancelVisit(ctx, user.tenantId, actorOf(req), visit.id));
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
        const token = await visitQrToken(ctx, user.tenantId, visit.id);
        if (!token || visit.status !== 'expected') throw notFound('QR code (the visit is no longer expected)');
        res.setHeader('Cache-Control', 'no-store');
        if (query.format === 'png') res.type('image/png').send(await qrPng(token));
        else res.type('image/svg+xml').send(await qrSvg(token));
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
        const { status, body } = await checkInByStaff(ctx, user.tenantId, actorOf(req), visit, input.idempotencyKey);
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
        await checkOutByStaff(ctx, user.tenantId, actorOf(req), visit.id, body.idempotencyKey);
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
        if (!hasSiteRole(user, params.id, STAFF)) throw notFound('site');
        const list = await onSite(ctx.db, user.tenantId, params.id);
        if (!list) throw notFound('site');
        res.json(list);
      },
    }),
  ];
}
