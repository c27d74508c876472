-- vSphere guest collection (issue 8): credentials for SSH, WinRM and scripts per VM selector, their
-- secrets sealed by the master key inside the settings document; SSH host keys pinned on first use.
CREATE TABLE guest_credentials (
  id         VARCHAR(64)    PRIMARY KEY,
  name       VARCHAR(64)    NOT NULL UNIQUE,
  kind       VARCHAR(16)    NOT NULL,
  settings   VARCHAR(65536) NOT NULL,
  enabled    BOOLEAN        NOT NULL,
  updated_at BIGINT         NOT NULL
);

CREATE TABLE guest_host_keys (
  node_id     VARCHAR(255) PRIMARY KEY,
  fingerprint VARCHAR(128) NOT NULL,
  pinned_at   BIGINT       NOT NULL
);
