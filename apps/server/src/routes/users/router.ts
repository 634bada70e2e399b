import { createUserSchema, id, passwordResetSchema, updateUserSchema, userSchema } from '@atrium/protocol';
import type { Request } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context';
import { AppError, conflict, invalidInput } from '../../http/errors';
import { type RouteDef, route, userOf } from '../../http/routes';
import { adminScopeOf } from '../../tenancy/access';
import { hashNewPassword, hashPassword } from '../../tenancy/passwords';
import {
  checkGrants,
  createUser,
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

function mapWriteError(error: unknown): never {
  if (error instanceof AppError) throw error;
  const code = (error as { code?: string }).code;
  if (code === '23505') throw conflict('email_taken', 'An account with this email already exists.');
  if (code === '23503') throw invalidInput('roles', 'names a site that does not exist');
  throw error;
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
        res.json(await ctx.db.withTenant(admin.tenantId, (tx) => listManageableUsers(tx, admin)));
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
        const user = await ctx.db
          .withTenant(admin.tenantId, (tx) => createUser(tx, admin, { ...body, passwordHash }))
          .catch(mapWriteError);
        res.status(201).json(user);
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
        const user = await ctx.db
          .withTenant(admin.tenantId, (tx) => updateUser(tx, admin, params.id, patch))
          .catch(mapWriteError);
        ctx.access.forget(admin.tenantId, user.id);
        void ctx.events.wake();
        res.json(user);
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
        await ctx.db.withTenant(admin.tenantId, (tx) => resetPassword(tx, admin, params.id, passwordHash));
        ctx.access.forget(admin.tenantId, params.id);
        void ctx.events.wake();
        res.setHeader('Cache-Control', 'no-store');
        res.json({ temporaryPassword: password, passwordChangeRequired: true });
      },
    }),
  ];
}
