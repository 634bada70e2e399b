import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../src/db';
import { type CreatedTenant, createTenant } from '../src/tenancy/tenants';

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
    await tx.query('INSERT INTO kiosks (tenant_id, site_id, name, paired_by) VALUES ($1, $2, $3, $4)', [
      tenantId,
      siteId,
      `Lobby ${label}`,
      adminUserId,
    ]);
  });
  return tenant;
}
