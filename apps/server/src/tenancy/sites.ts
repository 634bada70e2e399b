import type { SettingsView, Site, SiteWithSettings, TenantSettings, updateSiteSchema } from '@atrium/protocol';
import type { z } from 'zod';
import { recordAudit } from '../audit/record';
import type { Database } from '../db';
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

type SiteRow = { id: string; name: string; timezone: string; wifi_ssid: string; settings: unknown };

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

export async function listSites(db: Database, tenantId: string, visible: VisibleSites): Promise<Site[]> {
  return db.withTenant(tenantId, (tx) =>
    tx.query<Site>(
      `SELECT id, name, timezone, wifi_ssid AS "wifiSsid" FROM sites
        WHERE $1::uuid[] IS NULL OR id = ANY($1::uuid[]) ORDER BY name, id`,
      [visible],
    ),
  );
}

export async function createSite(
  db: Database,
  actor: SiteActor,
  input: { name: string; timezone: string; wifiSsid: string },
): Promise<Site> {
  return db.withTenant(actor.tenantId, async (tx) => {
    const [row] = await tx.query<Site>(
      `INSERT INTO sites (tenant_id, name, timezone, wifi_ssid) VALUES (app_current_tenant(), $1, $2, $3)
       RETURNING id, name, timezone, wifi_ssid AS "wifiSsid"`,
      [input.name, input.timezone, input.wifiSsid],
    );
    await recordAudit(tx, {
      actorType: 'user',
      actorId: actor.userId,
      action: 'site.created',
      targetType: 'site',
      targetId: row!.id,
      outcome: 'success',
      ip: actor.ip,
    });
    return row!;
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
    const [tenant] = await tx.query<{ settings: { retentionDays?: number } }>('SELECT settings FROM tenants');
    const sites = await tx.query<SiteRow>(
      'SELECT id, name, timezone, wifi_ssid, settings FROM sites WHERE $1::uuid[] IS NULL OR id = ANY($1::uuid[]) ORDER BY name, id',
      [options.visible],
    );
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
    await tx.query(`UPDATE tenants SET settings = settings || jsonb_build_object('retentionDays', $1::int)`, [
      input.retentionDays,
    ]);
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
    const [row] = await tx.query<SiteRow>(
      `UPDATE sites SET name = coalesce($2, name), timezone = coalesce($3, timezone), wifi_ssid = coalesce($4, wifi_ssid),
              settings = settings || $5::jsonb
        WHERE id = $1 RETURNING id, name, timezone, wifi_ssid, settings`,
      [id, name ?? null, timezone ?? null, wifiSsid ?? null, JSON.stringify(settings)],
    );
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
