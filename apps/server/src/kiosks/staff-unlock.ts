import { recordAudit } from '../audit/record';
import type { Principal } from '../auth/tokens';
import type { Database } from '../db';
import { forbidden, rateLimited } from '../http/errors';
import { type RateLimits, rule } from '../http/rate-limit';
import { verifyPassword } from '../tenancy/passwords';
import { siteSettings } from '../visits/settings';

type KioskPrincipal = Extract<Principal, { type: 'kiosk' }>;

/**
 * Checks the site's staff PIN typed in at a kiosk, so it may show staff what visitors must not see (the scans the
 * server refused). Attempts are counted per kiosk; a right PIN clears the count. Each attempt is audited.
 */
export async function unlockStaff(
  deps: { db: Database; limits: RateLimits },
  kiosk: KioskPrincipal,
  pin: string,
  ip: string | null,
): Promise<void> {
  const limit = rule('staffUnlockPerKiosk', kiosk.kioskId);
  const wait = await deps.limits.hit([limit]);
  if (wait > 0) throw rateLimited(wait);
  const site = await deps.db.withTenant(kiosk.tenantId, (tx) =>
    tx.selectFrom('sites').select('settings').where('id', '=', kiosk.siteId).executeTakeFirst(),
  );
  const hash = siteSettings(site?.settings).staffPinHash;
  const ok = hash !== null && (await verifyPassword(hash, pin));
  await deps.db.withTenant(kiosk.tenantId, async (tx) => {
    await recordAudit(tx, {
      actorType: 'kiosk',
      actorId: kiosk.kioskId,
      action: 'kiosk.staff_unlock',
      targetType: 'site',
      targetId: kiosk.siteId,
      outcome: ok ? 'success' : 'denied',
      ip,
    });
    if (ok) await deps.limits.reset([limit.key], tx);
  });
  if (hash === null)
    throw forbidden('No staff PIN is set for this site. An admin sets one in Settings.', 'staff_pin_not_set');
  if (!ok) throw forbidden('That is not the staff PIN.', 'staff_pin_wrong');
}
