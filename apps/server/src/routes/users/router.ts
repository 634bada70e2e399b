import { createUserSchema, type RoleGrantInput, type User, updateUserSchema } from '@atrium/protocol';
import { z } from 'zod';
import { recordAudit } from '../../audit/record';
import { revokeAllSessions } from '../../auth/sessions';
import type { Principal } from '../../auth/tokens';
import type { AppContext } from '../../context';
import type { Queryable } from '../../db';
import { AppError, conflict, forbidden, invalidInput, notFound } from '../../http/errors';
import { type RouteDef, route, userOf } from '../../http/routes';
import { isTenantAdmin } from '../../tenancy/access';
import { hashNewPassword } from '../../tenancy/passwords';
import { insertUser, replaceRoles } from '../../tenancy/users';

type UserPrincipal = Extract<Principal, { type: 'user' }>;
const idParams = z.object({ id: z.uuid('must be a user id') });

/** Sites a site admin administers (tenant admins: all, as null). */
function adminSites(actor: UserPrincipal): string[] | null {
  if (isTenantAdmin(actor)) return null;
  return actor.roles.filter((g) => g.role === 'site_admin' && g.siteId).map((g) => g.siteId!);
}

/** Site admins grant only site roles on their own sites; tenant admins grant anything. */
function checkGrants(actor: UserPrincipal, grants: RoleGrantInput[]) {
  const sites = adminSites(actor);
  grants.forEach((grant, index) => {
    if (grant.role !== 'tenant_admin' && grant.siteId === null && sites !== null) {
      throw invalidInput(`roles.${index}.siteId`, 'is required: you can grant roles on your own sites only');
    }
    if (sites === null) return;
    if (grant.role === 'tenant_admin' || !sites.includes(grant.siteId!)) {
      throw forbidden('You can grant roles only on sites you administer.');
    }
  });
}

async function loadUsers(tx: Queryable, ids: string[] | null): Promise<User[]> {
  const rows = await tx.query<{
    id: string;
    email: string;
    name: string;
    status: 'active' | 'disabled';
    mfa: boolean;
    created_at: Date;
    roles: Array<{ role: User['roles'][number]['role']; siteId: string | null }> | null;
  }>(
    `SELECT u.id, u.email, u.name, u.status, c.totp_confirmed_at IS NOT NULL AS mfa, u.created_at,
            (SELECT json_agg(json_build_object('role', r.role, 'siteId', r.site_id) ORDER BY r.role, r.site_id)
               FROM user_site_roles r WHERE r.user_id = u.id) AS roles
       FROM users u JOIN credentials c ON c.user_id = u.id
      WHERE $1::uuid[] IS NULL OR u.id = ANY($1::uuid[])
      ORDER BY u.name, u.id`,
    [ids],
  );
  return rows.map((row) => ({
    id: row.id,
    email: row.email,
    name: row.name,
    status: row.status,
    mfaEnabled: row.mfa,
    createdAt: row.created_at.toISOString(),
    roles: row.roles ?? [],
  }));
}

/** Users a site admin may see and manage: those with a role on one of their sites (never tenant admins). */
async function manageableIds(tx: Queryable, actor: UserPrincipal): Promise<string[] | null> {
  const sites = adminSites(actor);
  if (sites === null) return null;
  const rows = await tx.query<{ user_id: string }>(
    `SELECT DISTINCT r.user_id FROM user_site_roles r
      WHERE r.site_id = ANY($1::uuid[])
        AND NOT EXISTS (SELECT 1 FROM user_site_roles t WHERE t.user_id = r.user_id AND t.role = 'tenant_admin')`,
    [sites],
  );
  return rows.map((row) => row.user_id);
}

function mapWriteError(error: unknown): never {
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
      async handler(req, res) {
        const actor = userOf(req);
        res.json(await ctx.db.withTenant(actor.tenantId, async (tx) => loadUsers(tx, await manageableIds(tx, actor))));
      },
    }),
    route({
      method: 'post',
      path: '/users',
      auth,
      schemas: { body: createUserSchema },
      async handler(req, res) {
        const actor = userOf(req);
        const body = req.body as z.infer<typeof createUserSchema>;
        checkGrants(actor, body.roles);
        const passwordHash = await hashNewPassword(body.password, 'password', body);
        const user = await ctx.db
          .withTenant(actor.tenantId, async (tx) => {
            const id = await insertUser(tx, actor.tenantId, { ...body, passwordHash });
            await recordAudit(tx, {
              actorType: 'user',
              actorId: actor.userId,
              action: 'user.created',
              targetType: 'user',
              targetId: id,
              outcome: 'success',
              ip: req.ip ?? null,
              details: { roles: body.roles.map((g) => g.role).join(',') },
            });
            return (await loadUsers(tx, [id]))[0]!;
          })
          .catch(mapWriteError);
        res.status(201).json(user);
      },
    }),
    route({
      method: 'patch',
      path: '/users/:id',
      auth,
      schemas: { params: idParams, body: updateUserSchema },
      async handler(req, res) {
        const actor = userOf(req);
        const id = req.params.id as string;
        const body = req.body as z.infer<typeof updateUserSchema>;
        if (body.roles) checkGrants(actor, body.roles);
        if (id === actor.userId && (body.status === 'disabled' || body.roles)) {
          throw conflict('cannot_change_self', 'You cannot disable yourself or change your own roles.');
        }
        const passwordHash = body.password ? await hashNewPassword(body.password) : undefined;
        const user = await ctx.db
          .withTenant(actor.tenantId, async (tx) => {
            const allowed = await manageableIds(tx, actor);
            const [exists] = await tx.query('SELECT 1 FROM users WHERE id = $1', [id]);
            if (!exists || (allowed !== null && !allowed.includes(id))) throw notFound('user');
            if (body.name)
              await tx.query('UPDATE users SET name = $2, updated_at = now() WHERE id = $1', [id, body.name]);
            if (body.status)
              await tx.query('UPDATE users SET status = $2, updated_at = now() WHERE id = $1', [id, body.status]);
            if (passwordHash) {
              await tx.query(
                'UPDATE credentials SET password_hash = $2, password_changed_at = now(), failed_attempts = 0, locked_until = NULL WHERE user_id = $1',
                [id, passwordHash],
              );
            }
            if (body.roles) await replaceRoles(tx, actor.tenantId, id, body.roles);
            if (body.status === 'disabled' || passwordHash || body.roles) await revokeAllSessions(tx, id);
            await recordAudit(tx, {
              actorType: 'user',
              actorId: actor.userId,
              action: 'user.updated',
              targetType: 'user',
              targetId: id,
              outcome: 'success',
              ip: req.ip ?? null,
              details: { fields: Object.keys(body).sort().join(',') },
            });
            return (await loadUsers(tx, [id]))[0]!;
          })
          .catch((error) => {
            if (error instanceof AppError) throw error;
            mapWriteError(error);
          });
        res.json(user);
      },
    }),
  ];
}
