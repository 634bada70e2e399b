import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testClock } from '../../test/clock';
import { freshDatabase, type TestDatabase, testBackend } from '../../test/db';
import { seedTenant } from '../../test/fixtures';
import { createSite } from '../tenancy/sites';
import { type KioskManager, listKiosks, revokeKiosk } from './admin';
import { recordHeartbeat } from './heartbeat';

const clock = testClock();
let t: TestDatabase;
let tenantId: string;
let lobby: string;
let annex: string;
let everywhere: KioskManager;
let lobbyOnly: KioskManager;
const deps = () => ({ db: t.db, now: clock.now, config: { KIOSK_HEARTBEAT_SECONDS: 30 } });

beforeAll(async () => {
  t = await freshDatabase();
  const tenant = await seedTenant(t.db, 'kiosk-admin');
  tenantId = tenant.tenantId;
  lobby = tenant.siteId;
  const actor = { userId: tenant.adminUserId, tenantId, ip: null };
  annex = (await createSite(t.db, actor, { name: 'Annex', timezone: 'UTC', wifiSsid: 'Guest' })).id;
  everywhere = { ...actor, ip: '192.0.2.9', manages: () => true };
  lobbyOnly = { ...actor, ip: '192.0.2.10', manages: (siteId) => siteId === lobby };
});
afterAll(() => t?.close());

/** A kiosk that finished pairing (it holds a device token). */
async function pairedKiosk(siteId: string, name: string): Promise<string> {
  const row = await t.db.withTenant(tenantId, (tx) =>
    tx
      .insertInto('kiosks')
      .values({
        tenant_id: sql<string>`app_current_tenant()`,
        site_id: siteId,
        name,
        token_jti: sql<string>`gen_random_uuid()`,
      })
      .returning('id')
      .executeTakeFirstOrThrow(),
  );
  return row.id;
}

const report = { appVersion: '1.2.3', outboxDepth: 4, lastSyncAt: null, online: true };
const heartbeat = (kioskId: string, siteId: string, at: Date) =>
  recordHeartbeat(t.db, { type: 'kiosk', kioskId, tenantId, siteId, jti: 'unused' }, report, at);

const revocations = () =>
  t.db.withTenant(tenantId, (tx) =>
    tx
      .selectFrom('audit_events')
      .select(['target_id', sql<string>`host(ip)`.as('ip')])
      .where('action', '=', 'kiosk.revoked')
      .orderBy('id')
      .execute(),
  );

describe(`kiosk administration on ${testBackend()}`, () => {
  it('lists paired kiosks of the managed sites by name, online while their heartbeats arrive', async () => {
    const front = await pairedKiosk(lobby, 'Front');
    const back = await pairedKiosk(lobby, 'Back');
    const side = await pairedKiosk(annex, 'Side');
    // The seeded kiosk never finished pairing, so nobody sees it.
    expect((await listKiosks(deps(), everywhere)).map((k) => k.id)).toEqual([back, front, side]);
    expect((await listKiosks(deps(), lobbyOnly)).map((k) => k.name)).toEqual(['Back', 'Front']);

    const at = clock.now();
    await heartbeat(front, lobby, at);
    const [, seen] = await listKiosks(deps(), lobbyOnly);
    const reported = { ...report, reportedAt: at.toISOString() };
    expect(seen).toMatchObject({
      id: front,
      lastSeen: at.toISOString(),
      online: true,
      revoked: false,
      status: reported,
    });

    clock.advance(76_000);
    expect((await listKiosks(deps(), lobbyOnly))[1]).toMatchObject({ id: front, online: false, status: reported });
  });

  it("revokes only a managed site's kiosk, audits who did it, and shows it revoked and offline", async () => {
    const kiosk = await pairedKiosk(annex, 'Revoked soon');
    await heartbeat(kiosk, annex, clock.now());

    await expect(revokeKiosk(t.db, lobbyOnly, kiosk)).rejects.toMatchObject({ status: 404, code: 'not_found' });
    const unknown = revokeKiosk(t.db, everywhere, '00000000-0000-4000-8000-000000000000');
    await expect(unknown).rejects.toMatchObject({ status: 404, code: 'not_found' });
    expect(await revocations()).toEqual([]);

    await revokeKiosk(t.db, everywhere, kiosk);
    const listed = (await listKiosks(deps(), everywhere)).find((k) => k.id === kiosk);
    expect(listed).toMatchObject({ revoked: true, online: false });
    expect(await revocations()).toEqual([{ target_id: kiosk, ip: '192.0.2.9' }]);
  });
});
