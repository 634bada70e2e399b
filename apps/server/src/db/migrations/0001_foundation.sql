-- Foundation: the app role, tenant isolation helpers, and the first tenant tables.

-- The role the application works as. Roles are cluster-wide, so tolerate a concurrent or earlier creation.
DO $$
BEGIN
  CREATE ROLE atrium_app NOLOGIN NOINHERIT NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

-- The connecting role must be able to SET ROLE to it (superusers can anyway).
DO $$
BEGIN
  IF NOT pg_has_role(current_user, 'atrium_app', 'MEMBER') THEN
    EXECUTE format('GRANT atrium_app TO %I', current_user);
  END IF;
EXCEPTION WHEN unique_violation OR duplicate_object THEN NULL;
END $$;

GRANT USAGE ON SCHEMA public TO atrium_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO atrium_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO atrium_app;

-- The tenant of the current transaction (set by withTenant with set_config(..., true)); NULL outside it.
CREATE FUNCTION app_current_tenant() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;

-- Every tenant table calls this: RLS on, forced (even for the owner), one policy for reads and writes.
CREATE FUNCTION app_protect_tenant_table(target regclass) RETURNS void
  LANGUAGE plpgsql
  AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', target);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', target);
  EXECUTE format(
    'CREATE POLICY tenant_isolation ON %s USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())',
    target);
END $$;

CREATE TABLE tenants (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- The app role sees only its own tenant row; the owner lists tenants for jobs, so RLS is not forced here.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants USING (id = app_current_tenant()) WITH CHECK (id = app_current_tenant());

CREATE TABLE sites (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  timezone text NOT NULL DEFAULT 'UTC',
  wifi_ssid text NOT NULL DEFAULT 'Guest',
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id)
);
SELECT app_protect_tenant_table('sites');

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  email text NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id)
);
-- Sign-in is by email before a tenant is known, so an email belongs to one account on the whole instance.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
SELECT app_protect_tenant_table('users');

-- Password hashes live apart from profiles (security seed).
CREATE TABLE credentials (
  user_id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL,
  password_hash text NOT NULL,
  totp_secret text,
  totp_confirmed_at timestamptz,
  failed_attempts integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
SELECT app_protect_tenant_table('credentials');

CREATE TABLE user_site_roles (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  user_id uuid NOT NULL,
  site_id uuid, -- NULL: the role holds for every site of the tenant
  role text NOT NULL CHECK (role IN ('tenant_admin', 'site_admin', 'receptionist', 'member')),
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, site_id) REFERENCES sites (tenant_id, id) ON DELETE CASCADE,
  CHECK (role <> 'tenant_admin' OR site_id IS NULL)
);
CREATE UNIQUE INDEX user_site_roles_unique ON user_site_roles (user_id, coalesce(site_id, '00000000-0000-0000-0000-000000000000'::uuid), role);
SELECT app_protect_tenant_table('user_site_roles');

-- Append-only: ids, never personal data by value. Only the retention job (as owner) may delete.
CREATE TABLE audit_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  actor_type text NOT NULL CHECK (actor_type IN ('user', 'kiosk', 'agent', 'system', 'anonymous')),
  actor_id uuid,
  action text NOT NULL,
  target_type text,
  target_id uuid,
  outcome text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
  ip inet,
  details jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_events_tenant_time ON audit_events (tenant_id, occurred_at DESC);
SELECT app_protect_tenant_table('audit_events');
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM atrium_app;
