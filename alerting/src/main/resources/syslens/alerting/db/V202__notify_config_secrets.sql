-- The secret fields of the notification config (SMTP passwords, tokens, webhook URLs), sealed
-- with the server's master key; body keeps the config with those values masked as <secret>.
-- NULL: a row written before this migration, body still in the clear (sealed on next start).
ALTER TABLE notify_config ADD COLUMN secrets TEXT;
