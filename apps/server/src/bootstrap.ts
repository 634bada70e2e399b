import { randomInt } from 'node:crypto';
import type { Config } from './config';
import type { Database } from './db';
import { hashPassword } from './tenancy/passwords';
import { createTenant } from './tenancy/tenants';

export type BootstrapResult =
  | { created: true; email: string; generatedPassword?: string; tenantId: string; siteId: string }
  | { created: false; email: string };

// No 0/O, 1/l/I: a password read off a terminal should survive being typed.
const ALPHABET = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function generatePassword(length = 20): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** The server process's own zone (its TZ, else the system's): most likely where the first site is. */
export function serverTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/**
 * First start on an empty database: one tenant, the site "Main office" in the server's time zone and a tenant admin.
 * Later starts change nothing. Two replicas racing both try; the unique email lets exactly one commit.
 */
export async function bootstrap(
  db: Database,
  config: Pick<Config, 'ATRIUM_ADMIN_EMAIL' | 'ATRIUM_ADMIN_PASSWORD'>,
  timezone = serverTimeZone(),
): Promise<BootstrapResult> {
  const email = config.ATRIUM_ADMIN_EMAIL;
  const existing = await db.asOwner((tx) => tx.selectFrom('tenants').select('id').limit(1).executeTakeFirst());
  if (existing) return { created: false, email };
  const generatedPassword = config.ATRIUM_ADMIN_PASSWORD ? undefined : generatePassword();
  const passwordHash = await hashPassword(config.ATRIUM_ADMIN_PASSWORD ?? generatedPassword!);
  try {
    const created = await createTenant(db, {
      name: 'Atrium',
      site: { name: 'Main office', timezone },
      admin: { email, name: 'Administrator', passwordHash },
    });
    return {
      created: true,
      email,
      tenantId: created.tenantId,
      siteId: created.siteId,
      ...(generatedPassword ? { generatedPassword } : {}),
    };
  } catch (error) {
    if ((error as { code?: string }).code === '23505') return { created: false, email };
    throw error;
  }
}
