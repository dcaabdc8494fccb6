// What a copy reads from the MySQL source before it copies: the base tables of the mapped
// schemas (after limit_tables / skip_tables / --tables), their columns, keys and comments.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "config/config.h"
#include "mysql/connection.h"
#include "translation/table_ddl.h"

namespace chameleon::init {

// A MySQL table with the PostgreSQL schema it lands in.
struct SourceTable {
  translation::TableDefinition definition;
  std::string destination_schema;
  int fillfactor = 0;           // 0: PostgreSQL's default
  int64_t estimated_bytes = 0;  // data_length, to start the biggest copies first
  int64_t estimated_rows = 0;   // table_rows: an estimate for InnoDB (splitting, progress)
};

// Whether `schema`.`table` is copied: skip_tables excludes it; limit_tables, when it names
// the schema (as "schema" or "schema.table"), must include it; `only` ("schema.table"
// entries, empty = no restriction) restricts further.
bool TableSelected(const config::Source& source, const std::vector<std::string>& only,
                   const std::string& schema, const std::string& table);

// Reads and maps the selected tables of `origin_schemas` (a subset of the mapping's
// origins). A column without a mapping fails the whole read, naming the column.
Result<std::vector<SourceTable>> ReadSourceTables(mysql::Connection& connection,
                                                  const config::Config& config,
                                                  const config::Source& source,
                                                  const std::vector<std::string>& origin_schemas,
                                                  const std::vector<std::string>& only);

}  // namespace chameleon::init
