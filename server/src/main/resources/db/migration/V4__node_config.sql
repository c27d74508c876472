-- Control plane (issue 10): versioned configuration per group and per node, and group membership.
-- Every change is a new row (history kept); body NULL records a deletion. Versions come from one
-- server-wide counter shared with node_group_members, so a node's effective version (the highest of
-- its group's, its own and its membership's) grows with every change that affects it.
CREATE TABLE node_config (
  scope_kind  VARCHAR(8)    NOT NULL,
  scope       VARCHAR(128)  NOT NULL,
  version     BIGINT        NOT NULL,
  body        VARCHAR(65536),
  created_at  BIGINT        NOT NULL,
  created_by  VARCHAR(255)  NOT NULL,
  PRIMARY KEY (scope_kind, scope, version)
);

CREATE TABLE node_group_members (
  node_id     VARCHAR(128)  PRIMARY KEY,
  group_name  VARCHAR(128)  NOT NULL,
  version     BIGINT        NOT NULL
);
