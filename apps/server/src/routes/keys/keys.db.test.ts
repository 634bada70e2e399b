import { randomUUID } from 'node:crypto';
import type { CreatedVisit, KioskConfig } from '@atrium/protocol';
import { signVisitToken, verifyVisitToken } from '@atrium/qr-token';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, api, pairKiosk, scan, signInAdmin } from '../../../test/actors';
import { testClock } from '../../../test/clock';
import { testBackend } from '../../../test/db';
import { startTestServer, type TestServer } from '../../../test/http';
import { errorOf, jsonOf } from '../../../test/json';
import { ROTATIONS_PER_HOUR } from '../../auth/keys';
import { bootstrap } from '../../bootstrap';
import { hashPassword } from '../../tenancy/passwords';
import { createTenant } from '../../tenancy/tenants';

const clock = testClock();
let s: TestServer;
let siteId: string;
beforeAll(async () => {
  s = await startTestServer({ now: clock.now });
  const boot = await bootstrap(s.db, { ATRIUM_ADMIN_EMAIL: 'keys@example.com', ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD });
  if (!boot.created) throw new Error('no tenant');
  siteId = boot.siteId;
});
afterAll(() => s?.stop());

const kidOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()).kid as string;

describe(`key rotation on ${testBackend()}`, () => {
  it('old tokens and QR codes keep working after a rotation; new ones use the new key; it is audited', async () => {
    const before = await signInAdmin(s, 'keys@example.com');
    const kiosk = await pairKiosk(s, before.accessToken, siteId, clock.advance);
    const visit = await jsonOf<CreatedVisit>(
      await api(s, before.accessToken).post('/visits', {
        siteId,
        visitor: { name: 'Key Rotation' },
        expectedArrival: clock.now().toISOString(),
        expectedDeparture: new Date(clock.now().getTime() + 3600_000).toISOString(),
      }),
    );

    for (const purpose of ['access', 'qr', 'device']) {
      const rotated = await api(s, before.accessToken).post(`/keys/${purpose}/rotate`, {});
      expect(rotated.status).toBe(200);
      const body = await jsonOf<{ retiredKid: string; currentKid: string }>(rotated);
      expect(body.retiredKid).not.toBe(body.currentKid);
    }
    const keys = await jsonOf<Record<string, string[]>>(await api(s, before.accessToken).get('/keys'));
    expect(keys.qr).toHaveLength(2);
    expect(keys.access).toHaveLength(2);

    // Signed before the rotation, still accepted: the access token, the kiosk's device token and the visitor's QR code.
    expect((await api(s, before.accessToken).get('/me')).status).toBe(200);
    expect((await api(s, kiosk.token).post('/kiosk/check-ins', scan(visit.qrToken, clock.now()))).status).toBe(201);
    const jwks = await jsonOf<{ keys: Array<{ kid: string }> }>(await fetch(`${s.url}/.well-known/jwks.json`));
    expect(jwks.keys.map((k) => k.kid)).toContain(kidOf(visit.qrToken));

    const after = await signInAdmin(s, 'keys@example.com');
    expect(kidOf(after.accessToken)).toBe(keys.access![0]);
    expect(kidOf(after.accessToken)).not.toBe(kidOf(before.accessToken));

    // A retired access key stops verifying once its tokens can no longer be alive.
    clock.advance(2 * 3600_000);
    expect((await api(s, before.accessToken).get('/me')).status).toBe(401);
    const fresh = (await signInAdmin(s, 'keys@example.com')).accessToken;
    const audit = await jsonOf<{ items: Array<{ details: { purpose: string } }> }>(
      await api(s, fresh).get('/audit?action=key.rotated'),
    );
    expect(audit.items.map((i) => i.details.purpose).sort()).toEqual(['access', 'device', 'qr']);
    expect((await api(s, fresh).post('/keys/nonsense/rotate', {})).status).toBe(400);
  });
});

describe(`QR keys per tenant on ${testBackend()}`, () => {
  // Tenant A is the bootstrap tenant above; tenant B shares the instance.
  let b: { tenantId: string; siteId: string };
  let adminA: string;
  let adminB: string;
  let kioskA: { token: string };
  let kioskB: { token: string };
  beforeAll(async () => {
    b = await createTenant(s.db, {
      name: 'Tenant B',
      site: { name: 'B office' },
      admin: { email: 'keys-b@example.com', name: 'Admin B', passwordHash: await hashPassword(ADMIN_PASSWORD) },
    });
    adminA = (await signInAdmin(s, 'keys@example.com')).accessToken;
    adminB = (await signInAdmin(s, 'keys-b@example.com')).accessToken;
    kioskA = await pairKiosk(s, adminA, siteId, clock.advance);
    kioskB = await pairKiosk(s, adminB, b.siteId, clock.advance);
  });
  beforeEach(async () => {
    adminA = (await signInAdmin(s, 'keys@example.com')).accessToken;
    adminB = (await signInAdmin(s, 'keys-b@example.com')).accessToken;
  });

  const configOf = async (token: string) => jsonOf<KioskConfig>(await api(s, token).get('/kiosk/config'));
  const kids = (jwks: { keys: Array<{ kid?: string }> }) => jwks.keys.map((key) => key.kid!);
  const publicKids = async () =>
    kids(await jsonOf<{ keys: Array<{ kid: string }> }>(await fetch(`${s.url}/.well-known/jwks.json`)));
  const visitFor = async (token: string, site: string) =>
    jsonOf<CreatedVisit>(
      await api(s, token).post('/visits', {
        siteId: site,
        visitor: { name: 'Key Holder' },
        expectedArrival: clock.now().toISOString(),
        expectedDeparture: new Date(clock.now().getTime() + 3600_000).toISOString(),
      }),
    );
  const auditOf = async (token: string, outcome: string) =>
    (
      await jsonOf<{ items: Array<{ outcome: string; details: { purpose: string } }> }>(
        await api(s, token).get('/audit?action=key.rotated'),
      )
    ).items.filter((item) => item.outcome === outcome);

  it("tenant A rotating 20 times leaves tenant B's kiosk config and the public keys of B unchanged; the limit answers 429", async () => {
    // Tenant B has signed nothing yet; the public JWKS already lists its key (it is made on demand).
    const before = await publicKids();
    const configB = await configOf(kioskB.token);
    expect(configB.jwks.keys).toHaveLength(1);
    expect(before).toEqual(
      expect.arrayContaining([...kids(configB.jwks), ...kids((await configOf(kioskA.token)).jwks)]),
    );
    const successBefore = (await auditOf(adminA, 'success')).length;

    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await api(s, adminA).post('/keys/qr/rotate', {});
      statuses.push(res.status);
      if (res.status === 429) {
        const error = await errorOf(res);
        expect(error.code).toBe('rate_limited');
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(3600);
      }
    }
    expect(statuses).toEqual([...Array(ROTATIONS_PER_HOUR).fill(200), ...Array(20 - ROTATIONS_PER_HOUR).fill(429)]);

    expect(await configOf(kioskB.token)).toMatchObject({ jwks: configB.jwks });
    const configA = await configOf(kioskA.token);
    expect(kids(configA.jwks)).not.toContain(kids(configB.jwks)[0]);
    const after = await publicKids();
    expect(after).toEqual(expect.arrayContaining(kids(configB.jwks)));
    expect(after).toEqual(expect.arrayContaining(kids(configA.jwks)));
    expect(new Set(after).size).toBe(after.length);

    // Audited in tenant A (refusals too), nothing in tenant B.
    expect((await auditOf(adminA, 'success')).length - successBefore).toBe(ROTATIONS_PER_HOUR);
    expect((await auditOf(adminA, 'denied')).length).toBe(20 - ROTATIONS_PER_HOUR);
    expect(await auditOf(adminB, 'success')).toEqual([]);

    // An hour later A may rotate again.
    clock.advance(3600_000);
    adminA = (await signInAdmin(s, 'keys@example.com')).accessToken;
    expect((await api(s, adminA).post('/keys/qr/rotate', {})).status).toBe(200);
  });

  it('a code signed before a rotation still verifies at the kiosk and the server while the retired key is valid', async () => {
    const visit = await visitFor(adminB, b.siteId);
    const rotated = await jsonOf<{ retiredKid: string; currentKid: string }>(
      await api(s, adminB).post('/keys/qr/rotate', {}),
    );
    expect(kidOf(visit.qrToken)).toBe(rotated.retiredKid);
    const config = await configOf(kioskB.token);
    expect(kids(config.jwks)).toEqual([rotated.currentKid, rotated.retiredKid]);
    const local = await verifyVisitToken(visit.qrToken, {
      keys: config.jwks as Parameters<typeof verifyVisitToken>[1]['keys'],
      issuer: config.issuer,
      siteId: b.siteId,
      now: clock.now(),
    });
    expect(local.ok).toBe(true);
    expect((await api(s, kioskB.token).post('/kiosk/check-ins', scan(visit.qrToken, clock.now()))).status).toBe(201);
    expect(kidOf((await visitFor(adminB, b.siteId)).qrToken)).toBe(rotated.currentKid);
  });

  it("a tenant A kiosk cannot verify a tenant B code, even one made out for A's site, and the server refuses it", async () => {
    const configA = await configOf(kioskA.token);
    const ofB = (await visitFor(adminB, b.siteId)).qrToken;
    const signer = await s.ctx.keys.qrSigningKey(b.tenantId);
    const forA = await signVisitToken({
      privateKey: signer.privateKey,
      kid: signer.kid,
      issuer: configA.issuer,
      siteId,
      visitId: randomUUID(),
      jti: randomUUID(),
      notBefore: new Date(clock.now().getTime() - 60_000),
      expiresAt: new Date(clock.now().getTime() + 3600_000),
      displayName: 'Ada L.',
    });
    for (const token of [ofB, forA]) {
      const local = await verifyVisitToken(token, {
        keys: configA.jwks as Parameters<typeof verifyVisitToken>[1]['keys'],
        issuer: configA.issuer,
        siteId,
        now: clock.now(),
      });
      expect(local).toEqual({ ok: false, reason: 'invalid_token' });
      const res = await api(s, kioskA.token).post('/kiosk/check-ins', scan(token, clock.now()));
      expect([res.status, (await errorOf(res)).code]).toEqual([422, 'invalid_token']);
    }
  });

  it('with two tenants, no tenant admin rotates the instance-wide access and device keys', async () => {
    const accessBefore = s.ctx.keys.signingKey('access').kid;
    for (const purpose of ['access', 'device']) {
      const res = await api(s, adminA).post(`/keys/${purpose}/rotate`, {});
      expect([res.status, (await errorOf(res)).code]).toEqual([403, 'forbidden']);
    }
    expect(s.ctx.keys.signingKey('access').kid).toBe(accessBefore);
    expect((await auditOf(adminA, 'denied')).map((item) => item.details.purpose)).toEqual(
      expect.arrayContaining(['access', 'device']),
    );
  });

  it('a retired QR key leaves the kiosk config once its overlap is over', async () => {
    const retired = kids((await configOf(kioskB.token)).jwks).at(-1);
    clock.advance(367 * 24 * 3600_000);
    expect(kids(await s.ctx.keys.qrJwks(b.tenantId))).not.toContain(retired);
    expect(kids(await s.ctx.keys.qrJwks(b.tenantId))).toHaveLength(1);
  });
});
