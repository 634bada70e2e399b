-- The retention job's role: the app role cannot delete audit entries (append-only); this one can, within a tenant.
DO $$
BEGIN
  CREATE ROLE atrium_retention NOLOGIN NOINHERIT NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

DO $$
BEGIN
  IF NOT pg_has_role(current_user, 'atrium_retention', 'MEMBER') THEN
    EXECUTE format('GRANT atrium_retention TO %I', current_user);
  END IF;
EXCEPTION WHEN unique_violation OR duplicate_object THEN NULL;
END $$;

GRANT USAGE ON SCHEMA public TO atrium_retention;
GRANT SELECT, DELETE ON audit_events, events TO atrium_retention;
GRANT SELECT ON tenants TO atrium_retention;
CREATE INDEX audit_events_time ON audit_events (occurred_at);
CREATE INDEX events_time ON events (created_at);
