-- No-loss replays (issue 10): the last acknowledged batch of each agent node, by seq epoch, so a
-- batch the agent resends after the server restarted is acked again without being stored twice.
CREATE TABLE node_sequences (
  node_id    VARCHAR(128) PRIMARY KEY,
  seq_epoch  BIGINT       NOT NULL,
  acked_seq  BIGINT       NOT NULL
);
