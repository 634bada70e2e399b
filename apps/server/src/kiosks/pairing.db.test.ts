import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testClock } from '../../test/clock';
import { freshDatabase, type TestDatabase, testBackend } from '../../test/db';
import { seedTenant } from '../../test/fixtures';
import { KeyRing } from '../auth/keys';
import { TokenService } from '../auth/tokens';
import { SecretBox } from '../crypto/secret-box';
import type { Database } from '../db';
import { RateLimits } from '../http/rate-limit';
import type { CreatedTenant } from '../tenancy/tenants';
import { pairKiosk, pollPairing, startPairing } from './pairing';

const clock = testClock();
let t: TestDatabase;
let deps: { db: Database; limits: RateLimits; tokens: TokenService; now: () => Date };
let tenant: CreatedTenant;
let other: CreatedTenant;
let who: { tenantId: string; userId: string; ip: string };

beforeAll(async () => {
  t = await freshDatabase();
  const keys = await KeyRing.open(t.db, new SecretBox(randomBytes(32)), clock.now);
  deps = {
    db: t.db,
    limits: new RateLimits(t.db, clock.now),
    tokens: new TokenService(keys, clock.now),
    now: clock.now,
  };
  tenant = await seedTenant(t.db, 'pairing');
  other = await seedTenant(t.db, 'pairing-other');
  who = { tenantId: tenant.tenantId, userId: tenant.adminUserId, ip: '192.0.2.20' };
});
afterAll(() => t?.close());

const auditOf = (action: string) =>
  t.db.withTenant(tenant.tenantId, (tx) =>
    tx
      .selectFrom('audit_events')
      .select(['actor_id', 'target_id', 'outcome', sql<string>`host(ip)`.as('ip'), 'details'])
      .where('action', '=', action)
      .orderBy('id')
      .execute(),
  );
const kioskNames = () =>
  t.db.withTenant(tenant.tenantId, (tx) => tx.selectFrom('kiosks').select('name').orderBy('name').execute());

describe(`kiosk pairing service on ${testBackend()}`, () => {
  it('binds the code to a new kiosk of the site, audits who paired it, and hands the kiosk its token once', async () => {
    const started = await startPairing(deps, '198.51.100.1');
    expect(await pollPairing(deps, started.deviceCode)).toEqual({ status: 202, body: { status: 'pending' } });

    const kiosk = await pairKiosk(deps, who, { code: started.code, siteId: tenant.siteId, name: 'Entrance' });
    expect(kiosk).toMatchObject({ name: 'Entrance', siteId: tenant.siteId });
    expect(await auditOf('kiosk.paired')).toEqual([
      { actor_id: who.userId, target_id: kiosk.id, outcome: 'success', ip: who.ip, details: { siteId: tenant.siteId } },
    ]);

    clock.advance(5000);
    const delivered = await pollPairing(deps, started.deviceCode);
    expect(delivered).toMatchObject({ status: 200, body: { status: 'paired', kiosk } });
    const token = delivered.body.status === 'paired' ? delivered.body.deviceToken : '';
    expect(await deps.tokens.verifyBearer(token)).toMatchObject({
      type: 'kiosk',
      kioskId: kiosk.id,
      tenantId: tenant.tenantId,
      siteId: tenant.siteId,
    });
    clock.advance(5000);
    await expect(pollPairing(deps, started.deviceCode)).rejects.toMatchObject({ status: 410, code: 'expired' });
  });

  it('creates no kiosk for a code nobody shows or a site of another tenant, and audits the wrong code', async () => {
    const started = await startPairing(deps, '198.51.100.2');
    const wrong = String((Number(started.code) + 1) % 1_000_000).padStart(6, '0');
    const guess = pairKiosk(deps, who, { code: wrong, siteId: tenant.siteId, name: 'Wrong code' });
    await expect(guess).rejects.toMatchObject({ status: 404, code: 'unknown_code' });
    const elsewhere = pairKiosk(deps, who, { code: started.code, siteId: other.siteId, name: 'Elsewhere' });
    await expect(elsewhere).rejects.toMatchObject({ status: 404, code: 'not_found' });

    expect((await kioskNames()).map((k) => k.name)).not.toContain('Wrong code');
    expect((await kioskNames()).map((k) => k.name)).not.toContain('Elsewhere');
    expect(await auditOf('kiosk.pair')).toEqual([
      { actor_id: who.userId, target_id: null, outcome: 'failure', ip: who.ip, details: { reason: 'unknown_code' } },
    ]);
    // The code was not used up by the refused attempts: the right site still pairs with it.
    await pairKiosk(deps, who, { code: started.code, siteId: tenant.siteId, name: 'Right site' });
    expect((await kioskNames()).map((k) => k.name)).toContain('Right site');
  });

  it('gives back the attempts that paired, so a busy receptionist is not capped', async () => {
    clock.advance(61_000);
    for (let i = 0; i < 12; i++) {
      const { code } = await startPairing(deps, '198.51.100.3');
      await pairKiosk(deps, who, { code, siteId: tenant.siteId, name: `Desk ${String(i).padStart(2, '0')}` });
    }
    expect((await kioskNames()).filter((k) => k.name.startsWith('Desk '))).toHaveLength(12);
  });
});
