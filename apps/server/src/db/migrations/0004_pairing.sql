-- Kiosk pairing (device flow): a tablet shows a 6-digit code before it belongs to any tenant.
CREATE TABLE pairing_codes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE CHECK (code ~ '^[0-9]{6}$'),
  device_code_hash text NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  last_poll_at timestamptz,
  tenant_id uuid REFERENCES tenants (id) ON DELETE CASCADE,
  kiosk_id uuid,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
