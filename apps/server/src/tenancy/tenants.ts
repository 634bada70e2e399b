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
    await tx.insertInto('tenants').values({ id: tenantId, name: input.name }).execute();
    const site = await tx
      .insertInto('sites')
      .values({
        tenant_id: tenantId,
        name: input.site.name,
        timezone: input.site.timezone ?? 'UTC',
        wifi_ssid: input.site.wifiSsid ?? 'Guest',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
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
      details: { siteId: site.id, adminUserId },
    });
    return { tenantId, siteId: site.id, adminUserId };
  });
}
