import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testClock } from '../../test/clock';
import { freshDatabase, type TestDatabase, testBackend } from '../../test/db';
import { seedTenant } from '../../test/fixtures';
import { KeyRing } from '../auth/keys';
import { SecretBox } from '../crypto/secret-box';
import { createSite, updateSite } from '../tenancy/sites';
import type { CreatedTenant } from '../tenancy/tenants';
import { kioskConfig } from './config';

const clock = testClock();
let t: TestDatabase;
let keys: KeyRing;
let tenant: CreatedTenant;
let other: CreatedTenant;
const deps = () => ({ db: t.db, keys, now: clock.now, config: { KIOSK_HEARTBEAT_SECONDS: 45 } });

beforeAll(async () => {
  t = await freshDatabase();
  keys = await KeyRing.open(t.db, new SecretBox(randomBytes(32)), clock.now);
  tenant = await seedTenant(t.db, 'kiosk-config');
  other = await seedTenant(t.db, 'kiosk-config-other');
});
afterAll(() => t?.close());

/** A QR code of the seeded visit, shown at `siteId`, revoked or not, expiring `expiresInMs` from now. */
async function qrCode(siteId: string, revoked: boolean, expiresInMs: number): Promise<string> {
  const jti = randomUUID();
  await t.db.withTenant(tenant.tenantId, (tx) =>
    tx
      .insertInto('qr_tokens')
      .columns(['jti', 'tenant_id', 'visit_id', 'site_id', 'expires_at', 'revoked_at'])
      .expression((eb) =>
        eb
          .selectFrom('visits')
          .select([
            eb.val(jti).as('jti'),
            'tenant_id',
            'id',
            eb.val(siteId).as('site_id'),
            eb.val(new Date(clock.now().getTime() + expiresInMs)).as('expires_at'),
            sql<Date | null>`CASE WHEN ${revoked} THEN now() END`.as('revoked_at'),
          ])
          .limit(1),
      )
      .execute(),
  );
  return jti;
}

describe(`kiosk config on ${testBackend()}`, () => {
  it("gives the kiosk its site, the server's clock and how often to beat", async () => {
    const actor = { userId: tenant.adminUserId, tenantId: tenant.tenantId, ip: null };
    await updateSite(t.db, actor, tenant.siteId, { name: 'Front desk', walkInsAllowed: true, keyMaxAgeSeconds: 3600 });
    const config = await kioskConfig(deps(), tenant);
    expect(config).toMatchObject({
      site: { id: tenant.siteId, name: 'Front desk', timezone: 'UTC', walkInsAllowed: true },
      issuer: 'atrium',
      keyMaxAgeSeconds: 3600,
      heartbeatSeconds: 45,
    });
    expect(Math.abs(Date.parse(config.serverTime) - clock.now().getTime())).toBeLessThan(1000);
  });

  it("lists the site's revoked codes that could still be shown, and only its own tenant's QR keys", async () => {
    const annex = await createSite(
      t.db,
      { userId: tenant.adminUserId, tenantId: tenant.tenantId, ip: null },
      {
        name: 'Annex',
        timezone: 'UTC',
        wifiSsid: 'Guest',
      },
    );
    const revoked = await qrCode(tenant.siteId, true, 3600_000);
    await qrCode(tenant.siteId, true, -1000);
    await qrCode(tenant.siteId, false, 3600_000);
    await qrCode(annex.id, true, 3600_000);
    const config = await kioskConfig(deps(), tenant);
    expect(config.revokedJtis).toEqual([revoked]);

    const kids = (jwks: { keys: Array<Record<string, unknown>> }) => jwks.keys.map((key) => key.kid);
    const mine = kids(config.jwks);
    const theirs = kids((await kioskConfig(deps(), other)).jwks);
    expect(mine).toHaveLength(1);
    expect(theirs).toHaveLength(1);
    expect(mine).not.toEqual(theirs);
  });
});
