import { randomUUID } from 'node:crypto';
import type { Database } from '../src/db';
import { insertUser, type RoleGrant } from '../src/tenancy/users';
import { seedTenant } from './fixtures';
import type { TestServer } from './http';

/** Staff of a tenant with two sites, several of them holding roles on both. */
export const ACTORS = [
  'tenantAdmin',
  'adminS1',
  'adminS1S2',
  'memberS1AdminS2',
  'receptionistS1',
  'memberS1',
  'memberS2',
] as const;
export type ActorName = (typeof ACTORS)[number];

export interface TwoSites {
  tenantId: string;
  s1: string;
  s2: string;
  userIds: Record<ActorName, string>;
  tokens: Record<ActorName, string>;
  rolesOf(name: ActorName | 'memberS1S2' | 'receptionistS2'): RoleGrant[];
}

export async function seedTwoSites(s: TestServer): Promise<TwoSites> {
  const tenant = await seedTenant(s.db, `two-${randomUUID().slice(0, 6)}`);
  const { tenantId, siteId: s1 } = tenant;
  const { id: s2 } = await s.db.withTenant(tenantId, (tx) =>
    tx
      .insertInto('sites')
      .values({ tenant_id: tenantId, name: 'Second site' })
      .returning('id')
      .executeTakeFirstOrThrow(),
  );
  const grants: Record<ActorName | 'memberS1S2' | 'receptionistS2', RoleGrant[]> = {
    tenantAdmin: [{ role: 'tenant_admin', siteId: null }],
    adminS1: [{ role: 'site_admin', siteId: s1 }],
    adminS1S2: [
      { role: 'site_admin', siteId: s1 },
      { role: 'site_admin', siteId: s2 },
    ],
    memberS1AdminS2: [
      { role: 'member', siteId: s1 },
      { role: 'site_admin', siteId: s2 },
    ],
    receptionistS1: [{ role: 'receptionist', siteId: s1 }],
    memberS1: [{ role: 'member', siteId: s1 }],
    memberS2: [{ role: 'member', siteId: s2 }],
    memberS1S2: [
      { role: 'member', siteId: s1 },
      { role: 'member', siteId: s2 },
    ],
    receptionistS2: [{ role: 'receptionist', siteId: s2 }],
  };
  const userIds = {} as Record<ActorName, string>;
  const tokens = {} as Record<ActorName, string>;
  for (const name of ACTORS) {
    userIds[name] = await addUser(s.db, tenantId, grants[name], name);
    tokens[name] = await s.ctx.tokens.signAccessToken({ userId: userIds[name], tenantId, roles: grants[name] });
  }
  return { tenantId, s1, s2, userIds, tokens, rolesOf: (name) => grants[name] };
}

// Users of these tests sign in with tokens minted directly; a placeholder of the argon2id shape never verifies.
const PLACEHOLDER_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$cGxhY2Vob2xkZXJwbGFjZWhvbGRlcnBsYWNlaG9sZA';

export function addUser(
  db: Database,
  tenantId: string,
  roles: RoleGrant[],
  label = 'user',
  passwordHash = PLACEHOLDER_HASH,
): Promise<string> {
  return db.withTenant(tenantId, (tx) =>
    insertUser(tx, tenantId, {
      email: `${label.toLowerCase()}-${randomUUID()}@example.test`,
      name: label,
      passwordHash,
      roles,
    }),
  );
}
