import {
  createSiteSchema,
  id,
  retentionPreviewQuerySchema,
  retentionPreviewSchema,
  settingsViewSchema,
  siteSchema,
  siteWithSettingsSchema,
  tenantSettingsSchema,
  updateSiteSchema,
  updateTenantSettingsSchema,
} from '@atrium/protocol';
import type { Request } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context';
import { notFound } from '../../http/errors';
import { type RouteDef, route, userOf } from '../../http/routes';
import { retentionPreview } from '../../privacy/retention';
import { hasSiteRole, visibleSiteIds } from '../../tenancy/access';
import {
  createSite,
  listSites,
  type SiteActor,
  settingsView,
  updateSite,
  updateTenantSettings,
} from '../../tenancy/sites';

const ADMINS = ['tenant_admin', 'site_admin'] as const;

function actorOf(req: Request): SiteActor {
  const user = userOf(req);
  return { userId: user.userId, tenantId: user.tenantId, ip: req.ip ?? null };
}

export function siteRoutes(ctx: AppContext): RouteDef[] {
  return [
    route({
      method: 'get',
      path: '/sites',
      auth: { tokens: ['user'] },
      response: { status: 200, schema: z.array(siteSchema) },
      async handler(req, res) {
        const user = userOf(req);
        res.json(await listSites(ctx.db, user.tenantId, visibleSiteIds(user)));
      },
    }),
    route({
      method: 'post',
      path: '/sites',
      auth: { tokens: ['user'], roles: ['tenant_admin'] },
      schemas: { body: createSiteSchema },
      response: { status: 201, schema: siteSchema },
      async handler(req, res, { body }) {
        res.status(201).json(await createSite(ctx.db, actorOf(req), body));
      },
    }),
    route({
      method: 'get',
      path: '/settings',
      auth: { tokens: ['user'], roles: ADMINS },
      response: { status: 200, schema: settingsViewSchema },
      async handler(req, res) {
        const user = userOf(req);
        const view = await settingsView(ctx.db, user.tenantId, {
          visible: visibleSiteIds(user),
          mayAdminister: (siteId) => hasSiteRole(user, siteId, ADMINS),
        });
        res.json(view);
      },
    }),
    route({
      method: 'patch',
      path: '/settings',
      auth: { tokens: ['user'], roles: ['tenant_admin'] },
      schemas: { body: updateTenantSettingsSchema },
      response: { status: 200, schema: tenantSettingsSchema },
      async handler(req, res, { body }) {
        res.json(await updateTenantSettings(ctx.db, actorOf(req), body));
      },
    }),
    route({
      method: 'get',
      path: '/settings/retention-preview',
      auth: { tokens: ['user'], roles: ['tenant_admin'] },
      schemas: { query: retentionPreviewQuerySchema },
      response: { status: 200, schema: retentionPreviewSchema },
      async handler(req, res, { query }) {
        res.json(await retentionPreview(ctx, userOf(req).tenantId, query.retentionDays));
      },
    }),
    route({
      method: 'patch',
      path: '/sites/:id',
      auth: { tokens: ['user'], roles: ADMINS },
      schemas: { params: z.object({ id: id('a site id') }), body: updateSiteSchema },
      response: { status: 200, schema: siteWithSettingsSchema },
      async handler(req, res, { params, body }) {
        if (!hasSiteRole(userOf(req), params.id, ADMINS)) throw notFound('site');
        res.json(await updateSite(ctx.db, actorOf(req), params.id, body));
      },
    }),
  ];
}
