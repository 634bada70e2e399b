import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../test/actors';
import { testBackend } from '../../test/db';
import { startTestServer, type TestServer } from '../../test/http';
import { errorOf } from '../../test/json';
import { addUser, seedTwoSites, type TwoSites } from '../../test/two-sites';
import type { RoleGrant } from '../tenancy/users';
import { ACCESS_CACHE_MS } from './user-access';

// Two replicas of one server on one database: A makes the change, B must notice it too.
let a: TestServer;
let b: TestServer;
let w: TwoSites;

beforeAll(async () => {
  a = await startTestServer();
  b = await startTestServer({ replicaOf: a });
  w = await seedTwoSites(a);
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

async function staff(roles: RoleGrant[]) {
  const userId = await addUser(a.db, w.tenantId, roles, 'staff');
  const token = await a.ctx.tokens.signAccessToken({ userId, tenantId: w.tenantId, roles });
  return { userId, token };
}

/**
 * Waits until 1 s has passed since `changedAt` (the bound on how stale another replica's view may be): a request
 * sent from then on must see the change, however loaded the machine is.
 */
async function oneSecondAfter(changedAt: number): Promise<void> {
  await sleep(Math.max(0, changedAt + ACCESS_CACHE_MS - performance.now()));
}

/** Opens the live event stream; `ended` resolves with the moment the server ended it. */
async function openStream(server: TestServer, token: string) {
  const controller = new AbortController();
  const res = await fetch(`${server.url}/api/v1/events/stream`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  await reader.read(); // the retry line: the stream is open and subscribed
  const ended = (async () => {
    for (;;) {
      const { done } = await reader.read();
      if (done) return performance.now();
    }
  })();
  return { ended, abort: () => controller.abort() };
}

describe(`changes to a user bite at the next request on ${testBackend()}`, () => {
  it('a disabled user is 401 at once on this replica and within 1 s on another, and their live streams close', async () => {
    const rita = await staff([{ role: 'receptionist', siteId: w.s1 }]);
    // Both replicas have seen (and cached) her as active.
    expect((await api(a, rita.token).get('/visits')).status).toBe(200);
    expect((await api(b, rita.token).get('/visits')).status).toBe(200);
    const streamA = await openStream(a, rita.token);
    const streamB = await openStream(b, rita.token);

    const changed = performance.now();
    expect((await api(a, w.tokens.tenantAdmin).patch(`/users/${rita.userId}`, { status: 'disabled' })).status).toBe(
      200,
    );
    const onA = await api(a, rita.token).get('/visits');
    expect(onA.status).toBe(401);
    expect((await errorOf(onA)).code).toBe('invalid_token');
    await oneSecondAfter(changed);
    expect((await api(b, rita.token).get('/visits')).status).toBe(401);

    const closedA = (await Promise.race([streamA.ended, sleep(2000)])) as number | undefined;
    const closedB = (await Promise.race([streamB.ended, sleep(4000)])) as number | undefined;
    streamA.abort();
    streamB.abort();
    expect(closedA, 'stream on the replica that disabled her').toBeDefined();
    expect(closedB, 'stream on the other replica').toBeDefined();
    expect(closedA! - changed).toBeLessThan(1000);
    // The other replica hears of it by NOTIFY (PostgreSQL) or its once-a-second poll (PGlite).
    expect(closedB! - changed).toBeLessThan(3000);
    // A re-connect is refused.
    expect((await api(b, rita.token).get('/events/stream')).status).toBe(401);
  });

  it('a demoted user loses the role on the next request, keeps the rest, and their stream closes', async () => {
    const sam = await staff([{ role: 'site_admin', siteId: w.s1 }]);
    expect((await api(a, sam.token).get('/users')).status).toBe(200);
    expect((await api(b, sam.token).get('/users')).status).toBe(200);
    const stream = await openStream(b, sam.token);

    const changed = performance.now();
    const demote = await api(a, w.tokens.tenantAdmin).patch(`/users/${sam.userId}`, {
      roles: [{ role: 'member', siteId: w.s1 }],
    });
    expect(demote.status).toBe(200);
    expect((await api(a, sam.token).get('/users')).status).toBe(403);
    await oneSecondAfter(changed);
    expect((await api(b, sam.token).get('/users')).status).toBe(403);
    // Still signed in as a member: the token works for what a member may do, with the current roles.
    expect((await api(a, sam.token).get('/visits')).status).toBe(200);
    const me = (await (await api(a, sam.token).get('/me')).json()) as { roles: RoleGrant[] };
    expect(me.roles).toEqual([{ role: 'member', siteId: w.s1 }]);
    expect(await Promise.race([stream.ended, sleep(3000)])).toBeDefined();
    stream.abort();
    expect((await api(b, sam.token).get('/events/stream')).status).toBe(403);

    // Promotion works the same way, without signing in again.
    await api(a, w.tokens.tenantAdmin).patch(`/users/${sam.userId}`, { roles: [{ role: 'site_admin', siteId: w.s1 }] });
    expect((await api(a, sam.token).get('/users')).status).toBe(200);
  });

  it('a password reset ends access tokens already handed out', async () => {
    const max = await staff([{ role: 'member', siteId: w.s2 }]);
    expect((await api(b, max.token).get('/visits')).status).toBe(200);
    const changed = performance.now();
    expect((await api(a, w.tokens.tenantAdmin).post(`/users/${max.userId}/password-reset`)).status).toBe(200);
    expect((await api(a, max.token).get('/visits')).status).toBe(401);
    await oneSecondAfter(changed);
    expect((await api(b, max.token).get('/visits')).status).toBe(401);
  });

  it('kiosk requests do not look users up; user requests do', async () => {
    const before = a.ctx.access;
    let lookups = 0;
    const original = before.current.bind(before);
    before.current = (tenantId, userId) => {
      lookups += 1;
      return original(tenantId, userId);
    };
    try {
      const kiosk = await a.db.withTenant(w.tenantId, (tx) =>
        tx.selectFrom('kiosks').select('id').where('site_id', '=', w.s1).limit(1).executeTakeFirstOrThrow(),
      );
      const device = await a.ctx.tokens.signDeviceToken({ kioskId: kiosk.id, tenantId: w.tenantId, siteId: w.s1 });
      await a.db.withTenant(w.tenantId, (tx) =>
        tx.updateTable('kiosks').set({ token_jti: device.jti }).where('id', '=', kiosk.id).execute(),
      );
      expect((await api(a, device.token).get('/kiosk/config')).status).toBe(200);
      expect(lookups).toBe(0);
      expect((await api(a, w.tokens.memberS1).get('/visits')).status).toBe(200);
      expect(lookups).toBe(1);
    } finally {
      before.current = original;
    }
  });
});

const sleep = (ms: number) => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms));
