// Source rows of the catalogue; see sources.h.
#include "catalogue/sources.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace chameleon::catalogue {
namespace {

constexpr const char* kSelectSource =
    "SELECT i_id_source, t_source, enm_source_type::text, enm_status::text, "
    "coalesce(t_status_reason, ''), jsb_schema_mappings::text, b_consistent, b_paused, "
    "b_maintenance, i_pid, coalesce(t_pid_host, '') FROM sch_chameleon.t_sources ";

SchemaMappings MappingsFromJson(std::string_view text) {
  SchemaMappings mappings;
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return mappings;
  for (const auto& [origin, destination] : parsed.items()) {
    if (destination.is_string()) mappings.emplace_back(origin, destination.get<std::string>());
  }
  return mappings;
}

SourceRecord RecordFrom(const pg::Rows& rows, int row) {
  SourceRecord record;
  record.id = rows.Integer(row, 0);
  record.name = rows.Text(row, 1);
  record.type = rows.Text(row, 2);
  record.status = rows.Text(row, 3);
  record.status_reason = rows.Text(row, 4);
  record.schema_mappings = MappingsFromJson(rows.Text(row, 5));
  record.consistent = rows.Bool(row, 6);
  record.paused = rows.Bool(row, 7);
  record.maintenance = rows.Bool(row, 8);
  if (!rows.IsNull(row, 9)) record.pid = static_cast<int>(rows.Integer(row, 9));
  record.pid_host = rows.Text(row, 10);
  return record;
}

Status NotRegistered(const std::string& name) {
  return Status::NotFound("source '" + name + "' is not registered in sch_chameleon");
}

}  // namespace

std::string MappingsToJson(const SchemaMappings& mappings) {
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [origin, destination] : mappings)
    object[origin] = destination;
  return object.dump();
}

Result<std::optional<SourceRecord>> FindSource(pg::Connection& connection,
                                               const std::string& name) {
  ASSIGN_OR_RETURN(pg::Rows rows,
                   connection.Query(std::string(kSelectSource) + "WHERE t_source = $1", {name}));
  if (rows.empty()) return std::optional<SourceRecord>();
  return std::optional<SourceRecord>(RecordFrom(rows, 0));
}

Result<std::vector<SourceRecord>> ListSources(pg::Connection& connection) {
  ASSIGN_OR_RETURN(pg::Rows rows,
                   connection.Query(std::string(kSelectSource) + "ORDER BY i_id_source"));
  std::vector<SourceRecord> records;
  records.reserve(static_cast<size_t>(rows.size()));
  for (int row = 0; row < rows.size(); ++row)
    records.push_back(RecordFrom(rows, row));
  return records;
}

Status AddSource(pg::Connection& connection, const std::string& name, const std::string& type,
                 const SchemaMappings& mappings) {
  return connection.InTransaction([&]() -> Status {
    // Serialise registrations so two add_source runs cannot map one schema twice.
    RETURN_IF_ERROR(connection.Execute("LOCK TABLE sch_chameleon.t_sources IN EXCLUSIVE MODE"));
    ASSIGN_OR_RETURN(auto existing, FindSource(connection, name));
    if (existing) {
      return Status::AlreadyExists(
          fmt::format("source '{}' is already registered (status {})", name, existing->status));
    }
    for (const auto& [origin, destination] : mappings) {
      ASSIGN_OR_RETURN(pg::Rows owner,
                       connection.Query("SELECT s.t_source FROM sch_chameleon.t_sources s, "
                                        "jsonb_each_text(s.jsb_schema_mappings) m "
                                        "WHERE m.value = $1",
                                        {destination}));
      if (!owner.empty()) {
        return Status::FailedPrecondition(fmt::format(
            "destination schema '{}' (mapped from '{}') already belongs to source '{}'; a "
            "PostgreSQL schema can be the destination of one source only",
            destination, origin, owner.Text(0, 0)));
      }
    }
    ASSIGN_OR_RETURN(pg::Rows inserted,
                     connection.Query("INSERT INTO sch_chameleon.t_sources "
                                      "(t_source, jsb_schema_mappings, enm_source_type) "
                                      "VALUES ($1, $2::jsonb, $3::sch_chameleon.en_src_type) "
                                      "RETURNING i_id_source",
                                      {name, MappingsToJson(mappings), type}));
    std::string id(inserted.Text(0, 0));
    ASSIGN_OR_RETURN(auto received, connection.Query("INSERT INTO sch_chameleon.t_last_received "
                                                     "(i_id_source) VALUES ($1)",
                                                     {id}));
    ASSIGN_OR_RETURN(auto replayed, connection.Query("INSERT INTO sch_chameleon.t_last_replayed "
                                                     "(i_id_source) VALUES ($1)",
                                                     {id}));
    return Status::Ok();
  });
}

Status DropSource(pg::Connection& connection, const std::string& name) {
  ASSIGN_OR_RETURN(pg::Rows rows,
                   connection.Query("DELETE FROM sch_chameleon.t_sources WHERE t_source = $1 "
                                    "RETURNING i_id_source",
                                    {name}));
  if (rows.empty()) return NotRegistered(name);
  return Status::Ok();
}

Status SetSourceStatus(pg::Connection& connection, const std::string& name,
                       const std::string& status, const std::string& reason) {
  ASSIGN_OR_RETURN(pg::Rows rows, connection.Query("UPDATE sch_chameleon.t_sources SET "
                                                   "enm_status = $2::sch_chameleon.en_src_status, "
                                                   "t_status_reason = nullif($3, ''), "
                                                   "i_pid = NULL, t_pid_host = NULL, "
                                                   "ts_status_changed = clock_timestamp() "
                                                   "WHERE t_source = $1 RETURNING i_id_source",
                                                   {name, status, reason}));
  if (rows.empty()) return NotRegistered(name);
  return Status::Ok();
}

Status EnableSource(pg::Connection& connection, const std::string& name, int catalogue_version) {
  // Version 2 added the daemon columns; version 1 has only pg_chameleon's flags.
  std::string daemon_columns = catalogue_version >= 2
                                   ? "t_status_reason = NULL, i_pid = NULL, t_pid_host = NULL, "
                                     "ts_status_changed = clock_timestamp(), "
                                   : "";
  return connection.InTransaction([&]() -> Status {
    ASSIGN_OR_RETURN(
        pg::Rows rows,
        connection.Query("UPDATE sch_chameleon.t_sources SET enm_status = 'stopped', " +
                             daemon_columns +
                             "b_paused = false, b_maintenance = false "
                             "WHERE t_source = $1 RETURNING i_id_source",
                         {name}));
    if (rows.empty()) return NotRegistered(name);
    std::string id(rows.Text(0, 0));
    ASSIGN_OR_RETURN(auto received, connection.Query("UPDATE sch_chameleon.t_last_received SET "
                                                     "b_paused = false WHERE i_id_source = $1",
                                                     {id}));
    ASSIGN_OR_RETURN(auto replayed, connection.Query("UPDATE sch_chameleon.t_last_replayed SET "
                                                     "b_paused = false WHERE i_id_source = $1",
                                                     {id}));
    return Status::Ok();
  });
}

}  // namespace chameleon::catalogue
