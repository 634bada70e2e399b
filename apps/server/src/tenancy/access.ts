import type { Principal } from '../auth/tokens';
import type { Role } from './users';

type UserPrincipal = Extract<Principal, { type: 'user' }>;

/** True when the user holds one of `roles` for this site (tenant-wide grants count for every site). */
export function hasSiteRole(user: UserPrincipal, siteId: string, roles: readonly Role[]): boolean {
  return user.roles.some(
    (grant) =>
      roles.includes(grant.role) && (grant.role === 'tenant_admin' || grant.siteId === null || grant.siteId === siteId),
  );
}

export const isTenantAdmin = (user: UserPrincipal) => user.roles.some((grant) => grant.role === 'tenant_admin');

/** Sites the user may see: all (null) for tenant-wide grants, else the listed ones. */
export function visibleSiteIds(user: UserPrincipal): string[] | null {
  if (user.roles.some((grant) => grant.role === 'tenant_admin' || grant.siteId === null)) return null;
  return [...new Set(user.roles.map((grant) => grant.siteId!))];
}
