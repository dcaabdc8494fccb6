// Foreign keys read from MySQL and built in PostgreSQL; see foreign_keys.h.
#include "init/foreign_keys.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>

#include "common/strings.h"
#include "init/source_tables.h"
#include "translation/table_ddl.h"

namespace chameleon::init {
namespace {

using translation::QualifiedName;
using translation::QuotedColumnList;

// The rule as SQL; anything MySQL might report that PostgreSQL has no word for is the
// default, NO ACTION (which is what MySQL's RESTRICT-like default does as well).
std::string Rule(const std::string& rule) {
  static const std::set<std::string> known = {"CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT",
                                              "NO ACTION"};
  std::string upper = rule;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return known.count(upper) > 0 ? upper : "NO ACTION";
}

std::string Cell(const mysql::Rows& rows, size_t row, size_t column) {
  return rows.rows[row][column].value_or("");
}

}  // namespace

Result<std::vector<ForeignKey>> ReadForeignKeys(mysql::Connection& connection,
                                                const config::Source& source) {
  std::vector<ForeignKey> keys;
  std::map<std::string, std::string> destinations(source.schema_mappings.begin(),
                                                  source.schema_mappings.end());
  if (destinations.empty()) return keys;
  std::vector<std::string> schemas;
  for (const auto& [origin, destination] : destinations)
    schemas.push_back(mysql::QuoteLiteral(origin));
  ASSIGN_OR_RETURN(
      mysql::Rows rows,
      connection.Query(fmt::format(
          "SELECT k.table_schema, k.table_name, k.constraint_name, k.column_name, "
          "k.referenced_table_schema, k.referenced_table_name, k.referenced_column_name, "
          "r.update_rule, r.delete_rule "
          "FROM information_schema.key_column_usage k "
          "JOIN information_schema.referential_constraints r "
          "  ON r.constraint_schema = k.constraint_schema "
          " AND r.constraint_name = k.constraint_name AND r.table_name = k.table_name "
          "WHERE k.table_schema IN ({}) AND k.referenced_table_name IS NOT NULL "
          "ORDER BY k.table_schema, k.table_name, k.constraint_name, k.ordinal_position",
          Join(schemas, ", "))));
  std::string previous;  // schema NUL table NUL constraint of the key being assembled
  bool keep = false;
  for (size_t row = 0; row < rows.size(); ++row) {
    std::string schema = Cell(rows, row, 0);
    std::string table = Cell(rows, row, 1);
    std::string name = Cell(rows, row, 2);
    std::string identity = schema + '\0' + table + '\0' + name;
    if (identity != previous) {
      previous = identity;
      std::string referenced_schema = Cell(rows, row, 4);
      std::string referenced_table = Cell(rows, row, 5);
      auto referenced_destination = destinations.find(referenced_schema);
      keep = referenced_destination != destinations.end() &&
             TableSelected(source, {}, schema, table) &&
             TableSelected(source, {}, referenced_schema, referenced_table);
      if (!keep) {
        spdlog::info(
            "foreign key {} of {}.{} is left out: it references {}.{}, which is not replicated",
            name, schema, table, referenced_schema, referenced_table);
        continue;
      }
      ForeignKey key;
      key.name = name;
      key.schema = destinations[schema];
      key.table = table;
      key.referenced_schema = referenced_destination->second;
      key.referenced_table = referenced_table;
      key.on_update = Rule(Cell(rows, row, 7));
      key.on_delete = Rule(Cell(rows, row, 8));
      keys.push_back(std::move(key));
    }
    if (!keep) continue;
    keys.back().columns.push_back(Cell(rows, row, 3));
    keys.back().referenced_columns.push_back(Cell(rows, row, 6));
  }
  return keys;
}

std::string AddForeignKeySql(const ForeignKey& key, const std::string& name) {
  return fmt::format(
      "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}) ON UPDATE {} ON "
      "DELETE {} NOT VALID",
      QualifiedName(key.schema, key.table), pg::QuoteIdentifier(name),
      QuotedColumnList(key.columns), QualifiedName(key.referenced_schema, key.referenced_table),
      QuotedColumnList(key.referenced_columns), key.on_update, key.on_delete);
}

Result<ForeignKeyReport> BuildForeignKeys(pg::Connection& connection,
                                          const std::vector<ForeignKey>& keys) {
  ForeignKeyReport report;
  // Constraint names already used per schema: (table, name) -> whether a foreign key.
  std::map<std::string, std::map<std::pair<std::string, std::string>, bool>> taken;
  auto load_schema = [&](const std::string& schema) -> Status {
    if (taken.count(schema) > 0) return Status::Ok();
    ASSIGN_OR_RETURN(pg::Rows rows,
                     connection.Query("SELECT c.relname, k.conname, k.contype = 'f' "
                                      "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
                                      "JOIN pg_namespace n ON n.oid = k.connamespace "
                                      "WHERE n.nspname = $1",
                                      {schema}));
    auto& names = taken[schema];
    for (int row = 0; row < rows.size(); ++row) {
      names[{std::string(rows.Text(row, 0)), std::string(rows.Text(row, 1))}] = rows.Bool(row, 2);
    }
    return Status::Ok();
  };
  for (const auto& key : keys) {
    RETURN_IF_ERROR(load_schema(key.schema));
    std::string label = fmt::format("foreign key {} of {}.{}", key.name, key.schema, key.table);
    ASSIGN_OR_RETURN(
        auto both_exist,
        connection.QueryValue("SELECT to_regclass($1) IS NOT NULL AND "
                              "to_regclass($2) IS NOT NULL",
                              {QualifiedName(key.schema, key.table),
                               QualifiedName(key.referenced_schema, key.referenced_table)}));
    if (both_exist.value_or("f") != "t") {
      report.problems.push_back(label + ": not created, a table of it is not in PostgreSQL");
      continue;
    }
    auto& names = taken[key.schema];
    // A name is ours when no constraint of the schema has it but a foreign key of this very
    // table (then a copy_schema or detach already built it).
    auto used_by_another = [&](const std::string& candidate) {
      return std::any_of(names.begin(), names.end(), [&](const auto& entry) {
        return entry.first.second == candidate && !(entry.first.first == key.table && entry.second);
      });
    };
    std::string name = translation::PgName(key.name);
    if (used_by_another(name))
      name = translation::SuffixedName(key.name, key.table + '\0' + key.name);
    if (names.count({key.table, name}) > 0) {
      ++report.already_there;
      continue;
    }
    Status added = connection.Execute(AddForeignKeySql(key, name));
    if (!added.ok()) {
      report.problems.push_back(label + ": not created: " + added.message());
      continue;
    }
    names[{key.table, name}] = true;
    Status validated = connection.Execute(fmt::format("ALTER TABLE {} VALIDATE CONSTRAINT {}",
                                                      QualifiedName(key.schema, key.table),
                                                      pg::QuoteIdentifier(name)));
    if (!validated.ok()) {
      // The key stays NOT VALID: new rows are checked, the existing ones are for the user.
      report.problems.push_back(
          label + ": created NOT VALID, existing rows break it: " + validated.message());
      continue;
    }
    ++report.created;
    spdlog::info("{} created as {}", label, name);
  }
  return report;
}

}  // namespace chameleon::init
