import type { TokenPair } from '@atrium/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD } from '../../../test/actors';
import { testClock } from '../../../test/clock';
import { testBackend } from '../../../test/db';
import { startReplica, startTestServer, type TestServer } from '../../../test/http';
import { errorOf, jsonOf } from '../../../test/json';
import { base32Decode, hotp, totpStep } from '../../auth/totp';
import { bootstrap } from '../../bootstrap';

const EMAIL = 'owner@example.com';
const CONCURRENT = 220;
const clock = testClock();
let a: TestServer;
let b: TestServer;
let nextIp = 1;
/** A source address nobody used yet (the servers trust loopback as a proxy, so X-Forwarded-For sets it). */
const freshIp = () => `10.${(nextIp >> 8) & 255}.${nextIp++ & 255}.7`;

beforeAll(async () => {
  a = await startTestServer({ now: clock.now, trustedProxy: ['loopback'] });
  b = await startReplica(a, { now: clock.now, trustedProxy: ['loopback'] });
  await bootstrap(a.db, { ATRIUM_ADMIN_EMAIL: EMAIL, ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD });
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

const post = (server: TestServer, path: string, body: unknown, ip: string, token?: string) =>
  fetch(`${server.url}/api/v1${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-forwarded-for': ip,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
const login = (server: TestServer, email: string, password: string, ip: string) =>
  post(server, '/auth/login', { email, password }, ip);
// Every test starts after the longest window (15 minutes) of the one before.
const nextWindow = () => clock.advance(15 * 60_000 + 1000);
const countOf = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

async function failedSignIns(): Promise<number> {
  const row = await a.db.asOwner((tx) =>
    tx
      .selectFrom('audit_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('action', '=', 'auth.login')
      .where('outcome', '=', 'failure')
      .executeTakeFirstOrThrow(),
  );
  return row.n;
}

describe(`sign-in limits under concurrency on ${testBackend()}`, () => {
  it(`${CONCURRENT} concurrent wrong passwords from one address over two replicas: 5 are checked, the rest get 429`, async () => {
    nextWindow();
    const before = await failedSignIns();
    const ip = freshIp();
    const answers = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) => login(i % 2 ? b : a, EMAIL, `wrong password ${i}`, ip)),
    );
    const statuses = answers.map((r) => r.status);
    expect(countOf(statuses, 401)).toBeLessThanOrEqual(5);
    expect(countOf(statuses, 401) + countOf(statuses, 429)).toBe(CONCURRENT);
    expect((await failedSignIns()) - before).toBe(countOf(statuses, 401));
    const refused = answers.find((r) => r.status === 429)!;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await errorOf(refused)).code).toBe('rate_limited');
  });

  it(`${CONCURRENT} concurrent sign-ins spread over unknown accounts are held to 10 per address`, async () => {
    nextWindow();
    const ip = freshIp();
    const statuses = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        login(i % 2 ? b : a, `nobody${i}@example.com`, 'whatever password', ip).then((r) => r.status),
      ),
    );
    expect(countOf(statuses, 401)).toBeLessThanOrEqual(10);
    expect(countOf(statuses, 401) + countOf(statuses, 429)).toBe(CONCURRENT);
  });

  it('the owner still signs in from another address while an attacker hammers the account (slowed, not locked)', async () => {
    nextWindow();
    const attacker = freshIp();
    const attack = await Promise.all(
      Array.from({ length: 60 }, (_, i) => login(i % 2 ? b : a, EMAIL, `guess ${i}`, attacker).then((r) => r.status)),
    );
    expect(countOf(attack, 401)).toBeLessThanOrEqual(5);
    // The attacker is refused even with the right password; the owner, elsewhere, gets in after a short delay.
    expect((await login(a, EMAIL, ADMIN_PASSWORD, attacker)).status).toBe(429);
    const started = performance.now();
    const owner = await login(b, EMAIL, ADMIN_PASSWORD, freshIp());
    const tookMs = performance.now() - started;
    expect(owner.status).toBe(200);
    expect((await jsonOf<TokenPair>(owner)).user.email).toBe(EMAIL);
    expect(tookMs).toBeGreaterThanOrEqual(1000);
    expect(tookMs).toBeLessThan(8000);
  });

  it('successful sign-ins do not count toward the account ceiling: the 20th is as quick as the first', async () => {
    nextWindow();
    const took: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      expect((await login(i % 2 ? b : a, EMAIL, ADMIN_PASSWORD, freshIp())).status).toBe(200);
      took.push(performance.now() - started);
    }
    // Counted as failures, the last ones would wait 2.25-2.5 s.
    expect(Math.max(...took.slice(-3))).toBeLessThan(1500);
  });

  it('unknown and known accounts get the same answers, in about the same time', async () => {
    nextWindow();
    const unknownEmail = 'no-such-person@example.com';
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 7; i++) {
      const ip = freshIp();
      let started = performance.now();
      const k = await login(a, EMAIL, 'not the password', ip);
      known.push(performance.now() - started);
      started = performance.now();
      const u = await login(a, unknownEmail, 'not the password', ip);
      unknown.push(performance.now() - started);
      expect([k.status, u.status]).toEqual([401, 401]);
      expect(await k.json()).toEqual(await u.json());
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    const [mk, mu] = [median(known), median(unknown)];
    // Loose on purpose: both verify one argon2 hash; only a few small queries differ.
    expect(Math.abs(mk - mu)).toBeLessThan(Math.max(60, 0.5 * Math.max(mk, mu)));

    // Past the limit both are refused alike (the Retry-After of a fixed window may differ by the second it started).
    const [ip, ipU] = [freshIp(), freshIp()];
    for (let i = 0; i < 5; i++) {
      await login(a, EMAIL, 'still wrong', ip);
      await login(b, unknownEmail, 'still wrong', ipU);
    }
    const k = await login(a, EMAIL, 'still wrong', ip);
    const u = await login(b, unknownEmail, 'still wrong', ipU);
    expect([k.status, u.status]).toEqual([429, 429]);
    const [ek, eu] = [await errorOf(k), await errorOf(u)];
    expect(ek.code).toBe(eu.code);
    expect(Object.keys(ek).sort()).toEqual(Object.keys(eu).sort());
  });
});

describe(`two-step sign-in limits on ${testBackend()}`, () => {
  const MFA_EMAIL = 'mfa@example.com';
  const MFA_PASSWORD = 'two step phrase of my own';
  let secret: string;
  const code = (offsetSteps = 0) => hotp(base32Decode(secret), totpStep(clock.now()) + offsetSteps);

  beforeAll(async () => {
    nextWindow();
    const admin = await jsonOf<TokenPair>(await login(a, EMAIL, ADMIN_PASSWORD, freshIp()));
    const sites = await jsonOf<Array<{ id: string }>>(
      await fetch(`${a.url}/api/v1/sites`, { headers: { authorization: `Bearer ${admin.accessToken}` } }),
    );
    const created = await post(
      a,
      '/users',
      {
        email: MFA_EMAIL,
        name: 'Two Step',
        password: ADMIN_PASSWORD,
        roles: [{ role: 'receptionist', siteId: sites[0]!.id }],
      },
      freshIp(),
      admin.accessToken,
    );
    expect(created.status).toBe(201);
    // An admin's initial password is temporary: the user chooses their own first.
    const first = await jsonOf<TokenPair>(await login(a, MFA_EMAIL, ADMIN_PASSWORD, freshIp()));
    const changed = await post(
      a,
      '/me/password',
      { currentPassword: ADMIN_PASSWORD, newPassword: MFA_PASSWORD },
      freshIp(),
      first.accessToken,
    );
    expect(changed.status).toBe(204);
    const user = await jsonOf<TokenPair>(await login(a, MFA_EMAIL, MFA_PASSWORD, freshIp()));
    secret = (await jsonOf<{ secret: string }>(await post(a, '/me/totp', {}, freshIp(), user.accessToken))).secret;
    expect((await post(a, '/me/totp/confirm', { code: code() }, freshIp(), user.accessToken)).status).toBe(200);
    clock.advance(30_000);
  });

  it('an MFA token completes one sign-in: a second use is 401', async () => {
    nextWindow();
    const ip = freshIp();
    const { mfaToken } = await jsonOf<{ mfaToken: string }>(await login(a, MFA_EMAIL, MFA_PASSWORD, ip));
    expect((await post(a, '/auth/mfa', { mfaToken, code: code() }, ip)).status).toBe(200);
    clock.advance(30_000);
    const again = await post(b, '/auth/mfa', { mfaToken, code: code() }, ip);
    expect([again.status, (await errorOf(again)).code]).toEqual([401, 'invalid_token']);
  });

  it('wrong TOTP codes count with wrong passwords toward the same limit, on every replica', async () => {
    nextWindow();
    clock.advance(30_000);
    const ip = freshIp();
    expect((await login(a, MFA_EMAIL, 'wrong password 1', ip)).status).toBe(401);
    expect((await login(a, MFA_EMAIL, 'wrong password 2', ip)).status).toBe(401);
    const { mfaToken } = await jsonOf<{ mfaToken: string }>(await login(a, MFA_EMAIL, MFA_PASSWORD, ip));
    for (const offset of [7, 9]) {
      const wrong = await post(b, '/auth/mfa', { mfaToken, code: code(offset) }, ip);
      expect([wrong.status, (await errorOf(wrong)).code]).toEqual([401, 'invalid_code']);
    }
    // Five attempts on this account from this address: even the right code now waits.
    const refused = await post(b, '/auth/mfa', { mfaToken, code: code() }, ip);
    expect([refused.status, (await errorOf(refused)).code]).toEqual([429, 'rate_limited']);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // From another address the same token and code go through.
    expect((await post(a, '/auth/mfa', { mfaToken, code: code() }, freshIp())).status).toBe(200);
  });
});
