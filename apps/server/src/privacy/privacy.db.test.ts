import type { CreatedVisit, RetentionPreview } from '@atrium/protocol';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, api, pairKiosk, scan, signInAdmin } from '../../test/actors';
import { testClock } from '../../test/clock';
import { testBackend } from '../../test/db';
import { startTestServer, type TestServer } from '../../test/http';
import { jsonOf } from '../../test/json';
import { bootstrap } from '../bootstrap';
import { tenantTables } from '../db/rls-audit';
import { purgeTenant, retentionPreview } from './retention';
import { exportVisitor } from './visitor-export';

const EMAIL = 'privacy@example.com';
const DAY = 24 * 3600_000;
const clock = testClock();
let s: TestServer;
let tenantId: string;
let siteId: string;
let kiosk: { token: string; kioskId: string };
const admin = async () => (await signInAdmin(s, EMAIL)).accessToken;

beforeAll(async () => {
  s = await startTestServer({ now: clock.now });
  const boot = await bootstrap(s.db, { ATRIUM_ADMIN_EMAIL: EMAIL, ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD });
  if (!boot.created) throw new Error('no tenant');
  tenantId = boot.tenantId;
  siteId = boot.siteId;
  kiosk = await pairKiosk(s, await admin(), siteId, clock.advance);
});
afterAll(() => s?.stop());

async function visitThrough(person: { name: string; email: string; phone: string }, checkOut = true) {
  const token = await admin();
  const visit = await jsonOf<CreatedVisit>(
    await api(s, token).post('/visits', {
      siteId,
      visitor: { ...person, company: 'Privacy Corp' },
      expectedArrival: clock.now().toISOString(),
      expectedDeparture: new Date(clock.now().getTime() + 3600_000).toISOString(),
    }),
  );
  await api(s, token).get(`/visits/${visit.id}`);
  expect((await api(s, kiosk.token).post('/kiosk/check-ins', scan(visit.qrToken, clock.now()))).status).toBe(201);
  if (checkOut)
    expect((await api(s, kiosk.token).post('/kiosk/check-outs', scan(visit.qrToken, clock.now()))).status).toBe(200);
  return visit;
}

/** Every row of every tenant table (and the global ones) as text, searched for each needle. */
async function findAnywhere(needles: string[], skip: string[] = []) {
  const tables = [...(await s.db.asOwner(tenantTables)), 'login_emails', 'pairing_codes', 'tenants'];
  const found: string[] = [];
  for (const table of tables.filter((t) => !skip.includes(t))) {
    for (const needle of needles) {
      const {
        rows: [row],
      } = await s.db.asOwner((tx) =>
        sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} t
          WHERE t::text ILIKE '%' || ${needle} || '%'`.execute(tx),
      );
      if (row!.n > 0) found.push(`${table}: ${needle}`);
    }
  }
  return found;
}

describe(`privacy on ${testBackend()}`, () => {
  it('events and audit entries of a whole journey carry no name, email or phone', async () => {
    const person = { name: 'Hedy Lamarr', email: 'hedy@example.com', phone: '+1 555 0100' };
    const visit = await visitThrough(person);
    const token = await admin();
    await api(s, token).get(`/visitors/${visit.visitorId}/export`);
    // Whole rows as text (a row-to-text cast Kysely has no builder for).
    const texts = await s.db.withTenant(tenantId, async (tx) => [
      ...(await sql<{ t: string }>`SELECT payload::text AS t FROM events`.execute(tx)).rows.map((r) => r.t),
      ...(await sql<{ t: string }>`SELECT a::text AS t FROM audit_events a`.execute(tx)).rows.map((r) => r.t),
    ]);
    expect(texts.length).toBeGreaterThan(8);
    for (const value of ['Hedy', 'Lamarr', 'hedy@example.com', '555 0100']) {
      expect(texts.filter((t) => t.includes(value))).toEqual([]);
    }
  });

  it('exports a visitor for an access request and lists the data inventory', async () => {
    const visit = await visitThrough({
      name: 'Ada Export',
      email: 'ada.export@example.com',
      phone: '+44 20 7946 0000',
    });
    const token = await admin();
    const exported = await jsonOf<{
      visitor: { name: string };
      visits: unknown[];
      wifiVouchers: Array<Record<string, unknown>>;
    }>(await api(s, token).get(`/visitors/${visit.visitorId}/export`));
    expect(exported.visitor.name).toBe('Ada Export');
    expect(exported.visits).toHaveLength(1);
    expect(exported.wifiVouchers[0]).not.toHaveProperty('password');
    const inventory = await jsonOf<{ categories: Array<{ category: string; records: number }> }>(
      await api(s, token).get('/privacy/inventory'),
    );
    expect(inventory.categories.map((c) => c.category)).toEqual([
      'visitors',
      'visits',
      'wifi_vouchers',
      'wifi_sessions',
      'staff_accounts',
      'audit_log',
    ]);
    expect(inventory.categories[0]!.records).toBeGreaterThanOrEqual(2);
    expect((await api(s, token).get('/visitors/00000000-0000-4000-8000-000000000000/export')).status).toBe(404);
  });

  it('erasure checks the visitor out, revokes the voucher, and leaves no trace of their data', async () => {
    const person = { name: 'Erin Erasable', email: 'erin@example.com', phone: '+49 170 0000000' };
    const visit = await visitThrough(person, false);
    const events: string[] = [];
    const unsubscribe = s.ctx.events.subscribe((e) => events.push(e.type));
    const res = await api(s, await admin()).delete(`/visitors/${visit.visitorId}`);
    expect(res.status).toBe(200);
    await s.ctx.events.wake();
    unsubscribe();
    expect(events).toEqual(expect.arrayContaining(['visit.checked_out', 'voucher.revoked']));
    expect(await findAnywhere([person.name, person.email, person.phone, 'Erin'])).toEqual([]);
    // Only the audit log (ids by design) and id-only events still name the visitor's id.
    expect(await findAnywhere([visit.visitorId, visit.id], ['audit_events', 'events'])).toEqual([]);
    const audit = await jsonOf<{ items: Array<{ action: string; targetId: string; details: object }> }>(
      await api(s, await admin()).get('/audit?action=visitor.erased'),
    );
    expect(audit.items[0]).toMatchObject({ targetId: visit.visitorId, details: { visits: 1 } });
    expect((await api(s, await admin()).delete(`/visitors/${visit.visitorId}`)).status).toBe(404);
  });

  it('the retention purge removes exactly what is past retention', async () => {
    const old = await visitThrough({ name: 'Old Visitor', email: 'old@example.com', phone: '1' });
    clock.advance(20 * DAY);
    const recent = await visitThrough({ name: 'Recent Visitor', email: 'recent@example.com', phone: '2' });
    const onSite = await visitThrough({ name: 'Still Here', email: 'here@example.com', phone: '3' }, false);
    await s.db.asOwner((tx) =>
      tx
        .insertInto('audit_events')
        .values({
          tenant_id: tenantId,
          occurred_at: new Date(clock.now().getTime() - 400 * DAY),
          actor_type: 'system',
          action: 'ancient',
          outcome: 'success',
        })
        .execute(),
    );
    clock.advance(15 * DAY);
    // The preview an admin sees before shortening retention counts what the purge then takes.
    const atDefault = await retentionPreview(s.ctx, tenantId, 30);
    const shortened = await api(s, await admin()).get('/settings/retention-preview?retentionDays=1');
    expect(shortened.status).toBe(200);
    const atOneDay = await jsonOf<RetentionPreview>(shortened);
    expect(atOneDay).toMatchObject({ retentionDays: 1, visits: atDefault.visits + 1 });
    const counts = await purgeTenant(s.ctx, tenantId);
    expect(counts).toMatchObject({ visitors: atDefault.visitors, visits: atDefault.visits });
    expect(counts.visitors).toBeGreaterThanOrEqual(1);
    expect(counts.auditEvents).toBe(1);
    const remaining = await s.db.withTenant(tenantId, (tx) => tx.selectFrom('visits').select('id').execute());
    const ids = remaining.map((r) => r.id);
    expect(ids).not.toContain(old.id);
    expect(ids).toEqual(expect.arrayContaining([recent.id, onSite.id]));
    expect(await findAnywhere(['Old Visitor', 'old@example.com'])).toEqual([]);
    expect(await findAnywhere(['Recent Visitor'])).not.toEqual([]);
    expect(await purgeTenant(s.ctx, tenantId)).toEqual({ visitors: 0, visits: 0, events: 0, auditEvents: 0 });
  });

  it('exportVisitor audits each export as the actor and returns nothing, auditing nothing, for an unknown visitor', async () => {
    const visit = await visitThrough({ name: 'Xavi Export', email: 'xavi@example.com', phone: '2' });
    const actor = { type: 'user', id: null, ip: '192.0.2.7' } as const;
    const exported = async (visitorId: string) =>
      (
        await s.db.withTenant(tenantId, (tx) =>
          tx
            .selectFrom('audit_events')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('action', '=', 'visitor.exported')
            .where('target_id', '=', visitorId)
            .where((eb) => eb(eb.fn('host', ['ip']), '=', '192.0.2.7'))
            .executeTakeFirstOrThrow(),
        )
      ).n;
    const now = clock.now();
    const data = await exportVisitor(s.db, tenantId, actor, visit.visitorId, now);
    expect(data).toMatchObject({ exportedAt: now.toISOString(), visitor: { id: visit.visitorId } });
    expect(data?.visits).toHaveLength(1);
    expect(await exported(visit.visitorId)).toBe(1);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(await exportVisitor(s.db, tenantId, actor, unknown, clock.now())).toBeUndefined();
    expect(await exported(unknown)).toBe(0);
  });
});
