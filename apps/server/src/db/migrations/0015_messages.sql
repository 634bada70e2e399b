-- Email: messages queued from visit events (ids only: addresses, names and codes are read when a message is sent),
-- each user's choice of arrival emails, a visitor's language, and how far each tenant's message intake has read.

ALTER TABLE users ADD COLUMN email_notifications boolean NOT NULL DEFAULT true;
ALTER TABLE visitors ADD COLUMN language text CHECK (language IN ('de', 'en'));

-- The intake turns visit events after message_cursor into messages. Events before messages_since (the upgrade to this
-- version, or the tenant's creation) send nothing, so no one gets an invitation for an old visit.
ALTER TABLE tenants
  ADD COLUMN message_cursor bigint NOT NULL DEFAULT 0,
  ADD COLUMN messages_since timestamptz NOT NULL DEFAULT now();

CREATE TABLE messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  site_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('invitation', 'cancellation', 'host_arrival', 'wifi_details', 'chat_arrival')),
  visit_id uuid NOT NULL,
  -- The host, for an arrival email.
  user_id uuid,
  -- The outbox event the message came from (a redelivered event queues nothing twice); null when re-sent by hand.
  event_id bigint,
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  UNIQUE (tenant_id, event_id, kind),
  FOREIGN KEY (tenant_id, site_id) REFERENCES sites (tenant_id, id) ON DELETE CASCADE,
  -- Erasure and retention delete the visit, and its messages with it.
  FOREIGN KEY (tenant_id, visit_id) REFERENCES visits (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX messages_due ON messages (next_attempt_at) WHERE state = 'queued';
CREATE INDEX messages_site ON messages (site_id, created_at DESC);
CREATE INDEX messages_visit ON messages (visit_id);
SELECT app_protect_tenant_table('messages');
