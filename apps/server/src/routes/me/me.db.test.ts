import type { TokenPair } from '@atrium/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, api, signInAdmin } from '../../../test/actors';
import { testClock } from '../../../test/clock';
import { testBackend } from '../../../test/db';
import { startTestServer, type TestServer } from '../../../test/http';
import { errorOf, jsonOf } from '../../../test/json';
import { seedTwoSites, type TwoSites } from '../../../test/two-sites';
import { base32Decode, hotp, totpStep } from '../../auth/totp';
import { bootstrap } from '../../bootstrap';

const EMAIL = 'me@example.com';
const clock = testClock();
let s: TestServer;
let w: TwoSites;
let session: TokenPair;
beforeAll(async () => {
  s = await startTestServer({ now: clock.now });
  await bootstrap(s.db, { ATRIUM_ADMIN_EMAIL: EMAIL, ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD });
  w = await seedTwoSites(s);
  session = await signInAdmin(s, EMAIL);
});
afterAll(() => s?.stop());

type Me = {
  id: string;
  email: string;
  name: string;
  mfaEnabled: boolean;
  emailOnArrival: boolean;
  emailConfigured: boolean;
  roles: unknown[];
};

describe(`GET /me on ${testBackend()}`, () => {
  it('describes the signed-in user', async () => {
    const me = await jsonOf<Me>(await api(s, session.accessToken).get('/me'));
    expect(me).toEqual({
      id: expect.any(String),
      email: EMAIL,
      name: expect.any(String),
      mfaEnabled: false,
      emailOnArrival: true,
      emailConfigured: false,
      roles: [expect.objectContaining({ role: 'tenant_admin', siteId: null })],
    });
    const member = await jsonOf<Me>(await api(s, w.tokens.memberS1).get('/me'));
    expect(member).toMatchObject({
      id: w.userIds.memberS1,
      roles: [expect.objectContaining({ role: 'member', siteId: w.s1 })],
    });
  });

  it("turns the user's own arrival emails off and on, audited", async () => {
    const member = api(s, w.tokens.memberS1);
    const off = await member.post('/me/notifications', { emailOnArrival: false });
    expect([off.status, await off.json()]).toEqual([200, { emailOnArrival: false }]);
    expect((await jsonOf<Me>(await member.get('/me'))).emailOnArrival).toBe(false);
    const bad = await member.post('/me/notifications', { emailOnArrival: 'no' });
    expect([bad.status, (await errorOf(bad)).details?.field]).toEqual([400, 'emailOnArrival']);
    await member.post('/me/notifications', { emailOnArrival: true });
    expect((await jsonOf<Me>(await member.get('/me'))).emailOnArrival).toBe(true);
  });

  it('needs a token', async () => {
    const res = await api(s).get('/me');
    expect(res.status).toBe(401);
  });
});

describe(`two-step sign-in set-up on ${testBackend()}`, () => {
  it('enrols, confirms with a current code, refuses a second set-up, and turns off with the password', async () => {
    const me = api(s, session.accessToken);
    const confirmFirst = await api(s, w.tokens.memberS1).post('/me/totp/confirm', { code: '123456' });
    expect([confirmFirst.status, (await errorOf(confirmFirst)).code]).toEqual([409, 'mfa_not_started']);

    const enrol = await me.post('/me/totp');
    expect(enrol.status).toBe(201);
    const { secret, otpauthUri, qrSvg } = await jsonOf<{ secret: string; otpauthUri: string; qrSvg: string }>(enrol);
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    expect(otpauthUri).toContain(`secret=${secret}`);
    expect(qrSvg).toContain('<svg');
    const code = (offset = 0) => hotp(base32Decode(secret), totpStep(clock.now()) + offset);

    const wrong = await me.post('/me/totp/confirm', { code: code(10) });
    expect([wrong.status, (await errorOf(wrong)).details?.field]).toEqual([400, 'code']);
    const malformed = await me.post('/me/totp/confirm', { code: 'abc' });
    expect([malformed.status, (await errorOf(malformed)).details?.field]).toEqual([400, 'code']);
    const confirmed = await me.post('/me/totp/confirm', { code: code() });
    expect(confirmed.status).toBe(200);
    const { recoveryCodes } = await jsonOf<{ recoveryCodes: string[] }>(confirmed);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const recovery of recoveryCodes) expect(recovery).toMatch(/^[0-9a-f]{5}-[0-9a-f]{5}$/);
    expect((await jsonOf<Me>(await me.get('/me'))).mfaEnabled).toBe(true);

    const again = await me.post('/me/totp');
    expect([again.status, (await errorOf(again)).code]).toEqual([409, 'mfa_already_enabled']);
    const reconfirm = await me.post('/me/totp/confirm', { code: code() });
    expect([reconfirm.status, (await errorOf(reconfirm)).code]).toEqual([409, 'mfa_already_enabled']);

    const badOff = await me.delete('/me/totp', { password: 'not my password' });
    expect([badOff.status, (await errorOf(badOff)).details?.field]).toEqual([400, 'password']);
    expect((await jsonOf<Me>(await me.get('/me'))).mfaEnabled).toBe(true);
    expect((await me.delete('/me/totp', { password: ADMIN_PASSWORD })).status).toBe(204);
    expect((await jsonOf<Me>(await me.get('/me'))).mfaEnabled).toBe(false);
  });
});

describe(`POST /me/password on ${testBackend()}`, () => {
  it('refuses a wrong current password, the same password and a weak one, naming the field', async () => {
    const me = api(s, session.accessToken);
    const cases: Array<[unknown, string]> = [
      [{ currentPassword: 'not my password', newPassword: 'a brand new passphrase 42' }, 'currentPassword'],
      [{ currentPassword: ADMIN_PASSWORD, newPassword: ADMIN_PASSWORD }, 'newPassword'],
      [{ currentPassword: ADMIN_PASSWORD, newPassword: 'password' }, 'newPassword'],
      [{ currentPassword: ADMIN_PASSWORD }, 'newPassword'],
    ];
    for (const [body, field] of cases) {
      const res = await me.post('/me/password', body);
      expect([res.status, (await errorOf(res)).details?.field]).toEqual([400, field]);
    }
    expect((await me.get('/me')).status).toBe(200);
  });

  it('changes the password: 204, every session of the user ends, the new password signs in', async () => {
    const NEW = 'a brand new passphrase 42';
    const res = await api(s, session.accessToken).post('/me/password', {
      currentPassword: ADMIN_PASSWORD,
      newPassword: NEW,
    });
    expect(res.status).toBe(204);
    expect((await api(s, session.accessToken).get('/me')).status).toBe(401);
    expect((await api(s).post('/auth/refresh', { refreshToken: session.refreshToken })).status).toBe(401);
    expect((await api(s).post('/auth/login', { email: EMAIL, password: ADMIN_PASSWORD })).status).toBe(401);
    const fresh = await api(s).post('/auth/login', { email: EMAIL, password: NEW });
    expect(fresh.status).toBe(200);
    expect((await jsonOf<TokenPair>(fresh)).accessToken).toBeTruthy();
  });
});
