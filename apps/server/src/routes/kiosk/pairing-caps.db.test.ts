import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, signInAdmin } from '../../../test/actors';
import { testClock } from '../../../test/clock';
import { testBackend } from '../../../test/db';
import { startReplica, startTestServer, type TestServer } from '../../../test/http';
import { jsonOf } from '../../../test/json';
import { bootstrap } from '../../bootstrap';

const EMAIL = 'caps@example.com';
const GUESSES = 220;
const clock = testClock();
let a: TestServer;
let b: TestServer;
let admin: string;
let siteId: string;

beforeAll(async () => {
  a = await startTestServer({ now: clock.now, trustedProxy: ['loopback'] });
  b = await startReplica(a, { now: clock.now, trustedProxy: ['loopback'] });
  const boot = await bootstrap(a.db, { ATRIUM_ADMIN_EMAIL: EMAIL, ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD });
  if (!boot.created) throw new Error('no tenant');
  siteId = boot.siteId;
  admin = (await signInAdmin(a, EMAIL)).accessToken;
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

const pair = (server: TestServer, code: string, ip = '10.0.0.1', token = admin) =>
  fetch(`${server.url}/api/v1/kiosks/pair`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-forwarded-for': ip },
    body: JSON.stringify({ code, siteId, name: 'Guess' }),
  });

/** A live code and its device code, and wrong codes that no kiosk shows. */
async function liveCode() {
  const started = await jsonOf<{ code: string; deviceCode: string }>(
    await fetch(`${a.url}/api/v1/kiosk/pairing`, { method: 'POST', headers: { 'content-type': 'application/json' } }),
  );
  const n = Number(started.code);
  const wrong = (i: number) => String((n + 1 + i) % 1_000_000).padStart(6, '0');
  return { ...started, wrong };
}

/** Wrong codes the server actually looked up: each leaves one audited `kiosk.pair` failure. */
async function evaluatedGuesses(): Promise<number> {
  const row = await a.db.asOwner((tx) =>
    tx
      .selectFrom('audit_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('action', '=', 'kiosk.pair')
      .where(sql<string>`details->>'reason'`, '=', 'unknown_code')
      .executeTakeFirstOrThrow(),
  );
  return row.n;
}

const statusCounts = (statuses: number[]) => {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
};

describe(`pairing caps under concurrency on ${testBackend()}`, () => {
  it(`${GUESSES} concurrent wrong guesses from one user: at most 10 are evaluated, then the live code is refused`, async () => {
    clock.advance(61_000);
    const before = await evaluatedGuesses();
    const live = await liveCode();
    const statuses = await Promise.all(
      Array.from({ length: GUESSES }, (_, i) => pair(a, live.wrong(i)).then((r) => r.status)),
    );
    const counts = statusCounts(statuses);
    expect(counts[404] ?? 0).toBeLessThanOrEqual(10);
    expect((counts[404] ?? 0) + (counts[429] ?? 0)).toBe(GUESSES);
    expect((await evaluatedGuesses()) - before).toBe(counts[404] ?? 0);
    // The right code, past the cap, is refused without being looked at; the kiosk is still waiting.
    expect((await pair(a, live.code)).status).toBe(429);
    clock.advance(5000);
    const poll = await fetch(`${a.url}/api/v1/kiosk/pairing/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deviceCode: live.deviceCode }),
    });
    expect(await poll.json()).toEqual({ status: 'pending' });
  });

  it(`the cap holds across two replicas on one database (${GUESSES} guesses split over both)`, async () => {
    clock.advance(61_000);
    const before = await evaluatedGuesses();
    const live = await liveCode();
    const statuses = await Promise.all(
      Array.from({ length: GUESSES }, (_, i) => pair(i % 2 ? b : a, live.wrong(i)).then((r) => r.status)),
    );
    const counts = statusCounts(statuses);
    expect(counts[404] ?? 0).toBeLessThanOrEqual(10);
    expect((counts[404] ?? 0) + (counts[429] ?? 0)).toBe(GUESSES);
    expect((await evaluatedGuesses()) - before).toBeLessThanOrEqual(10);
    expect((await pair(b, live.code)).status).toBe(429);
    expect((await pair(a, live.code)).status).toBe(429);
  });

  it('per address: guesses from many sessions on one address stop at 20; one code value takes at most 5 tries', async () => {
    clock.advance(61_000);
    const before = await evaluatedGuesses();
    const live = await liveCode();
    // Three receptionists on one address: each stays under the per-user cap, together they meet the per-address one.
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await fetch(`${a.url}/api/v1/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify({
          email: `rx${i}@example.com`,
          name: `Reception ${i}`,
          password: ADMIN_PASSWORD,
          roles: [{ role: 'receptionist', siteId }],
        }),
      });
      expect(created.status).toBe(201);
      tokens.push((await signInAdmin(a, `rx${i}@example.com`)).accessToken);
    }
    const statuses = await Promise.all(
      Array.from({ length: 90 }, (_, i) =>
        pair(i % 2 ? b : a, live.wrong(i), '10.0.0.9', tokens[i % 3]).then((r) => r.status),
      ),
    );
    expect(statusCounts(statuses)[404] ?? 0).toBeLessThanOrEqual(20);

    clock.advance(61_000);
    const sameCode = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        pair(a, live.wrong(500), `10.1.0.${i}`, tokens[i % 3]).then((r) => r.status),
      ),
    );
    expect(statusCounts(sameCode)[404] ?? 0).toBeLessThanOrEqual(5);
    expect((await evaluatedGuesses()) - before).toBeLessThanOrEqual(25);
  });

  it('a right code within the cap pairs, and does not use up the cap', async () => {
    clock.advance(61_000);
    for (let i = 0; i < 12; i++) {
      const live = await liveCode();
      const paired = await pair(i % 2 ? b : a, live.code, '10.0.0.2');
      expect(paired.status).toBe(201);
    }
  });
});
