-- Single sign-on (OpenID Connect): which IdP account signs in as which user, and the one-time codes that hand a
-- finished sign-in from the callback to the admin app.

-- An account that only ever signs in with single sign-on has no password.
ALTER TABLE credentials ALTER COLUMN password_hash DROP NOT NULL;

-- One IdP subject is one user; a user is linked to at most one subject per issuer.
CREATE TABLE user_identities (
  tenant_id uuid NOT NULL,
  user_id uuid NOT NULL,
  issuer text NOT NULL CHECK (length(issuer) BETWEEN 1 AND 2000),
  subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
  email text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_sign_in_at timestamptz,
  PRIMARY KEY (tenant_id, issuer, subject),
  UNIQUE (tenant_id, user_id, issuer),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX user_identities_user ON user_identities (user_id);
SELECT app_protect_tenant_table('user_identities');

-- The callback never puts tokens in a URL: it hands the browser a code (stored as SHA-256) that the admin app trades
-- once, within a minute, for the usual token pair.
CREATE TABLE sign_in_handoffs (
  code_hash text PRIMARY KEY,
  tenant_id uuid NOT NULL,
  user_id uuid NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sign_in_handoffs_expiry ON sign_in_handoffs (expires_at);
SELECT app_protect_tenant_table('sign_in_handoffs');
