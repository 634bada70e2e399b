import type { KioskHeartbeat, KioskView } from '@atrium/protocol';
import { sql } from 'kysely';
import { recordAudit } from '../audit/record';
import type { Database } from '../db';
import { notFound } from '../http/errors';

/** Who manages kiosks, and which sites' kiosks they may see and revoke. */
export interface KioskManager {
  userId: string;
  tenantId: string;
  ip: string | null;
  manages: (siteId: string) => boolean;
}

/** A kiosk is online while its heartbeats arrive: two and a half beats may go missing before staff see it offline. */
const onlineWindowMs = (heartbeatSeconds: number) => heartbeatSeconds * 2500;

/** The paired kiosks of the sites the manager manages, with whether each is online and its last report. */
export async function listKiosks(
  deps: { db: Database; now: () => Date; config: { KIOSK_HEARTBEAT_SECONDS: number } },
  manager: KioskManager,
): Promise<KioskView[]> {
  const rows = await deps.db.withTenant(manager.tenantId, (tx) =>
    tx
      .selectFrom('kiosks')
      .select(['id', 'name', 'site_id', 'paired_at', 'last_seen', 'revoked_at', 'last_status'])
      .where('token_jti', 'is not', null)
      .orderBy('name')
      .orderBy('id')
      .$narrowType<{ last_status: (KioskHeartbeat & { reportedAt: string }) | null }>()
      .execute(),
  );
  const now = deps.now().getTime();
  const window = onlineWindowMs(deps.config.KIOSK_HEARTBEAT_SECONDS);
  return rows
    .filter((k) => manager.manages(k.site_id))
    .map((k) => ({
      id: k.id,
      name: k.name,
      siteId: k.site_id,
      pairedAt: k.paired_at.toISOString(),
      lastSeen: k.last_seen?.toISOString() ?? null,
      online: !k.revoked_at && !!k.last_seen && now - k.last_seen.getTime() < window,
      revoked: !!k.revoked_at,
      status: k.last_status,
    }));
}

/** Revokes a kiosk for good (its device token stops working at once); revoking it again changes nothing but the audit. */
export async function revokeKiosk(db: Database, manager: KioskManager, kioskId: string): Promise<void> {
  await db.withTenant(manager.tenantId, async (tx) => {
    const kiosk = await tx.selectFrom('kiosks').select('site_id').where('id', '=', kioskId).executeTakeFirst();
    if (!kiosk || !manager.manages(kiosk.site_id)) throw notFound('kiosk');
    await tx
      .updateTable('kiosks')
      .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', sql<Date>`now()`) }))
      .where('id', '=', kioskId)
      .execute();
    await recordAudit(tx, {
      actorType: 'user',
      actorId: manager.userId,
      action: 'kiosk.revoked',
      targetType: 'kiosk',
      targetId: kioskId,
      outcome: 'success',
      ip: manager.ip,
    });
  });
}
