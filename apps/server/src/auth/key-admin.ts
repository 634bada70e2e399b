import { recordAudit } from '../audit/record';
import type { Database } from '../db';
import type { KeyPurpose, KeyRing, Rotation } from './keys';

/** Who asks to see or rotate signing keys: a tenant admin, from an address. */
export interface KeyAdmin {
  userId: string;
  tenantId: string;
  ip: string | null;
}

const kids = (jwks: { keys: Array<{ kid?: string }> }) => jwks.keys.map((key) => key.kid);

/** The kids that verify today, current first, per purpose; QR lists only the tenant's own keys. */
export async function listSigningKeyIds(keys: KeyRing, tenantId: string) {
  return {
    access: kids(keys.jwks('access')),
    device: kids(keys.jwks('device')),
    qr: kids(await keys.qrJwks(tenantId)),
  };
}

/**
 * Rotates one signing key for the admin's tenant and audits the attempt in that tenant, refusals included (rate limit,
 * instance key on a multi-tenant instance). The rotation runs first, outside the tenant transaction: the key ring
 * takes its own lock and connection.
 */
export async function rotateSigningKey(
  db: Database,
  keys: KeyRing,
  admin: KeyAdmin,
  purpose: KeyPurpose,
): Promise<Rotation> {
  const rotation = await keys.rotate(purpose, admin.tenantId);
  await db.withTenant(admin.tenantId, (tx) =>
    recordAudit(tx, {
      actorType: 'user',
      actorId: admin.userId,
      action: 'key.rotated',
      outcome: rotation.ok ? 'success' : 'denied',
      ip: admin.ip,
      details: rotation.ok
        ? { purpose, retiredKid: rotation.retired ?? null, currentKid: rotation.current }
        : { purpose, reason: rotation.reason },
    }),
  );
  return rotation;
}
