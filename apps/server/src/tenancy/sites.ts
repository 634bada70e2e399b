import type { SettingsView, Site, SiteWithSettings, TenantSettings, updateSiteSchema } from '@atrium/protocol';
import { type Selectable, sql } from 'kysely';
import type { z } from 'zod';
import { recordAudit } from '../audit/record';
import type { Database, Tx } from '../db';
import type { Sites } from '../db/schema';
import { notFound } from '../http/errors';
import { DEFAULT_RETENTION_DAYS } from '../privacy/retention';
import { siteSettings } from '../visits/settings';
import { hashPassword } from './passwords';

/** Who is changing sites or tenant settings, for the audit trail. */
export interface SiteActor {
  userId: string;
  tenantId: string;
  ip: string | null;
}

/** Site ids the caller may see, or null for every site of the tenant. */
export type VisibleSites = string[] | null;

export type SitePatch = z.infer<typeof updateSiteSchema>;

type SiteRow = Pick<Selectable<Sites>, 'id' | 'name' | 'timezone' | 'wifi_ssid' | 'settings'>;

const withSettings = (row: SiteRow): SiteWithSettings => {
  const { staffPinHash, ...settings } = siteSettings(row.settings);
  return {
    id: row.id,
    name: row.name,
    timezone: row.timezone,
    wifiSsid: row.wifi_ssid,
    settings: { ...settings, staffPinSet: staffPinHash !== null },
  };
};

const visibleSites = (tx: Tx, visible: VisibleSites) => {
  const query = tx.selectFrom('sites').orderBy('name').orderBy('id');
  return visible === null ? query : query.where('id', '=', (eb) => eb.fn.any(eb.val(visible)));
};

export async function listSites(db: Database, tenantId: string, visible: VisibleSites): Promise<Site[]> {
  return db.withTenant(tenantId, (tx) =>
    visibleSites(tx, visible).select(['id', 'name', 'timezone', 'wifi_ssid as wifiSsid']).execute(),
  );
}

export async function createSite(
  db: Database,
  actor: SiteActor,
  input: { name: string; timezone: string; wifiSsid: string },
): Promise<Site> {
  return db.withTenant(actor.tenantId, async (tx) => {
    const row = await tx
      .insertInto('sites')
      // The RLS helper: the tenant the transaction was opened for.
      .values({
        tenant_id: sql<string>`app_current_tenant()`,
        name: input.name,
        timezone: input.timezone,
        wifi_ssid: input.wifiSsid,
      })
      .returning(['id', 'name', 'timezone', 'wifi_ssid as wifiSsid'])
      .executeTakeFirstOrThrow();
    await recordAudit(tx, {
      actorType: 'user',
      actorId: actor.userId,
      action: 'site.created',
      targetType: 'site',
      targetId: row.id,
      outcome: 'success',
      ip: actor.ip,
    });
    return row;
  });
}

/**
 * The tenant's retention and the settings of each visible site the caller administers (`mayAdminister`): a site
 * where the caller holds only a member role is left out.
 */
export async function settingsView(
  db: Database,
  tenantId: string,
  options: { visible: VisibleSites; mayAdminister: (siteId: string) => boolean },
): Promise<SettingsView> {
  return db.withTenant(tenantId, async (tx) => {
    const tenant = await tx
      .selectFrom('tenants')
      .select('settings')
      .$narrowType<{ settings: { retentionDays?: number } }>()
      .executeTakeFirst();
    const sites = await visibleSites(tx, options.visible)
      .select(['id', 'name', 'timezone', 'wifi_ssid', 'settings'])
      .execute();
    return {
      retentionDays: tenant?.settings.retentionDays ?? DEFAULT_RETENTION_DAYS,
      sites: sites.filter((site) => options.mayAdminister(site.id)).map(withSettings),
    };
  });
}

export async function updateTenantSettings(
  db: Database,
  actor: SiteActor,
  input: { retentionDays: number },
): Promise<TenantSettings> {
  await db.withTenant(actor.tenantId, async (tx) => {
    await tx
      .updateTable('tenants')
      .set({ settings: sql`settings || jsonb_build_object('retentionDays', ${input.retentionDays}::int)` })
      .execute();
    await recordAudit(tx, {
      actorType: 'user',
      actorId: actor.userId,
      action: 'settings.updated',
      targetType: 'tenant',
      targetId: actor.tenantId,
      outcome: 'success',
      ip: actor.ip,
      details: { retentionDays: input.retentionDays },
    });
  });
  return { retentionDays: input.retentionDays };
}

/** Changes a site's name, zone, SSID and any of its settings (merged into the stored ones). */
export async function updateSite(
  db: Database,
  actor: SiteActor,
  id: string,
  patch: SitePatch,
): Promise<SiteWithSettings> {
  const { name, timezone, wifiSsid, staffPin, ...rest } = patch;
  // Hashed before the transaction opens: argon2 takes a while and holds no row.
  const settings =
    staffPin === undefined ? rest : { ...rest, staffPinHash: staffPin === null ? null : await hashPassword(staffPin) };
  return db.withTenant(actor.tenantId, async (tx) => {
    const row = await tx
      .updateTable('sites')
      .set({
        ...(name === undefined ? {} : { name }),
        ...(timezone === undefined ? {} : { timezone }),
        ...(wifiSsid === undefined ? {} : { wifi_ssid: wifiSsid }),
        // jsonb merge: the patch's settings over the stored ones.
        settings: sql`settings || ${JSON.stringify(settings)}::jsonb`,
      })
      .where('id', '=', id)
      .returning(['id', 'name', 'timezone', 'wifi_ssid', 'settings'])
      .executeTakeFirst();
    if (!row) throw notFound('site');
    await recordAudit(tx, {
      actorType: 'user',
      actorId: actor.userId,
      action: 'site.updated',
      targetType: 'site',
      targetId: id,
      outcome: 'success',
      ip: actor.ip,
      details: { fields: Object.keys(patch).sort().join(',') },
    });
    return withSettings(row);
  });
}
