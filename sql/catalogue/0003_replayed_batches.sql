-- chameleon catalogue version 3: batches replayed from the spool, the exactly-once record
-- Each spool batch the replayer commits gets one row, written in the transaction that
-- applies it; the spool's per-source batch id tells startup which spool batches are done.

ALTER TABLE sch_chameleon.t_replica_batch
  ADD COLUMN i_spool_batch bigint,             -- the spool's batch id (per source)
  ADD COLUMN t_last_binlog_name text,          -- batch end: its last event's coordinates
  ADD COLUMN i_last_binlog_position bigint,
  ADD COLUMN i_unmatched bigint NOT NULL DEFAULT 0;  -- UPDATE/DELETE that found no row

CREATE UNIQUE INDEX uq_replica_batch_spool
  ON sch_chameleon.t_replica_batch (i_id_source, i_spool_batch);
