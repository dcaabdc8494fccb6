// keep_existing_schema: Yes — the copy goes into tables the user already created in the
// destination schemas: no loading schema, no swap; their keys and foreign keys are saved,
// dropped for the load and put back exactly as they were.
#pragma once

#include <vector>

#include "common/status.h"
#include "init/mysql_copy.h"
#include "init/source_tables.h"

namespace chameleon::init {

// For each table of `tables` (read from MySQL): the foreign keys on or to it are saved and
// dropped, then its primary key, unique / exclusion constraints and indexes; it is
// truncated and the rows are copied straight in from one snapshot; then the constraints,
// the indexes and last the foreign keys (NOT VALID, then validated) come back with their
// names and definitions, and the table is recorded in the catalogue. A table PostgreSQL does
// not have fails alone; a table without a primary key is copied and not replicated. Keys
// are put back even when a table's copy fails.
Result<CopySummary> CopyIntoExistingTables(const CopyRequest& request,
                                           const std::vector<SourceTable>& tables);

}  // namespace chameleon::init
