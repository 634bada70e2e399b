import { sql } from 'kysely';
import { APP_ROLE } from './database';
import type { Tx } from './kysely';

// `sql` templates throughout: it reads pg_catalog, which the generated DB types (and Kysely's builders) do not cover.

/** Tables without tenant data; every other table must carry tenant_id and be protected. */
export const GLOBAL_TABLES: Record<string, string> = {
  schema_migrations: 'migration bookkeeping',
  tenants: 'the tenant list itself; the app role sees only its own row',
  signing_keys:
    "instance token keys and per-tenant QR keys; the app role has no access, the key ring reads them as owner for the caller's tenant",
  login_emails: 'maps a sign-in email to its account before the tenant is known; no app access, one-row functions only',
  pairing_codes: 'a kiosk asks for a code before it belongs to any tenant; no app access, one-row functions only',
  rate_limits: 'attempt counters keyed by address, account or code; no app access, counted through functions only',
  instance_ca: 'the instance CA for agent certificates; the app role has no access',
};

interface TableRow {
  name: string;
  kind: string;
  rls: boolean;
  forced: boolean;
  has_tenant_id: boolean;
  policy_ok: boolean;
  owned_by_app: boolean;
  options: string[] | null;
}

/**
 * Reads the catalog and lists every way a table could leak across tenants. Empty means: every tenant table has
 * tenant_id, RLS enabled and forced, and a policy on app_current_tenant() for both reads and writes.
 */
export async function findRlsProblems(tx: Tx): Promise<string[]> {
  const problems: string[] = [];
  const {
    rows: [role],
  } = await sql<{
    rolsuper: boolean;
    rolbypassrls: boolean;
  }>`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = ${APP_ROLE}`.execute(tx);
  if (!role) problems.push(`role ${APP_ROLE} is missing`);
  else if (role.rolsuper || role.rolbypassrls) problems.push(`role ${APP_ROLE} can bypass row level security`);

  const { rows: tables } =
    await sql<TableRow>`SELECT c.relname AS name, c.relkind::text AS kind, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
            EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped) AS has_tenant_id,
            EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polcmd = '*' AND p.polpermissive
                      AND pg_get_expr(p.polqual, p.polrelid) = '(tenant_id = app_current_tenant())'
                      AND pg_get_expr(p.polwithcheck, p.polrelid) = '(tenant_id = app_current_tenant())') AS policy_ok,
            pg_get_userbyid(c.relowner) = ${APP_ROLE} AS owned_by_app,
            c.reloptions AS options
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
      ORDER BY c.relname`.execute(tx);
  for (const t of tables) {
    if (t.owned_by_app) problems.push(`${t.name}: owned by ${APP_ROLE}, so row level security would not bind it`);
    if (t.kind === 'v' || t.kind === 'm') {
      // A view runs with its owner's rights unless security_invoker is set, which would skip RLS.
      if (!(t.options ?? []).includes('security_invoker=true')) {
        problems.push(`${t.name}: view without security_invoker=true`);
      }
      continue;
    }
    if (t.name in GLOBAL_TABLES) continue;
    if (!t.has_tenant_id) {
      problems.push(`${t.name}: no tenant_id column (add one, or list it in GLOBAL_TABLES with a reason)`);
      continue;
    }
    if (!t.rls) problems.push(`${t.name}: row level security is not enabled`);
    if (!t.forced) problems.push(`${t.name}: row level security is not forced`);
    if (!t.policy_ok) problems.push(`${t.name}: no tenant_isolation policy on app_current_tenant() for all commands`);
  }
  return problems;
}

/** Names of tables that carry tenant rows, from the catalog, so tests cover tables added later automatically. */
export async function tenantTables(tx: Tx): Promise<string[]> {
  const { rows } = await sql<{
    name: string;
  }>`SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
        AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
      ORDER BY 1`.execute(tx);
  return rows.map((row) => row.name).filter((name) => !(name in GLOBAL_TABLES));
}
