import { type ExpressionBuilder, sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Tx } from '../db';
import type { DB } from '../db/schema';

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
export async function insertUser(tx: Tx, tenantId: string, input: NewUser): Promise<string> {
  const email = normalizeEmail(input.email);
  const { id: userId } = await tx
    .insertInto('users')
    .values({ tenant_id: tenantId, email, name: input.name })
    .returning('id')
    .executeTakeFirstOrThrow();
  // login_emails is closed to the app role: this RLS helper registers the email for a user of this tenant only.
  await tx.selectNoFrom(sql`app_login_email_set(${userId}, ${email})`.as('set')).execute();
  await tx
    .insertInto('credentials')
    .values({
      tenant_id: tenantId,
      user_id: userId,
      password_hash: input.passwordHash,
      must_change_password: input.mustChangePassword ?? false,
      ...(input.passwordSetAt ? { password_changed_at: input.passwordSetAt } : {}),
    })
    .execute();
  await replaceRoles(tx, tenantId, userId, input.roles);
  return userId;
}

export async function replaceRoles(tx: Tx, tenantId: string, userId: string, roles: RoleGrant[]): Promise<void> {
  await tx.deleteFrom('user_site_roles').where('user_id', '=', userId).execute();
  for (const grant of roles) {
    await tx
      .insertInto('user_site_roles')
      .values({
        tenant_id: tenantId,
        user_id: userId,
        site_id: grant.role === 'tenant_admin' ? null : grant.siteId,
        role: grant.role,
      })
      .execute();
  }
}

export async function rolesOf(tx: Tx, userId: string): Promise<RoleGrant[]> {
  return tx
    .selectFrom('user_site_roles')
    .select(['role', 'site_id as siteId'])
    .where('user_id', '=', userId)
    .orderBy('role')
    .orderBy('site_id')
    .$narrowType<{ role: Role }>()
    .execute();
}

/** The roles of the user `u` of the surrounding query, as a `roles` JSON array column in `rolesOf`'s order. */
export function rolesColumn(eb: ExpressionBuilder<DB & { u: DB['users'] }, 'u'>) {
  return jsonArrayFrom(
    eb
      .selectFrom('user_site_roles as r')
      .select(['r.role', 'r.site_id as siteId'])
      .whereRef('r.user_id', '=', 'u.id')
      .orderBy('r.role')
      .orderBy('r.site_id')
      .$narrowType<{ role: Role }>(),
  ).as('roles');
}
