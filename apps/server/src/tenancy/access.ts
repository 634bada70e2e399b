import type { Principal } from '../auth/tokens';
import type { Role, RoleGrant } from './users';

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

/**
 * Whom a user administrator may manage: the whole tenant (tenant admins), every site but no tenant admin (a site
 * admin grant without a site), or the listed sites.
 */
export type AdminScope = { kind: 'tenant' } | { kind: 'all_sites' } | { kind: 'sites'; siteIds: ReadonlySet<string> };

export function adminScopeOf(user: UserPrincipal): AdminScope {
  if (isTenantAdmin(user)) return { kind: 'tenant' };
  const grants = user.roles.filter((grant) => grant.role === 'site_admin');
  if (grants.some((grant) => grant.siteId === null)) return { kind: 'all_sites' };
  return { kind: 'sites', siteIds: new Set(grants.map((grant) => grant.siteId!)) };
}

/**
 * A user is manageable only if every role they hold lies inside the scope: holding one role on an administered site
 * is not enough, or an admin of S1 could take over the admin of S2 through a member role on S1.
 */
export function mayManage(scope: AdminScope, targetRoles: readonly RoleGrant[]): boolean {
  if (scope.kind === 'tenant') return true;
  if (targetRoles.some((grant) => grant.role === 'tenant_admin')) return false;
  if (scope.kind === 'all_sites') return true;
  return (
    targetRoles.length > 0 && targetRoles.every((grant) => grant.siteId !== null && scope.siteIds.has(grant.siteId))
  );
}

/** A grant is allowed only inside the scope; tenant_admin only by tenant admins. */
export function mayGrant(scope: AdminScope, grant: RoleGrant): boolean {
  if (scope.kind === 'tenant') return true;
  if (grant.role === 'tenant_admin') return false;
  if (scope.kind === 'all_sites') return true;
  return grant.siteId !== null && scope.siteIds.has(grant.siteId);
}
