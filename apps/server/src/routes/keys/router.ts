import { z } from 'zod';
import { recordAudit } from '../../audit/record';
import { KEY_PURPOSES, type KeyPurpose } from '../../auth/keys';
import type { AppContext } from '../../context';
import { type RouteDef, route, userOf } from '../../http/routes';

/** Signing keys: list the current and still-verifying keys per purpose, and rotate one (audited). */
export function keyRoutes(ctx: AppContext): RouteDef[] {
  const auth = { tokens: ['user'], roles: ['tenant_admin'] } as const;
  return [
    route({
      method: 'get',
      path: '/keys',
      auth,
      handler(_req, res) {
        res.json(
          Object.fromEntries(
            KEY_PURPOSES.map((purpose) => [purpose, ctx.keys.jwks(purpose).keys.map((key) => key.kid)]),
          ),
        );
      },
    }),
    route({
      method: 'post',
      path: '/keys/:purpose/rotate',
      auth,
      schemas: { params: z.object({ purpose: z.enum(KEY_PURPOSES as [KeyPurpose, ...KeyPurpose[]]) }) },
      async handler(req, res) {
        const user = userOf(req);
        const purpose = req.params.purpose as KeyPurpose;
        const { retired, current } = await ctx.keys.rotate(purpose);
        await ctx.db.withTenant(user.tenantId, (tx) =>
          recordAudit(tx, {
            actorType: 'user',
            actorId: user.userId,
            action: 'key.rotated',
            outcome: 'success',
            ip: req.ip ?? null,
            details: { purpose, retiredKid: retired ?? null, currentKid: current },
          }),
        );
        res.json({ purpose, retiredKid: retired ?? null, currentKid: current });
      },
    }),
  ];
}
