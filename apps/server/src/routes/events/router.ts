import type { AppContext } from '../../context';
import { type RouteDef, route, userOf } from '../../http/routes';
import { hasSiteRole } from '../../tenancy/access';

const HEARTBEAT_MS = 15_000;

/** Server-sent events for dashboards: the tenant's events for sites the user works at (ids only, as stored). */
export function eventRoutes(ctx: AppContext): RouteDef[] {
  return [
    route({
      method: 'get',
      path: '/events/stream',
      auth: { tokens: ['user'], roles: ['tenant_admin', 'site_admin', 'receptionist'] },
      handler(req, res) {
        const user = userOf(req);
        res.writeHead(200, {
          'Content-Type': 'text/event-stream',
          'Cache-Control': 'no-store',
          Connection: 'keep-alive',
          'X-Accel-Buffering': 'no',
        });
        res.write('retry: 3000\n\n');
        const unsubscribe = ctx.events.subscribe((event) => {
          if (event.tenantId !== user.tenantId) return;
          if (event.siteId && !hasSiteRole(user, event.siteId, ['tenant_admin', 'site_admin', 'receptionist'])) return;
          res.write(
            `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify({ siteId: event.siteId, ...event.payload })}\n\n`,
          );
        });
        const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
        req.on('close', () => {
          clearInterval(heartbeat);
          unsubscribe();
        });
      },
    }),
  ];
}
