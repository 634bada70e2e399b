import type { SsoInfo, TokenPair, User } from '@atrium/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../../test/actors';
import { testBackend } from '../../../test/db';
import { startTestServer, type TestServer } from '../../../test/http';
import { errorOf, jsonOf } from '../../../test/json';
import { startTestIdp, type TestIdp } from '../../../test/oidc-provider';
import { freePort } from '../../../test/process';
import { fragmentOf, SsoBrowser } from '../../../test/sso-browser';
import { bootstrap } from '../../bootstrap';

const ADMIN = 'admin@example.com';
const ADMIN_PASSWORD = 'correct horse battery staple';
let idp: TestIdp;
let s: TestServer;
let strict: TestServer;
let siteId: string;
let adminToken: string;

async function discovered(server: TestServer) {
  for (let i = 0; i < 200 && !server.ctx.oidc?.configuration; i++) await new Promise((r) => setTimeout(r, 25));
  if (!server.ctx.oidc?.configuration) throw new Error('the IdP was never discovered');
}

beforeAll(async () => {
  const [main, noAutoCreate] = [await freePort(), await freePort()];
  const callback = (port: number) => `http://127.0.0.1:${port}/api/v1/auth/oidc/callback`;
  idp = await startTestIdp({ redirectUris: [callback(main), callback(noAutoCreate)] });
  const publicUrl = (port: number) => `http://127.0.0.1:${port}`;
  s = await startTestServer({
    port: main,
    config: {
      PUBLIC_URL: publicUrl(main),
      oidc: idp.settings(publicUrl(main), {
        allowedDomains: ['example.com'],
        roleMap: {
          'atrium-lobby': [{ role: 'receptionist', site: 'Main office' }],
          'atrium-admins': [{ role: 'tenant_admin', site: null }],
        },
        passwordLogin: 'admins',
      }),
    },
  });
  strict = await startTestServer({
    port: noAutoCreate,
    config: { PUBLIC_URL: publicUrl(noAutoCreate), oidc: idp.settings(publicUrl(noAutoCreate), { autoCreate: false }) },
  });
  const boot = await bootstrap(s.db, { ATRIUM_ADMIN_EMAIL: ADMIN, ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD });
  await bootstrap(strict.db, { ATRIUM_ADMIN_EMAIL: ADMIN, ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD });
  if (!boot.created) throw new Error('bootstrap did not run');
  siteId = boot.siteId;
  adminToken = (await jsonOf<TokenPair>(await api(s).post('/auth/login', { email: ADMIN, password: ADMIN_PASSWORD })))
    .accessToken;
  await Promise.all([discovered(s), discovered(strict)]);
});
afterAll(async () => {
  await s?.stop();
  await strict?.stop();
  await idp?.stop();
});

const callbackOf = (server: TestServer) => `${server.url}/api/v1/auth/oidc/callback`;

/** The whole journey up to the redirect back to the admin app; returns that redirect's fragment. */
async function signIn(
  login: string,
  options: { server?: TestServer; alterAuthorize?: (url: URL) => URL; alterCallback?: (url: URL) => URL } = {},
) {
  const server = options.server ?? s;
  const browser = new SsoBrowser();
  const callback = await browser.signInAtIdp(`${server.url}/api/v1/auth/oidc/start`, login, {
    callbackPrefix: callbackOf(server),
    ...(options.alterAuthorize ? { alterAuthorize: options.alterAuthorize } : {}),
  });
  const back = await browser.request(options.alterCallback ? options.alterCallback(callback) : callback);
  expect(back.res.status).toBe(302);
  return { fragment: fragmentOf(back.location), browser, callback };
}

async function exchange(code: string, server = s) {
  return api(server).post('/auth/oidc/exchange', { code });
}

async function lastLoginAudit(server: TestServer, outcome: string) {
  return server.db.asOwner((tx) =>
    tx
      .selectFrom('audit_events')
      .select(['details', 'actor_id'])
      .where('action', '=', 'auth.login')
      .where('outcome', '=', outcome)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst(),
  );
}

describe(`single sign-on against a real OpenID Provider on ${testBackend()}`, () => {
  it('tells the sign-in page that single sign-on is on', async () => {
    expect(await jsonOf<SsoInfo>(await api(s).get('/auth/oidc'))).toEqual({ enabled: true, passwordLogin: 'admins' });
  });

  it('signs a new receptionist in with the role from the groups claim and the usual token pair', async () => {
    idp.accounts.set('rita', { email: 'rita@example.com', name: 'Rita Receptionist', groups: ['atrium-lobby'] });
    const { fragment, browser } = await signIn('rita');
    expect(fragment.sso_code).toBeTruthy();
    expect(browser.cookie(new URL(s.url).host, 'atrium_oidc')).toBeUndefined();
    const res = await exchange(fragment.sso_code!);
    expect(res.status).toBe(200);
    const pair = await jsonOf<TokenPair>(res);
    expect(Object.keys(pair).sort()).toEqual(['accessToken', 'expiresIn', 'refreshToken', 'user']);
    expect(pair.user).toMatchObject({ email: 'rita@example.com', name: 'Rita Receptionist' });
    expect(pair.user.roles).toEqual([{ role: 'receptionist', siteId }]);
    const claims = JSON.parse(Buffer.from(pair.accessToken.split('.')[1]!, 'base64url').toString());
    expect(claims.token_type).toBe('user');
    expect((await api(s, pair.accessToken).get(`/sites/${siteId}/on-site`)).status).toBe(200);
    expect(await lastLoginAudit(s, 'success')).toMatchObject({ actor_id: pair.user.id, details: { method: 'oidc' } });

    // The code opens one session only.
    const again = await exchange(fragment.sso_code!);
    expect(again.status).toBe(401);
    expect((await errorOf(again)).code).toBe('sso_handoff_invalid');
  });

  it('takes the role away at the next sign-in once the user left the group', async () => {
    idp.accounts.set('rita', { email: 'rita@example.com', groups: [] });
    const { fragment } = await signIn('rita');
    const pair = await jsonOf<TokenPair>(await exchange(fragment.sso_code!));
    expect(pair.user.roles).toEqual([{ role: 'member', siteId }]);
    const res = await api(s, pair.accessToken).get(`/sites/${siteId}/on-site`);
    expect(res.status).toBe(403);
  });

  it('links an existing account with the same verified email once, and shows how each user signs in', async () => {
    const created = await api(s, adminToken).post('/users', {
      email: 'hank@example.com',
      name: 'Hank Host',
      password: 'a long temporary passphrase 42',
      roles: [{ role: 'member', siteId }],
    });
    expect(created.status).toBe(201);
    const hank = await jsonOf<User>(created);
    expect(hank.signInMethod).toBe('password');
    idp.accounts.set('hank', { email: 'hank@example.com' });
    const first = await signIn('hank');
    expect((await jsonOf<TokenPair>(await exchange(first.fragment.sso_code!))).user.id).toBe(hank.id);
    expect(await lastLoginAudit(s, 'success')).toMatchObject({ details: { method: 'oidc', linked: true } });

    // A second IdP subject with the same email does not take the linked account over.
    idp.accounts.set('hank-impostor', { email: 'hank@example.com' });
    expect((await signIn('hank-impostor')).fragment).toEqual({ sso_error: 'sso_no_account' });

    const users = await jsonOf<User[]>(await api(s, adminToken).get('/users'));
    const method = (email: string) => users.find((u) => u.email === email)?.signInMethod;
    // Hank's password was a temporary one nobody used: single sign-on replaced it.
    expect([method(ADMIN), method('hank@example.com'), method('rita@example.com')]).toEqual(['password', 'sso', 'sso']);
    const reset = await api(s, adminToken).post(`/users/${hank.id}/password-reset`, {});
    expect(reset.status).toBe(409);
    expect((await errorOf(reset)).code).toBe('no_password');
  });

  it('refuses a host password sign-in when OIDC_PASSWORD_LOGIN=admins, not an admin one', async () => {
    const password = 'another long passphrase 77';
    await api(s, adminToken).post('/users', {
      email: 'paula@example.com',
      name: 'Paula Password',
      password,
      roles: [{ role: 'member', siteId }],
    });
    const host = await api(s).post('/auth/login', { email: 'paula@example.com', password });
    expect(host.status).toBe(403);
    expect((await errorOf(host)).code).toBe('password_login_disabled');
    expect((await api(s).post('/auth/login', { email: ADMIN, password: ADMIN_PASSWORD })).status).toBe(200);
  });

  describe('each refusal sends the browser back to sign-in with its code and an audit entry', () => {
    const refused = async (expected: string, journey: () => Promise<{ fragment: Record<string, string> }>) => {
      const { fragment } = await journey();
      expect(fragment).toEqual({ sso_error: expected });
      expect((await lastLoginAudit(s, 'failure'))?.details).toMatchObject({ method: 'oidc', reason: expected });
    };

    it('an error from the IdP', async () => {
      idp.accounts.set('ivy', { email: 'ivy@example.com' });
      // prompt=none without a session at the IdP comes straight back with error=login_required.
      await refused('sso_denied', () =>
        signIn('ivy', {
          alterAuthorize: (url) => {
            url.searchParams.set('prompt', 'none');
            return url;
          },
        }),
      );
    });

    it('a wrong state', async () => {
      idp.accounts.set('sam', { email: 'sam@example.com' });
      await refused('sso_state_mismatch', () =>
        signIn('sam', {
          alterCallback: (url) => {
            url.searchParams.set('state', 'not-the-state');
            return url;
          },
        }),
      );
    });

    it('a callback without the browser that started it', async () => {
      idp.accounts.set('sam', { email: 'sam@example.com' });
      const callback = await new SsoBrowser().signInAtIdp(`${s.url}/api/v1/auth/oidc/start`, 'sam', {
        callbackPrefix: callbackOf(s),
      });
      const stranger = await new SsoBrowser().request(callback);
      expect(fragmentOf(stranger.location)).toEqual({ sso_error: 'sso_state_mismatch' });
    });

    it('a replayed authorization code', async () => {
      idp.accounts.set('rex', { email: 'rex@example.com' });
      const browser = new SsoBrowser();
      const host = new URL(s.url).host;
      const callback = await browser.signInAtIdp(`${s.url}/api/v1/auth/oidc/start`, 'rex', {
        callbackPrefix: callbackOf(s),
      });
      const flow = browser.cookie(host, 'atrium_oidc')!;
      expect(fragmentOf((await browser.request(callback)).location).sso_code).toBeTruthy();
      browser.setCookie(host, 'atrium_oidc', flow);
      const replay = await browser.request(callback);
      expect(fragmentOf(replay.location)).toEqual({ sso_error: 'sso_code_rejected' });
    });

    it('a nonce that is not the one this browser was given', async () => {
      idp.accounts.set('nina', { email: 'nina@example.com' });
      await refused('sso_nonce_mismatch', () =>
        signIn('nina', {
          alterAuthorize: (url) => {
            url.searchParams.set('nonce', 'someone-elses-nonce');
            return url;
          },
        }),
      );
    });

    it('an answer that claims another issuer', async () => {
      idp.accounts.set('ian', { email: 'ian@example.com' });
      await refused('sso_issuer_mismatch', () =>
        signIn('ian', {
          alterCallback: (url) => {
            url.searchParams.set('iss', 'http://127.0.0.1:1/evil');
            return url;
          },
        }),
      );
    });

    it('an email the IdP has not verified', async () => {
      idp.accounts.set('una', { email: 'una@example.com', emailVerified: false });
      await refused('sso_email_unverified', () => signIn('una'));
    });

    it('an email domain that is not allowed', async () => {
      idp.accounts.set('otto', { email: 'otto@elsewhere.org' });
      await refused('sso_domain_not_allowed', () => signIn('otto'));
    });

    it('no account and OIDC_AUTO_CREATE=false', async () => {
      idp.accounts.set('nora', { email: 'nora@example.com' });
      const { fragment } = await signIn('nora', { server: strict });
      expect(fragment).toEqual({ sso_error: 'sso_no_account' });
      expect((await lastLoginAudit(strict, 'failure'))?.details).toMatchObject({ reason: 'sso_no_account' });
    });
  });

  it('starts with the IdP down, says so at sign-in, and signs people in once it is up', async () => {
    const [port, idpPort] = [await freePort(), await freePort()];
    const publicUrl = `http://127.0.0.1:${port}`;
    const late = await startTestIdp({ redirectUris: [`${publicUrl}/api/v1/auth/oidc/callback`], port: idpPort });
    await late.stop();
    const down = await startTestServer({ port, config: { PUBLIC_URL: publicUrl, oidc: late.settings(publicUrl) } });
    let up: TestIdp | undefined;
    try {
      await bootstrap(down.db, { ATRIUM_ADMIN_EMAIL: ADMIN, ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD });
      const res = await new SsoBrowser().request(`${down.url}/api/v1/auth/oidc/start`);
      expect(res.res.status).toBe(302);
      expect(fragmentOf(res.location)).toEqual({ sso_error: 'sso_unavailable' });
      // Discovery is retried with backoff: the IdP coming up later is found without a restart.
      up = await startTestIdp({ redirectUris: [`${publicUrl}/api/v1/auth/oidc/callback`], port: idpPort });
      up.accounts.set('lena', { email: 'lena@example.com' });
      await discovered(down);
      const { fragment } = await signIn('lena', { server: down });
      expect((await exchange(fragment.sso_code!, down)).status).toBe(200);
    } finally {
      await down.stop();
      await up?.stop();
    }
  });

  it('refuses a disabled account', async () => {
    idp.accounts.set('dora', { email: 'dora@example.com' });
    const first = await jsonOf<TokenPair>(await exchange((await signIn('dora')).fragment.sso_code!));
    expect((await api(s, adminToken).patch(`/users/${first.user.id}`, { status: 'disabled' })).status).toBe(200);
    expect((await signIn('dora')).fragment).toEqual({ sso_error: 'sso_account_disabled' });
  });

  it('answers 404 sso_not_configured without OIDC_ISSUER', async () => {
    const plain = await startTestServer();
    try {
      const res = await fetch(`${plain.url}/api/v1/auth/oidc/start`, { redirect: 'manual' });
      expect(res.status).toBe(404);
      expect((await errorOf(res)).code).toBe('sso_not_configured');
      expect(await jsonOf<SsoInfo>(await api(plain).get('/auth/oidc'))).toEqual({
        enabled: false,
        passwordLogin: 'all',
      });
    } finally {
      await plain.stop();
    }
  });
});
