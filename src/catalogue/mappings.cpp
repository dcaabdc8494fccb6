// Schema mapping changes; see mappings.h.
#include "catalogue/mappings.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "common/strings.h"

namespace chameleon::catalogue {
namespace {

const std::string* DestinationOf(const SchemaMappings& mappings, const std::string& origin) {
  for (const auto& [from, to] : mappings) {
    if (from == origin) return &to;
  }
  return nullptr;
}

// Renames in an order where each new name is free by the time it is taken: a rename whose
// target is another rename's current schema waits for that one.
Result<std::vector<MappingRename>> OrderRenames(std::vector<MappingRename> pending) {
  std::vector<MappingRename> ordered;
  while (!pending.empty()) {
    auto ready = std::find_if(pending.begin(), pending.end(), [&](const MappingRename& rename) {
      return std::none_of(pending.begin(), pending.end(), [&](const MappingRename& other) {
        return &other != &rename && other.from == rename.to;
      });
    });
    if (ready == pending.end()) {
      std::vector<std::string> origins;
      origins.reserve(pending.size());
      for (const auto& rename : pending)
        origins.push_back(rename.origin);
      return Status::InvalidArgument(fmt::format(
          "schema_mappings: the new destinations of origins {} swap their schemas in a cycle; "
          "map one of them to a new schema name first, run update_schema_mappings, then finish",
          Join(origins, ", ")));
    }
    ordered.push_back(*ready);
    pending.erase(ready);
  }
  return ordered;
}

}  // namespace

Result<MappingChanges> DiffMappings(const SchemaMappings& stored, const SchemaMappings& wanted) {
  std::map<std::string, std::string> owner;  // destination -> wanted origin
  for (const auto& [origin, destination] : wanted) {
    auto [found, inserted] = owner.emplace(destination, origin);
    if (!inserted) {
      return Status::InvalidArgument(
          fmt::format("schema_mappings: origins '{}' and '{}' both map to destination schema "
                      "'{}'; a destination takes one origin",
                      found->second, origin, destination));
    }
  }
  MappingChanges changes;
  std::vector<MappingRename> renames;
  for (const auto& [origin, destination] : stored) {
    const std::string* now = DestinationOf(wanted, origin);
    if (now == nullptr) {
      changes.removed.emplace_back(origin, destination);
    } else if (*now != destination) {
      renames.push_back({origin, destination, *now});
    }
  }
  for (const auto& [origin, destination] : wanted) {
    if (DestinationOf(stored, origin) == nullptr) changes.added.emplace_back(origin, destination);
  }
  ASSIGN_OR_RETURN(changes.renamed, OrderRenames(std::move(renames)));
  return changes;
}

Result<AppliedMappings> ApplyMappingChanges(pg::Connection& connection, const SourceRecord& source,
                                            const MappingChanges& changes,
                                            const SchemaMappings& wanted) {
  AppliedMappings applied;  // filled again if InTransaction's body ran before a failure
  std::string id = std::to_string(source.id);
  auto schema_exists = [&](const std::string& schema) -> Result<bool> {
    ASSIGN_OR_RETURN(
        auto count,
        connection.QueryValue("SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = $1",
                              {schema}));
    return count.value_or("0") != "0";
  };
  Status status = connection.InTransaction([&]() -> Status {
    applied = AppliedMappings();
    // Serialised with add_source, so no other source takes a destination meanwhile.
    RETURN_IF_ERROR(connection.Execute("LOCK TABLE sch_chameleon.t_sources IN EXCLUSIVE MODE"));
    for (const auto& [origin, destination] : wanted) {
      ASSIGN_OR_RETURN(pg::Rows other,
                       connection.Query("SELECT s.t_source FROM sch_chameleon.t_sources s, "
                                        "jsonb_each_text(s.jsb_schema_mappings) m "
                                        "WHERE m.value = $1 AND s.i_id_source <> $2::bigint",
                                        {destination, id}));
      if (!other.empty()) {
        return Status::FailedPrecondition(fmt::format(
            "destination schema '{}' (mapped from '{}') already belongs to source '{}'; a "
            "PostgreSQL schema can be the destination of one source only",
            destination, origin, other.Text(0, 0)));
      }
    }
    for (const auto& [origin, destination] : changes.removed) {
      ASSIGN_OR_RETURN(pg::Rows deleted,
                       connection.Query("DELETE FROM sch_chameleon.t_replica_tables "
                                        "WHERE i_id_source = $1::bigint AND v_schema_name = $2 "
                                        "RETURNING i_id_table",
                                        {id, destination}));
      applied.tables_forgotten += deleted.size();
    }
    for (const auto& rename : changes.renamed) {
      ASSIGN_OR_RETURN(bool taken, schema_exists(rename.to));
      if (taken) {
        return Status::FailedPrecondition(fmt::format(
            "cannot rename schema '{}' to '{}' (origin '{}'): schema '{}' already exists in "
            "PostgreSQL; drop or rename it, or map '{}' to another schema",
            rename.from, rename.to, rename.origin, rename.to, rename.origin));
      }
      ASSIGN_OR_RETURN(bool present, schema_exists(rename.from));
      if (present) {
        RETURN_IF_ERROR(connection.Execute("ALTER SCHEMA " + pg::QuoteIdentifier(rename.from) +
                                           " RENAME TO " + pg::QuoteIdentifier(rename.to)));
      } else {
        applied.absent_schemas.push_back(rename.from);
      }
      ASSIGN_OR_RETURN(pg::Rows moved,
                       connection.Query("UPDATE sch_chameleon.t_replica_tables SET "
                                        "v_schema_name = $3 WHERE i_id_source = $1::bigint "
                                        "AND v_schema_name = $2 RETURNING i_id_table",
                                        {id, rename.from, rename.to}));
      applied.tables_moved += moved.size();
    }
    ASSIGN_OR_RETURN(pg::Rows stored,
                     connection.Query("UPDATE sch_chameleon.t_sources SET jsb_schema_mappings = "
                                      "$2::jsonb WHERE i_id_source = $1::bigint "
                                      "RETURNING i_id_source",
                                      {id, MappingsToJson(wanted)}));
    if (stored.empty()) return Status::NotFound("source '" + source.name + "' is gone");
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return applied;
}

}  // namespace chameleon::catalogue
