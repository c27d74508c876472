-- Several server instances on one PostgreSQL (docs/operations.md "Several instances"). Unused on
-- the embedded H2 store, where one instance does everything. Times are PostgreSQL's clock in ms,
-- so instances whose clocks disagree still agree on who is alive and who holds what.

-- Live instances: each repeats its row every second; one not repeated for 5 s is gone.
CREATE TABLE cluster_members (
  instance_id  VARCHAR(64)  PRIMARY KEY,
  roles        VARCHAR(128) NOT NULL,
  address      VARCHAR(300) NOT NULL,
  started_at   BIGINT       NOT NULL,
  heartbeat_at BIGINT       NOT NULL
);

-- Exclusive work with an expiry: "notifier" (the instance that sends alert notifications) and
-- "vcenter:<id>" (the instance that polls that vCenter). Renewed every second by its holder;
-- another instance may take a lease whose expires_at has passed.
CREATE TABLE cluster_leases (
  name        VARCHAR(200) PRIMARY KEY,
  owner       VARCHAR(64)  NOT NULL,
  acquired_at BIGINT       NOT NULL,
  expires_at  BIGINT       NOT NULL
);
