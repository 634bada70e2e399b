import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase, testBackend } from '../../test/db';
import { seedTenant } from '../../test/fixtures';
import type { CreatedTenant } from './tenants';
import {
  createUser,
  deleteUser,
  listManageableUsers,
  resetPassword,
  type UserAdmin,
  type UserAdminDeps,
  updateUser,
} from './user-admin';

let t: TestDatabase;
let tenant: CreatedTenant;
let admin: UserAdmin;
let deps: UserAdminDeps;
const forgotten: string[] = [];
let wakes = 0;

beforeAll(async () => {
  t = await freshDatabase();
  tenant = await seedTenant(t.db, 'users');
  admin = {
    userId: tenant.adminUserId,
    tenantId: tenant.tenantId,
    scope: { kind: 'tenant' },
    ip: null,
    now: new Date(),
  };
  deps = {
    db: t.db,
    access: { forget: (_tenantId, userId) => void forgotten.push(userId) },
    events: {
      wake: async () => {
        wakes += 1;
      },
    },
  };
});
afterAll(() => t?.close());

describe(`the user admin services on ${testBackend()}`, () => {
  it('creates a user with roles, lists them by scope, and refuses a second account on the same email', async () => {
    const input = { email: 'Host@Example.org', name: 'Host', passwordHash: 'x', roles: [] };
    const roles = [{ role: 'receptionist' as const, siteId: tenant.siteId }];
    const user = await createUser(deps, admin, { ...input, roles });
    expect(user).toMatchObject({ email: 'host@example.org', status: 'active', mfaEnabled: false, roles });

    const siteAdmin: UserAdmin = { ...admin, scope: { kind: 'sites', siteIds: new Set([tenant.siteId]) } };
    expect((await listManageableUsers(deps, siteAdmin)).map((u) => u.id)).toEqual([user.id]);
    await expect(createUser(deps, admin, { ...input, roles })).rejects.toMatchObject({ code: 'email_taken' });
  });

  it('tells this replica and the others once a change to someone’s access has committed', async () => {
    const user = await createUser(deps, admin, { email: 'b@example.org', name: 'B', passwordHash: 'x', roles: [] });
    const before = wakes;
    expect(await updateUser(deps, admin, user.id, { status: 'disabled' })).toMatchObject({ status: 'disabled' });
    await resetPassword(deps, admin, user.id, 'y');
    expect(forgotten.slice(-2)).toEqual([user.id, user.id]);
    expect(wakes).toBe(before + 2);
    await expect(updateUser(deps, admin, admin.userId, { status: 'disabled' })).rejects.toMatchObject({
      code: 'cannot_change_self',
    });
  });

  it('edits the email, and points a second account on a disabled user’s email at re-enabling it', async () => {
    const user = await createUser(deps, admin, { email: 'c@example.org', name: 'C', passwordHash: 'x', roles: [] });
    const renamed = await updateUser(deps, admin, user.id, { name: 'Cee', email: 'Cee@Example.org' });
    expect(renamed).toMatchObject({ name: 'Cee', email: 'cee@example.org' });
    await updateUser(deps, admin, user.id, { status: 'disabled' });
    const again = { email: 'cee@example.org', name: 'Cee', passwordHash: 'x', roles: [] };
    await expect(createUser(deps, admin, again)).rejects.toMatchObject({
      code: 'email_taken',
      message: expect.stringContaining('re-enable'),
      details: { status: 'disabled' },
    });
    expect(await updateUser(deps, admin, user.id, { status: 'active' })).toMatchObject({ status: 'active' });
  });

  it('deletes a user but keeps the audit trail by id; never the last tenant admin or oneself', async () => {
    const user = await createUser(deps, admin, { email: 'd@example.org', name: 'Dee', passwordHash: 'x', roles: [] });
    await deleteUser(deps, admin, user.id);
    expect((await listManageableUsers(deps, admin)).map((u) => u.id)).not.toContain(user.id);
    const trail = await t.db.withTenant(tenant.tenantId, (tx) =>
      tx.selectFrom('audit_events').select(['action', 'details']).where('target_id', '=', user.id).execute(),
    );
    expect(trail.map((e) => e.action).sort()).toEqual(['user.created', 'user.deleted']);
    expect(JSON.stringify(trail)).not.toContain('Dee');
    await expect(deleteUser(deps, admin, user.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(deleteUser(deps, admin, admin.userId)).rejects.toMatchObject({ code: 'cannot_change_self' });

    // Someone acting with tenant scope who is not themselves an admin cannot remove the only one.
    const helper = await createUser(deps, admin, { email: 'e@example.org', name: 'E', passwordHash: 'x', roles: [] });
    await expect(deleteUser(deps, { ...admin, userId: helper.id }, admin.userId)).rejects.toMatchObject({
      code: 'last_tenant_admin',
    });
  });
});
