// Read-time filters; see filter.h. pg_chameleon's semantics: limit_tables and skip_tables
// name "schema.table"; skip_events lists name a schema or a "schema.table".
#include "reader/filter.h"

namespace chameleon::reader {
namespace {

std::string Qualified(std::string_view schema, std::string_view table) {
  std::string name(schema);
  name += '.';
  name += table;
  return name;
}

bool Matches(const std::set<std::string, std::less<>>& names, std::string_view schema,
             std::string_view table) {
  return names.contains(schema) || names.contains(Qualified(schema, table));
}

}  // namespace

EventFilter::EventFilter(const config::Source& source) {
  for (const auto& [origin, destination] : source.schema_mappings)
    schemas_.insert(origin);
  for (const std::string& entry : source.limit_tables) {
    size_t dot = entry.find('.');
    if (dot == std::string::npos) {
      whole_schemas_.insert(entry);
    } else {
      limit_tables_.insert(entry);
      limited_schemas_.insert(entry.substr(0, dot));
    }
  }
  skip_tables_.insert(source.skip_tables.begin(), source.skip_tables.end());
  skip_insert_.insert(source.skip_events.insert.begin(), source.skip_events.insert.end());
  skip_update_.insert(source.skip_events.update.begin(), source.skip_events.update.end());
  skip_delete_.insert(source.skip_events.delete_.begin(), source.skip_events.delete_.end());
}

bool EventFilter::WantsSchema(std::string_view schema) const {
  return schemas_.contains(schema);
}

bool EventFilter::WantsTable(std::string_view schema, std::string_view table) const {
  if (!WantsSchema(schema)) return false;
  std::string name = Qualified(schema, table);
  if (skip_tables_.contains(name)) return false;
  if (whole_schemas_.contains(schema) || !limited_schemas_.contains(schema)) return true;
  return limit_tables_.contains(name);
}

bool EventFilter::WantsRow(Operation operation, std::string_view schema,
                           std::string_view table) const {
  if (!WantsTable(schema, table)) return false;
  switch (operation) {
    case Operation::kInsert:
      return !Matches(skip_insert_, schema, table);
    case Operation::kUpdate:
      return !Matches(skip_update_, schema, table);
    case Operation::kDelete:
      return !Matches(skip_delete_, schema, table);
    default:
      return true;
  }
}

}  // namespace chameleon::reader
