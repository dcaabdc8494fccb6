// init_replica of a `type: pgsql` source: the tables of the mapped PostgreSQL schemas
// copied into the destination schemas from one exported snapshot, COPY to COPY in memory.
#pragma once

#include "common/status.h"
#include "init/mysql_copy.h"

namespace chameleon::init {

// Copies every selected table of the mapped source schemas (`request.connect_pgsql_source`)
// into the destination schemas, as RunMysqlCopy does for MySQL: created in a loading schema
// (types via format_type, enums re-created per column, identity / serial, defaults, NOT
// NULL), rows streamed with COPY TO STDOUT -> COPY FROM STDIN through a bounded buffer,
// then the primary key, unique / exclusion / check constraints and indexes
// (pg_get_constraintdef / pg_get_indexdef aimed at the loading schema), sequences past the
// copied keys, and a per-table swap that records the table in the catalogue.
//
// Consistency: a REPEATABLE READ transaction on the source exports its snapshot
// (pg_export_snapshot) and stays open while every worker imports it (SET TRANSACTION
// SNAPSHOT), so all tables are copied as of one moment. A hot standby that cannot export
// one is copied with one snapshot per worker: `summary.consistent` is then false.
Result<CopySummary> RunPgsqlCopy(const CopyRequest& request);

}  // namespace chameleon::init
