// What PostgreSQL's system catalogues say about a replicated table, for replayed DDL: its
// columns and their types, enum types and who uses them, primary key and indexes.
// `qualified` is a quoted "schema"."table" name.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "pg/connection.h"
#include "translation/type_map.h"

namespace chameleon::replayer {

struct PgColumn {
  std::string name;
  std::string type;  // format_type()
  bool is_enum = false;
  std::string type_schema;
  std::string type_name;
  bool identity = false;
};

struct PgIndex {
  std::string name;
  bool primary = false;
  bool unique = false;
  std::vector<std::string> columns;  // expression parts left out
};

Result<bool> SchemaExists(pg::Connection& connection, const std::string& schema);
Result<bool> TypeExists(pg::Connection& connection, const std::string& schema,
                        const std::string& name);
// How many table, view or composite-type columns use the type (indexes do not count), up to
// `limit`.
Result<int> TypeUsers(pg::Connection& connection, const std::string& schema,
                      const std::string& name, int limit);
Result<bool> RelationExists(pg::Connection& connection, const std::string& qualified);

Result<std::optional<PgColumn>> ColumnOf(pg::Connection& connection, const std::string& qualified,
                                         const std::string& column);
Result<std::vector<PgColumn>> EnumColumns(pg::Connection& connection, const std::string& qualified);
// The expression of the column's DEFAULT, nullopt without one.
Result<std::optional<std::string>> ColumnDefault(pg::Connection& connection,
                                                 const std::string& qualified,
                                                 const std::string& column);

Result<std::vector<std::string>> PrimaryKeyOf(pg::Connection& connection,
                                              const std::string& qualified);
Result<std::optional<std::string>> PrimaryKeyConstraint(pg::Connection& connection,
                                                        const std::string& qualified);
Result<std::vector<PgIndex>> IndexesOf(pg::Connection& connection, const std::string& qualified);

// The type map's view of a column PostgreSQL already has: its rendering kind from its type
// (ALTER COLUMN SET DEFAULT translates the default for it).
translation::ColumnType TypeOfPgColumn(const PgColumn& column,
                                       const std::string& zero_date_sentinel);

}  // namespace chameleon::replayer
