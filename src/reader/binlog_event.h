// The decoded form of one binlog event: the header every event has, and the fields of the
// kinds the reader acts on. Row values stay undecoded here (see row_decoder.h), so events of
// tables nobody replicates cost no value decoding.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chameleon::reader {

struct EventHeader {
  uint32_t timestamp = 0;
  uint8_t type = 0;
  uint32_t server_id = 0;
  uint32_t event_size = 0;  // header + body + checksum
  uint32_t log_pos = 0;     // the next event's offset modulo 2^32; 0 for artificial events
  uint16_t flags = 0;
};

enum class EventKind {
  kFormatDescription,
  kRotate,
  kQuery,  // BEGIN, COMMIT, ROLLBACK, SAVEPOINT, DDL, ...
  kXid,    // commit of a transactional group
  kTableMap,
  kRows,        // write/update/delete rows, v1 or v2, MariaDB compressed ones inflated
  kGtid,        // MariaDB GTID or MySQL GTID / ANONYMOUS_GTID: a group starts
  kGtidList,    // MariaDB GTID_LIST or MySQL PREVIOUS_GTIDS
  kCheckpoint,  // MariaDB BINLOG_CHECKPOINT
  kHeartbeat,
  kRowsQuery,  // MariaDB ANNOTATE_ROWS or MySQL ROWS_QUERY: the statement behind rows
  kStop,
  kTransactionPayload,  // MySQL compressed transaction: EventDecoder::NextInPayload reads it
  kXaPrepare,           // XA_PREPARE_LOG_EVENT: an XA transaction's group ends, prepared
  kIgnored,             // known or unknown, nothing the reader needs (INTVAR, RAND, USER_VAR, ...)
};

const char* EventKindName(EventKind kind);

enum class RowsAction : uint8_t { kWrite, kUpdate, kDelete };

// One column of a table map, with what the optional metadata (binlog_row_metadata) told.
struct ColumnInfo {
  uint8_t type = 0;       // as in the table map (STRING for CHAR/ENUM/SET)
  uint8_t real_type = 0;  // ENUM/SET/STRING resolved from the STRING metadata
  // Per-type metadata, normalised: VARCHAR/STRING max bytes; BLOB/JSON/GEOMETRY length-prefix
  // bytes; ENUM/SET pack bytes; NEWDECIMAL precision<<8|scale; BIT width in bits;
  // FLOAT/DOUBLE size; TIME2/DATETIME2/TIMESTAMP2 fractional digits.
  uint16_t metadata = 0;
  bool nullable = true;
  bool is_unsigned = false;
  uint32_t collation = 0;           // 0 = unknown (no metadata): treated as UTF-8 text
  std::string name;                 // empty when the table map had no names
  std::vector<std::string> labels;  // ENUM/SET members when the table map had them
};

struct TableMap {
  uint64_t table_id = 0;
  std::string schema;
  std::string table;
  std::vector<ColumnInfo> columns;
  std::vector<uint32_t> primary_key;
  bool has_names = false;
  bool has_signedness = false;
  bool has_charsets = false;
  bool has_labels = false;
};

struct RotateEvent {
  uint64_t position = 0;
  std::string file_name;
};

struct QueryEvent {
  uint32_t thread_id = 0;
  uint16_t error_code = 0;
  std::string schema;  // the session's default database; may be empty
  std::string query;
};

struct GtidEvent {
  std::string gtid;         // "domain-server-seq" (MariaDB) or "uuid:gno" (MySQL)
  bool standalone = false;  // MariaDB: no BEGIN follows (DDL); MySQL GTIDs: unknown, false
  bool mariadb = false;
  // MariaDB: the group of an XA PREPARE carries its xid here (MySQL logs an XA START query),
  // in the form the server logs XA statements with: "X'<gtrid hex>',X'<bqual hex>',<format>".
  std::string prepared_xa_id;
};

struct FormatDescription {
  uint16_t binlog_version = 0;
  std::string server_version;
  bool checksum_crc32 = false;
};

struct RowsEventInfo {
  RowsAction action = RowsAction::kWrite;
  uint64_t table_id = 0;
  uint16_t flags = 0;
  const TableMap* table = nullptr;  // owned by the decoder; valid until the next table map
  std::string_view rows;            // column count, bitmaps and row images; see row_decoder.h
  bool partial_json = false;        // MySQL PARTIAL_UPDATE_ROWS: a shared image per row
};

// One decoded event. Only the member of `kind` is meaningful; the object is reused, so
// string_views point into the decoder's buffers and live until the next Decode call.
struct BinlogEvent {
  EventHeader header;
  EventKind kind = EventKind::kIgnored;
  FormatDescription format;
  RotateEvent rotate;
  QueryEvent query;
  uint64_t xid = 0;
  const TableMap* table_map = nullptr;
  RowsEventInfo rows;
  GtidEvent gtid;
  std::string text;  // rows query, heartbeat's file name, checkpoint's file name, GTID list
};

}  // namespace chameleon::reader
