import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Database, Tx } from '../db';
import { insertUser, normalizeEmail, type RoleGrant, replaceRoles, rolesOf } from '../tenancy/users';
import type { OidcSettings, PasswordLogin, RoleRule } from './oidc-config';
import { announceAccessChange } from './sessions';

/** Who the IdP says signed in, after openid-client validated the ID token. */
export interface IdpIdentity {
  issuer: string;
  subject: string;
  email: string | undefined;
  emailVerified: boolean;
  name: string | undefined;
  /** The values of the role claim (OIDC_ROLE_CLAIM), e.g. the user's groups. */
  roleValues: string[];
}

export type AccountRefusal =
  | 'sso_email_unverified'
  | 'sso_domain_not_allowed'
  | 'sso_no_account'
  | 'sso_account_disabled';

export type AccountMatch =
  | { ok: true; userId: string; created: boolean; linked: boolean; rolesChanged: boolean }
  | { ok: false; reason: AccountRefusal; userId?: string };

/** The tenant a single sign-on belongs to: the one that knows the email, else the instance's first tenant. */
export async function tenantForSignIn(db: Database, email: string | undefined): Promise<string | undefined> {
  if (email) {
    // The app role reaches login emails only through a SECURITY DEFINER function.
    const {
      rows: [known],
    } = await db.withoutTenant((tx) =>
      sql<{ tenant_id: string }>`SELECT tenant_id FROM app_login_lookup(${normalizeEmail(email)})`.execute(tx),
    );
    if (known) return known.tenant_id;
  }
  const first = await db.asOwner((tx) =>
    tx.selectFrom('tenants').select('id').orderBy('created_at').orderBy('id').limit(1).executeTakeFirst(),
  );
  return first?.id;
}

/** The first tenant admin (the one bootstrap made) keeps a password and roles that SSO never takes away. */
export async function firstAdminOf(tx: Tx): Promise<string | undefined> {
  const first = await tx
    .selectFrom('user_site_roles as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select('r.user_id')
    .where('r.role', '=', 'tenant_admin')
    .orderBy('u.created_at')
    .orderBy('u.id')
    .limit(1)
    .executeTakeFirst();
  return first?.user_id;
}

/** OIDC_PASSWORD_LOGIN: `admins` lets tenant and site admins use a password, `off` only the first admin. */
export async function mayUsePassword(tx: Tx, policy: PasswordLogin, userId: string): Promise<boolean> {
  if (policy === 'all' || userId === (await firstAdminOf(tx))) return true;
  if (policy === 'off') return false;
  return (await rolesOf(tx, userId)).some((grant) => grant.role === 'tenant_admin' || grant.role === 'site_admin');
}

function allowedEmail(settings: OidcSettings, email: string): boolean {
  if (settings.allowedDomains.length === 0) return true;
  const domain = email.slice(email.lastIndexOf('@') + 1);
  return settings.allowedDomains.includes(domain);
}

/**
 * The grants the role map gives these claim values, with site names or ids resolved in this tenant. Null when the map
 * is empty: roles are then managed in Atrium, not by the IdP.
 */
async function mappedGrants(
  tx: Tx,
  settings: OidcSettings,
  values: string[],
  logger: Logger,
): Promise<RoleGrant[] | null> {
  if (Object.keys(settings.roleMap).length === 0) return null;
  const rules: RoleRule[] = values.flatMap((value) => settings.roleMap[value] ?? []);
  const sites = await tx.selectFrom('sites').select(['id', 'name']).orderBy('created_at').orderBy('id').execute();
  const grants: RoleGrant[] = [];
  for (const rule of rules) {
    let siteId: string | null = null;
    if (rule.site !== null) {
      const site = sites.find((s) => s.id === rule.site) ?? sites.find((s) => s.name === rule.site);
      if (!site) {
        logger.warn({ role: rule.role }, 'single sign-on: OIDC_ROLE_MAP names a site that does not exist');
        continue;
      }
      siteId = site.id;
    }
    if (!grants.some((g) => g.role === rule.role && g.siteId === siteId)) grants.push({ role: rule.role, siteId });
  }
  return grants;
}

async function defaultGrants(tx: Tx): Promise<RoleGrant[]> {
  const site = await tx
    .selectFrom('sites')
    .select('id')
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return site ? [{ role: 'member', siteId: site.id }] : [];
}

const sameGrants = (a: RoleGrant[], b: RoleGrant[]) => {
  const key = (g: RoleGrant) => `${g.role}@${g.siteId ?? '*'}`;
  return a.map(key).sort().join() === b.map(key).sort().join();
};

/**
 * Finds (or links, or creates) the user for an IdP identity inside the tenant's transaction, and applies the role map.
 * A subject signs in as the user it was linked to; an existing account with the same verified email is linked once;
 * otherwise a new user is made (OIDC_AUTO_CREATE).
 */
export async function matchAccount(
  tx: Tx,
  deps: { settings: OidcSettings; logger: Logger },
  tenantId: string,
  identity: IdpIdentity,
): Promise<AccountMatch> {
  const { settings } = deps;
  if (!identity.email || !identity.emailVerified) return { ok: false, reason: 'sso_email_unverified' };
  const email = normalizeEmail(identity.email);
  if (!allowedEmail(settings, email)) return { ok: false, reason: 'sso_domain_not_allowed' };

  let created = false;
  let linked = false;
  const known = await tx
    .selectFrom('user_identities')
    .select('user_id')
    .where('issuer', '=', identity.issuer)
    .where('subject', '=', identity.subject)
    .executeTakeFirst();
  let userId = known?.user_id;
  if (!userId) {
    const byEmail = await tx
      .selectFrom('users as u')
      .select((eb) => [
        'u.id',
        eb
          .exists(
            eb
              .selectFrom('user_identities as i')
              .select('i.user_id')
              .whereRef('i.user_id', '=', 'u.id')
              .where('i.issuer', '=', identity.issuer),
          )
          .$castTo<boolean>()
          .as('linked'),
      ])
      .where((eb) => eb(eb.fn('lower', ['u.email']), '=', email))
      .executeTakeFirst();
    // Linked once: an account already tied to another subject of this IdP is not taken over by a second one.
    if (byEmail?.linked) return { ok: false, reason: 'sso_no_account', userId: byEmail.id };
    if (byEmail) {
      userId = byEmail.id;
      linked = true;
    } else if (!settings.autoCreate) {
      return { ok: false, reason: 'sso_no_account' };
    } else {
      userId = await insertUser(tx, tenantId, {
        email,
        name: identity.name?.trim().slice(0, 200) || email,
        passwordHash: null,
        roles: [],
      });
      created = true;
    }
    await tx
      .insertInto('user_identities')
      .values({ tenant_id: tenantId, user_id: userId, issuer: identity.issuer, subject: identity.subject, email })
      .execute();
  }

  const user = await tx.selectFrom('users').select('status').where('id', '=', userId).executeTakeFirst();
  if (user?.status !== 'active') return { ok: false, reason: 'sso_account_disabled', userId };
  await tx
    .updateTable('user_identities')
    .set({ email, last_sign_in_at: new Date() })
    .where('issuer', '=', identity.issuer)
    .where('subject', '=', identity.subject)
    .execute();
  // A temporary password nobody used was only a way in; single sign-on is that now.
  await tx
    .updateTable('credentials')
    .set({ password_hash: null, must_change_password: false })
    .where('user_id', '=', userId)
    .where('must_change_password', '=', true)
    .where('temporary_password_used_at', 'is', null)
    .execute();

  const rolesChanged = await applyRoles(tx, deps, tenantId, userId, identity.roleValues, created);
  return { ok: true, userId, created, linked, rolesChanged };
}

/** The IdP's groups decide the roles at every sign-in (when a map is set); the first admin's roles stay as they are. */
async function applyRoles(
  tx: Tx,
  deps: { settings: OidcSettings; logger: Logger },
  tenantId: string,
  userId: string,
  values: string[],
  created: boolean,
): Promise<boolean> {
  if (!created && userId === (await firstAdminOf(tx))) return false;
  const mapped = await mappedGrants(tx, deps.settings, values, deps.logger);
  if (mapped === null && !created) return false;
  const wanted = mapped && mapped.length > 0 ? mapped : await defaultGrants(tx);
  if (sameGrants(wanted, await rolesOf(tx, userId))) return false;
  await replaceRoles(tx, tenantId, userId, wanted);
  if (!created) await announceAccessChange(tx, userId);
  return true;
}
