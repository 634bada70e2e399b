import type { RoleName, UserSummary } from '@atrium/protocol';

type Grants = UserSummary['roles'];

export const STAFF_ROLES: readonly RoleName[] = ['tenant_admin', 'site_admin', 'receptionist'];
export const ADMIN_ROLES: readonly RoleName[] = ['tenant_admin', 'site_admin'];
export const ALL_ROLES: readonly RoleName[] = ['tenant_admin', 'site_admin', 'receptionist', 'member'];

export type PageId =
  | 'visits'
  | 'onsite'
  | 'kiosks'
  | 'messages'
  | 'agents'
  | 'users'
  | 'audit'
  | 'settings'
  | 'account';

/** Mirrors the server's rule: a tenant admin, or a grant without a site, counts for every site. */
export function hasRoleAt(grants: Grants, siteId: string, roles: readonly RoleName[]): boolean {
  return grants.some(
    (g) => roles.includes(g.role) && (g.role === 'tenant_admin' || g.siteId === null || g.siteId === siteId),
  );
}

export function hasAnyRole(grants: Grants, roles: readonly RoleName[]): boolean {
  return grants.some((g) => roles.includes(g.role));
}

export const isTenantAdmin = (grants: Grants) => grants.some((g) => g.role === 'tenant_admin');

/** Sites (from the list the server showed us) where the user holds one of `roles`. */
export function sitesWithRole<S extends { id: string }>(
  grants: Grants,
  sites: readonly S[],
  roles: readonly RoleName[],
) {
  return sites.filter((site) => hasRoleAt(grants, site.id, roles));
}

/** Pages in navigation order that the user's roles open; the server enforces the same rules. */
export function pagesFor(grants: Grants): PageId[] {
  const pages: PageId[] = ['visits'];
  if (hasAnyRole(grants, STAFF_ROLES)) pages.push('onsite', 'kiosks', 'messages');
  if (hasAnyRole(grants, ADMIN_ROLES)) pages.push('agents', 'users');
  if (isTenantAdmin(grants)) pages.push('audit');
  if (hasAnyRole(grants, ADMIN_ROLES)) pages.push('settings');
  pages.push('account');
  return pages;
}

/** Roles an admin may hand out: site admins grant site roles only. */
export function grantableRoles(grants: Grants): RoleName[] {
  return isTenantAdmin(grants) ? [...ALL_ROLES] : ['site_admin', 'receptionist', 'member'];
}
