import { randomUUID } from 'node:crypto';
import { recordAudit } from '../audit/record';
import type { Database } from '../db';
import { insertUser } from './users';

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
    const adminUserId = await insertUser(tx, tenantId, {
      ...input.admin,
      roles: [{ role: 'tenant_admin', siteId: null }],
    });
    await recordAudit(tx, {
      actorType: 'system',
      action: 'tenant.created',
      targetType: 'tenant',
      targetId: tenantId,
      outcome: 'success',
      details: { siteId: site!.id, adminUserId },
    });
    return { tenantId, siteId: site!.id, adminUserId };
  });
}
