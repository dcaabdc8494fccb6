// ChangeEvent and TableShape: the typed, self-describing change the reader decodes from the
// binlog, the spool stores and the replayer applies. This is the contract between them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "event/binlog_position.h"
#include "event/value.h"

namespace chameleon {

// The numbers are stored in the spool (src/spool/FORMAT.md): never renumber.
enum class Operation : uint8_t {
  kInsert = 1,  // after image
  kUpdate = 2,  // before and after images
  kDelete = 3,  // before image
  kDdl = 4,     // ddl_statement (+ ddl_parsed); schema is the default database of the statement
  kCommit = 5,  // transaction end marker (XID/COMMIT); optional, carries position and GTID
};

const char* OperationName(Operation operation);

struct ChangeEvent {
  Operation operation = Operation::kInsert;
  BinlogPosition position;  // start offset of the binlog event that carried this change
  uint32_t sequence = 0;    // row index within that binlog event (rows events); else 0
  uint32_t source_timestamp_seconds = 0;  // the binlog event header's timestamp
  std::string gtid;                       // "uuid:n" or "domain-server-seq"; empty when unknown
  std::string schema;
  std::string table;
  uint32_t shape_version = 0;  // TableShape::version the images follow (0 for DDL/commit)
  std::vector<Value> before;   // update, delete
  std::vector<Value> after;    // insert, update
  std::string ddl_statement;   // DDL only: the statement as the source ran it
  std::string ddl_parsed;      // DDL only: the reader's parsed form, opaque to the spool

  bool operator==(const ChangeEvent&) const = default;
};

// A column as the binlog's table map event and information_schema describe it.
struct ColumnShape {
  std::string name;
  uint8_t type_code = 0;  // MySQL's MYSQL_TYPE_* of the table map event
  uint16_t metadata = 0;  // the table map's per-column metadata (length, precision, ...)
  bool is_unsigned = false;
  bool nullable = true;
  std::string column_type;  // information_schema COLUMNS.COLUMN_TYPE, e.g. "enum('a','b')"

  bool operator==(const ColumnShape&) const = default;
};

// The columns of a table at one point of the stream; a DDL that changes them makes a new
// version. Row images of version v have columns.size() values, in this order.
struct TableShape {
  std::string schema;
  std::string table;
  uint32_t version = 0;
  std::vector<ColumnShape> columns;
  std::vector<uint32_t> primary_key;  // indexes into columns

  bool operator==(const TableShape&) const = default;
};

// One line for `spool inspect` and logs: "12:4096#0 insert app.users v3 after=(1, 'bob')".
std::string DescribeEvent(const ChangeEvent& event);

}  // namespace chameleon
