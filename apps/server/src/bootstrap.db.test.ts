import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase, testBackend } from '../test/db';
import { bootstrap, generatePassword, serverTimeZone } from './bootstrap';
import { verifyPassword } from './tenancy/passwords';

let t: TestDatabase;
beforeEach(async () => {
  t = await freshDatabase();
});
afterEach(() => t.close());

describe(`first start on ${testBackend()}`, () => {
  it('creates one tenant, the site "Main office" and a tenant admin, once', async () => {
    const first = await bootstrap(t.db, { ATRIUM_ADMIN_EMAIL: 'admin@localhost', ATRIUM_ADMIN_PASSWORD: undefined });
    expect(first.created).toBe(true);
    if (!first.created) return;
    expect(first.generatedPassword).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{20}$/);

    const second = await bootstrap(t.db, { ATRIUM_ADMIN_EMAIL: 'admin@localhost', ATRIUM_ADMIN_PASSWORD: undefined });
    expect(second).toEqual({ created: false, email: 'admin@localhost' });

    const rows = await t.db.withTenant(first.tenantId, async (tx) => ({
      sites: await tx.selectFrom('sites').select(['name', 'timezone']).execute(),
      users: await tx
        .selectFrom('users as u')
        .innerJoin('user_site_roles as r', 'r.user_id', 'u.id')
        .select(['u.email', 'r.role', 'r.site_id'])
        .execute(),
      hash: await tx.selectFrom('credentials').select('password_hash').execute(),
    }));
    // The test processes run with TZ=UTC (vitest.config.ts), like a server in a UTC container.
    expect(serverTimeZone()).toBe('UTC');
    expect(rows.sites).toEqual([{ name: 'Main office', timezone: 'UTC' }]);
    expect(rows.users).toEqual([{ email: 'admin@localhost', role: 'tenant_admin', site_id: null }]);
    const hash = rows.hash[0]!.password_hash;
    // argon2id with at least 19 MiB, 2 passes, 1 lane, read back from the stored hash.
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, first.generatedPassword!)).toBe(true);
    expect(await verifyPassword(hash, 'wrong password')).toBe(false);
  });

  it('uses ATRIUM_ADMIN_PASSWORD when given and prints none', async () => {
    const result = await bootstrap(t.db, {
      ATRIUM_ADMIN_EMAIL: 'boss@example.com',
      ATRIUM_ADMIN_PASSWORD: 'correct horse battery',
    });
    expect(result.created).toBe(true);
    expect(result).not.toHaveProperty('generatedPassword');
  });

  it('two replicas bootstrapping at once create exactly one tenant', async () => {
    const config = { ATRIUM_ADMIN_EMAIL: 'admin@localhost', ATRIUM_ADMIN_PASSWORD: 'correct horse battery' };
    const results = await Promise.all([bootstrap(t.db, config), bootstrap(t.db, config), bootstrap(t.db, config)]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const count = await t.db.asOwner((tx) =>
      tx
        .selectFrom('tenants')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    );
    expect(count.n).toBe(1);
  });

  it('puts the first site in the server’s time zone, so a Berlin office is not off by an hour', async () => {
    const first = await bootstrap(
      t.db,
      { ATRIUM_ADMIN_EMAIL: 'tz@example.com', ATRIUM_ADMIN_PASSWORD: undefined },
      'Europe/Berlin',
    );
    if (!first.created) throw new Error('not created');
    const sites = await t.db.withTenant(first.tenantId, (tx) => tx.selectFrom('sites').select('timezone').execute());
    expect(sites).toEqual([{ timezone: 'Europe/Berlin' }]);
  });
});

it('generated passwords are long and differ', () => {
  const seen = new Set(Array.from({ length: 50 }, () => generatePassword()));
  expect(seen.size).toBe(50);
});
