-- Identity: signing keys, sign-in lookup, refresh token families, TOTP, kiosks (device tokens are revocable by id).

-- Instance-wide keys (JWKS is instance-wide); private keys are sealed with the instance secret key.
CREATE TABLE signing_keys (
  kid text PRIMARY KEY,
  purpose text NOT NULL CHECK (purpose IN ('access', 'device', 'qr')),
  public_jwk jsonb NOT NULL,
  private_key_sealed text NOT NULL,
  not_before timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys (purpose) WHERE retired_at IS NULL;
REVOKE ALL ON signing_keys FROM atrium_app;

-- Sign-in happens before the tenant is known: this maps an email to its one account on the instance.
CREATE TABLE login_emails (
  email text PRIMARY KEY CHECK (email = lower(email)),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_id uuid NOT NULL UNIQUE,
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);

ALTER TABLE credentials ADD COLUMN totp_last_step bigint;

CREATE TABLE recovery_codes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  user_id uuid NOT NULL,
  code_hash text NOT NULL,
  used_at timestamptz,
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);
SELECT app_protect_tenant_table('recovery_codes');

-- Opaque refresh tokens, stored as SHA-256; a family is one sign-in. Reusing a rotated token revokes the family.
CREATE TABLE refresh_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  user_id uuid NOT NULL,
  family_id uuid NOT NULL,
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  rotated_at timestamptz,
  revoked_at timestamptz,
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
SELECT app_protect_tenant_table('refresh_tokens');

CREATE TABLE kiosks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  site_id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  token_jti uuid,
  paired_by uuid,
  paired_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  last_seen timestamptz,
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, site_id) REFERENCES sites (tenant_id, id) ON DELETE CASCADE
);
SELECT app_protect_tenant_table('kiosks');
