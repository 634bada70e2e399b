import type { NotificationPreferences } from '@atrium/protocol';
import { recordAudit } from '../audit/record';
import type { AccountHolder } from '../auth/account';
import type { Database } from '../db';

/** Turns the user's own arrival emails on or off (a host with them off still sees arrivals in the dashboard). */
export async function setArrivalEmails(
  db: Database,
  user: AccountHolder,
  on: boolean,
): Promise<NotificationPreferences> {
  await db.withTenant(user.tenantId, async (tx) => {
    await tx.updateTable('users').set({ email_notifications: on }).where('id', '=', user.userId).execute();
    await recordAudit(tx, {
      actorType: 'user',
      actorId: user.userId,
      action: 'user.notifications_changed',
      targetType: 'user',
      targetId: user.userId,
      outcome: 'success',
      ip: user.ip,
      details: { emailOnArrival: on },
    });
  });
  return { emailOnArrival: on };
}
