-- Queueing a notification replaces the pending one for the same log key: look it up by index,
-- not by scanning the queue (a burst of new groups made that quadratic).
CREATE INDEX notify_queue_log_key ON notify_queue (log_key);
