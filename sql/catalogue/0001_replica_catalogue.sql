-- chameleon catalogue version 1: the replica catalogue pg_chameleon users know
-- (t_sources, t_replica_batch, t_replica_tables, t_error_log, ...), without the
-- t_log_replica* payload tables: the binlog payload lives in the local spool.
-- Binlog positions are bigint everywhere.

CREATE SCHEMA sch_chameleon;

CREATE TYPE sch_chameleon.en_src_status AS ENUM
  ('ready', 'initialising', 'initialised', 'syncing', 'synced', 'stopped', 'running', 'error');
CREATE TYPE sch_chameleon.en_binlog_event AS ENUM ('delete', 'update', 'insert', 'ddl');
CREATE TYPE sch_chameleon.en_src_type AS ENUM ('mysql', 'pgsql');

-- One row per catalogue migration applied; v_version reads the newest.
CREATE TABLE sch_chameleon.t_catalogue_version (
  i_version integer PRIMARY KEY,
  t_description text NOT NULL,
  t_chameleon_version text NOT NULL,
  ts_applied timestamp with time zone NOT NULL DEFAULT clock_timestamp()
);

CREATE VIEW sch_chameleon.v_version AS
  SELECT max(i_version)::text AS t_version FROM sch_chameleon.t_catalogue_version;

CREATE TABLE sch_chameleon.t_sources (
  i_id_source bigserial PRIMARY KEY,
  t_source text NOT NULL UNIQUE,
  jsb_schema_mappings jsonb NOT NULL,
  enm_status sch_chameleon.en_src_status NOT NULL DEFAULT 'ready',
  t_binlog_name text,              -- high watermark after init/sync (source consistency)
  i_binlog_position bigint,
  b_consistent boolean NOT NULL DEFAULT true,
  b_paused boolean NOT NULL DEFAULT false,
  b_maintenance boolean NOT NULL DEFAULT false,
  ts_last_maintenance timestamp without time zone,
  enm_source_type sch_chameleon.en_src_type NOT NULL
);

CREATE TABLE sch_chameleon.t_last_received (
  i_id_source bigint PRIMARY KEY REFERENCES sch_chameleon.t_sources (i_id_source)
    ON DELETE CASCADE ON UPDATE RESTRICT,
  b_paused boolean NOT NULL DEFAULT false,
  ts_last_received timestamp without time zone
);

CREATE TABLE sch_chameleon.t_last_replayed (
  i_id_source bigint PRIMARY KEY REFERENCES sch_chameleon.t_sources (i_id_source)
    ON DELETE CASCADE ON UPDATE RESTRICT,
  b_paused boolean NOT NULL DEFAULT false,
  ts_last_replayed timestamp without time zone
);

CREATE TABLE sch_chameleon.t_replica_batch (
  i_id_batch bigserial PRIMARY KEY,
  i_id_source bigint NOT NULL REFERENCES sch_chameleon.t_sources (i_id_source)
    ON DELETE CASCADE ON UPDATE RESTRICT,
  t_binlog_name text,               -- batch start coordinates
  i_binlog_position bigint,
  t_gtid_set text,
  b_started boolean NOT NULL DEFAULT false,
  b_processed boolean NOT NULL DEFAULT false,
  b_replayed boolean NOT NULL DEFAULT false,
  ts_created timestamp without time zone NOT NULL DEFAULT clock_timestamp(),
  ts_processed timestamp without time zone,
  ts_replayed timestamp without time zone,
  i_replayed bigint NOT NULL DEFAULT 0,
  i_skipped bigint NOT NULL DEFAULT 0,
  i_ddl bigint NOT NULL DEFAULT 0,
  CONSTRAINT uq_replica_batch_position UNIQUE (i_id_source, t_binlog_name, i_binlog_position)
);

CREATE TABLE sch_chameleon.t_replica_tables (
  i_id_table bigserial PRIMARY KEY,
  i_id_source bigint NOT NULL REFERENCES sch_chameleon.t_sources (i_id_source)
    ON DELETE CASCADE ON UPDATE RESTRICT,
  v_table_name varchar(64) NOT NULL,   -- PostgreSQL names
  v_schema_name varchar(64) NOT NULL,
  v_table_pkey varchar(64)[] NOT NULL DEFAULT '{}',
  t_binlog_name text,                  -- copy coordinates; NULL once consistent
  i_binlog_position bigint,
  b_replica_enabled boolean NOT NULL DEFAULT true,
  CONSTRAINT uq_replica_tables UNIQUE (i_id_source, v_schema_name, v_table_name)
);

CREATE TABLE sch_chameleon.t_error_log (
  i_id_log bigserial PRIMARY KEY,
  i_id_batch bigint,
  i_id_source bigint NOT NULL REFERENCES sch_chameleon.t_sources (i_id_source)
    ON DELETE CASCADE ON UPDATE RESTRICT,
  v_table_name varchar(64),
  v_schema_name varchar(64),
  t_table_pkey text,
  t_binlog_name text,
  i_binlog_position bigint,
  ts_error timestamp without time zone NOT NULL DEFAULT clock_timestamp(),
  t_sql text,
  t_error_message text
);
CREATE INDEX idx_error_log_source ON sch_chameleon.t_error_log (i_id_source, i_id_log);

CREATE TABLE sch_chameleon.t_discarded_rows (
  i_id_row bigserial PRIMARY KEY,
  i_id_batch bigint,
  i_id_source bigint REFERENCES sch_chameleon.t_sources (i_id_source)
    ON DELETE CASCADE ON UPDATE RESTRICT,
  ts_discard timestamp with time zone NOT NULL DEFAULT clock_timestamp(),
  v_table_name varchar(64),
  v_schema_name varchar(64),
  t_row_data text
);
