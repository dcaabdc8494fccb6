// EventFilter: what the reader keeps, from the source's configuration (schema_mappings,
// limit_tables, skip_tables, skip_events), decided per schema, table and operation so that
// filtered rows never reach the spool and are not even decoded.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "config/config.h"
#include "event/change_event.h"

namespace chameleon::reader {

class EventFilter {
 public:
  explicit EventFilter(const config::Source& source);

  // The schema is one of schema_mappings' origins.
  bool WantsSchema(std::string_view schema) const;
  // Also: in limit_tables when that is set, and not in skip_tables ("schema.table").
  bool WantsTable(std::string_view schema, std::string_view table) const;
  // Also: not dropped by skip_events for this operation ("schema" or "schema.table").
  bool WantsRow(Operation operation, std::string_view schema, std::string_view table) const;

 private:
  std::set<std::string, std::less<>> schemas_;
  // limit_tables restricts only the schemas it names (as init_replica does, and as
  // pg_chameleon documents): "schema.table" entries limit their schema to them, a bare
  // "schema" entry keeps the whole schema; other mapped schemas are not limited.
  std::set<std::string, std::less<>> limit_tables_;
  std::set<std::string, std::less<>> limited_schemas_;
  std::set<std::string, std::less<>> whole_schemas_;
  std::set<std::string, std::less<>> skip_tables_;
  std::set<std::string, std::less<>> skip_insert_;
  std::set<std::string, std::less<>> skip_update_;
  std::set<std::string, std::less<>> skip_delete_;
};

}  // namespace chameleon::reader
