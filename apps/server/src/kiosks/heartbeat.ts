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
    tx
      .updateTable('kiosks')
      .set({ last_seen: now, last_status: JSON.stringify(status) })
      .where('id', '=', kiosk.kioskId)
      .where('revoked_at', 'is', null)
      .execute(),
  );
}
