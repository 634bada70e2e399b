import { describe, expect, it } from 'vitest';
import { grantableRoles, hasRoleAt, pagesFor, sitesWithRole } from './roles';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';

describe('navigation by role', () => {
  it('shows hosts their visits and account only', () => {
    expect(pagesFor([{ role: 'member', siteId: A }])).toEqual(['visits', 'account']);
  });
  it('gives reception the on-site list, kiosks and messages', () => {
    expect(pagesFor([{ role: 'receptionist', siteId: A }])).toEqual([
      'visits',
      'onsite',
      'kiosks',
      'messages',
      'account',
    ]);
  });
  it('gives site admins agents, users and settings but not the audit log', () => {
    expect(pagesFor([{ role: 'site_admin', siteId: A }])).toEqual([
      'visits',
      'onsite',
      'kiosks',
      'messages',
      'agents',
      'users',
      'settings',
      'account',
    ]);
  });
  it('gives tenant admins everything', () => {
    expect(pagesFor([{ role: 'tenant_admin', siteId: null }])).toContain('audit');
  });
});

describe('roles per site', () => {
  it('counts tenant admins and site-less grants for every site', () => {
    expect(hasRoleAt([{ role: 'tenant_admin', siteId: null }], B, ['site_admin', 'tenant_admin'])).toBe(true);
    expect(hasRoleAt([{ role: 'receptionist', siteId: null }], B, ['receptionist'])).toBe(true);
    expect(hasRoleAt([{ role: 'receptionist', siteId: A }], B, ['receptionist'])).toBe(false);
  });
  it('filters sites to those where the role is held', () => {
    const sites = [{ id: A }, { id: B }];
    expect(
      sitesWithRole(
        [
          { role: 'site_admin', siteId: B },
          { role: 'member', siteId: A },
        ],
        sites,
        ['site_admin'],
      ),
    ).toEqual([{ id: B }]);
  });
  it('lets only tenant admins grant the tenant admin role', () => {
    expect(grantableRoles([{ role: 'site_admin', siteId: A }])).not.toContain('tenant_admin');
    expect(grantableRoles([{ role: 'tenant_admin', siteId: null }])).toContain('tenant_admin');
  });
});
