-- Visits: visitors (PII), visits, single-use QR tokens, check-ins with idempotency, WiFi vouchers, the outbox.

CREATE TABLE visitors (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  email text,
  company text,
  phone text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id)
);
SELECT app_protect_tenant_table('visitors');

CREATE TABLE visits (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  site_id uuid NOT NULL,
  visitor_id uuid NOT NULL,
  host_user_id uuid,
  expected_arrival timestamptz NOT NULL,
  expected_departure timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'expected'
    CHECK (status IN ('expected', 'checked_in', 'checked_out', 'cancelled', 'expired')),
  checked_in_at timestamptz,
  checked_out_at timestamptz,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (expected_departure > expected_arrival),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, site_id) REFERENCES sites (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, visitor_id) REFERENCES visitors (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, host_user_id) REFERENCES users (tenant_id, id) ON DELETE SET NULL (host_user_id)
);
CREATE INDEX visits_site_status ON visits (site_id, status, expected_arrival);
CREATE INDEX visits_departure_open ON visits (expected_departure) WHERE status IN ('expected', 'checked_in');
SELECT app_protect_tenant_table('visits');

-- One row per issued QR token; consumed_at is set exactly once (the atomic check-in), revoked_at on cancel.
CREATE TABLE qr_tokens (
  jti uuid PRIMARY KEY,
  tenant_id uuid NOT NULL,
  visit_id uuid NOT NULL,
  site_id uuid NOT NULL,
  expires_at timestamptz NOT NULL,
  issued_at timestamptz NOT NULL DEFAULT now(),
  consumed_at timestamptz,
  consumed_by_kiosk uuid,
  revoked_at timestamptz,
  FOREIGN KEY (tenant_id, visit_id) REFERENCES visits (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX qr_tokens_visit ON qr_tokens (visit_id);
CREATE INDEX qr_tokens_revoked ON qr_tokens (site_id, expires_at) WHERE revoked_at IS NOT NULL;
SELECT app_protect_tenant_table('qr_tokens');

CREATE TABLE vouchers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  site_id uuid NOT NULL,
  visit_id uuid NOT NULL,
  username text NOT NULL,
  password_sealed text NOT NULL,
  valid_from timestamptz NOT NULL,
  valid_until timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked', 'expired')),
  revoked_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, visit_id) REFERENCES visits (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX vouchers_active_username ON vouchers (site_id, username) WHERE status = 'active';
CREATE INDEX vouchers_visit ON vouchers (visit_id);
CREATE INDEX vouchers_active_until ON vouchers (valid_until) WHERE status = 'active';
SELECT app_protect_tenant_table('vouchers');

-- Check-ins and check-outs from kiosks and staff. The idempotency key makes a retried request answer the same.
CREATE TABLE check_ins (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('check_in', 'check_out', 'walk_in')),
  idempotency_key uuid NOT NULL,
  visit_id uuid,
  voucher_id uuid,
  kiosk_id uuid,
  user_id uuid,
  occurred_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  offline boolean NOT NULL DEFAULT false,
  UNIQUE (tenant_id, idempotency_key),
  FOREIGN KEY (tenant_id, visit_id) REFERENCES visits (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX check_ins_visit ON check_ins (visit_id);
SELECT app_protect_tenant_table('check_ins');

-- The same QR token accepted by two kiosks while offline: one check-in wins, the other is a conflict for staff.
CREATE TABLE check_in_conflicts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  visit_id uuid NOT NULL,
  jti uuid NOT NULL,
  kiosk_id uuid,
  first_kiosk_id uuid,
  occurred_at timestamptz NOT NULL,
  detected_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  FOREIGN KEY (tenant_id, visit_id) REFERENCES visits (tenant_id, id) ON DELETE CASCADE
);
SELECT app_protect_tenant_table('check_in_conflicts');

-- Outbox: committed with the change it describes; payloads carry ids only, never personal data.
CREATE TABLE events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  site_id uuid,
  type text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_tenant_id ON events (tenant_id, id);
SELECT app_protect_tenant_table('events');
