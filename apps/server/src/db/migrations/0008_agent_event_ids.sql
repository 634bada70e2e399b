-- Ids of events agents delivered: a resend (after a link dropped before the ack) is recognised on any replica, even
-- while the first delivery's transaction is still open (the second insert waits for it, then conflicts).
CREATE TABLE agent_event_ids (
  tenant_id uuid NOT NULL,
  agent_id uuid NOT NULL,
  event_id text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (agent_id, event_id),
  FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX agent_event_ids_received ON agent_event_ids (received_at);
SELECT app_protect_tenant_table('agent_event_ids');
