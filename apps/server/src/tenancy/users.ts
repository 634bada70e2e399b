import type { Queryable } from '../db';

export const ROLES = ['tenant_admin', 'site_admin', 'receptionist', 'member'] as const;
export type Role = (typeof ROLES)[number];

/** A role grant: tenant_admin holds for the whole tenant (siteId null); the others for one site or, with null, all. */
export interface RoleGrant {
  role: Role;
  siteId: string | null;
}

export interface NewUser {
  email: string;
  name: string;
  /** Null for an account that signs in with single sign-on only. */
  passwordHash: string | null;
  roles: RoleGrant[];
  /** Set when someone else chose the password: the user must replace it at the first sign-in. */
  mustChangePassword?: boolean;
  /** When the password was set, by the app's clock (temporary passwords expire from then). */
  passwordSetAt?: Date;
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** Inserts a user with credentials, sign-in email and roles inside the caller's tenant transaction. */
export async function insertUser(tx: Queryable, tenantId: string, input: NewUser): Promise<string> {
  const email = normalizeEmail(input.email);
  const [user] = await tx.query<{ id: string }>(
    'INSERT INTO users (tenant_id, email, name) VALUES ($1, $2, $3) RETURNING id',
    [tenantId, email, input.name],
  );
  const userId = user!.id;
  // login_emails is closed to the app role: this function registers the email for a user of this tenant only.
  await tx.query('SELECT app_login_email_set($1, $2)', [userId, email]);
  await tx.query(
    `INSERT INTO credentials (tenant_id, user_id, password_hash, must_change_password, password_changed_at)
     VALUES ($1, $2, $3, $4, coalesce($5, now()))`,
    [tenantId, userId, input.passwordHash, input.mustChangePassword ?? false, input.passwordSetAt ?? null],
  );
  await replaceRoles(tx, tenantId, userId, input.roles);
  return userId;
}

export async function replaceRoles(tx: Queryable, tenantId: string, userId: string, roles: RoleGrant[]): Promise<void> {
  await tx.query('DELETE FROM user_site_roles WHERE user_id = $1', [userId]);
  for (const grant of roles) {
    await tx.query('INSERT INTO user_site_roles (tenant_id, user_id, site_id, role) VALUES ($1, $2, $3, $4)', [
      tenantId,
      userId,
      grant.role === 'tenant_admin' ? null : grant.siteId,
      grant.role,
    ]);
  }
}

export async function rolesOf(tx: Queryable, userId: string): Promise<RoleGrant[]> {
  return tx.query<RoleGrant>(
    'SELECT role, site_id AS "siteId" FROM user_site_roles WHERE user_id = $1 ORDER BY role, site_id',
    [userId],
  );
}
