import { randomBytes } from 'node:crypto';
import type { Database } from '../src/db';
import { type CreatedTenant, createTenant } from '../src/tenancy/tenants';

// A real argon2id hash is slow on purpose; fixtures that never sign in use a placeholder of the same shape.
const PLACEHOLDER_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$cGxhY2Vob2xkZXJwbGFjZWhvbGRlcnBsYWNlaG9sZA';

/** A tenant with rows in every tenant table, so isolation tests have something to leak. */
export async function seedTenant(db: Database, label: string): Promise<CreatedTenant> {
  const suffix = randomBytes(4).toString('hex');
  return createTenant(db, {
    name: `Tenant ${label}`,
    site: { name: `Site ${label}` },
    admin: { email: `admin-${label}-${suffix}@example.test`, name: `Admin ${label}`, passwordHash: PLACEHOLDER_HASH },
  });
}
