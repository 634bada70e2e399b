import { randomInt } from 'node:crypto';
import type { User } from '@atrium/protocol';
import { sql } from 'kysely';
import { recordAudit } from '../audit/record';
import { announceAccessChange, revokeAllSessions } from '../auth/sessions';
import type { UserAccess } from '../auth/user-access';
import type { Database, Tx } from '../db';
import type { EventDispatcher } from '../events/outbox';
import { AppError, conflict, forbidden, invalidInput, notFound } from '../http/errors';
import { type AdminScope, mayGrant, mayManage } from './access';
import { insertUser, normalizeEmail, type Role, type RoleGrant, replaceRoles, rolesColumn } from './users';

/** What the user services need: the database, and who to tell after an access change commits. */
export interface UserAdminDeps {
  db: Database;
  access: Pick<UserAccess, 'forget'>;
  events: Pick<EventDispatcher, 'wake'>;
}

/** Who is managing users, and within which scope. */
export interface UserAdmin {
  userId: string;
  tenantId: string;
  scope: AdminScope;
  ip: string | null;
  /** The app's clock: temporary passwords expire counted from it. */
  now: Date;
}

// No look-alike characters (0/o, 1/l/i): the temporary password is read off a screen and typed on another device.
const TEMPORARY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** 16 random characters (≈ 79 bits) in groups of four, e.g. `k7dm-3xqa-…`. */
export function temporaryPassword(): string {
  const chars = Array.from({ length: 16 }, () => TEMPORARY_ALPHABET[randomInt(TEMPORARY_ALPHABET.length)]!);
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-');
}

/** Site admins grant only roles on sites they administer; tenant-wide grants only within their scope. */
export function checkGrants(scope: AdminScope, grants: readonly RoleGrant[]): void {
  grants.forEach((grant, index) => {
    if (scope.kind === 'sites' && grant.role !== 'tenant_admin' && grant.siteId === null) {
      throw invalidInput(`roles.${index}.siteId`, 'is required: you can grant roles on your own sites only');
    }
    if (!mayGrant(scope, grant)) throw forbidden('You can grant roles only on sites you administer.');
  });
}

async function loadUsers(tx: Tx, ids: string[] | null): Promise<User[]> {
  let query = tx
    .selectFrom('users as u')
    .innerJoin('credentials as c', 'c.user_id', 'u.id')
    .select((eb) => [
      'u.id',
      'u.email',
      'u.name',
      'u.status',
      eb('c.totp_confirmed_at', 'is not', null).$castTo<boolean>().as('mfa'),
      eb('c.password_hash', 'is not', null).$castTo<boolean>().as('hasPassword'),
      eb
        .exists(eb.selectFrom('user_identities as i').select('i.user_id').whereRef('i.user_id', '=', 'u.id'))
        .$castTo<boolean>()
        .as('hasIdentity'),
      'u.created_at',
      rolesColumn(eb),
    ])
    .orderBy('u.name')
    .orderBy('u.id');
  if (ids !== null) query = query.where('u.id', 'in', ids);
  const rows = await query.$narrowType<{ status: User['status'] }>().execute();
  return rows.map((row) => ({
    id: row.id,
    email: row.email,
    name: row.name,
    status: row.status,
    mfaEnabled: row.mfa,
    createdAt: row.created_at.toISOString(),
    roles: row.roles,
    signInMethod: row.hasIdentity ? (row.hasPassword ? 'both' : 'sso') : 'password',
  }));
}

/** A duplicate email or an unknown site in the roles, as the API reports them. */
function mapWriteError(error: unknown): never {
  if (error instanceof AppError) throw error;
  const code = (error as { code?: string }).code;
  if (code === '23505') throw conflict('email_taken', 'An account with this email already exists.');
  if (code === '23503') throw invalidInput('roles', 'names a site that does not exist');
  throw error;
}

/** The users this admin may see and manage: those whose every role lies inside the admin's scope. */
export async function listManageableUsers(deps: Pick<UserAdminDeps, 'db'>, admin: UserAdmin): Promise<User[]> {
  const users = await deps.db.withTenant(admin.tenantId, (tx) => loadUsers(tx, null));
  return users.filter((user) => mayManage(admin.scope, user.roles));
}

/**
 * Locks the target user and checks the admin may manage them. Unmanageable users are reported as unknown, so a site
 * admin learns nothing about people beyond their sites.
 */
async function lockManageable(tx: Tx, admin: UserAdmin, id: string): Promise<RoleGrant[]> {
  const row = await tx.selectFrom('users').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw notFound('user');
  const roles = await tx
    .selectFrom('user_site_roles')
    .select(['role', 'site_id as siteId'])
    .where('user_id', '=', id)
    .$narrowType<{ role: Role }>()
    .execute();
  if (!mayManage(admin.scope, roles)) throw notFound('user');
  return roles;
}

export async function createUser(
  deps: Pick<UserAdminDeps, 'db'>,
  admin: UserAdmin,
  input: { email: string; name: string; passwordHash: string; roles: RoleGrant[] },
): Promise<User> {
  checkGrants(admin.scope, input.roles);
  return deps.db
    .withTenant(admin.tenantId, async (tx) => {
      await refuseDisabledNamesake(tx, input.email);
      // The admin knows this password, so it only opens the way to choosing one of the user's own.
      const id = await insertUser(tx, admin.tenantId, { ...input, mustChangePassword: true, passwordSetAt: admin.now });
      await recordAudit(tx, {
        actorType: 'user',
        actorId: admin.userId,
        action: 'user.created',
        targetType: 'user',
        targetId: id,
        outcome: 'success',
        ip: admin.ip,
        details: { roles: input.roles.map((g) => g.role).join(',') },
      });
      return (await loadUsers(tx, [id]))[0]!;
    })
    .catch(mapWriteError);
}

/** A disabled account keeps its email: say so, so the admin re-enables it instead of looking for a duplicate. */
async function refuseDisabledNamesake(tx: Tx, email: string): Promise<void> {
  const existing = await tx
    .selectFrom('users')
    .select(['id', 'status'])
    .where(sql<string>`lower(email)`, '=', normalizeEmail(email))
    .executeTakeFirst();
  if (existing?.status === 'disabled') {
    throw conflict('email_taken', 'This email belongs to a disabled account: re-enable it instead.', {
      status: 'disabled',
    });
  }
}

export interface UserPatch {
  name?: string | undefined;
  email?: string | undefined;
  status?: 'active' | 'disabled' | undefined;
  roles?: RoleGrant[] | undefined;
}

export async function updateUser(deps: UserAdminDeps, admin: UserAdmin, id: string, patch: UserPatch): Promise<User> {
  if (id === admin.userId && (patch.status === 'disabled' || patch.roles)) {
    throw conflict('cannot_change_self', 'You cannot disable yourself or change your own roles.');
  }
  const user = await deps.db
    .withTenant(admin.tenantId, async (tx) => {
      await lockManageable(tx, admin, id);
      if (patch.roles) checkGrants(admin.scope, patch.roles);
      if (patch.name) {
        await tx.updateTable('users').set({ name: patch.name, updated_at: sql`now()` }).where('id', '=', id).execute();
      }
      if (patch.email) {
        const email = normalizeEmail(patch.email);
        await tx.updateTable('users').set({ email, updated_at: sql`now()` }).where('id', '=', id).execute();
        // login_emails is closed to the app role: this helper moves the sign-in email of a user of this tenant.
        await tx.selectNoFrom(sql`app_login_email_set(${id}, ${email})`.as('set')).execute();
      }
      if (patch.status) {
        await tx
          .updateTable('users')
          .set({ status: patch.status, updated_at: sql`now()` })
          .where('id', '=', id)
          .execute();
      }
      if (patch.roles) await replaceRoles(tx, admin.tenantId, id, patch.roles);
      // Roles are read on every request, so a re-roled user keeps working with the new ones; a disabled one is out.
      if (patch.status === 'disabled') await revokeAllSessions(tx, id);
      await recordAudit(tx, {
        actorType: 'user',
        actorId: admin.userId,
        action: 'user.updated',
        targetType: 'user',
        targetId: id,
        outcome: 'success',
        ip: admin.ip,
        details: { fields: Object.keys(patch).sort().join(',') },
      });
      const user = (await loadUsers(tx, [id]))[0]!;
      if (patch.status || patch.roles) await announceAccessChange(tx, id);
      return user;
    })
    .catch(mapWriteError);
  deps.access.forget(admin.tenantId, user.id);
  void deps.events.wake();
  return user;
}

/**
 * Replaces the user's password with a temporary one (hashed by the caller) that opens one sign-in and must then be
 * changed, and ends all of the user's sessions.
 */
export async function resetPassword(
  deps: UserAdminDeps,
  admin: UserAdmin,
  id: string,
  passwordHash: string,
): Promise<void> {
  if (id === admin.userId) {
    throw conflict('cannot_change_self', 'Change your own password on your account page, not by a reset.');
  }
  await deps.db.withTenant(admin.tenantId, async (tx) => {
    await lockManageable(tx, admin, id);
    const cred = await tx
      .selectFrom('credentials')
      .select('password_hash')
      .where('user_id', '=', id)
      .executeTakeFirst();
    if (!cred?.password_hash) {
      throw conflict('no_password', 'This user signs in with single sign-on and has no password to reset.');
    }
    await tx
      .updateTable('credentials')
      .set({
        password_hash: passwordHash,
        password_changed_at: admin.now,
        must_change_password: true,
        temporary_password_used_at: null,
        failed_attempts: 0,
        locked_until: null,
      })
      .where('user_id', '=', id)
      .execute();
    await revokeAllSessions(tx, id);
    await recordAudit(tx, {
      actorType: 'user',
      actorId: admin.userId,
      action: 'user.password_reset',
      targetType: 'user',
      targetId: id,
      outcome: 'success',
      ip: admin.ip,
    });
    await announceAccessChange(tx, id);
  });
  deps.access.forget(admin.tenantId, id);
  void deps.events.wake();
}

/**
 * Deletes a user: their account, credentials, sessions and roles go; visits they hosted keep no host. Audit entries
 * keep naming them by id only, and the deletion itself is recorded the same way. Refused for the admin's own account
 * and for the tenant's last active admin.
 */
export async function deleteUser(deps: UserAdminDeps, admin: UserAdmin, id: string): Promise<void> {
  if (id === admin.userId) throw conflict('cannot_change_self', 'You cannot delete your own account.');
  await deps.db.withTenant(admin.tenantId, async (tx) => {
    const roles = await lockManageable(tx, admin, id);
    if (roles.some((grant) => grant.role === 'tenant_admin')) await keepAnotherTenantAdmin(tx, id);
    // Refresh tokens, roles and credentials go with the row; live streams learn it now.
    await announceAccessChange(tx, id);
    await tx.deleteFrom('users').where('id', '=', id).execute();
    await recordAudit(tx, {
      actorType: 'user',
      actorId: admin.userId,
      action: 'user.deleted',
      targetType: 'user',
      targetId: id,
      outcome: 'success',
      ip: admin.ip,
    });
  });
  deps.access.forget(admin.tenantId, id);
  void deps.events.wake();
}

async function keepAnotherTenantAdmin(tx: Tx, id: string): Promise<void> {
  const otherAdmins = await tx
    .selectFrom('user_site_roles as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('r.role', '=', 'tenant_admin')
    .where('u.status', '=', 'active')
    .where('u.id', '<>', id)
    .executeTakeFirstOrThrow();
  if (Number(otherAdmins.n) === 0) {
    throw conflict('last_tenant_admin', 'This is the last active tenant admin: make someone else one first.');
  }
}
