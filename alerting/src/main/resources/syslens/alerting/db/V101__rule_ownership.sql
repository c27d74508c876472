-- Who owns a rule group and the resource scope it is evaluated under (label selectors, one per
-- line; empty: unscoped, created by a principal without a scope). See docs/security.md.
ALTER TABLE alert_rule_groups ADD COLUMN owner VARCHAR(128) DEFAULT '' NOT NULL;
ALTER TABLE alert_rule_groups ADD COLUMN scope VARCHAR(8192) DEFAULT '' NOT NULL;
