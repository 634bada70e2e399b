import { randomUUID } from 'node:crypto';
import type { CreatedVisit } from '@atrium/protocol';
import type { Tx } from '../src/db';
import type { DomainEvent } from '../src/events/outbox';
import type { Actor, KioskActor } from '../src/visits/actor';
import { createVisit } from '../src/visits/manage';
import { testClock } from './clock';
import { seedTenant } from './fixtures';
import { startTestServer, type TestServer } from './http';

/** A seeded tenant on a real server's context, for calling the visits services directly (no HTTP). */
export interface VisitOffice {
  s: TestServer;
  clock: ReturnType<typeof testClock>;
  tenantId: string;
  siteId: string;
  /** The seeded kiosk at the site, and the seeded admin as staff. */
  kiosk: KioskActor;
  staff: Actor;
  /** The types of the events about this visit delivered to this replica's subscribers so far. */
  eventsOf(visitId: string): string[];
  /** A visit at the site (or `siteId`) hosted by the admin, from half an hour ago for `hours` hours. */
  visit(options?: { name?: string; hours?: number; siteId?: string }): Promise<CreatedVisit>;
  /** Runs `fn` in a transaction of the tenant, to arrange or inspect rows. */
  inTenant<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
}

export async function visitOffice(label: string): Promise<VisitOffice> {
  const clock = testClock();
  const s = await startTestServer({ now: clock.now });
  const tenant = await seedTenant(s.db, `${label}-${randomUUID().slice(0, 6)}`);
  const { tenantId, siteId, adminUserId } = tenant;
  const inTenant = <T>(fn: (tx: Tx) => Promise<T>) => s.db.withTenant(tenantId, fn);
  const kiosk = await inTenant((tx) => tx.selectFrom('kiosks').select('id').executeTakeFirstOrThrow());
  const staff: Actor = { type: 'user', id: adminUserId, ip: '192.0.2.10' };
  const events: DomainEvent[] = [];
  s.ctx.events.subscribe((event) => events.push(event));
  return {
    s,
    clock,
    tenantId,
    siteId,
    kiosk: { tenantId, siteId, kioskId: kiosk.id, ip: '192.0.2.20' },
    staff,
    eventsOf: (visitId) =>
      events.filter((e) => (e.payload as { visitId?: string }).visitId === visitId).map((e) => e.type),
    inTenant,
    visit: (options = {}) => {
      const start = clock.now().getTime() - 30 * 60_000;
      return createVisit(s.ctx, tenantId, staff, {
        siteId: options.siteId ?? siteId,
        visitor: { name: options.name ?? 'Ada Lovelace', email: 'ada@example.com' },
        expectedArrival: new Date(start).toISOString(),
        expectedDeparture: new Date(start + (options.hours ?? 4) * 3600_000).toISOString(),
        hostUserId: adminUserId,
      });
    },
  };
}
