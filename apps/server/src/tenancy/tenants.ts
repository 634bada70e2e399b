import { randomUUID } from 'node:crypto';
import { recordAudit } from '../audit/record';
import type { Database } from '../db';

export interface NewTenant {
  name: string;
  site: { name: string; timezone?: string; wifiSsid?: string };
  admin: { email: string; name: string; passwordHash: string };
}

export interface CreatedTenant {
  tenantId: string;
  siteId: string;
  adminUserId: string;
}

/** One tenant with its first site and tenant admin, in one transaction, through the same RLS path as everything else. */
export async function createTenant(db: Database, input: NewTenant): Promise<CreatedTenant> {
  const tenantId = randomUUID();
  return db.withTenant(tenantId, async (tx) => {
    await tx.query('INSERT INTO tenants (id, name) VALUES ($1, $2)', [tenantId, input.name]);
    const [site] = await tx.query<{ id: string }>(
      `INSERT INTO sites (tenant_id, name, timezone, wifi_ssid) VALUES ($1, $2, $3, $4) RETURNING id`,
      [tenantId, input.site.name, input.site.timezone ?? 'UTC', input.site.wifiSsid ?? 'Guest'],
    );
    const [user] = await tx.query<{ id: string }>(
      `INSERT INTO users (tenant_id, email, name) VALUES ($1, $2, $3) RETURNING id`,
      [tenantId, input.admin.email, input.admin.name],
    );
    await tx.query(`INSERT INTO credentials (tenant_id, user_id, password_hash) VALUES ($1, $2, $3)`, [
      tenantId,
      user!.id,
      input.admin.passwordHash,
    ]);
    await tx.query(
      `INSERT INTO user_site_roles (tenant_id, user_id, site_id, role) VALUES ($1, $2, NULL, 'tenant_admin')`,
      [tenantId, user!.id],
    );
    await recordAudit(tx, {
      actorType: 'system',
      action: 'tenant.created',
      targetType: 'tenant',
      targetId: tenantId,
      outcome: 'success',
      details: { siteId: site!.id, adminUserId: user!.id },
    });
    return { tenantId, siteId: site!.id, adminUserId: user!.id };
  });
}
