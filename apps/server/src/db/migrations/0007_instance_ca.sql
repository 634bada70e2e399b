-- The instance CA for agent client certificates: one row, private key sealed with the instance secret key.
CREATE TABLE instance_ca (
  id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  cert_pem text NOT NULL,
  key_sealed text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON instance_ca FROM atrium_app;
