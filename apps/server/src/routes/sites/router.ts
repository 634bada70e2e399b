import type { Site } from '@atrium/protocol';
import type { AppContext } from '../../context';
import { type RouteDef, route, userOf } from '../../http/routes';
import { visibleSiteIds } from '../../tenancy/access';

export function siteRoutes(ctx: AppContext): RouteDef[] {
  return [
    route({
      method: 'get',
      path: '/sites',
      auth: { tokens: ['user'] },
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
  ];
}
