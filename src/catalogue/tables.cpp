// Replicated tables in the catalogue; see tables.h.
#include "catalogue/tables.h"

#include <nlohmann/json.hpp>

namespace chameleon::catalogue {
namespace {

std::optional<std::string> Text(const std::optional<int64_t>& value) {
  if (!value) return std::nullopt;
  return std::to_string(*value);
}

}  // namespace

Status SaveTable(pg::Connection& connection, int64_t source_id, const ReplicaTable& table) {
  // The key goes as a JSON array so names with commas or quotes need no array-literal quoting.
  nlohmann::json key = table.primary_key;
  ASSIGN_OR_RETURN(
      auto ignored,
      connection.Query(
          "INSERT INTO sch_chameleon.t_replica_tables AS t (i_id_source, v_schema_name, "
          "v_table_name, v_table_pkey, t_binlog_name, i_binlog_position, b_replica_enabled, "
          "t_disabled_reason) "
          "VALUES ($1::bigint, $2, $3, ARRAY(SELECT jsonb_array_elements_text($4::jsonb)), $5, "
          "$6::bigint, $7::boolean, nullif($8, '')) "
          "ON CONFLICT (i_id_source, v_schema_name, v_table_name) DO UPDATE SET "
          "v_table_pkey = excluded.v_table_pkey, t_binlog_name = excluded.t_binlog_name, "
          "i_binlog_position = excluded.i_binlog_position, "
          "b_replica_enabled = excluded.b_replica_enabled, "
          "t_disabled_reason = excluded.t_disabled_reason",
          {std::to_string(source_id), table.schema, table.table, key.dump(), table.binlog_name,
           Text(table.binlog_position), table.enabled ? "true" : "false", table.disabled_reason}));
  (void)ignored;
  return Status::Ok();
}

Status DeleteTables(pg::Connection& connection, int64_t source_id, const std::string& schema) {
  ASSIGN_OR_RETURN(auto ignored, connection.Query("DELETE FROM sch_chameleon.t_replica_tables "
                                                  "WHERE i_id_source = $1::bigint "
                                                  "AND ($2 = '' OR v_schema_name = $2)",
                                                  {std::to_string(source_id), schema}));
  (void)ignored;
  return Status::Ok();
}

Result<std::vector<ReplicaTable>> ListTables(pg::Connection& connection, int64_t source_id) {
  ASSIGN_OR_RETURN(
      pg::Rows rows,
      connection.Query("SELECT v_schema_name, v_table_name, array_to_json(v_table_pkey)::text, "
                       "t_binlog_name, i_binlog_position, b_replica_enabled, "
                       "coalesce(t_disabled_reason, '') "
                       "FROM sch_chameleon.t_replica_tables WHERE i_id_source = $1::bigint "
                       "ORDER BY v_schema_name, v_table_name",
                       {std::to_string(source_id)}));
  std::vector<ReplicaTable> tables;
  for (int row = 0; row < rows.size(); ++row) {
    ReplicaTable table;
    table.schema = rows.Text(row, 0);
    table.table = rows.Text(row, 1);
    auto key = nlohmann::json::parse(rows.Text(row, 2), nullptr, false);
    if (key.is_array()) {
      for (const auto& column : key)
        table.primary_key.push_back(column.get<std::string>());
    }
    table.binlog_name = rows.Value(row, 3);
    if (!rows.IsNull(row, 4)) table.binlog_position = rows.Integer(row, 4);
    table.enabled = rows.Bool(row, 5);
    table.disabled_reason = rows.Text(row, 6);
    tables.push_back(std::move(table));
  }
  return tables;
}

Status DeleteTable(pg::Connection& connection, int64_t source_id, const std::string& schema,
                   const std::string& table) {
  ASSIGN_OR_RETURN(auto ignored,
                   connection.Query("DELETE FROM sch_chameleon.t_replica_tables WHERE i_id_source "
                                    "= $1::bigint AND v_schema_name = $2 AND v_table_name = $3",
                                    {std::to_string(source_id), schema, table}));
  (void)ignored;
  return Status::Ok();
}

Status RenameTable(pg::Connection& connection, int64_t source_id, const std::string& schema,
                   const std::string& table, const std::string& new_schema,
                   const std::string& new_table) {
  ASSIGN_OR_RETURN(
      auto ignored,
      connection.Query("UPDATE sch_chameleon.t_replica_tables SET v_schema_name = $4, "
                       "v_table_name = $5 WHERE i_id_source = $1::bigint AND "
                       "v_schema_name = $2 AND v_table_name = $3",
                       {std::to_string(source_id), schema, table, new_schema, new_table}));
  (void)ignored;
  return Status::Ok();
}

Status SetTablePrimaryKey(pg::Connection& connection, int64_t source_id, const std::string& schema,
                          const std::string& table, const std::vector<std::string>& primary_key,
                          const std::string& disabled_reason) {
  nlohmann::json key = primary_key;
  ASSIGN_OR_RETURN(
      auto ignored,
      connection.Query(
          "UPDATE sch_chameleon.t_replica_tables SET "
          "v_table_pkey = ARRAY(SELECT jsonb_array_elements_text($4::jsonb)), "
          "b_replica_enabled = b_replica_enabled AND $5 = '', "
          "t_disabled_reason = CASE WHEN $5 = '' THEN t_disabled_reason ELSE $5 END "
          "WHERE i_id_source = $1::bigint AND v_schema_name = $2 AND v_table_name = $3",
          {std::to_string(source_id), schema, table, key.dump(), disabled_reason}));
  (void)ignored;
  return Status::Ok();
}

Status SetSourceCoordinates(pg::Connection& connection, int64_t source_id,
                            const std::optional<std::string>& binlog_name,
                            const std::optional<int64_t>& binlog_position, bool consistent) {
  ASSIGN_OR_RETURN(auto ignored,
                   connection.Query("UPDATE sch_chameleon.t_sources SET t_binlog_name = $2, "
                                    "i_binlog_position = $3::bigint, b_consistent = $4::boolean "
                                    "WHERE i_id_source = $1::bigint",
                                    {std::to_string(source_id), binlog_name, Text(binlog_position),
                                     consistent ? "true" : "false"}));
  (void)ignored;
  return Status::Ok();
}

Result<SourceCoordinates> GetSourceCoordinates(pg::Connection& connection, int64_t source_id) {
  ASSIGN_OR_RETURN(pg::Rows rows, connection.Query("SELECT t_binlog_name, i_binlog_position "
                                                   "FROM sch_chameleon.t_sources "
                                                   "WHERE i_id_source = $1::bigint",
                                                   {std::to_string(source_id)}));
  SourceCoordinates coordinates;
  if (rows.empty()) return coordinates;
  coordinates.binlog_name = rows.Value(0, 0);
  if (!rows.IsNull(0, 1)) coordinates.binlog_position = rows.Integer(0, 1);
  return coordinates;
}

}  // namespace chameleon::catalogue
