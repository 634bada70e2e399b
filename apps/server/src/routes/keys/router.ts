import { keyListSchema, keyPurposeSchema, keyRotationSchema } from '@atrium/protocol';
import { z } from 'zod';
import { listSigningKeyIds, rotateSigningKey } from '../../auth/key-admin';
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
        res.json(await listSigningKeyIds(ctx.keys, userOf(req).tenantId));
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
        const admin = { userId: user.userId, tenantId: user.tenantId, ip: req.ip ?? null };
        const rotation = await rotateSigningKey(ctx.db, ctx.keys, admin, purpose);
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
