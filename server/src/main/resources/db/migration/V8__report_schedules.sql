-- Report schedules (module report, docs/reports.md): the schedule as the API shows it, as JSON text.
CREATE TABLE report_schedules (
  id         VARCHAR(64) PRIMARY KEY,
  owner      VARCHAR(128) NOT NULL,
  body       VARCHAR(32000) NOT NULL,
  updated_at BIGINT NOT NULL
);

-- The e-mail address each user set for themselves (PUT /api/v1/me/email): where reports to them go.
CREATE TABLE user_emails (
  username   VARCHAR(128) PRIMARY KEY,
  email      VARCHAR(254) NOT NULL,
  updated_at BIGINT NOT NULL
);
