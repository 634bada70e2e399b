import type { CreatedVisit } from '@atrium/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, api, pairKiosk, scan, signInAdmin } from '../../../test/actors';
import { testClock } from '../../../test/clock';
import { testBackend } from '../../../test/db';
import { startTestServer, type TestServer } from '../../../test/http';
import { jsonOf } from '../../../test/json';
import { bootstrap } from '../../bootstrap';

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
