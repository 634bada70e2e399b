import type { Database } from '../db';
import type { DB } from '../db/schema';
import { DEFAULT_AUDIT_RETENTION_DAYS, DEFAULT_RETENTION_DAYS, retentionSettings } from './retention';

/** The record of processing for one tenant: each category of personal data, why it is kept, how many and how long. */
export async function privacyInventory(db: Database, tenantId: string, now: Date) {
  return db.withTenant(tenantId, async (tx) => {
    const settings = await retentionSettings(tx);
    const count = async (table: keyof DB, filled?: 'email' | 'phone') => {
      let query = tx.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'));
      if (filled) query = query.where(filled, 'is not', null);
      return (await query.executeTakeFirstOrThrow()).n;
    };
    const retentionDays = settings?.retention ?? DEFAULT_RETENTION_DAYS;
    return {
      generatedAt: now.toISOString(),
      categories: [
        {
          category: 'visitors',
          data: ['name', 'email', 'company', 'phone'],
          purpose: 'visitor registration and evacuation list',
          records: await count('visitors'),
          withEmail: await count('visitors', 'email'),
          withPhone: await count('visitors', 'phone'),
          retention: `${retentionDays} days after the visit ends`,
        },
        {
          category: 'visits',
          data: ['site', 'host', 'arrival and departure times', 'check-in and check-out times'],
          purpose: 'visitor management',
          records: await count('visits'),
          retention: `${retentionDays} days after the visit ends`,
        },
        {
          category: 'wifi_vouchers',
          data: ['voucher username and password (encrypted)', 'validity'],
          purpose: 'guest WiFi access',
          records: await count('vouchers'),
          retention: `${retentionDays} days after the visit ends`,
        },
        {
          category: 'wifi_sessions',
          data: ['device MAC address', 'IP address', 'traffic volume', 'session times'],
          purpose: 'guest WiFi operation and session termination',
          records: await count('radius_sessions'),
          retention: `${retentionDays} days after the visit ends`,
        },
        {
          category: 'staff_accounts',
          data: ['name', 'email', 'password hash', 'TOTP secret (encrypted)'],
          purpose: 'sign-in of hosts, receptionists and admins',
          records: await count('users'),
          retention: 'until the account is deleted',
        },
        {
          category: 'audit_log',
          data: ['ids of actors and targets', 'action', 'outcome', 'IP address', 'time'],
          purpose: 'security and accountability',
          records: await count('audit_events'),
          retention: `${settings?.audit ?? DEFAULT_AUDIT_RETENTION_DAYS} days`,
        },
      ],
    };
  });
}
