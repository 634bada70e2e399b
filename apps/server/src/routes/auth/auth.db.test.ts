import { Writable } from 'node:stream';
import type { TokenPair } from '@atrium/protocol';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testClock } from '../../../test/clock';
import { testBackend } from '../../../test/db';
import { startTestServer, type TestServer } from '../../../test/http';
import { errorOf, jsonOf } from '../../../test/json';
import { base32Decode, hotp, totpStep } from '../../auth/totp';
import { bootstrap } from '../../bootstrap';

const PASSWORD = 'correct horse battery staple';
const EMAIL = 'admin@example.com';
const clock = testClock();
const logLines: string[] = [];
let s: TestServer;

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  s = await startTestServer({ now: clock.now, logger: pino({ level: 'trace' }, sink) });
  await bootstrap(s.db, { ATRIUM_ADMIN_EMAIL: EMAIL, ATRIUM_ADMIN_PASSWORD: PASSWORD });
});
afterAll(() => s?.stop());

const post = (path: string, body: unknown, token?: string) =>
  fetch(`${s.url}/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
const get = (path: string, token: string) =>
  fetch(`${s.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
// Each test starts with fresh rate limit windows (the longest, failures per account and address, is 15 minutes).
const nextMinute = () => clock.advance(15 * 60_000 + 1000);
const signIn = async (email = EMAIL, password = PASSWORD) =>
  jsonOf<TokenPair>(await post('/auth/login', { email, password }));

describe(`sign-in on ${testBackend()}`, () => {
  it('answers the contract shape and the token opens /me', async () => {
    nextMinute();
    const res = await post('/auth/login', { email: 'Admin@Example.com ', password: PASSWORD });
    expect(res.status).toBe(200);
    const body = await jsonOf<TokenPair>(res);
    expect(Object.keys(body).sort()).toEqual(['accessToken', 'expiresIn', 'refreshToken', 'user']);
    expect(body.expiresIn).toBe(900);
    expect(body.user).toEqual({
      id: expect.any(String),
      email: EMAIL,
      name: 'Administrator',
      roles: [{ role: 'tenant_admin', siteId: null }],
    });
    const header = JSON.parse(Buffer.from(body.accessToken.split('.')[0]!, 'base64url').toString());
    expect(header).toMatchObject({ alg: 'EdDSA', kid: expect.any(String) });
    const claims = JSON.parse(Buffer.from(body.accessToken.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({ token_type: 'user', sub: body.user.id, tid: expect.any(String) });
    expect(claims.exp - claims.iat).toBe(900);
    const me = await get('/me', body.accessToken);
    expect(me.status).toBe(200);
    expect(await jsonOf<{ email: string; mfaEnabled: boolean }>(me)).toMatchObject({ email: EMAIL, mfaEnabled: false });
  });

  it('unknown email and wrong password get the same 401', async () => {
    nextMinute();
    const unknown = await post('/auth/login', { email: 'nobody@example.com', password: PASSWORD });
    const wrong = await post('/auth/login', { email: EMAIL, password: 'not the password' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(await unknown.json()).toEqual(await wrong.json());
    expect((await errorOf(await post('/auth/login', { email: EMAIL, password: 'x' }))).code).toBe(
      'invalid_credentials',
    );
  });

  it('bad bodies are 400 naming the field', async () => {
    nextMinute();
    const res = await post('/auth/login', { email: EMAIL });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).details?.field).toBe('password');
  });

  it('refuses an account from one address after 5 failures in a row, with 429 and Retry-After, until the window ends', async () => {
    nextMinute();
    await signIn(); // a success clears the failures in a row from this address
    for (let i = 0; i < 5; i++)
      expect((await post('/auth/login', { email: EMAIL, password: `wrong-${i}-pass` })).status).toBe(401);
    const refused = await post('/auth/login', { email: EMAIL, password: PASSWORD });
    expect(refused.status).toBe(429);
    expect((await errorOf(refused)).code).toBe('rate_limited');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    nextMinute();
    expect((await post('/auth/login', { email: EMAIL, password: PASSWORD })).status).toBe(200);
  });

  it('limits attempts per address to 10 a minute', async () => {
    nextMinute();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await post('/auth/login', { email: `guess${i}@example.com`, password: 'whatever-pass' })).status);
    }
    expect(statuses.slice(0, 10).every((code) => code === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
  });
});

describe(`refresh tokens on ${testBackend()}`, () => {
  it('rotate on every use; reusing a rotated one revokes the family and is audited', async () => {
    nextMinute();
    const first = await signIn();
    const second = await jsonOf<TokenPair>(await post('/auth/refresh', { refreshToken: first.refreshToken }));
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await get('/me', second.accessToken)).status).toBe(200);

    const reuse = await post('/auth/refresh', { refreshToken: first.refreshToken });
    expect(reuse.status).toBe(401);
    expect((await errorOf(reuse)).code).toBe('invalid_token');
    // The thief's copy is dead and so is the legitimate newer token of the same family.
    expect((await post('/auth/refresh', { refreshToken: second.refreshToken })).status).toBe(401);

    const audit = await jsonOf<{ items: Array<{ action: string }> }>(
      await get('/audit?action=auth.refresh_reuse', (await signIn()).accessToken),
    );
    expect(audit.items.length).toBeGreaterThanOrEqual(1);
  });

  it('logout ends the family; garbage tokens are 401, not 500', async () => {
    nextMinute();
    const session = await signIn();
    expect((await post('/auth/logout', { refreshToken: session.refreshToken })).status).toBe(204);
    expect((await post('/auth/refresh', { refreshToken: session.refreshToken })).status).toBe(401);
    for (const junk of ['x', 'a.b', `${'A'.repeat(22)}.${'b'.repeat(43)}`, 'é'.repeat(300)]) {
      expect((await post('/auth/refresh', { refreshToken: junk })).status).toBe(401);
    }
  });

  it('expires after 7 days', async () => {
    nextMinute();
    const session = await signIn();
    clock.advance(7 * 24 * 3600 * 1000 + 1000);
    expect((await post('/auth/refresh', { refreshToken: session.refreshToken })).status).toBe(401);
  });
});

describe(`two-step sign-in (TOTP) on ${testBackend()}`, () => {
  it('enrols, then needs a fresh code; wrong, replayed and late codes are refused; recovery codes work once', async () => {
    nextMinute();
    const session = await signIn();
    const enrol = await post('/me/totp', {}, session.accessToken);
    expect(enrol.status).toBe(201);
    const { secret, otpauthUri, qrSvg } = await jsonOf<{ secret: string; otpauthUri: string; qrSvg: string }>(enrol);
    expect(otpauthUri).toContain(`secret=${secret}`);
    expect(qrSvg).toContain('<svg');
    const code = (offsetSteps = 0) => hotp(base32Decode(secret), totpStep(clock.now()) + offsetSteps);

    expect(
      (await post('/me/totp/confirm', { code: '000000' === code() ? '111111' : '000000' }, session.accessToken)).status,
    ).toBe(400);
    const confirm = await post('/me/totp/confirm', { code: code() }, session.accessToken);
    expect(confirm.status).toBe(200);
    const { recoveryCodes } = await jsonOf<{ recoveryCodes: string[] }>(confirm);
    expect(recoveryCodes).toHaveLength(10);

    clock.advance(30_000); // the confirming code's step is used up; move to the next one
    nextMinute();
    const login = await jsonOf<{ mfaRequired: boolean; mfaToken: string }>(
      await post('/auth/login', { email: EMAIL, password: PASSWORD }),
    );
    expect(login.mfaRequired).toBe(true);
    expect(Object.keys(login).sort()).toEqual(['mfaRequired', 'mfaToken']);
    // The MFA token is not an access token.
    expect((await get('/me', login.mfaToken)).status).toBe(401);

    const wrong = await post('/auth/mfa', { mfaToken: login.mfaToken, code: code(5) });
    expect(wrong.status).toBe(401);
    expect((await errorOf(wrong)).code).toBe('invalid_code');
    const good = await post('/auth/mfa', { mfaToken: login.mfaToken, code: code() });
    expect(good.status).toBe(200);
    expect((await jsonOf<TokenPair>(good)).accessToken).toBeTruthy();
    const replay = await post('/auth/mfa', { mfaToken: login.mfaToken, code: code() });
    expect(replay.status).toBe(401);

    // The token was spent by that sign-in: even a valid recovery code cannot reuse it.
    const reused = await post('/auth/mfa', { mfaToken: login.mfaToken, recoveryCode: recoveryCodes[0] });
    expect([reused.status, (await errorOf(reused)).code]).toEqual([401, 'invalid_token']);
    const second = await jsonOf<{ mfaToken: string }>(await post('/auth/login', { email: EMAIL, password: PASSWORD }));
    const viaRecovery = await post('/auth/mfa', { mfaToken: second.mfaToken, recoveryCode: recoveryCodes[0] });
    expect(viaRecovery.status).toBe(200);
    const again = (await jsonOf<{ mfaToken: string }>(await post('/auth/login', { email: EMAIL, password: PASSWORD })))
      .mfaToken;
    expect((await post('/auth/mfa', { mfaToken: again, recoveryCode: recoveryCodes[0] })).status).toBe(401);

    clock.advance(6 * 60_000);
    const late = await post('/auth/mfa', { mfaToken: login.mfaToken, code: code() });
    expect(late.status).toBe(401);
    expect((await errorOf(late)).code).toBe('invalid_token');

    // Turn it off again for the other tests.
    const fresh = await jsonOf<TokenPair>(
      await post('/auth/mfa', {
        mfaToken: (await jsonOf<{ mfaToken: string }>(await post('/auth/login', { email: EMAIL, password: PASSWORD })))
          .mfaToken,
        recoveryCode: recoveryCodes[1],
      }),
    );
    const off = await fetch(`${s.url}/api/v1/me/totp`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${fresh.accessToken}` },
      body: JSON.stringify({ password: PASSWORD }),
    });
    expect(off.status).toBe(204);
  });
});

describe(`users on ${testBackend()}`, () => {
  it('a tenant admin creates a receptionist who can sign in; bad input names the field', async () => {
    nextMinute();
    const admin = await signIn();
    const [site] = await jsonOf<Array<{ id: string; name: string }>>(await get('/sites', admin.accessToken));
    expect(site!.name).toBe('Main office');
    const create = (body: unknown) => post('/users', body, admin.accessToken);
    const valid = {
      email: 'rita@example.com',
      name: 'Rita Reception',
      password: 'a long enough pw',
      roles: [{ role: 'receptionist', siteId: site!.id }],
    };

    const short = await create({ ...valid, password: 'short' });
    expect(short.status).toBe(400);
    expect((await errorOf(short)).details?.field).toBe('password');
    const badSite = await create({
      ...valid,
      roles: [{ role: 'receptionist', siteId: '00000000-0000-4000-8000-000000000000' }],
    });
    expect(badSite.status).toBe(400);

    const created = await create(valid);
    expect(created.status).toBe(201);
    expect(await jsonOf(created)).toMatchObject({
      email: 'rita@example.com',
      status: 'active',
      roles: [{ role: 'receptionist', siteId: site!.id }],
    });
    expect((await create(valid)).status).toBe(409);

    const rita = await signIn('rita@example.com', 'a long enough pw');
    expect(rita.user.roles).toEqual([{ role: 'receptionist', siteId: site!.id }]);
    expect((await get('/users', rita.accessToken)).status).toBe(403);
    const hash = await s.db.withTenant(admin.user.id && (await s.db.tenantIds())[0]!, (tx) =>
      tx
        .selectFrom('credentials')
        .select('password_hash')
        .where('user_id', '=', rita.user.id)
        .executeTakeFirstOrThrow(),
    );
    expect(hash.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    // Disabling ends her sessions at once.
    const disable = await fetch(`${s.url}/api/v1/users/${rita.user.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.accessToken}` },
      body: JSON.stringify({ status: 'disabled' }),
    });
    expect(disable.status).toBe(200);
    expect((await post('/auth/refresh', { refreshToken: rita.refreshToken })).status).toBe(401);
    expect((await post('/auth/login', { email: 'rita@example.com', password: 'a long enough pw' })).status).toBe(401);
  });
});

describe('logs', () => {
  it('never contain a password, a token or a TOTP secret', () => {
    const text = logLines.join('');
    expect(text.length).toBeGreaterThan(1000);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('a long enough pw');
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
    expect(text).not.toMatch(/"secret"/);
    expect(text).not.toMatch(/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}/);
  });
});
