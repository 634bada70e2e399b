import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase, testBackend } from '../../test/db';
import { seedTenant } from '../../test/fixtures';
import type { CreatedTenant } from '../tenancy/tenants';
import { insertUser, rolesOf } from '../tenancy/users';
import { type IdpIdentity, matchAccount, mayUsePassword, tenantForSignIn } from './oidc-accounts';
import type { OidcSettings } from './oidc-config';

let t: TestDatabase;
let tenant: CreatedTenant;
let secondSiteId: string;
const logger = pino({ level: 'silent' });

const settings = (overrides: Partial<OidcSettings> = {}): OidcSettings => ({
  issuer: new URL('https://idp.example.test'),
  clientId: 'atrium',
  clientSecret: 'secret',
  redirectUri: 'https://atrium.example.test/api/v1/auth/oidc/callback',
  scopes: 'openid email profile',
  allowedDomains: [],
  roleClaim: 'groups',
  roleMap: {},
  autoCreate: true,
  passwordLogin: 'all',
  ...overrides,
});

// Not the fixture's issuer: the seeded admin is linked there already.
const identity = (subject: string, overrides: Partial<IdpIdentity> = {}): IdpIdentity => ({
  issuer: 'https://login.example.test',
  subject,
  email: `${subject}@example.test`,
  emailVerified: true,
  name: subject,
  roleValues: [],
  ...overrides,
});

const match = (id: IdpIdentity, options: Partial<OidcSettings> = {}) =>
  t.db.withTenant(tenant.tenantId, (tx) =>
    matchAccount(tx, { settings: settings(options), logger }, tenant.tenantId, id),
  );
const roles = (userId: string) => t.db.withTenant(tenant.tenantId, (tx) => rolesOf(tx, userId));

beforeAll(async () => {
  t = await freshDatabase();
  tenant = await seedTenant(t.db, 'sso');
  const site = await t.db.withTenant(tenant.tenantId, (tx) =>
    tx
      .insertInto('sites')
      .values({ tenant_id: tenant.tenantId, name: 'Berlin' })
      .returning('id')
      .executeTakeFirstOrThrow(),
  );
  secondSiteId = site.id;
});
afterAll(() => t?.close());

describe(`single sign-on accounts on ${testBackend()}`, () => {
  it('maps claim values to roles by site name or id, and to a host of the first site when nothing matches', async () => {
    const roleMap = {
      lobby: [{ role: 'receptionist' as const, site: 'Berlin' }],
      it: [
        { role: 'site_admin' as const, site: tenant.siteId },
        { role: 'receptionist' as const, site: 'Nowhere' },
      ],
    };
    const first = await match(identity('mapped', { roleValues: ['lobby', 'it', 'unrelated'] }), { roleMap });
    if (!first.ok) throw new Error(first.reason);
    expect(first.created).toBe(true);
    expect(await roles(first.userId)).toEqual([
      { role: 'receptionist', siteId: secondSiteId },
      { role: 'site_admin', siteId: tenant.siteId },
    ]);
    const later = await match(identity('mapped', { roleValues: ['unrelated'] }), { roleMap });
    expect(later).toMatchObject({ ok: true, userId: first.userId, created: false, rolesChanged: true });
    expect(await roles(first.userId)).toEqual([{ role: 'member', siteId: tenant.siteId }]);
  });

  it('leaves roles to Atrium without a role map, and never lets the IdP change the first admin', async () => {
    const without = await match(identity('plain', { roleValues: ['anything'] }));
    if (!without.ok) throw new Error(without.reason);
    expect(await roles(without.userId)).toEqual([{ role: 'member', siteId: tenant.siteId }]);

    const admin = await t.db.withTenant(tenant.tenantId, (tx) =>
      tx.selectFrom('users').select('email').where('id', '=', tenant.adminUserId).executeTakeFirstOrThrow(),
    );
    const adminSignIn = await match(identity('boss', { email: admin.email }), {
      roleMap: { staff: [{ role: 'member', site: null }] },
    });
    expect(adminSignIn).toMatchObject({ ok: true, userId: tenant.adminUserId, linked: true, rolesChanged: false });
    expect(await roles(tenant.adminUserId)).toEqual([{ role: 'tenant_admin', siteId: null }]);
  });

  it('refuses unverified emails, other domains, disabled accounts and unknown people without auto-create', async () => {
    expect(await match(identity('u1', { emailVerified: false }))).toEqual({
      ok: false,
      reason: 'sso_email_unverified',
    });
    expect(await match(identity('u2', { email: undefined }))).toEqual({ ok: false, reason: 'sso_email_unverified' });
    expect(await match(identity('u3'), { allowedDomains: ['example.com'] })).toEqual({
      ok: false,
      reason: 'sso_domain_not_allowed',
    });
    expect(await match(identity('u4'), { autoCreate: false })).toEqual({ ok: false, reason: 'sso_no_account' });
    const disabled = await match(identity('u5'));
    if (!disabled.ok) throw new Error(disabled.reason);
    await t.db.withTenant(tenant.tenantId, (tx) =>
      tx.updateTable('users').set({ status: 'disabled' }).where('id', '=', disabled.userId).execute(),
    );
    expect(await match(identity('u5'))).toMatchObject({ ok: false, reason: 'sso_account_disabled' });
  });

  it('finds the tenant by a known email, else the first tenant', async () => {
    expect(await tenantForSignIn(t.db, 'mapped@example.test')).toBe(tenant.tenantId);
    const other = await seedTenant(t.db, 'other');
    expect(await tenantForSignIn(t.db, undefined)).toBe(tenant.tenantId);
    const [otherAdmin] = await t.db.withTenant(other.tenantId, (tx) =>
      tx.selectFrom('users').select('email').where('id', '=', other.adminUserId).execute(),
    );
    expect(await tenantForSignIn(t.db, otherAdmin!.email)).toBe(other.tenantId);
  });

  it('OIDC_PASSWORD_LOGIN: all lets everyone in, admins only admins, off only the first admin', async () => {
    const ids = await t.db.withTenant(tenant.tenantId, async (tx) => ({
      host: await insertUser(tx, tenant.tenantId, {
        email: 'host-pw@example.test',
        name: 'Host',
        passwordHash: 'x',
        roles: [{ role: 'member', siteId: tenant.siteId }],
      }),
      siteAdmin: await insertUser(tx, tenant.tenantId, {
        email: 'site-admin-pw@example.test',
        name: 'Site admin',
        passwordHash: 'x',
        roles: [{ role: 'site_admin', siteId: tenant.siteId }],
      }),
    }));
    const may = (policy: OidcSettings['passwordLogin'], userId: string) =>
      t.db.withTenant(tenant.tenantId, (tx) => mayUsePassword(tx, policy, userId));
    expect([await may('all', ids.host), await may('admins', ids.host), await may('off', ids.host)]).toEqual([
      true,
      false,
      false,
    ]);
    expect([await may('admins', ids.siteAdmin), await may('off', ids.siteAdmin)]).toEqual([true, false]);
    expect(await may('off', tenant.adminUserId)).toBe(true);
  });
});
