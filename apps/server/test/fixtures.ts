import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
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
    await tx
      .insertInto('recovery_codes')
      .values({ tenant_id: tenantId, user_id: adminUserId, code_hash: `fixture-${suffix}` })
      .execute();
    await tx
      .insertInto('refresh_tokens')
      .values({
        tenant_id: tenantId,
        user_id: adminUserId,
        family_id: randomUUID(),
        token_hash: `fixture-${suffix}`,
        expires_at: sql<Date>`now() + interval '1 day'`,
      })
      .execute();
    await tx
      .insertInto('user_identities')
      .values({
        tenant_id: tenantId,
        user_id: adminUserId,
        issuer: 'https://idp.example.test',
        subject: `subject-${suffix}`,
        email: `admin-${label}@example.test`,
      })
      .execute();
    await tx
      .insertInto('sign_in_handoffs')
      .values({
        code_hash: `fixture-${suffix}`,
        tenant_id: tenantId,
        user_id: adminUserId,
        expires_at: sql<Date>`now() + interval '1 minute'`,
      })
      .execute();
    const kiosk = await tx
      .insertInto('kiosks')
      .values({ tenant_id: tenantId, site_id: siteId, name: `Lobby ${label}`, paired_by: adminUserId })
      .returning('id')
      .executeTakeFirstOrThrow();
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
      kioskId: kiosk.id,
      actor,
    });
    if (!outcome.ok) throw outcome.error;
    const agent = await tx
      .insertInto('agents')
      .values({
        tenant_id: tenantId,
        site_id: siteId,
        name: `Agent ${label}`,
        cert_serial: `serial-${suffix}`,
        cert_fingerprint: `fp-${suffix}`,
        not_after: sql<Date>`now() + interval '1 year'`,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tx
      .insertInto('agent_event_ids')
      .values({ tenant_id: tenantId, agent_id: agent.id, event_id: `event-${suffix}` })
      .execute();
    const voucher = await tx
      .selectFrom('vouchers')
      .select('id')
      .where('visit_id', '=', visit.id)
      .executeTakeFirstOrThrow();
    await tx
      .insertInto('radius_sessions')
      .values({
        tenant_id: tenantId,
        site_id: siteId,
        voucher_id: voucher.id,
        acct_session_id: `session-${suffix}`,
        nas_ip: '127.0.0.1',
        calling_station_id: 'AA-BB-CC-DD-EE-FF',
        started_at: sql<Date>`now()`,
        updated_at: sql<Date>`now()`,
      })
      .execute();
    await tx
      .insertInto('session_terminations')
      .values({
        tenant_id: tenantId,
        site_id: siteId,
        voucher_id: voucher.id,
        terminator: 'rfc5176',
        result: 'ack',
        occurred_at: sql<Date>`now()`,
      })
      .execute();
    await tx
      .insertInto('check_in_conflicts')
      .columns(['tenant_id', 'visit_id', 'jti', 'kiosk_id', 'occurred_at'])
      .expression((eb) =>
        eb
          .selectFrom('qr_tokens')
          .select((eb) => [
            'tenant_id',
            'visit_id',
            'jti',
            eb.val(kiosk.id).as('kiosk_id'),
            sql<Date>`now()`.as('occurred_at'),
          ])
          .where('visit_id', '=', visit.id),
      )
      .execute();
    await tx
      .insertInto('messages')
      .values({ tenant_id: tenantId, site_id: siteId, kind: 'invitation', visit_id: visit.id })
      .execute();
  });
  return tenant;
}
