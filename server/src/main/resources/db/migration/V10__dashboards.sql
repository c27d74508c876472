-- Custom dashboards (issue 11): one row per dashboard, owned by a user, optionally shared with every
-- user allowed to read dashboards. version grows by one with every save (optimistic concurrency: a
-- save names the version it started from). body is the validated JSON document (256 KiB at most).
CREATE TABLE dashboards (
  id          VARCHAR(36)    PRIMARY KEY,
  owner       VARCHAR(255)   NOT NULL,
  title       VARCHAR(200)   NOT NULL,
  shared      BOOLEAN        NOT NULL,
  version     BIGINT         NOT NULL,
  body        VARCHAR(262144) NOT NULL,
  updated_at  BIGINT         NOT NULL,
  updated_by  VARCHAR(255)   NOT NULL
);

CREATE INDEX dashboards_owner ON dashboards (owner);
