import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, api, pairKiosk, signInAdmin } from '../../../test/actors';
import { testClock } from '../../../test/clock';
import { testBackend } from '../../../test/db';
import { startReplica, startTestServer, type TestServer } from '../../../test/http';
import { errorOf, jsonOf } from '../../../test/json';
import { bootstrap } from '../../bootstrap';

const EMAIL = 'walkins@example.com';
const clock = testClock();
let a: TestServer;
let b: TestServer;
let admin: string;
let siteId: string;
let tenantId: string;
const kiosks: string[] = [];

beforeAll(async () => {
  a = await startTestServer({ now: clock.now });
  b = await startReplica(a, { now: clock.now });
  const boot = await bootstrap(a.db, { ATRIUM_ADMIN_EMAIL: EMAIL, ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD });
  if (!boot.created) throw new Error('no tenant');
  ({ siteId, tenantId } = boot);
  admin = (await signInAdmin(a, EMAIL)).accessToken;
  for (let i = 0; i < 4; i++) kiosks.push((await pairKiosk(a, admin, siteId, clock.advance)).token);
  expect((await api(a, admin).patch(`/sites/${siteId}`, { walkInsAllowed: true })).status).toBe(200);
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

const walkIn = (server: TestServer, token: string, idempotencyKey = randomUUID()) =>
  api(server, token).post('/kiosk/walk-ins', {
    visitor: { name: 'Walk In' },
    idempotencyKey,
    occurredAt: clock.now().toISOString(),
  });
const countOf = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;
// Each test starts after the previous test's windows (10 minutes by default) have ended.
const nextWindow = () => clock.advance(10 * 60_000 + 1000);

async function walkInVisits(): Promise<number> {
  const row = await a.db.withTenant(tenantId, (tx) =>
    tx
      .selectFrom('visitors')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('name', '=', 'Walk In')
      .executeTakeFirstOrThrow(),
  );
  return row.n;
}

describe(`walk-in limits on ${testBackend()}`, () => {
  it('the settings show the defaults: 10 per kiosk and 30 per site in 10 minutes', async () => {
    const settings = await jsonOf<{ sites: Array<{ id: string; settings: Record<string, unknown> }> }>(
      await api(a, admin).get('/settings'),
    );
    expect(settings.sites.find((site) => site.id === siteId)!.settings).toMatchObject({
      walkInsPerKiosk: 10,
      walkInsPerSite: 30,
      walkInWindowMinutes: 10,
    });
  });

  it('one kiosk registers at most 10 walk-ins in 10 minutes, even 30 at once; then 429 with Retry-After', async () => {
    nextWindow();
    const before = await walkInVisits();
    const answers = await Promise.all(Array.from({ length: 30 }, () => walkIn(a, kiosks[0]!)));
    const statuses = answers.map((r) => r.status);
    expect([countOf(statuses, 201), countOf(statuses, 429)]).toEqual([10, 20]);
    expect((await walkInVisits()) - before).toBe(10);
    const refused = answers.find((r) => r.status === 429)!;
    expect((await errorOf(refused)).code).toBe('rate_limited');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    // A retry of a walk-in that went through is still answered as before; after the window new ones go through.
    const key = randomUUID();
    clock.advance(retryAfter * 1000);
    const first = await walkIn(a, kiosks[0]!, key);
    expect(first.status).toBe(201);
    expect((await walkIn(a, kiosks[0]!, key)).status).toBe(200);
  });

  it('the whole site registers at most 30, whichever kiosks and replicas they come through', async () => {
    nextWindow();
    const before = await walkInVisits();
    const statuses = await Promise.all(
      Array.from({ length: 48 }, (_, i) => walkIn(i % 2 ? b : a, kiosks[i % 4]!).then((r) => r.status)),
    );
    expect([countOf(statuses, 201), countOf(statuses, 429)]).toEqual([30, 18]);
    expect((await walkInVisits()) - before).toBe(30);
  });

  it('the limits are site settings', async () => {
    nextWindow();
    admin = (await signInAdmin(a, EMAIL)).accessToken;
    const patched = await api(a, admin).patch(`/sites/${siteId}`, { walkInsPerKiosk: 2, walkInWindowMinutes: 1 });
    expect(patched.status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await walkIn(a, kiosks[1]!)).status);
    expect(statuses).toEqual([201, 201, 429]);
    clock.advance(61_000);
    expect((await walkIn(a, kiosks[1]!)).status).toBe(201);
    const bad = await api(a, admin).patch(`/sites/${siteId}`, { walkInsPerKiosk: 0 });
    expect([bad.status, (await errorOf(bad)).details?.field]).toEqual([400, 'walkInsPerKiosk']);
  });
});
