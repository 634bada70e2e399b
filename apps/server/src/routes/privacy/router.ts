import { erasureResultSchema, id, privacyInventorySchema, visitorExportSchema } from '@atrium/protocol';
import type { Request } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context';
import { notFound } from '../../http/errors';
import { type RouteDef, route, userOf } from '../../http/routes';
import { eraseVisitor } from '../../privacy/erasure';
import { privacyInventory } from '../../privacy/inventory';
import { exportVisitor } from '../../privacy/visitor-export';
import type { Actor } from '../../visits/actor';

const idParams = z.object({ id: id('a visitor id') });
const auth = { tokens: ['user'], roles: ['tenant_admin'] } as const;
const actorOf = (req: Request): Actor => ({ type: 'user', id: userOf(req).userId, ip: req.ip ?? null });

export function privacyRoutes(ctx: AppContext): RouteDef[] {
  return [
    route({
      method: 'delete',
      path: '/visitors/:id',
      auth,
      schemas: { params: idParams },
      response: { status: 200, schema: erasureResultSchema },
      async handler(req, res, { params }) {
        const result = await eraseVisitor(ctx, userOf(req).tenantId, actorOf(req), params.id);
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
        const data = await exportVisitor(ctx.db, userOf(req).tenantId, actorOf(req), params.id, ctx.now());
        if (!data) throw notFound('visitor');
        res.setHeader('Content-Disposition', `attachment; filename="visitor-${params.id}.json"`);
        res.json(data);
      },
    }),
    route({
      method: 'get',
      path: '/privacy/inventory',
      auth,
      response: { status: 200, schema: privacyInventorySchema },
      async handler(req, res) {
        res.json(await privacyInventory(ctx.db, userOf(req).tenantId, ctx.now()));
      },
    }),
  ];
}
