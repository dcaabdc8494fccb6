-- chameleon catalogue version 4: the replica daemon's progress, for honest lag figures
-- The running daemon upserts its reader's progress and its spool's backlog into
-- t_last_received every few seconds (RecordProgress); the replayer stamps when it applied
-- the last replayed event. show_status computes the read and replay lag from these, so an
-- idle source that keeps sending heartbeats shows no lag, and a stopped daemon's figures
-- are shown as of its last report.

ALTER TABLE sch_chameleon.t_last_received
  ADD COLUMN ts_last_contact timestamp with time zone,   -- last event or heartbeat received
  ADD COLUMN ts_caught_up timestamp with time zone,      -- source last said: nothing more
  ADD COLUMN ts_all_applied timestamp with time zone,    -- last report where nothing waited
  ADD COLUMN t_read_binlog_name text,                    -- the reader's resume position
  ADD COLUMN i_read_binlog_position bigint,
  ADD COLUMN i_spool_bytes bigint,                       -- spool size on disk
  ADD COLUMN i_batches_waiting bigint,                   -- closed batches not yet replayed
  ADD COLUMN i_events_read bigint,                       -- since the daemon started
  ADD COLUMN ts_progress timestamp with time zone,       -- this report, PostgreSQL's clock
  ADD COLUMN ts_progress_daemon timestamp with time zone;  -- the same moment, daemon's clock

ALTER TABLE sch_chameleon.t_last_replayed
  ADD COLUMN ts_replayed_at timestamp with time zone;    -- when ts_last_replayed was applied
