import { randomBytes } from 'node:crypto';
import type { TokenPair } from '@atrium/protocol';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testClock } from '../../test/clock';
import { freshDatabase, type TestDatabase, testBackend } from '../../test/db';
import { seedTenant } from '../../test/fixtures';
import { addUser } from '../../test/two-sites';
import { SecretBox } from '../crypto/secret-box';
import type { CreatedTenant } from '../tenancy/tenants';
import { KeyRing } from './keys';
import { issueSession, logout, refresh, revokeAllSessions, type SessionDeps } from './sessions';
import { TokenService } from './tokens';

const IP = '203.0.113.30';
const clock = testClock();
let t: TestDatabase;
let deps: SessionDeps;
let tenant: CreatedTenant;

beforeAll(async () => {
  t = await freshDatabase();
  const keys = await KeyRing.open(t.db, new SecretBox(randomBytes(32)), clock.now);
  deps = { db: t.db, tokens: new TokenService(keys, clock.now), now: clock.now };
  tenant = await seedTenant(t.db, 'sessions');
});
afterAll(() => t?.close());

/** A fresh sign-in of the user, as login and the TOTP step open it. */
const signIn = (userId: string): Promise<TokenPair> =>
  t.db.withTenant(tenant.tenantId, (tx) => issueSession(deps, tx, tenant.tenantId, userId, null));
const member = () => addUser(t.db, tenant.tenantId, [{ role: 'member', siteId: tenant.siteId }], 'member');
const auditOf = (action: string) =>
  t.db.withTenant(tenant.tenantId, (tx) =>
    tx
      .selectFrom('audit_events')
      .select(['actor_id', 'outcome', sql<string>`host(ip)`.as('ip')])
      .where('action', '=', action)
      .orderBy('id')
      .execute(),
  );
const ended = { status: 401, code: 'invalid_token' };

describe(`sessions on ${testBackend()}`, () => {
  it("opens a session whose access token carries the user's roles", async () => {
    const userId = await member();
    const session = await signIn(userId);
    expect(session).toMatchObject({ expiresIn: 900, user: { id: userId, name: 'member' } });
    expect(await deps.tokens.verifyBearer(session.accessToken)).toMatchObject({
      type: 'user',
      userId,
      tenantId: tenant.tenantId,
      roles: [{ role: 'member', siteId: tenant.siteId }],
      passwordChangeRequired: false,
    });
  });

  it('rotates the refresh token on each use; a rotated one coming back ends the whole sign-in', async () => {
    const userId = await member();
    const first = await signIn(userId);
    const second = await refresh(deps, first.refreshToken, { ip: IP });
    expect(second.refreshToken).not.toBe(first.refreshToken);
    await expect(refresh(deps, first.refreshToken, { ip: IP })).rejects.toMatchObject(ended);
    await expect(refresh(deps, second.refreshToken, { ip: IP })).rejects.toMatchObject(ended);
    expect(await auditOf('auth.refresh_reuse')).toEqual([{ actor_id: userId, outcome: 'denied', ip: IP }]);
  });

  it('logs out one sign-in and leaves the others; a token that is not one changes nothing', async () => {
    const userId = await member();
    const [laptop, phone] = [await signIn(userId), await signIn(userId)];
    await logout(deps, laptop.refreshToken, { ip: IP });
    await logout(deps, 'not-a-refresh-token', { ip: IP });
    await expect(refresh(deps, laptop.refreshToken, { ip: IP })).rejects.toMatchObject(ended);
    expect((await refresh(deps, phone.refreshToken, { ip: IP })).user.id).toBe(userId);
    expect(await auditOf('auth.logout')).toEqual([{ actor_id: userId, outcome: 'success', ip: IP }]);
  });

  it('ends every sign-in of a user at once, and later access tokens carry the new session version', async () => {
    const userId = await member();
    const sessions = [await signIn(userId), await signIn(userId)];
    await t.db.withTenant(tenant.tenantId, (tx) => revokeAllSessions(tx, userId));
    for (const session of sessions) {
      await expect(refresh(deps, session.refreshToken, { ip: IP })).rejects.toMatchObject(ended);
    }
    const after = await deps.tokens.verifyBearer((await signIn(userId)).accessToken);
    expect(after).toMatchObject({ type: 'user', sessionVersion: 1 });
  });

  it('a temporary password opens one sign-in, which refreshes but can still only choose a new password', async () => {
    const userId = await member();
    await t.db.withTenant(tenant.tenantId, (tx) =>
      tx.updateTable('credentials').set({ must_change_password: true }).where('user_id', '=', userId).execute(),
    );
    const session = await signIn(userId);
    expect(session.passwordChangeRequired).toBe(true);
    await expect(signIn(userId)).rejects.toMatchObject({ status: 401, code: 'invalid_credentials' });
    const refreshed = await refresh(deps, session.refreshToken, { ip: IP });
    expect(await deps.tokens.verifyBearer(refreshed.accessToken)).toMatchObject({ passwordChangeRequired: true });
  });

  it('a refresh token lasts 7 days', async () => {
    const session = await signIn(await member());
    clock.advance(7 * 24 * 3600_000 + 1000);
    await expect(refresh(deps, session.refreshToken, { ip: IP })).rejects.toMatchObject(ended);
  });
});
