-- chameleon catalogue version 5: where reading resumes after each replayed batch
-- The replayer records, with each replayed batch and in the same transaction, the binlog
-- position right after the batch's last transaction. A replica whose spool directory is
-- lost resumes reading there: nothing the catalogue has is read twice, nothing it lacks is
-- skipped. Batches recorded before this version have none (such a spool loss is refused).

ALTER TABLE sch_chameleon.t_replica_batch
  ADD COLUMN t_resume_binlog_name text,
  ADD COLUMN i_resume_binlog_position bigint;
