-- Site agents: one registered agent per site at a time, identified by its client certificate.
CREATE TABLE agents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  site_id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  cert_serial text NOT NULL UNIQUE,
  cert_fingerprint text NOT NULL,
  not_after timestamptz NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  connected boolean NOT NULL DEFAULT false,
  last_seen timestamptz,
  last_status jsonb,
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, site_id) REFERENCES sites (tenant_id, id) ON DELETE CASCADE
);
SELECT app_protect_tenant_table('agents');

-- WiFi sessions from RADIUS accounting. calling_station_id (a MAC) is personal data: the retention purge covers it.
CREATE TABLE radius_sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  site_id uuid NOT NULL,
  voucher_id uuid,
  acct_session_id text NOT NULL,
  nas_ip text,
  nas_identifier text,
  calling_station_id text,
  framed_ip text,
  started_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  stopped_at timestamptz,
  session_time integer,
  input_octets bigint,
  output_octets bigint,
  terminate_cause integer,
  UNIQUE (site_id, acct_session_id, nas_ip),
  FOREIGN KEY (tenant_id, voucher_id) REFERENCES vouchers (tenant_id, id) ON DELETE CASCADE
);
SELECT app_protect_tenant_table('radius_sessions');

-- Outcome of every attempt to end a session at the firewall/controller (best effort, shown on the visit).
CREATE TABLE session_terminations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  site_id uuid NOT NULL,
  voucher_id uuid NOT NULL,
  acct_session_id text,
  terminator text NOT NULL,
  result text NOT NULL,
  error_cause integer,
  detail text,
  occurred_at timestamptz NOT NULL,
  FOREIGN KEY (tenant_id, voucher_id) REFERENCES vouchers (tenant_id, id) ON DELETE CASCADE
);
SELECT app_protect_tenant_table('session_terminations');
