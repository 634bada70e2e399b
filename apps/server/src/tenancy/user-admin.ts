import { randomInt } from 'node:crypto';
import type { User } from '@atrium/protocol';
import { recordAudit } from '../audit/record';
import { announceAccessChange, revokeAllSessions } from '../auth/sessions';
import type { Queryable } from '../db';
import { conflict, forbidden, invalidInput, notFound } from '../http/errors';
import { type AdminScope, mayGrant, mayManage } from './access';
import { insertUser, type RoleGrant, replaceRoles } from './users';

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

type UserRow = {
  id: string;
  email: string;
  name: string;
  status: 'active' | 'disabled';
  mfa: boolean;
  has_password: boolean;
  has_identity: boolean;
  created_at: Date;
  roles: RoleGrant[] | null;
};

async function loadUsers(tx: Queryable, ids: string[] | null): Promise<User[]> {
  const rows = await tx.query<UserRow>(
    `SELECT u.id, u.email, u.name, u.status, c.totp_confirmed_at IS NOT NULL AS mfa, u.created_at,
            c.password_hash IS NOT NULL AS has_password,
            EXISTS (SELECT 1 FROM user_identities i WHERE i.user_id = u.id) AS has_identity,
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
    signInMethod: row.has_identity ? (row.has_password ? 'both' : 'sso') : 'password',
  }));
}

/** The users this admin may see and manage: those whose every role lies inside the admin's scope. */
export async function listManageableUsers(tx: Queryable, admin: UserAdmin): Promise<User[]> {
  const users = await loadUsers(tx, null);
  return users.filter((user) => mayManage(admin.scope, user.roles));
}

/**
 * Locks the target user and checks the admin may manage them. Unmanageable users are reported as unknown, so a site
 * admin learns nothing about people beyond their sites.
 */
async function lockManageable(tx: Queryable, admin: UserAdmin, id: string): Promise<void> {
  const [row] = await tx.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [id]);
  if (!row) throw notFound('user');
  const roles = await tx.query<RoleGrant>('SELECT role, site_id AS "siteId" FROM user_site_roles WHERE user_id = $1', [
    id,
  ]);
  if (!mayManage(admin.scope, roles)) throw notFound('user');
}

export async function createUser(
  tx: Queryable,
  admin: UserAdmin,
  input: { email: string; name: string; passwordHash: string; roles: RoleGrant[] },
): Promise<User> {
  checkGrants(admin.scope, input.roles);
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
}

export interface UserPatch {
  name?: string | undefined;
  status?: 'active' | 'disabled' | undefined;
  roles?: RoleGrant[] | undefined;
}

export async function updateUser(tx: Queryable, admin: UserAdmin, id: string, patch: UserPatch): Promise<User> {
  if (id === admin.userId && (patch.status === 'disabled' || patch.roles)) {
    throw conflict('cannot_change_self', 'You cannot disable yourself or change your own roles.');
  }
  await lockManageable(tx, admin, id);
  if (patch.roles) checkGrants(admin.scope, patch.roles);
  if (patch.name) await tx.query('UPDATE users SET name = $2, updated_at = now() WHERE id = $1', [id, patch.name]);
  if (patch.status)
    await tx.query('UPDATE users SET status = $2, updated_at = now() WHERE id = $1', [id, patch.status]);
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
}

/**
 * Replaces the user's password with a temporary one (hashed by the caller) that opens one sign-in and must then be
 * changed, and ends all of the user's sessions.
 */
export async function resetPassword(tx: Queryable, admin: UserAdmin, id: string, passwordHash: string): Promise<void> {
  if (id === admin.userId) {
    throw conflict('cannot_change_self', 'Change your own password on your account page, not by a reset.');
  }
  await lockManageable(tx, admin, id);
  const [cred] = await tx.query<{ has_password: boolean }>(
    'SELECT password_hash IS NOT NULL AS has_password FROM credentials WHERE user_id = $1',
    [id],
  );
  if (!cred?.has_password) {
    throw conflict('no_password', 'This user signs in with single sign-on and has no password to reset.');
  }
  await tx.query(
    `UPDATE credentials SET password_hash = $2, password_changed_at = $3, must_change_password = true,
            temporary_password_used_at = NULL, failed_attempts = 0, locked_until = NULL
      WHERE user_id = $1`,
    [id, passwordHash, admin.now],
  );
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
}
