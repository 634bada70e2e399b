import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testClock } from '../../test/clock';
import { freshDatabase, type TestDatabase, testBackend } from '../../test/db';
import { seedTenant } from '../../test/fixtures';
import { addUser } from '../../test/two-sites';
import { SecretBox } from '../crypto/secret-box';
import type { Tx } from '../db';
import { RateLimits } from '../http/rate-limit';
import { hashPassword } from '../tenancy/passwords';
import type { CreatedTenant } from '../tenancy/tenants';
import { KeyRing } from './keys';
import { completeMfa, hashRecoveryCode, login, type SignInDeps } from './sign-in';
import { TokenService } from './tokens';
import { base32Decode, generateTotpSecret, hotp, totpStep } from './totp';

const PASSWORD = 'a long and right passphrase';
const clock = testClock();
let t: TestDatabase;
let deps: SignInDeps & { box: SecretBox };
let tenant: CreatedTenant;
let passwordHash: string;

beforeAll(async () => {
  t = await freshDatabase();
  const box = new SecretBox(randomBytes(32));
  const keys = await KeyRing.open(t.db, box, clock.now);
  deps = {
    db: t.db,
    box,
    tokens: new TokenService(keys, clock.now),
    limits: new RateLimits(t.db, clock.now),
    logger: pino({ level: 'silent' }),
    now: clock.now,
  };
  tenant = await seedTenant(t.db, 'sign-in');
  passwordHash = await hashPassword(PASSWORD);
});
afterAll(() => t?.close());

/** A user who signs in with PASSWORD, and their email. */
async function user(label: string): Promise<{ userId: string; email: string }> {
  const userId = await addUser(t.db, tenant.tenantId, [{ role: 'member', siteId: tenant.siteId }], label, passwordHash);
  const row = await t.db.withTenant(tenant.tenantId, (tx) =>
    tx.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirstOrThrow(),
  );
  return { userId, email: row.email };
}
const inTenant = (fn: (tx: Tx) => Promise<unknown>) => t.db.withTenant(tenant.tenantId, fn);
const loginAudit = (userId: string) =>
  t.db.withTenant(tenant.tenantId, (tx) =>
    tx
      .selectFrom('audit_events')
      .select(['action', 'outcome', sql<string>`host(ip)`.as('ip'), 'details'])
      .where('actor_id', '=', userId)
      .where('action', 'in', ['auth.login', 'auth.mfa'])
      .orderBy('id')
      .execute(),
  );
const refused = { status: 401, code: 'invalid_credentials' };

describe(`sign-in on ${testBackend()}`, () => {
  it('opens a session for the right password and refuses a wrong one, a disabled account or an unknown email alike', async () => {
    const ip = { ip: '198.51.100.40' };
    const { userId, email } = await user('Ada');
    await expect(login(deps, email, 'not the passphrase', ip)).rejects.toMatchObject(refused);
    const session = await login(deps, email.toUpperCase(), PASSWORD, ip);
    expect(session).toMatchObject({ user: { id: userId, email } });
    await expect(login(deps, 'nobody@example.test', PASSWORD, ip)).rejects.toMatchObject(refused);
    await inTenant((tx) => tx.updateTable('users').set({ status: 'disabled' }).where('id', '=', userId).execute());
    await expect(login(deps, email, PASSWORD, ip)).rejects.toMatchObject(refused);
    expect(await loginAudit(userId)).toEqual([
      { action: 'auth.login', outcome: 'failure', ip: ip.ip, details: { reason: 'wrong_password' } },
      { action: 'auth.login', outcome: 'success', ip: ip.ip, details: {} },
      { action: 'auth.login', outcome: 'failure', ip: ip.ip, details: { reason: 'disabled' } },
    ]);
  });

  it('lets a temporary password in once', async () => {
    const ip = { ip: '198.51.100.41' };
    const { userId, email } = await user('Temp');
    await inTenant((tx) =>
      tx.updateTable('credentials').set({ must_change_password: true }).where('user_id', '=', userId).execute(),
    );
    expect(await login(deps, email, PASSWORD, ip)).toMatchObject({ passwordChangeRequired: true });
    await expect(login(deps, email, PASSWORD, ip)).rejects.toMatchObject(refused);
    expect((await loginAudit(userId)).map((row) => row.details)).toEqual([{}, { reason: 'temporary_password_spent' }]);
  });

  it('asks for the second step when TOTP is on: a current code once, a recovery code once, each token once', async () => {
    const ip = { ip: '198.51.100.42' };
    const { userId, email } = await user('Totp');
    const secret = generateTotpSecret();
    await inTenant(async (tx) => {
      await tx
        .updateTable('credentials')
        .set({ totp_secret: deps.box.seal(secret, `totp:${userId}`), totp_confirmed_at: sql`now()` })
        .where('user_id', '=', userId)
        .execute();
      await tx
        .insertInto('recovery_codes')
        .values({ tenant_id: tenant.tenantId, user_id: userId, code_hash: hashRecoveryCode('abcde-12345') })
        .execute();
    });
    const mfaToken = async () => {
      const step = await login(deps, email, PASSWORD, ip);
      if (!('mfaRequired' in step)) throw new Error('no second step');
      return step.mfaToken;
    };
    const [code, next] = [0, 1].map((o) => hotp(base32Decode(secret), totpStep(clock.now()) + o));

    const first = await mfaToken();
    expect((await completeMfa(deps, { mfaToken: first, code }, ip)).user.id).toBe(userId);
    const reused = completeMfa(deps, { mfaToken: first, code: next! }, ip);
    await expect(reused).rejects.toMatchObject({ status: 401, code: 'invalid_token' });
    const replayed = completeMfa(deps, { mfaToken: await mfaToken(), code }, ip);
    await expect(replayed).rejects.toMatchObject({ status: 401, code: 'invalid_code' });

    const recovery = { mfaToken: await mfaToken(), recoveryCode: 'ABCDE 12345' };
    expect((await completeMfa(deps, recovery, ip)).user.id).toBe(userId);
    const again = completeMfa(deps, { mfaToken: await mfaToken(), recoveryCode: 'abcde-12345' }, ip);
    await expect(again).rejects.toMatchObject({ code: 'invalid_code' });

    const mfa = (await loginAudit(userId)).filter((row) => row.action === 'auth.mfa').map((row) => row.details);
    expect(mfa).toEqual([
      { method: 'totp' },
      { reason: 'token_reused' },
      { reason: 'replayed_code' },
      { method: 'recovery_code' },
      { reason: 'wrong_recovery_code' },
    ]);
  });
});
