import type { Database } from '../db';
import { DEFAULT_AUDIT_RETENTION_DAYS, DEFAULT_RETENTION_DAYS } from './retention';

/** The record of processing for one tenant: each category of personal data, why it is kept, how many and how long. */
export async function privacyInventory(db: Database, tenantId: string, now: Date) {
  return db.withTenant(tenantId, async (tx) => {
    const [settings] = await tx.query<{ retention: number | null; audit: number | null }>(
      `SELECT (settings->>'retentionDays')::int AS retention, (settings->>'auditRetentionDays')::int AS audit FROM tenants`,
    );
    const count = async (sql: string) => (await tx.query<{ n: number }>(sql))[0]!.n;
    const retentionDays = settings?.retention ?? DEFAULT_RETENTION_DAYS;
    return {
      generatedAt: now.toISOString(),
      categories: [
        {
          category: 'visitors',
          data: ['name', 'email', 'company', 'phone'],
          purpose: 'visitor registration and evacuation list',
          records: await count('SELECT count(*)::int AS n FROM visitors'),
          withEmail: await count('SELECT count(*)::int AS n FROM visitors WHERE email IS NOT NULL'),
          withPhone: await count('SELECT count(*)::int AS n FROM visitors WHERE phone IS NOT NULL'),
          retention: `${retentionDays} days after the visit ends`,
        },
        {
          category: 'visits',
          data: ['site', 'host', 'arrival and departure times', 'check-in and check-out times'],
          purpose: 'visitor management',
          records: await count('SELECT count(*)::int AS n FROM visits'),
          retention: `${retentionDays} days after the visit ends`,
        },
        {
          category: 'wifi_vouchers',
          data: ['voucher username and password (encrypted)', 'validity'],
          purpose: 'guest WiFi access',
          records: await count('SELECT count(*)::int AS n FROM vouchers'),
          retention: `${retentionDays} days after the visit ends`,
        },
        {
          category: 'wifi_sessions',
          data: ['device MAC address', 'IP address', 'traffic volume', 'session times'],
          purpose: 'guest WiFi operation and session termination',
          records: await count('SELECT count(*)::int AS n FROM radius_sessions'),
          retention: `${retentionDays} days after the visit ends`,
        },
        {
          category: 'staff_accounts',
          data: ['name', 'email', 'password hash', 'TOTP secret (encrypted)'],
          purpose: 'sign-in of hosts, receptionists and admins',
          records: await count('SELECT count(*)::int AS n FROM users'),
          retention: 'until the account is deleted',
        },
        {
          category: 'audit_log',
          data: ['ids of actors and targets', 'action', 'outcome', 'IP address', 'time'],
          purpose: 'security and accountability',
          records: await count('SELECT count(*)::int AS n FROM audit_events'),
          retention: `${settings?.audit ?? DEFAULT_AUDIT_RETENTION_DAYS} days`,
        },
      ],
    };
  });
}
