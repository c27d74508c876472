-- Agent identities with mutual TLS (docs/adr/0006-agent-certificates.md).
-- Numbered 4 to leave 2 and 3 to other security changes developed at the same time.

-- Enrollment tokens created by admins: one-time or reusable, with an expiry. Only a SHA-256 of
-- each token is stored; the token text is shown once when it is created.
CREATE TABLE enrollment_tokens (
  id            VARCHAR(32)  PRIMARY KEY,
  name          VARCHAR(128) NOT NULL,
  token_hash    VARCHAR(64)  NOT NULL UNIQUE,
  one_time      BOOLEAN      NOT NULL,
  created_at    BIGINT       NOT NULL,
  created_by    VARCHAR(128) NOT NULL,
  expires_at    BIGINT       NOT NULL,
  uses          BIGINT       DEFAULT 0 NOT NULL,
  last_used_at  BIGINT,
  revoked_at    BIGINT
);

-- Client certificates issued to nodes by the server's CA (node id in the SAN URI
-- urn:syslens:node:<id>). A revoked serial is refused at Hello.
CREATE TABLE node_certificates (
  serial        VARCHAR(40)  PRIMARY KEY,
  node_id       VARCHAR(128) NOT NULL,
  public_key_sha256 VARCHAR(64) NOT NULL,
  issued_at     BIGINT       NOT NULL,
  not_after     BIGINT       NOT NULL,
  revoked_at    BIGINT
);
CREATE INDEX node_certificates_node ON node_certificates (node_id);
