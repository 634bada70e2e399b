import { randomBytes, randomUUID } from 'node:crypto';
import { SecretBox } from '../src/crypto/secret-box';
import type { Database } from '../src/db';
import { type CreatedTenant, createTenant } from '../src/tenancy/tenants';
import { recordCheckIn } from '../src/visits/check-in';
import { recordVisit } from '../src/visits/manage';

// The services need only the clock and the secret box here (no signing happens in a check-in without a QR scan).
const fixtureDeps = { now: () => new Date(), box: new SecretBox(randomBytes(32)) };

// A real argon2id hash is slow on purpose; fixtures that never sign in use a placeholder of the same shape.
const PLACEHOLDER_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$cGxhY2Vob2xkZXJwbGFjZWhvbGRlcnBsYWNlaG9sZA';

/**
 * A tenant with rows in every tenant table, so isolation tests have something to leak. A migration that adds a tenant
 * table adds its rows here (the isolation test fails until it does).
 */
export async function seedTenant(db: Database, label: string): Promise<CreatedTenant> {
  const suffix = randomBytes(4).toString('hex');
  const tenant = await createTenant(db, {
    name: `Tenant ${label}`,
    site: { name: `Site ${label}` },
    admin: { email: `admin-${label}-${suffix}@example.test`, name: `Admin ${label}`, passwordHash: PLACEHOLDER_HASH },
  });
  await db.withTenant(tenant.tenantId, async (tx) => {
    const { tenantId, siteId, adminUserId } = tenant;
    await tx.query('INSERT INTO recovery_codes (tenant_id, user_id, code_hash) VALUES ($1, $2, $3)', [
      tenantId,
      adminUserId,
      `fixture-${suffix}`,
    ]);
    await tx.query(
      `INSERT INTO refresh_tokens (tenant_id, user_id, family_id, token_hash, expires_at)
       VALUES ($1, $2, $3, $4, now() + interval '1 day')`,
      [tenantId, adminUserId, randomUUID(), `fixture-${suffix}`],
    );
    const [kiosk] = await tx.query<{ id: string }>(
      'INSERT INTO kiosks (tenant_id, site_id, name, paired_by) VALUES ($1, $2, $3, $4) RETURNING id',
      [tenantId, siteId, `Lobby ${label}`, adminUserId],
    );
    // A visit checked in through the real service: visitors, visits, qr_tokens, check_ins, vouchers, events.
    const actor = { type: 'system' as const, id: null, ip: null };
    const visit = await recordVisit(tx, new Date(), actor, {
      siteId,
      visitor: { name: `Visitor ${label}`, email: `visitor-${label}@example.test` },
      expectedArrival: new Date(Date.now() - 3600_000).toISOString(),
      expectedDeparture: new Date(Date.now() + 3600_000).toISOString(),
      hostUserId: adminUserId,
    });
    const outcome = await recordCheckIn(tx, fixtureDeps, {
      siteId,
      visitId: visit.id,
      jti: null,
      idempotencyKey: randomUUID(),
      occurredAt: new Date(),
      offline: false,
      kioskId: kiosk!.id,
      actor,
    });
    if (!outcome.ok) throw outcome.error;
    const [agent] = await tx.query<{ id: string }>(
      `INSERT INTO agents (tenant_id, site_id, name, cert_serial, cert_fingerprint, not_after)
       VALUES ($1, $2, $3, $4, $5, now() + interval '1 year') RETURNING id`,
      [tenantId, siteId, `Agent ${label}`, `serial-${suffix}`, `fp-${suffix}`],
    );
    await tx.query('INSERT INTO agent_event_ids (tenant_id, agent_id, event_id) VALUES ($1, $2, $3)', [
      tenantId,
      agent!.id,
      `event-${suffix}`,
    ]);
    const [voucher] = await tx.query<{ id: string }>('SELECT id FROM vouchers WHERE visit_id = $1', [visit.id]);
    await tx.query(
      `INSERT INTO radius_sessions (tenant_id, site_id, voucher_id, acct_session_id, nas_ip, calling_station_id, started_at, updated_at)
       VALUES ($1, $2, $3, $4, '127.0.0.1', 'AA-BB-CC-DD-EE-FF', now(), now())`,
      [tenantId, siteId, voucher!.id, `session-${suffix}`],
    );
    await tx.query(
      `INSERT INTO session_terminations (tenant_id, site_id, voucher_id, terminator, result, occurred_at)
       VALUES ($1, $2, $3, 'rfc5176', 'ack', now())`,
      [tenantId, siteId, voucher!.id],
    );
    await tx.query(
      `INSERT INTO check_in_conflicts (tenant_id, visit_id, jti, kiosk_id, occurred_at)
       SELECT tenant_id, visit_id, jti, $2, now() FROM qr_tokens WHERE visit_id = $1`,
      [visit.id, kiosk!.id],
    );
    await tx
      .insertInto('messages')
      .values({ tenant_id: tenantId, site_id: siteId, kind: 'invitation', visit_id: visit.id })
      .execute();
  });
  return tenant;
}
