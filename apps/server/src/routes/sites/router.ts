import {
  createSiteSchema,
  id,
  type Site,
  settingsViewSchema,
  siteSchema,
  siteWithSettingsSchema,
  tenantSettingsSchema,
  updateSiteSchema,
  updateTenantSettingsSchema,
} from '@atrium/protocol';
import { z } from 'zod';
import { recordAudit } from '../../audit/record';
import type { AppContext } from '../../context';
import { notFound } from '../../http/errors';
import { type RouteDef, route, userOf } from '../../http/routes';
import { hasSiteRole, visibleSiteIds } from '../../tenancy/access';
import { siteSettings } from '../../visits/settings';

export const DEFAULT_RETENTION_DAYS = 30;
const ADMINS = ['tenant_admin', 'site_admin'] as const;

export function siteRoutes(ctx: AppContext): RouteDef[] {
  return [
    route({
      method: 'get',
      path: '/sites',
      auth: { tokens: ['user'] },
      response: { status: 200, schema: z.array(siteSchema) },
      async handler(req, res) {
        const user = userOf(req);
        const visible = visibleSiteIds(user);
        const sites = await ctx.db.withTenant(user.tenantId, (tx) =>
          tx.query<Site>(
            `SELECT id, name, timezone, wifi_ssid AS "wifiSsid" FROM sites
              WHERE $1::uuid[] IS NULL OR id = ANY($1::uuid[]) ORDER BY name, id`,
            [visible],
          ),
        );
        res.json(sites);
      },
    }),
    route({
      method: 'post',
      path: '/sites',
      auth: { tokens: ['user'], roles: ['tenant_admin'] },
      schemas: { body: createSiteSchema },
      response: { status: 201, schema: siteSchema },
      async handler(req, res, { body }) {
        const user = userOf(req);
        const site = await ctx.db.withTenant(user.tenantId, async (tx) => {
          const [row] = await tx.query<Site>(
            `INSERT INTO sites (tenant_id, name, timezone, wifi_ssid) VALUES (app_current_tenant(), $1, $2, $3)
             RETURNING id, name, timezone, wifi_ssid AS "wifiSsid"`,
            [body.name, body.timezone, body.wifiSsid],
          );
          await recordAudit(tx, {
            actorType: 'user',
            actorId: user.userId,
            action: 'site.created',
            targetType: 'site',
            targetId: row!.id,
            outcome: 'success',
            ip: req.ip ?? null,
          });
          return row!;
        });
        res.status(201).json(site);
      },
    }),
    route({
      method: 'get',
      path: '/settings',
      auth: { tokens: ['user'], roles: ADMINS },
      response: { status: 200, schema: settingsViewSchema },
      async handler(req, res) {
        const user = userOf(req);
        const visible = visibleSiteIds(user);
        const settings = await ctx.db.withTenant(user.tenantId, async (tx) => {
          const [tenant] = await tx.query<{ settings: { retentionDays?: number } }>('SELECT settings FROM tenants');
          const sites = await tx.query<{
            id: string;
            name: string;
            timezone: string;
            wifi_ssid: string;
            settings: unknown;
          }>(
            'SELECT id, name, timezone, wifi_ssid, settings FROM sites WHERE $1::uuid[] IS NULL OR id = ANY($1::uuid[]) ORDER BY name, id',
            [visible],
          );
          return {
            retentionDays: tenant?.settings.retentionDays ?? DEFAULT_RETENTION_DAYS,
            sites: sites
              .filter((s) => hasSiteRole(user, s.id, ADMINS))
              .map((s) => ({
                id: s.id,
                name: s.name,
                timezone: s.timezone,
                wifiSsid: s.wifi_ssid,
                settings: siteSettings(s.settings),
              })),
          };
        });
        res.json(settings);
      },
    }),
    route({
      method: 'patch',
      path: '/settings',
      auth: { tokens: ['user'], roles: ['tenant_admin'] },
      schemas: { body: updateTenantSettingsSchema },
      response: { status: 200, schema: tenantSettingsSchema },
      async handler(req, res, { body }) {
        const user = userOf(req);
        await ctx.db.withTenant(user.tenantId, async (tx) => {
          await tx.query(`UPDATE tenants SET settings = settings || jsonb_build_object('retentionDays', $1::int)`, [
            body.retentionDays,
          ]);
          await recordAudit(tx, {
            actorType: 'user',
            actorId: user.userId,
            action: 'settings.updated',
            targetType: 'tenant',
            targetId: user.tenantId,
            outcome: 'success',
            ip: req.ip ?? null,
            details: { retentionDays: body.retentionDays },
          });
        });
        res.json({ retentionDays: body.retentionDays });
      },
    }),
    route({
      method: 'patch',
      path: '/sites/:id',
      auth: { tokens: ['user'], roles: ADMINS },
      schemas: { params: z.object({ id: id('a site id') }), body: updateSiteSchema },
      response: { status: 200, schema: siteWithSettingsSchema },
      async handler(req, res, { params, body }) {
        const user = userOf(req);
        const { id } = params;
        if (!hasSiteRole(user, id, ADMINS)) throw notFound('site');
        const { name, timezone, wifiSsid, ...settings } = body;
        const site = await ctx.db.withTenant(user.tenantId, async (tx) => {
          const [row] = await tx.query<{
            id: string;
            name: string;
            timezone: string;
            wifi_ssid: string;
            settings: unknown;
          }>(
            `UPDATE sites SET name = coalesce($2, name), timezone = coalesce($3, timezone), wifi_ssid = coalesce($4, wifi_ssid),
                    settings = settings || $5::jsonb
              WHERE id = $1 RETURNING id, name, timezone, wifi_ssid, settings`,
            [id, name ?? null, timezone ?? null, wifiSsid ?? null, JSON.stringify(settings)],
          );
          if (!row) throw notFound('site');
          await recordAudit(tx, {
            actorType: 'user',
            actorId: user.userId,
            action: 'site.updated',
            targetType: 'site',
            targetId: id,
            outcome: 'success',
            ip: req.ip ?? null,
            details: { fields: Object.keys(body).sort().join(',') },
          });
          return {
            id: row.id,
            name: row.name,
            timezone: row.timezone,
            wifiSsid: row.wifi_ssid,
            settings: siteSettings(row.settings),
          };
        });
        res.json(site);
      },
    }),
  ];
}
