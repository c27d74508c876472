-- Security schema v2: login lockouts and trusted sources survive a restart.
-- Portable between H2 (embedded default) and PostgreSQL 15 (production).
-- A lock on one account: for one source, or for every source that never logged in to the
-- account (source '*'). Rows past locked_until are expired and removed when read.
CREATE TABLE login_locks (
  username      VARCHAR(128) NOT NULL,
  source        VARCHAR(64)  NOT NULL,
  locked_until  BIGINT       NOT NULL,
  PRIMARY KEY (username, source)
);
-- Sources that logged in to an account successfully (they keep their own failure budget).
CREATE TABLE login_trusted (
  username      VARCHAR(128) NOT NULL,
  source        VARCHAR(64)  NOT NULL,
  last_login    BIGINT       NOT NULL,
  PRIMARY KEY (username, source)
);
