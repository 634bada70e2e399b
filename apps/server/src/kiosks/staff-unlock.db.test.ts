import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, api, pairKiosk, signInAdmin } from '../../test/actors';
import { testClock } from '../../test/clock';
import { testBackend } from '../../test/db';
import { startTestServer, type TestServer } from '../../test/http';
import { errorOf, jsonOf } from '../../test/json';
import { bootstrap } from '../bootstrap';
import { LIMITS } from '../http/rate-limit';

const clock = testClock();
let s: TestServer;
let admin: string;
let siteId: string;
let kiosk: { token: string; kioskId: string };

beforeAll(async () => {
  s = await startTestServer({ now: clock.now });
  const boot = await bootstrap(s.db, { ATRIUM_ADMIN_EMAIL: 'pin@example.com', ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD });
  if (!boot.created) throw new Error('no tenant');
  siteId = boot.siteId;
  admin = (await signInAdmin(s, 'pin@example.com')).accessToken;
  kiosk = await pairKiosk(s, admin, siteId, clock.advance, 'Front door');
});
afterAll(() => s?.stop());

const unlock = (pin: unknown, token = kiosk.token) => api(s, token).post('/kiosk/staff-unlock', { pin });
type SiteView = { id: string; settings: Record<string, unknown> };
const siteSettingsView = async () =>
  (await jsonOf<{ sites: SiteView[] }>(await api(s, admin).get('/settings'))).sites.find((x) => x.id === siteId)!
    .settings;

describe(`kiosk staff unlock on ${testBackend()}`, () => {
  it('says no PIN is set until an admin sets one, and never shows the PIN or its hash', async () => {
    const none = await unlock('1234');
    expect(none.status).toBe(403);
    expect((await errorOf(none)).code).toBe('staff_pin_not_set');
    expect((await siteSettingsView()).staffPinSet).toBe(false);

    const set = await api(s, admin).patch(`/sites/${siteId}`, { staffPin: '4711' });
    expect(set.status).toBe(200);
    const text = JSON.stringify(await jsonOf(set));
    expect(text).not.toContain('4711');
    expect(text).not.toContain('argon2');
    expect(await siteSettingsView()).toMatchObject({ staffPinSet: true });
    expect(JSON.stringify(await siteSettingsView())).not.toContain('Hash');
  });

  it('opens with the right PIN and refuses a wrong one with its own code', async () => {
    expect((await unlock('4711')).status).toBe(204);
    const wrong = await unlock('0000');
    expect(wrong.status).toBe(403);
    expect((await errorOf(wrong)).code).toBe('staff_pin_wrong');
    expect((await unlock('4711')).status).toBe(204);
    // Each attempt is in the audit log, by kiosk, without the PIN.
    const audit = await jsonOf<{ items: Array<{ actorId: string; outcome: string; details: unknown }> }>(
      await api(s, admin).get(`/audit?action=kiosk.staff_unlock&targetId=${siteId}`),
    );
    expect(audit.items.map((e) => e.outcome).sort()).toEqual(['denied', 'denied', 'success', 'success']);
    expect(audit.items.every((e) => e.actorId === kiosk.kioskId)).toBe(true);
    expect(JSON.stringify(audit.items)).not.toContain('4711');
  });

  it('refuses a PIN that is not 4 to 8 digits when an admin sets it', async () => {
    for (const pin of ['123', '123456789', '12a4']) {
      const bad = await api(s, admin).patch(`/sites/${siteId}`, { staffPin: pin });
      expect(bad.status).toBe(400);
      expect((await errorOf(bad)).details).toMatchObject({ field: 'staffPin' });
    }
  });

  it('stops guessing after a few wrong PINs on one kiosk, for that kiosk only', async () => {
    for (let i = 0; i < LIMITS.staffUnlockPerKiosk.limit; i++) expect((await unlock('9999')).status).toBe(403);
    const limited = await unlock('4711');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const other = await pairKiosk(s, admin, siteId, clock.advance, 'Side door');
    expect((await unlock('4711', other.token)).status).toBe(204);
    clock.advance(LIMITS.staffUnlockPerKiosk.windowSeconds * 1000);
    expect((await unlock('4711')).status).toBe(204);
  });

  it('is gone when the admin removes the PIN, and refuses user tokens and revoked kiosks', async () => {
    expect((await api(s, admin).patch(`/sites/${siteId}`, { staffPin: null })).status).toBe(200);
    expect((await errorOf(await unlock('4711'))).code).toBe('staff_pin_not_set');
    expect((await unlock('4711', admin)).status).toBe(403);
    expect((await api(s, admin).delete(`/kiosks/${kiosk.kioskId}`)).status).toBeLessThan(300);
    expect((await unlock('4711')).status).toBe(401);
  });
});
