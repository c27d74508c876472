-- Resource scopes (security schema v2): label selectors, one per line, that limit which series,
-- nodes and alerts a role's or user's holders see. Empty = the role or user declares no scope.
ALTER TABLE roles ADD COLUMN scopes VARCHAR(8192) DEFAULT '' NOT NULL;
ALTER TABLE users ADD COLUMN scopes VARCHAR(8192) DEFAULT '' NOT NULL;
