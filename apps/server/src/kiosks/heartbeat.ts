import type { KioskHeartbeat } from '@atrium/protocol';
import type { Principal } from '../auth/tokens';
import type { Database } from '../db';

type KioskPrincipal = Extract<Principal, { type: 'kiosk' }>;

/** Notes that a kiosk is alive and what it says about itself; staff read it on the Kiosks page. */
export async function recordHeartbeat(
  db: Database,
  kiosk: KioskPrincipal,
  heartbeat: KioskHeartbeat,
  now: Date,
): Promise<void> {
  const status = { ...heartbeat, reportedAt: now.toISOString() };
  await db.withTenant(kiosk.tenantId, (tx) =>
    tx.query('UPDATE kiosks SET last_seen = $2, last_status = $3 WHERE id = $1 AND revoked_at IS NULL', [
      kiosk.kioskId,
      now,
      JSON.stringify(status),
    ]),
  );
}
