// Foreign keys for copy_schema and detach_replica: read from MySQL's information_schema,
// then built in PostgreSQL NOT VALID and validated, as pg_chameleon does after a copy.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "config/config.h"
#include "mysql/connection.h"
#include "pg/connection.h"

namespace chameleon::init {

// One MySQL foreign key, with the PostgreSQL schemas its two tables were copied into.
struct ForeignKey {
  std::string name;
  std::string schema;  // PostgreSQL destination schema of the referencing table
  std::string table;
  std::vector<std::string> columns;
  std::string referenced_schema;  // PostgreSQL destination schema of the referenced table
  std::string referenced_table;
  std::vector<std::string> referenced_columns;
  std::string on_update;  // CASCADE, SET NULL, SET DEFAULT, RESTRICT or NO ACTION
  std::string on_delete;
};

// The foreign keys of the mapped schemas whose two tables are both copied: a key on or to
// a table that skip_tables / limit_tables leave out, or into an unmapped schema, is left
// out (pg_chameleon tried them anyway, its issue #159).
Result<std::vector<ForeignKey>> ReadForeignKeys(mysql::Connection& connection,
                                                const config::Source& source);

// The ALTER TABLE ... ADD CONSTRAINT ... NOT VALID for `key` named `name`.
std::string AddForeignKeySql(const ForeignKey& key, const std::string& name);

struct ForeignKeyReport {
  int created = 0;                    // created and validated
  int already_there = 0;              // a foreign key of that name already on the table
  std::vector<std::string> problems;  // one line per key not created or left NOT VALID
};

// Creates each key NOT VALID, then VALIDATE CONSTRAINT, so existing rows are checked
// without a long lock on the referenced table. A name already used by another table of
// the schema gets a hash suffix; a key that fails is reported and the others go on.
Result<ForeignKeyReport> BuildForeignKeys(pg::Connection& connection,
                                          const std::vector<ForeignKey>& keys);

}  // namespace chameleon::init
