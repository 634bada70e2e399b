import type { TokenPair, User } from '@atrium/protocol';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../../test/actors';
import { testClock } from '../../../test/clock';
import { testBackend } from '../../../test/db';
import { startTestServer, type TestServer } from '../../../test/http';
import { errorOf, jsonOf } from '../../../test/json';
import { type ActorName, addUser, seedTwoSites, type TwoSites } from '../../../test/two-sites';
import { hashPassword } from '../../tenancy/passwords';

const clock = testClock();
let s: TestServer;
let w: TwoSites;

beforeAll(async () => {
  s = await startTestServer({ now: clock.now });
  w = await seedTwoSites(s);
});
afterAll(() => s?.stop());

const TARGETS = ['memberS1', 'memberS1AdminS2', 'receptionistS2', 'memberS1S2', 'tenantAdmin'] as const;
type Target = (typeof TARGETS)[number];
const ADMINS = ['tenantAdmin', 'adminS1', 'adminS1S2', 'memberS1AdminS2', 'receptionistS1'] as const;

/** Whom each actor may manage: only users whose every role lies on sites the actor administers. */
const MANAGEABLE: Record<(typeof ADMINS)[number], readonly Target[]> = {
  tenantAdmin: TARGETS,
  adminS1: ['memberS1'],
  adminS1S2: ['memberS1', 'memberS1AdminS2', 'receptionistS2', 'memberS1S2'],
  memberS1AdminS2: ['receptionistS2'],
  receptionistS1: [],
};
/** Where each actor may grant roles. */
const GRANTABLE: Record<(typeof ADMINS)[number], { s1: boolean; s2: boolean; tenant: boolean }> = {
  tenantAdmin: { s1: true, s2: true, tenant: true },
  adminS1: { s1: true, s2: false, tenant: false },
  adminS1S2: { s1: true, s2: true, tenant: false },
  memberS1AdminS2: { s1: false, s2: true, tenant: false },
  receptionistS1: { s1: false, s2: false, tenant: false },
};
const isAdmin = (actor: ActorName) => actor !== 'receptionistS1';
const site = (actor: (typeof ADMINS)[number]) => (GRANTABLE[actor].s1 ? w.s1 : w.s2);

async function stateOf(id: string) {
  return s.db.withTenant(w.tenantId, (tx) =>
    tx
      .selectFrom('users as u')
      .innerJoin('credentials as c', 'c.user_id', 'u.id')
      .select((eb) => [
        'u.name',
        'u.status',
        'c.password_hash',
        eb
          .selectFrom('user_site_roles as r')
          // "role:site" pairs in one string (string_agg with its own ORDER BY; no builder for the concatenation).
          .select(
            sql<string>`string_agg(r.role || ':' || coalesce(r.site_id::text, '*'), ',' ORDER BY r.role, r.site_id)`.as(
              'roles',
            ),
          )
          .whereRef('r.user_id', '=', 'u.id')
          .as('roles'),
      ])
      .where('u.id', '=', id)
      .executeTakeFirstOrThrow(),
  );
}

describe(`user management × two sites on ${testBackend()}`, () => {
  for (const actor of ADMINS) {
    it(`${actor}: lists, renames, disables, re-roles and resets exactly the users whose every role it administers`, async () => {
      const as = api(s, w.tokens[actor]);
      for (const target of TARGETS) {
        const id = await addUser(s.db, w.tenantId, w.rolesOf(target), target);
        const allowed = MANAGEABLE[actor].includes(target);
        const expected = !isAdmin(actor) ? 403 : allowed ? 200 : 404;
        const label = `${actor} → ${target}`;

        const list = await as.get('/users');
        expect(list.status, label).toBe(isAdmin(actor) ? 200 : 403);
        if (list.status === 200) {
          const ids = (await jsonOf<User[]>(list)).map((u) => u.id);
          expect(ids.includes(id), `${label}: listed`).toBe(allowed);
        }
        const before = await stateOf(id);
        // A password from someone else is never set: 400 naming it, pointing to the reset.
        const password = await as.patch(`/users/${id}`, { password: 'admin knows this one' });
        expect(password.status, `${label}: password`).toBe(isAdmin(actor) ? 400 : 403);
        if (password.status === 400) {
          const error = await errorOf(password);
          expect(error.details?.field).toBe('password');
          expect(error.message).toContain('password-reset');
        }
        expect((await stateOf(id)).password_hash).toBe(before.password_hash);

        expect((await as.patch(`/users/${id}`, { name: 'Renamed' })).status, `${label}: name`).toBe(expected);
        expect(
          (await as.patch(`/users/${id}`, { roles: [{ role: 'receptionist', siteId: site(actor) }] })).status,
          `${label}: roles`,
        ).toBe(expected);
        expect((await as.patch(`/users/${id}`, { status: 'disabled' })).status, `${label}: status`).toBe(expected);
        const reset = await as.post(`/users/${id}/password-reset`);
        expect(reset.status, `${label}: reset`).toBe(expected);

        const after = await stateOf(id);
        if (expected === 200) {
          expect(after).toMatchObject({ name: 'Renamed', status: 'disabled', roles: `receptionist:${site(actor)}` });
          expect(after.password_hash).not.toBe(before.password_hash);
        } else {
          expect(after, `${label}: untouched`).toEqual(before);
        }
        const deleted = await as.delete(`/users/${id}`);
        expect(deleted.status, `${label}: delete`).toBe(expected === 200 ? 204 : expected);
        const gone = await s.db.withTenant(w.tenantId, (tx) =>
          tx.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst(),
        );
        expect(gone === undefined, `${label}: deleted`).toBe(expected === 200);
      }
    });

    it(`${actor}: creates users only with roles on sites it administers`, async () => {
      const as = api(s, w.tokens[actor]);
      const create = (roles: unknown) =>
        as.post('/users', {
          email: `new-${crypto.randomUUID()}@example.test`,
          name: 'New',
          password: 'initial password 1',
          roles,
        });
      const g = GRANTABLE[actor];
      const status = (ok: boolean) => (!isAdmin(actor) ? 403 : ok ? 201 : 403);
      expect((await create([{ role: 'member', siteId: w.s1 }])).status, 'S1').toBe(status(g.s1));
      expect((await create([{ role: 'member', siteId: w.s2 }])).status, 'S2').toBe(status(g.s2));
      expect(
        (
          await create([
            { role: 'member', siteId: w.s1 },
            { role: 'member', siteId: w.s2 },
          ])
        ).status,
        'S1+S2',
      ).toBe(status(g.s1 && g.s2));
      expect((await create([{ role: 'tenant_admin', siteId: null }])).status, 'tenant').toBe(status(g.tenant));
      // A site role for every site is a tenant-wide grant: site admins name a site.
      expect((await create([{ role: 'member', siteId: null }])).status, 'all sites').toBe(
        !isAdmin(actor) ? 403 : g.tenant ? 201 : 400,
      );
    });
  }

  it('refuses the takeover: an admin of S1 cannot reset, re-role or disable the admin of S2 who is a member on S1', async () => {
    const victimPassword = 'victim password 12';
    const victim = await addUser(
      s.db,
      w.tenantId,
      w.rolesOf('memberS1AdminS2'),
      'victim',
      await hashPassword(victimPassword),
    );
    const row = await s.db.withTenant(w.tenantId, (tx) =>
      tx.selectFrom('users').select('email').where('id', '=', victim).executeTakeFirstOrThrow(),
    );
    const attacker = api(s, w.tokens.adminS1);
    expect((await attacker.patch(`/users/${victim}`, { password: 'attacker knows 123' })).status).toBe(400);
    expect((await attacker.post(`/users/${victim}/password-reset`)).status).toBe(404);
    expect((await attacker.patch(`/users/${victim}`, { roles: [{ role: 'member', siteId: w.s1 }] })).status).toBe(404);
    expect((await attacker.patch(`/users/${victim}`, { status: 'disabled' })).status).toBe(404);
    clock.advance(61_000);
    expect((await api(s).post('/auth/login', { email: row.email, password: 'attacker knows 123' })).status).toBe(401);
    const login = await jsonOf<TokenPair>(
      await api(s).post('/auth/login', { email: row.email, password: victimPassword }),
    );
    expect(login.user.roles).toEqual(
      expect.arrayContaining([
        { role: 'site_admin', siteId: w.s2 },
        { role: 'member', siteId: w.s1 },
      ]),
    );
    expect(login.passwordChangeRequired).toBeUndefined();
  });

  it('reset flow over HTTP: the temporary password opens one session that can only change it; old sessions end', async () => {
    const adminPassword = 'tenant admin password';
    const adminId = await addUser(
      s.db,
      w.tenantId,
      w.rolesOf('tenantAdmin'),
      'boss',
      await hashPassword(adminPassword),
    );
    const emailOf = async (id: string) =>
      (
        await s.db.withTenant(w.tenantId, (tx) =>
          tx.selectFrom('users').select('email').where('id', '=', id).executeTakeFirstOrThrow(),
        )
      ).email;
    const login = async (email: string, password: string) => {
      clock.advance(61_000);
      return api(s).post('/auth/login', { email, password });
    };
    const admin = api(s, (await jsonOf<TokenPair>(await login(await emailOf(adminId), adminPassword))).accessToken);

    // An initial password chosen by an admin must be changed at the first sign-in.
    const email = `hana-${crypto.randomUUID()}@example.test`;
    const created = await jsonOf<User>(
      await admin.post('/users', {
        email,
        name: 'Hana Host',
        password: 'initial password 1',
        roles: [{ role: 'member', siteId: w.s1 }],
      }),
    );
    const first = await login(email, 'initial password 1');
    expect(first.status).toBe(200);
    const firstBody = await jsonOf<TokenPair>(first);
    expect(Object.keys(firstBody).sort()).toEqual([
      'accessToken',
      'expiresIn',
      'passwordChangeRequired',
      'refreshToken',
      'user',
    ]);
    expect(firstBody.passwordChangeRequired).toBe(true);
    const limited = api(s, firstBody.accessToken);
    const refused = await limited.get('/visits');
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).code).toBe('password_change_required');
    expect((await limited.get('/sites')).status).toBe(403);
    expect((await limited.get('/me')).status).toBe(200);
    // The temporary password opened its one session: a second sign-in with it fails.
    expect((await login(email, 'initial password 1')).status).toBe(401);
    const same = await limited.post('/me/password', {
      currentPassword: 'initial password 1',
      newPassword: 'initial password 1',
    });
    expect(same.status).toBe(400);
    expect(
      (await limited.post('/me/password', { currentPassword: 'initial password 1', newPassword: 'hana own password' }))
        .status,
    ).toBe(204);
    const own = await jsonOf<TokenPair>(await login(email, 'hana own password'));
    expect(own.passwordChangeRequired).toBeUndefined();
    expect((await api(s, own.accessToken).get('/visits')).status).toBe(200);

    // The reset: a temporary password shown once; her sessions end; it works for one sign-in only.
    const reset = await admin.post(`/users/${created.id}/password-reset`);
    expect(reset.status).toBe(200);
    expect(reset.headers.get('cache-control')).toBe('no-store');
    const { temporaryPassword } = await jsonOf<{ temporaryPassword: string }>(reset);
    expect(temporaryPassword).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    expect((await api(s).post('/auth/refresh', { refreshToken: own.refreshToken })).status).toBe(401);
    expect((await api(s, own.accessToken).get('/visits')).status).toBe(401);
    expect((await login(email, 'hana own password')).status).toBe(401);
    const temp = await jsonOf<TokenPair>(await login(email, temporaryPassword));
    expect(temp.passwordChangeRequired).toBe(true);
    expect((await login(email, temporaryPassword)).status).toBe(401);
    // Refreshing keeps the session limited.
    const refreshed = await jsonOf<TokenPair>(await api(s).post('/auth/refresh', { refreshToken: temp.refreshToken }));
    expect(refreshed.passwordChangeRequired).toBe(true);
    expect((await api(s, refreshed.accessToken).get('/visits')).status).toBe(403);
    expect(
      (
        await api(s, refreshed.accessToken).post('/me/password', {
          currentPassword: temporaryPassword,
          newPassword: 'hana second password',
        })
      ).status,
    ).toBe(204);
    expect((await login(email, temporaryPassword)).status).toBe(401);
    expect((await api(s, refreshed.accessToken).get('/me')).status).toBe(401);
    const back = await jsonOf<TokenPair>(await login(email, 'hana second password'));
    expect(back.passwordChangeRequired).toBeUndefined();
    expect((await api(s, back.accessToken).get('/visits')).status).toBe(200);
  });

  it('an unused temporary password stops working after 7 days', async () => {
    const admin = api(
      s,
      await s.ctx.tokens.signAccessToken({
        userId: w.userIds.tenantAdmin,
        tenantId: w.tenantId,
        roles: w.rolesOf('tenantAdmin'),
      }),
    );
    const newcomer = async () => {
      const email = `late-${crypto.randomUUID()}@example.test`;
      const user = await jsonOf<User>(
        await admin.post('/users', {
          email,
          name: 'Late Starter',
          password: 'initial password 1',
          roles: [{ role: 'member', siteId: w.s2 }],
        }),
      );
      const reset = await jsonOf<{ temporaryPassword: string }>(await admin.post(`/users/${user.id}/password-reset`));
      return { email, password: reset.temporaryPassword };
    };
    const early = await newcomer();
    const late = await newcomer();
    clock.advance(6 * 24 * 3600_000);
    const signIn = (who: { email: string; password: string }) => api(s).post('/auth/login', who);
    expect((await signIn(early)).status).toBe(200);
    clock.advance(2 * 24 * 3600_000);
    const expired = await signIn(late);
    expect(expired.status).toBe(401);
    expect((await errorOf(expired)).code).toBe('invalid_credentials');
  });
});
