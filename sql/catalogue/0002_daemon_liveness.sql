-- chameleon catalogue version 2: what makes show_status honest. The replica daemon
-- records where it runs and beats a heartbeat; an error keeps its reason; a table that
-- is not replicated says why.

ALTER TABLE sch_chameleon.t_sources
  ADD COLUMN i_pid integer,                                 -- daemon pid while it runs
  ADD COLUMN t_pid_host text,                               -- host the daemon runs on
  ADD COLUMN ts_heartbeat timestamp with time zone,         -- daemon's last sign of life
  ADD COLUMN t_status_reason text,                          -- why the status is error/stopped
  ADD COLUMN ts_status_changed timestamp with time zone NOT NULL DEFAULT clock_timestamp(),
  ADD COLUMN t_gtid_set text;

ALTER TABLE sch_chameleon.t_replica_tables
  ADD COLUMN t_disabled_reason text;                        -- no primary key, replay error, ...

ALTER TABLE sch_chameleon.t_error_log
  ADD COLUMN t_error_class text;                            -- retry, table, replica
