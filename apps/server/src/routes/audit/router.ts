import { auditPageSchema, auditQuerySchema } from '@atrium/protocol';
import { listAuditEvents } from '../../audit/query';
import type { AppContext } from '../../context';
import { type RouteDef, route, userOf } from '../../http/routes';

export function auditRoutes(ctx: AppContext): RouteDef[] {
  return [
    route({
      method: 'get',
      path: '/audit',
      auth: { tokens: ['user'], roles: ['tenant_admin'] },
      schemas: { query: auditQuerySchema },
      response: { status: 200, schema: auditPageSchema },
      async handler(req, res, { query }) {
        res.json(await listAuditEvents(ctx.db, userOf(req).tenantId, query));
      },
    }),
  ];
}
