-- Several server instances (docs/operations.md "Several instances"): the instance that polls a
-- vCenter leaves its status here after each cycle, so every instance shows the owner, last cycle,
-- objects, samples and errors. body is the status as JSON (its error text cut to fit).
CREATE TABLE vcenter_status (
  vcenter_id VARCHAR(64)   PRIMARY KEY,
  owner      VARCHAR(64)   NOT NULL,
  body       VARCHAR(8000) NOT NULL,
  updated_at BIGINT        NOT NULL
);
