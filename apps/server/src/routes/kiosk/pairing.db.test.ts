import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, api, signInAdmin } from '../../../test/actors';
import { testClock } from '../../../test/clock';
import { testBackend } from '../../../test/db';
import { startTestServer, type TestServer } from '../../../test/http';
import { errorOf, jsonOf } from '../../../test/json';
import { bootstrap } from '../../bootstrap';

const EMAIL = 'reception@example.com';
const clock = testClock();
let s: TestServer;
let admin: string;
let siteId: string;

beforeAll(async () => {
  s = await startTestServer({ now: clock.now });
  const boot = await bootstrap(s.db, { ATRIUM_ADMIN_EMAIL: EMAIL, ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD });
  if (!boot.created) throw new Error('no tenant');
  siteId = boot.siteId;
  admin = (await signInAdmin(s, EMAIL)).accessToken;
});
afterAll(() => s?.stop());

type Started = { code: string; deviceCode: string; expiresIn: number; interval: number };
const start = async () => jsonOf<Started>(await api(s).post('/kiosk/pairing', {}));
const poll = (deviceCode: string) => api(s).post('/kiosk/pairing/token', { deviceCode });

describe(`kiosk pairing on ${testBackend()}`, () => {
  it('pairs through the device flow and delivers the token exactly once', async () => {
    const started = await start();
    expect(started.code).toMatch(/^\d{6}$/);
    expect(started).toMatchObject({ expiresIn: 600, interval: 5 });
    expect(started.deviceCode.length).toBeGreaterThanOrEqual(40);

    const pending = await poll(started.deviceCode);
    expect([pending.status, await pending.json()]).toEqual([202, { status: 'pending' }]);
    const tooFast = await poll(started.deviceCode);
    expect([tooFast.status, (await errorOf(tooFast)).code]).toEqual([429, 'slow_down']);

    const paired = await api(s, admin).post('/kiosks/pair', { code: started.code, siteId, name: 'Lobby left' });
    expect(paired.status).toBe(201);
    const { kiosk } = await jsonOf<{ kiosk: { id: string; name: string; siteId: string } }>(paired);
    expect(kiosk).toMatchObject({ name: 'Lobby left', siteId });

    clock.advance(5000);
    const delivered = await poll(started.deviceCode);
    expect(delivered.status).toBe(200);
    const body = await jsonOf<{ status: string; deviceToken: string; kiosk: { id: string } }>(delivered);
    expect(body).toMatchObject({ status: 'paired', kiosk: { id: kiosk.id, name: 'Lobby left', siteId } });
    const claims = JSON.parse(Buffer.from(body.deviceToken.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({ token_type: 'kiosk', sub: kiosk.id, sid: siteId });
    expect(claims.exp - claims.iat).toBe(365 * 24 * 3600);

    clock.advance(5000);
    const second = await poll(started.deviceCode);
    expect([second.status, (await errorOf(second)).code]).toEqual([410, 'expired']);

    // The kiosk works, shows up in the list, and stops working the moment it is revoked.
    expect((await api(s, body.deviceToken).get('/kiosk/config')).status).toBe(200);
    const list = await jsonOf<Array<{ id: string; online: boolean; revoked: boolean }>>(
      await api(s, admin).get('/kiosks'),
    );
    expect(list.find((k) => k.id === kiosk.id)).toMatchObject({ online: true, revoked: false });
    expect((await api(s, admin).delete(`/kiosks/${kiosk.id}`)).status).toBe(204);
    const after = await api(s, body.deviceToken).get('/kiosk/config');
    expect([after.status, (await errorOf(after)).code]).toEqual([401, 'kiosk_revoked']);
  });

  it('codes expire after 10 minutes', async () => {
    const started = await start();
    clock.advance(601_000);
    admin = (await signInAdmin(s, EMAIL)).accessToken;
    const res = await poll(started.deviceCode);
    expect([res.status, (await errorOf(res)).code]).toEqual([410, 'expired']);
    const late = await api(s, admin).post('/kiosks/pair', { code: started.code, siteId, name: 'Too late' });
    expect([late.status, (await errorOf(late)).code]).toEqual([404, 'unknown_code']);
  });

  it('live codes are unique and wrong entries are capped', async () => {
    const codes = await Promise.all(Array.from({ length: 30 }, () => start()));
    expect(new Set(codes.map((c) => c.code)).size).toBe(30);
    clock.advance(61_000);
    const live = new Set(codes.map((c) => c.code));
    let wrong = 100000;
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      while (live.has(String(wrong))) wrong++;
      statuses.push(
        (await api(s, admin).post('/kiosks/pair', { code: String(wrong++), siteId, name: 'Guess' })).status,
      );
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(404));
    expect(statuses[10]).toBe(429);
    // Even the right code is refused while the cap holds.
    const blocked = await api(s, admin).post('/kiosks/pair', { code: codes[0]!.code, siteId, name: 'Right one' });
    expect(blocked.status).toBe(429);
  });

  it('rejects bad input clearly', async () => {
    clock.advance(61_000);
    expect((await poll('no-such-device-code')).status).toBe(400);
    expect((await api(s).post('/kiosk/pairing/token', {})).status).toBe(400);
    const bad = await api(s, admin).post('/kiosks/pair', { code: '12ab56', siteId, name: 'x' });
    expect([bad.status, (await errorOf(bad)).details?.field]).toEqual([400, 'code']);
  });
});
