// An exact comparison of one table, source vs target: every row of both sides read in key
// order and merged by the integer primary key, so a lost row, a row applied twice (a counter
// one too high) and a row that should be gone are each named by their key.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mysql/connection.h"
#include "pg/connection.h"

namespace chameleon::crash_test {

struct TableSpec {
  std::string name;
  std::string key;                   // an integer primary key column
  std::vector<std::string> columns;  // compared as text; both servers render them alike
};

struct TableDifference {
  int64_t key = 0;
  std::string source;  // "<missing>" when the side has no such row
  std::string target;
};

struct TableComparison {
  std::string error;  // a query failed
  int64_t source_rows = 0;
  int64_t target_rows = 0;
  int64_t differing = 0;
  std::vector<TableDifference> first;  // the first few differences

  bool equal() const { return error.empty() && differing == 0; }
  std::string Describe(const std::string& table) const;
};

TableComparison CompareTable(mysql::Connection& mysql, const std::string& mysql_schema,
                             pg::Connection& pg, const std::string& pg_schema,
                             const TableSpec& table);

}  // namespace chameleon::crash_test
