import { keyListSchema, keyPurposeSchema, keyRotationSchema } from '@atrium/protocol';
import { z } from 'zod';
import { recordAudit } from '../../audit/record';
import type { AppContext } from '../../context';
import { forbidden, rateLimited } from '../../http/errors';
import { type RouteDef, route, userOf } from '../../http/routes';

/**
 * Signing keys: list the current and still-verifying keys per purpose (QR: the tenant's own), and rotate one. A tenant
 * rotates its own QR key; the instance's access and device keys only on an instance with one tenant. Rate-limited and
 * audited in the tenant, refusals included.
 */
export function keyRoutes(ctx: AppContext): RouteDef[] {
  const auth = { tokens: ['user'], roles: ['tenant_admin'] } as const;
  return [
    route({
      method: 'get',
      path: '/keys',
      auth,
      response: { status: 200, schema: keyListSchema },
      async handler(req, res) {
        const kids = (jwks: { keys: Array<{ kid?: string }> }) => jwks.keys.map((key) => key.kid);
        res.json({
          access: kids(ctx.keys.jwks('access')),
          device: kids(ctx.keys.jwks('device')),
          qr: kids(await ctx.keys.qrJwks(userOf(req).tenantId)),
        });
      },
    }),
    route({
      method: 'post',
      path: '/keys/:purpose/rotate',
      auth,
      schemas: { params: z.object({ purpose: keyPurposeSchema }) },
      response: { status: 200, schema: keyRotationSchema },
      async handler(req, res, { params }) {
        const user = userOf(req);
        const { purpose } = params;
        const rotation = await ctx.keys.rotate(purpose, user.tenantId);
        await ctx.db.withTenant(user.tenantId, (tx) =>
          recordAudit(tx, {
            actorType: 'user',
            actorId: user.userId,
            action: 'key.rotated',
            outcome: rotation.ok ? 'success' : 'denied',
            ip: req.ip ?? null,
            details: rotation.ok
              ? { purpose, retiredKid: rotation.retired ?? null, currentKid: rotation.current }
              : { purpose, reason: rotation.reason },
          }),
        );
        if (!rotation.ok && rotation.reason === 'rate_limited') throw rateLimited(rotation.retryAfterSeconds);
        if (!rotation.ok) {
          throw forbidden(
            'Access and device keys belong to the whole instance; they rotate only on a single-tenant one.',
          );
        }
        res.json({ purpose, retiredKid: rotation.retired ?? null, currentKid: rotation.current });
      },
    }),
  ];
}
