import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, api, pairKiosk, signInAdmin } from '../../../test/actors';
import { testClock } from '../../../test/clock';
import { testBackend } from '../../../test/db';
import { startTestServer, type TestServer } from '../../../test/http';
import { errorOf, jsonOf } from '../../../test/json';
import { bootstrap } from '../../bootstrap';

const clock = testClock();
let s: TestServer;
let admin: string;
let kiosk: { token: string; kioskId: string };

beforeAll(async () => {
  s = await startTestServer({ now: clock.now, config: { KIOSK_HEARTBEAT_SECONDS: 30 } });
  const boot = await bootstrap(s.db, { ATRIUM_ADMIN_EMAIL: 'beat@example.com', ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD });
  if (!boot.created) throw new Error('no tenant');
  admin = (await signInAdmin(s, 'beat@example.com')).accessToken;
  kiosk = await pairKiosk(s, admin, boot.siteId, clock.advance, 'Front door');
});
afterAll(() => s?.stop());

type Row = { id: string; online: boolean; lastSeen: string | null; status: Record<string, unknown> | null };
const listed = async () =>
  (await jsonOf<Row[]>(await api(s, admin).get('/kiosks'))).find((row) => row.id === kiosk.kioskId)!;
const beat = (body: unknown, token = kiosk.token) => api(s, token).post('/kiosk/heartbeat', body);
const healthy = { appVersion: '0.1.0', outboxDepth: 2, lastSyncAt: null, online: true };

describe(`kiosk heartbeat on ${testBackend()}`, () => {
  it('tells the kiosk how often to beat', async () => {
    const config = await jsonOf<{ heartbeatSeconds: number }>(await api(s, kiosk.token).get('/kiosk/config'));
    expect(config.heartbeatSeconds).toBe(30);
  });

  it('staff see a kiosk online while it beats, offline after two and a half missed beats, and its report', async () => {
    expect((await beat({ ...healthy, lastSyncAt: clock.now().toISOString() })).status).toBe(204);
    const now = await listed();
    expect(now.online).toBe(true);
    expect(now.status).toMatchObject({ appVersion: '0.1.0', outboxDepth: 2, online: true });
    clock.advance(74_000);
    expect((await listed()).online).toBe(true);
    clock.advance(2_000);
    expect((await listed()).online).toBe(false);
    expect((await beat({ ...healthy, outboxDepth: 0 })).status).toBe(204);
    expect(await listed()).toMatchObject({ online: true, status: { outboxDepth: 0 } });
  });

  it('refuses a malformed report, a user token, and a revoked kiosk', async () => {
    const bad = await beat({ ...healthy, outboxDepth: -1 });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).details).toMatchObject({ field: 'outboxDepth' });
    expect((await beat(healthy, admin)).status).toBe(403);
    expect((await api(s, admin).delete(`/kiosks/${kiosk.kioskId}`)).status).toBeLessThan(300);
    expect((await beat(healthy)).status).toBe(401);
    expect((await listed()).online).toBe(false);
  });
});
