import { createUserSchema, id, passwordResetSchema, updateUserSchema, userSchema } from '@atrium/protocol';
import type { Request } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context';
import { invalidInput } from '../../http/errors';
import { type RouteDef, route, userOf } from '../../http/routes';
import { adminScopeOf } from '../../tenancy/access';
import { hashNewPassword, hashPassword } from '../../tenancy/passwords';
import {
  checkGrants,
  createUser,
  deleteUser,
  listManageableUsers,
  resetPassword,
  temporaryPassword,
  type UserAdmin,
  updateUser,
} from '../../tenancy/user-admin';

const idParams = z.object({ id: id('a user id') });

function adminOf(ctx: AppContext, req: Request): UserAdmin {
  const actor = userOf(req);
  return {
    userId: actor.userId,
    tenantId: actor.tenantId,
    scope: adminScopeOf(actor),
    ip: req.ip ?? null,
    now: ctx.now(),
  };
}

export function userRoutes(ctx: AppContext): RouteDef[] {
  const auth = { tokens: ['user'], roles: ['tenant_admin', 'site_admin'] } as const;
  return [
    route({
      method: 'get',
      path: '/users',
      auth,
      response: { status: 200, schema: z.array(userSchema) },
      async handler(req, res) {
        const admin = adminOf(ctx, req);
        res.json(await listManageableUsers(ctx, admin));
      },
    }),
    route({
      method: 'post',
      path: '/users',
      auth,
      schemas: { body: createUserSchema },
      response: { status: 201, schema: userSchema },
      async handler(req, res, { body }) {
        const admin = adminOf(ctx, req);
        checkGrants(admin.scope, body.roles);
        // Temporary until first sign-in, but guessable before then: the common-password rule applies to it too.
        const passwordHash = await hashNewPassword(body.password, 'password', body);
        res.status(201).json(await createUser(ctx, admin, { ...body, passwordHash }));
      },
    }),
    route({
      method: 'patch',
      path: '/users/:id',
      auth,
      schemas: { params: idParams, body: updateUserSchema },
      response: { status: 200, schema: userSchema },
      async handler(req, res, { params, body }) {
        const admin = adminOf(ctx, req);
        const { password, ...patch } = body;
        // Refused rather than turned into a reset: a caller that thinks it set a known password must not go on
        // handing that password out.
        if (password !== undefined) {
          throw invalidInput(
            'password',
            'cannot be set for someone else: use POST /users/:id/password-reset for a one-time temporary password',
            { use: 'POST /api/v1/users/:id/password-reset' },
          );
        }
        res.json(await updateUser(ctx, admin, params.id, patch));
      },
    }),
    route({
      method: 'delete',
      path: '/users/:id',
      auth,
      schemas: { params: idParams },
      response: { status: 204 },
      async handler(req, res, { params }) {
        await deleteUser(ctx, adminOf(ctx, req), params.id);
        res.status(204).end();
      },
    }),
    route({
      method: 'post',
      path: '/users/:id/password-reset',
      auth,
      schemas: { params: idParams, body: z.object({}) },
      response: { status: 200, schema: passwordResetSchema },
      async handler(req, res, { params }) {
        const admin = adminOf(ctx, req);
        const password = temporaryPassword();
        // Generated, never chosen: no policy to check.
        const passwordHash = await hashPassword(password);
        await resetPassword(ctx, admin, params.id, passwordHash);
        res.setHeader('Cache-Control', 'no-store');
        res.json({ temporaryPassword: password, passwordChangeRequired: true });
      },
    }),
  ];
}
