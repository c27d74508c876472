-- vSphere collection (issue 8): nodes get a kind (agent, vm, esxi) so VMs and ESXi hosts share the
-- node list with agent nodes; vCenter connections with their passwords sealed by the master key.
ALTER TABLE nodes ADD COLUMN kind VARCHAR(16) DEFAULT 'agent' NOT NULL;

CREATE TABLE vcenters (
  id                   VARCHAR(64)   PRIMARY KEY,
  name                 VARCHAR(64)   NOT NULL UNIQUE,
  url                  VARCHAR(2048) NOT NULL,
  username             VARCHAR(255)  NOT NULL,
  password_sealed      VARCHAR(2048) NOT NULL,
  pinned_sha256        VARCHAR(64),
  max_concurrency      INT           NOT NULL,
  timeout_s            INT           NOT NULL,
  perf_interval_s      INT           NOT NULL,
  inventory_interval_s INT           NOT NULL,
  enabled              BOOLEAN       NOT NULL,
  updated_at           BIGINT        NOT NULL
);
