-- Certificate renewal: a new bundle is issued as the agent's pending certificate; the current one keeps working until
-- the pending one first connects (then it takes the current one's place) or until it expires.
ALTER TABLE agents
  ADD COLUMN pending_cert_serial text UNIQUE,
  ADD COLUMN pending_cert_fingerprint text,
  ADD COLUMN pending_not_after timestamptz,
  ADD COLUMN pending_issued_at timestamptz,
  -- The UTC day the expiry warning was last emitted: at most one agent.certificate_expiring event per agent per day.
  ADD COLUMN cert_expiry_warned_on date,
  ADD CONSTRAINT agents_pending_cert_complete CHECK (
    (pending_cert_serial IS NULL) = (pending_cert_fingerprint IS NULL)
    AND (pending_cert_serial IS NULL) = (pending_not_after IS NULL)
    AND (pending_cert_serial IS NULL) = (pending_issued_at IS NULL)
  );
