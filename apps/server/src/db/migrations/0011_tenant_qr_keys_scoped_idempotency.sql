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
