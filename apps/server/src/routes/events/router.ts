import type { AppContext } from '../../context';
import type { EventPayloads } from '../../events/outbox';
import { type RouteDef, route, userOf } from '../../http/routes';
import { hasSiteRole } from '../../tenancy/access';

const HEARTBEAT_MS = 15_000;
/** How often an open stream re-checks its user (cached lookup), besides the access-change event every replica gets. */
const ACCESS_CHECK_MS = 5_000;
const STREAM_ROLES = ['tenant_admin', 'site_admin', 'receptionist'] as const;

/** Server-sent events for dashboards: the tenant's events for sites the user works at (ids only, as stored). */
export function eventRoutes(ctx: AppContext): RouteDef[] {
  return [
    route({
      method: 'get',
      path: '/events/stream',
      auth: { tokens: ['user'], roles: STREAM_ROLES },
      response: {
        status: 200,
        contentType: ['text/event-stream'],
        description: 'Server-sent events: `event: <type>`, `data: {siteId, ...ids}`; a comment line every 15 s.',
      },
      handler(req, res) {
        const user = userOf(req);
        res.writeHead(200, {
          'Content-Type': 'text/event-stream',
          'Cache-Control': 'no-store',
          Connection: 'keep-alive',
          'X-Accel-Buffering': 'no',
        });
        res.write('retry: 3000\n\n');
        let closed = false;
        // The stream ends when its user is disabled, re-roled or signed out everywhere; the client reconnects and is
        // authenticated afresh (and refused, if it no longer may listen).
        const close = () => {
          if (closed) return;
          closed = true;
          clearInterval(heartbeat);
          clearInterval(check);
          unsubscribe();
          res.end();
        };
        const unsubscribe = ctx.events.subscribe((event) => {
          if (event.tenantId !== user.tenantId) return;
          if (event.type === 'user.access_changed') {
            if ((event.payload as EventPayloads['user.access_changed']).userId === user.userId) close();
            return;
          }
          if (event.siteId && !hasSiteRole(user, event.siteId, STREAM_ROLES)) return;
          res.write(
            `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify({ siteId: event.siteId, ...event.payload })}\n\n`,
          );
        });
        const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
        const check = setInterval(() => {
          ctx.access.current(user.tenantId, user.userId).then(
            (current) => {
              const same =
                current?.active &&
                current.sessionVersion === user.sessionVersion &&
                JSON.stringify(current.roles) === JSON.stringify(user.roles);
              if (!same) close();
            },
            () => undefined,
          );
        }, ACCESS_CHECK_MS);
        req.on('close', close);
      },
    }),
  ];
}
