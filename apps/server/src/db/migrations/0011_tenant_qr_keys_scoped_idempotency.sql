-- Idempotency keys answer only their own request: scoped to the actor (kiosk or user), the operation and the visit.
-- The same key from another kiosk, for another operation or another visit is a new key. A walk-in creates its visit
-- on every attempt, so its key is scoped to the actor alone. NULLS NOT DISTINCT: a kiosk has no user and vice versa.
ALTER TABLE check_ins DROP CONSTRAINT check_ins_tenant_id_idempotency_key_key;
CREATE UNIQUE INDEX check_ins_key_per_visit
  ON check_ins (tenant_id, kind, kiosk_id, user_id, visit_id, idempotency_key) NULLS NOT DISTINCT
  WHERE kind <> 'walk_in';
CREATE UNIQUE INDEX check_ins_key_per_walk_in
  ON check_ins (tenant_id, kiosk_id, user_id, idempotency_key) NULLS NOT DISTINCT
  WHERE kind = 'walk_in';

-- QR keys belong to one tenant each: a tenant rotates its own, and its kiosks get only its keys. Access and device
-- keys stay instance-wide (tenant_id NULL). The app role still has no access: the key ring reads the table as owner
-- and takes the tenant from the authenticated caller.
ALTER TABLE signing_keys ADD COLUMN tenant_id uuid REFERENCES tenants (id) ON DELETE CASCADE;
CREATE INDEX signing_keys_tenant ON signing_keys (tenant_id) WHERE tenant_id IS NOT NULL;

-- Codes already printed or mailed must keep verifying. One tenant (self-hosting): the existing QR keys become its
-- own, the current one stays current, nothing changes for its kiosks.
UPDATE signing_keys SET tenant_id = (SELECT id FROM tenants)
 WHERE purpose = 'qr' AND (SELECT count(*) FROM tenants) = 1;
-- Several tenants: the shared keys stop signing (each tenant makes its own key on first use) but keep verifying every
-- tenant's codes for their usual overlap after retirement. Their kids stay unique, as the public JWKS needs.
UPDATE signing_keys SET retired_at = now()
 WHERE purpose = 'qr' AND tenant_id IS NULL AND retired_at IS NULL AND (SELECT count(*) FROM tenants) > 1;
-- No tenant: no code was ever issued with them.
DELETE FROM signing_keys WHERE purpose = 'qr' AND NOT EXISTS (SELECT 1 FROM tenants);

ALTER TABLE signing_keys ADD CONSTRAINT signing_keys_tenant_only_for_qr CHECK (purpose = 'qr' OR tenant_id IS NULL);
ALTER TABLE signing_keys ADD CONSTRAINT signing_keys_qr_signs_for_a_tenant
  CHECK (purpose <> 'qr' OR tenant_id IS NOT NULL OR retired_at IS NOT NULL);
DROP INDEX signing_keys_one_current;
CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys (purpose, tenant_id) NULLS NOT DISTINCT
  WHERE retired_at IS NULL;
