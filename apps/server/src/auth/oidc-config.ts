import { z } from 'zod';
import { ROLES, type Role } from '../tenancy/users';

/** What a role-map entry grants: `tenant_admin`, `<role>@<site name or id>`, or a bare role on every site. */
export interface RoleRule {
  role: Role;
  /** A site's name or id as written in the map; null: every site (always null for tenant_admin). */
  site: string | null;
}

export type PasswordLogin = 'all' | 'admins' | 'off';

/** Single sign-on as configured; absent when OIDC_ISSUER is unset. */
export interface OidcSettings {
  issuer: URL;
  clientId: string;
  clientSecret: string;
  /** `${PUBLIC_URL}/api/v1/auth/oidc/callback`, registered at the IdP. */
  redirectUri: string;
  scopes: string;
  /** Lower-case email domains allowed to sign in; empty: any verified email. */
  allowedDomains: string[];
  roleClaim: string;
  roleMap: Record<string, RoleRule[]>;
  autoCreate: boolean;
  passwordLogin: PasswordLogin;
}

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalText = z.preprocess(
  emptyAsUndefined,
  z.string().trim().min(1).max(2000, 'must be at most 2000 characters').optional(),
);

function parseRule(text: string): RoleRule | undefined {
  const [role, site, ...rest] = text.split('@');
  if (rest.length > 0 || !(ROLES as readonly string[]).includes(role ?? '')) return undefined;
  if (role === 'tenant_admin') return site === undefined ? { role, site: null } : undefined;
  if (site !== undefined && site.trim() === '') return undefined;
  return { role: role as Role, site: site?.trim() ?? null };
}

const roleMap = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .transform((text, ctx) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const entries = z.record(z.string().min(1), z.union([z.string(), z.array(z.string()).min(1)])).safeParse(parsed);
      if (!entries.success) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be a JSON object such as {"atrium-admins":"tenant_admin","lobby":"receptionist@Main office"}',
        });
        return z.NEVER;
      }
      const map: Record<string, RoleRule[]> = {};
      for (const [value, grants] of Object.entries(entries.data)) {
        const rules = (Array.isArray(grants) ? grants : [grants]).map(parseRule);
        const bad = rules.indexOf(undefined);
        if (bad >= 0) {
          ctx.addIssue({
            code: 'custom',
            message: `maps "${value}" to something that is not tenant_admin or <role>@<site name or id> (roles: ${ROLES.join(', ')})`,
          });
          return z.NEVER;
        }
        map[value] = rules as RoleRule[];
      }
      return map;
    })
    .optional(),
);

/** The OIDC_* variables, spread into the server's config schema. */
export const oidcSchema = {
  OIDC_ISSUER: z.preprocess(
    emptyAsUndefined,
    z
      .url({ protocol: /^https?$/, error: 'must be the IdP issuer URL, e.g. https://login.example.com/realms/staff' })
      .optional(),
  ),
  OIDC_CLIENT_ID: optionalText,
  OIDC_CLIENT_SECRET: optionalText,
  OIDC_SCOPES: z
    .string()
    .default('openid email profile')
    .transform((value) => value.split(/[\s,]+/).filter(Boolean))
    .refine((scopes) => scopes.includes('openid'), 'must include openid, e.g. "openid email profile"'),
  OIDC_ALLOWED_DOMAINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((domain) => domain.trim().toLowerCase().replace(/^@/, ''))
        .filter(Boolean),
    )
    .refine(
      (domains) => domains.every((domain) => /^[a-z0-9.-]+\.[a-z0-9-]+$/.test(domain)),
      'must be a comma-separated list of email domains, e.g. example.com,example.org',
    ),
  OIDC_ROLE_CLAIM: z.string().trim().min(1).max(200).default('groups'),
  OIDC_ROLE_MAP: roleMap,
  OIDC_AUTO_CREATE: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .default('true')
    .transform((value) => ['true', '1', 'yes'].includes(value)),
  OIDC_PASSWORD_LOGIN: z.enum(['all', 'admins', 'off'], { error: 'must be all, admins or off' }).default('all'),
};

type OidcEnv = z.output<z.ZodObject<typeof oidcSchema>> & { PUBLIC_URL?: string | undefined };

/** Builds the settings, or names the first variable a partial configuration lacks. */
export function oidcSettings(env: OidcEnv, ctx: z.RefinementCtx): OidcSettings | undefined {
  const fail = (variable: string, message: string) => {
    ctx.addIssue({ code: 'custom', path: [variable], message });
    return undefined;
  };
  if (!env.OIDC_ISSUER) {
    if (env.OIDC_CLIENT_ID) return fail('OIDC_ISSUER', 'must be set when OIDC_CLIENT_ID is (single sign-on)');
    if (env.OIDC_CLIENT_SECRET) return fail('OIDC_ISSUER', 'must be set when OIDC_CLIENT_SECRET is (single sign-on)');
    if (env.OIDC_ROLE_MAP) return fail('OIDC_ISSUER', 'must be set when OIDC_ROLE_MAP is (single sign-on)');
    return undefined;
  }
  if (!env.OIDC_CLIENT_ID) return fail('OIDC_CLIENT_ID', 'must be set when OIDC_ISSUER is (the client id at the IdP)');
  if (!env.OIDC_CLIENT_SECRET) {
    return fail('OIDC_CLIENT_SECRET', 'must be set when OIDC_ISSUER is (the client secret at the IdP)');
  }
  if (!env.PUBLIC_URL) {
    return fail(
      'PUBLIC_URL',
      'must be set when OIDC_ISSUER is: the IdP redirects to PUBLIC_URL/api/v1/auth/oidc/callback',
    );
  }
  return {
    issuer: new URL(env.OIDC_ISSUER),
    clientId: env.OIDC_CLIENT_ID,
    clientSecret: env.OIDC_CLIENT_SECRET,
    redirectUri: `${env.PUBLIC_URL.replace(/\/+$/, '')}/api/v1/auth/oidc/callback`,
    scopes: env.OIDC_SCOPES.join(' '),
    allowedDomains: env.OIDC_ALLOWED_DOMAINS,
    roleClaim: env.OIDC_ROLE_CLAIM,
    roleMap: env.OIDC_ROLE_MAP ?? {},
    autoCreate: env.OIDC_AUTO_CREATE,
    passwordLogin: env.OIDC_PASSWORD_LOGIN,
  };
}
