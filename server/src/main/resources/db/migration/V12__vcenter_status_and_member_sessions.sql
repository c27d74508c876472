-- Several server instances (docs/operations.md "Several instances"): the instance that polls a
-- vCenter leaves its status here after each cycle, so every instance shows the owner, last cycle,
-- objects, samples and errors. body is the status as JSON (its error text cut to fit).
CREATE TABLE vcenter_status (
  vcenter_id VARCHAR(64)   PRIMARY KEY,
  owner      VARCHAR(64)   NOT NULL,
  body       VARCHAR(8000) NOT NULL,
  updated_at BIGINT        NOT NULL
);

-- The PostgreSQL session each instance keeps open for its heartbeats (pg_backend_pid() and its
-- backend_start in microseconds): an instance killed with SIGKILL closes its connections, its
-- session ends at once, and the others count it gone at their next heartbeat instead of after
-- the 5 s heartbeat timeout (rule groups move within about a second). Null: not known (the
-- timeout alone decides).
ALTER TABLE cluster_members ADD COLUMN session_pid INT;
ALTER TABLE cluster_members ADD COLUMN session_start BIGINT;
