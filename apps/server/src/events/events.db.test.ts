import { randomUUID } from 'node:crypto';
import type { CreatedVisit } from '@atrium/protocol';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, api, pairKiosk, scan, signInAdmin } from '../../test/actors';
import { testClock } from '../../test/clock';
import { testBackend } from '../../test/db';
import { startTestServer, type TestServer } from '../../test/http';
import { jsonOf } from '../../test/json';
import { bootstrap } from '../bootstrap';
import { Database } from '../db/database';
import { openPostgres } from '../db/postgres';
import { type DomainEvent, EventDispatcher, emit } from './outbox';

const clock = testClock();
let s: TestServer;
let tenantId: string;
let siteId: string;

beforeAll(async () => {
  s = await startTestServer({ now: clock.now });
  const boot = await bootstrap(s.db, {
    ATRIUM_ADMIN_EMAIL: 'events@example.com',
    ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD,
  });
  if (!boot.created) throw new Error('no tenant');
  tenantId = boot.tenantId;
  siteId = boot.siteId;
});
afterAll(() => s?.stop());

describe(`outbox delivery on ${testBackend()}`, () => {
  it('delivers concurrently committed events once each, in id order', async () => {
    const seen: number[] = [];
    const unsubscribe = s.ctx.events.subscribe((event) => {
      if (event.type === 'visit.updated') seen.push(event.id);
    });
    await Promise.all(
      Array.from({ length: 40 }, () =>
        s.db
          .withTenant(tenantId, (tx) => emit(tx, 'visit.updated', siteId, { visitId: randomUUID() }))
          .then(() => s.ctx.events.wake()),
      ),
    );
    await s.ctx.events.wake();
    unsubscribe();
    expect(seen).toHaveLength(40);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('streams a dashboard the check-in as server-sent events with ids, never names', async () => {
    const admin = (await signInAdmin(s, 'events@example.com')).accessToken;
    const kiosk = await pairKiosk(s, admin, siteId, clock.advance);
    const visit = await jsonOf<CreatedVisit>(
      await api(s, admin).post('/visits', {
        siteId,
        visitor: { name: 'Margaret Hamilton', email: 'margaret@example.com', phone: '+49 30 1234567' },
        expectedArrival: clock.now().toISOString(),
        expectedDeparture: new Date(clock.now().getTime() + 3600_000).toISOString(),
      }),
    );
    const controller = new AbortController();
    const stream = await fetch(`${s.url}/api/v1/events/stream`, {
      headers: { authorization: `Bearer ${admin}` },
      signal: controller.signal,
    });
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    const reader = stream.body!.getReader();
    expect((await api(s, kiosk.token).post('/kiosk/check-ins', scan(visit.qrToken, clock.now()))).status).toBe(201);
    let text = '';
    const deadline = Date.now() + 5000;
    while (!text.includes('event: voucher.upserted') && Date.now() < deadline) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    expect(text).toContain('event: visit.checked_in');
    expect(text).toContain(`"visitId":"${visit.id}"`);
    for (const pii of ['Margaret', 'Hamilton', 'margaret@example.com', '1234567']) expect(text).not.toContain(pii);
  });

  it('a kiosk or a member cannot open the stream', async () => {
    const admin = (await signInAdmin(s, 'events@example.com')).accessToken;
    const kiosk = await pairKiosk(s, admin, siteId, clock.advance);
    expect((await api(s, kiosk.token).get('/events/stream')).status).toBe(403);
  });
});

// Replicas exist only on PostgreSQL (PGlite is one process), so this suite is defined there alone.
if (testBackend() === 'postgres') {
  describe('several replicas on one PostgreSQL', () => {
    it('an event committed through one replica reaches the dispatcher of another via NOTIFY', async () => {
      const replica = new Database(await openPostgres(s.databaseUrl!, { max: 2 }));
      // Polling once a minute: only the NOTIFY can deliver within the assertion's window.
      const dispatcher = new EventDispatcher(replica, pino({ level: 'silent' }), 60_000);
      await dispatcher.start();
      const received = new Promise<DomainEvent>((resolve) => {
        dispatcher.subscribe((event) => {
          if (event.type === 'visit.cancelled') resolve(event);
        });
      });
      const visitId = randomUUID();
      const started = performance.now();
      await s.db.withTenant(tenantId, (tx) => emit(tx, 'visit.cancelled', siteId, { visitId }));
      const event = await received;
      const ms = performance.now() - started;
      await dispatcher.stop();
      await replica.close();
      expect(event.payload).toEqual({ visitId });
      expect(ms).toBeLessThan(2000);
    });
  });
}
