import type { KioskConfig } from '@atrium/protocol';
import type { KeyRing } from '../auth/keys';
import type { Database } from '../db';
import { QR_ISSUER } from '../visits/qr-tokens';
import { loadSite } from '../visits/settings';

/**
 * What a kiosk needs to work offline: its site, the tenant's QR keys and the revoked codes still in date, the server's
 * clock, and how often to report its heartbeat.
 */
export async function kioskConfig(
  deps: { db: Database; keys: KeyRing; now: () => Date; config: { KIOSK_HEARTBEAT_SECONDS: number } },
  kiosk: { tenantId: string; siteId: string },
): Promise<KioskConfig> {
  const config = await deps.db.withTenant(kiosk.tenantId, async (tx) => {
    const site = await loadSite(tx, kiosk.siteId);
    const revoked = await tx
      .selectFrom('qr_tokens')
      .select('jti')
      .where('site_id', '=', kiosk.siteId)
      .where('revoked_at', 'is not', null)
      .where('expires_at', '>', deps.now())
      .orderBy('jti')
      .execute();
    return { site: site!, revoked: revoked.map((r) => r.jti) };
  });
  return {
    site: {
      id: config.site.id,
      name: config.site.name,
      timezone: config.site.timezone,
      wifiSsid: config.site.wifi_ssid,
      walkInsAllowed: config.site.settings.walkInsAllowed,
    },
    issuer: QR_ISSUER,
    jwks: (await deps.keys.qrJwks(kiosk.tenantId)) as KioskConfig['jwks'],
    serverTime: deps.now().toISOString(),
    revokedJtis: config.revoked,
    keyMaxAgeSeconds: config.site.settings.keyMaxAgeSeconds,
    heartbeatSeconds: deps.config.KIOSK_HEARTBEAT_SECONDS,
  };
}
