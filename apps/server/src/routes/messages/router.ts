import { id, invitationQueuedSchema, listMessagesQuerySchema, messageSchema } from '@atrium/protocol';
import type { Request } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context';
import { listMessages, retryMessage, sendInvitation } from '../../email/messages';
import { forbidden, notFound } from '../../http/errors';
import { type RouteDef, route, userOf } from '../../http/routes';
import { hasSiteRole } from '../../tenancy/access';
import type { Actor } from '../../visits/actor';
import { findVisit } from '../../visits/views';

const STAFF = ['tenant_admin', 'site_admin', 'receptionist'] as const;

const actorOf = (req: Request): Actor => ({ type: 'user', id: userOf(req).userId, ip: req.ip ?? null });

/** Sites where the caller is reception staff or an admin; null for tenant-wide grants. */
function staffSiteIds(req: Request): string[] | null {
  const staff = userOf(req).roles.filter((grant) => grant.role !== 'member');
  if (staff.some((grant) => grant.role === 'tenant_admin' || grant.siteId === null)) return null;
  return staff.map((grant) => grant.siteId!);
}

/** Email and chat messages about visits: their state for reception, and re-sending an invitation. */
export function messageRoutes(ctx: AppContext): RouteDef[] {
  return [
    route({
      method: 'get',
      path: '/messages',
      auth: { tokens: ['user'], roles: STAFF },
      schemas: { query: listMessagesQuerySchema },
      response: { status: 200, schema: z.array(messageSchema) },
      async handler(req, res, { query }) {
        res.json(await listMessages(ctx.db, userOf(req).tenantId, { ...query, staffSiteIds: staffSiteIds(req) }));
      },
    }),
    route({
      method: 'post',
      path: '/messages/:id/retry',
      auth: { tokens: ['user'], roles: STAFF },
      schemas: { params: z.object({ id: id('a message id') }) },
      response: { status: 200, schema: messageSchema },
      async handler(req, res, { params }) {
        const scope = { staffSiteIds: staffSiteIds(req) };
        res.json(await retryMessage(ctx, userOf(req).tenantId, actorOf(req), scope, params.id));
      },
    }),
    route({
      method: 'post',
      path: '/visits/:id/invitation',
      auth: { tokens: ['user'] },
      schemas: { params: z.object({ id: id('a visit id') }) },
      response: { status: 202, schema: invitationQueuedSchema, description: 'The invitation is queued.' },
      async handler(req, res, { params }) {
        // The same people who see the visit: staff of its site, or its host.
        const user = userOf(req);
        const visit = await findVisit(ctx.db, user.tenantId, params.id);
        if (!visit) throw notFound('visit');
        if (!hasSiteRole(user, visit.siteId, STAFF) && visit.hostUserId !== user.userId) {
          if (hasSiteRole(user, visit.siteId, ['member']))
            throw forbidden('Only reception staff or the host can do this.');
          throw notFound('visit');
        }
        res.status(202).json(await sendInvitation(ctx, user.tenantId, actorOf(req), visit.id));
      },
    }),
  ];
}
