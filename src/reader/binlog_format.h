// Constants of the MySQL/MariaDB binlog format (v4): event type codes, header layout, column
// type codes and table-map metadata tags. The prose is in the MySQL "binlog event" docs.
#pragma once

#include <cstddef>
#include <cstdint>

namespace chameleon::reader::format {

// Every binlog file starts with these four bytes; the first event follows at offset 4.
constexpr char kBinlogMagic[] = "\xfe\x62\x69\x6e";
constexpr size_t kBinlogMagicSize = 4;
constexpr uint64_t kFirstEventPosition = 4;

// The v4 common header: timestamp(4) type(1) server_id(4) event_size(4) log_pos(4) flags(2).
constexpr size_t kHeaderSize = 19;
constexpr size_t kChecksumSize = 4;
// Events bigger than this are refused as damaged: MySQL's max_allowed_packet ceiling is 1 GiB.
constexpr uint32_t kMaxEventSize = 1U << 30;

// Header flags.
constexpr uint16_t kFlagArtificial = 0x20;  // LOG_EVENT_ARTIFICIAL_F: made up, not in the file

enum EventType : uint8_t {
  kUnknownEvent = 0,
  kStartV3 = 1,
  kQuery = 2,
  kStop = 3,
  kRotate = 4,
  kIntvar = 5,
  kRand = 13,
  kUserVar = 14,
  kFormatDescription = 15,
  kXid = 16,
  kTableMap = 19,
  kWriteRowsV1 = 23,
  kUpdateRowsV1 = 24,
  kDeleteRowsV1 = 25,
  kIncident = 26,
  kHeartbeat = 27,
  kIgnorable = 28,
  kRowsQuery = 29,
  kWriteRowsV2 = 30,
  kUpdateRowsV2 = 31,
  kDeleteRowsV2 = 32,
  kMysqlGtid = 33,
  kMysqlAnonymousGtid = 34,
  kPreviousGtids = 35,
  kTransactionContext = 36,
  kViewChange = 37,
  kXaPrepare = 38,
  kPartialUpdateRows = 39,
  kTransactionPayload = 40,
  kHeartbeatV2 = 41,
  // MariaDB
  kAnnotateRows = 160,
  kBinlogCheckpoint = 161,
  kMariadbGtid = 162,
  kMariadbGtidList = 163,
  kStartEncryption = 164,
  kQueryCompressed = 165,
  kWriteRowsCompressedV1 = 166,
  kUpdateRowsCompressedV1 = 167,
  kDeleteRowsCompressedV1 = 168,
  kWriteRowsCompressed = 169,
  kUpdateRowsCompressed = 170,
  kDeleteRowsCompressed = 171,
};

// FORMAT_DESCRIPTION's checksum algorithm byte.
constexpr uint8_t kChecksumOff = 0;
constexpr uint8_t kChecksumCrc32 = 1;

// MariaDB GTID event flags.
constexpr uint8_t kGtidStandalone = 0x01;     // no BEGIN/COMMIT around it: DDL or non-transactional
constexpr uint8_t kGtidGroupCommitId = 0x02;  // an 8-byte commit id follows
constexpr uint8_t kGtidPreparedXa = 0x40;     // the group of an XA PREPARE: its xid follows
constexpr uint8_t kGtidCompletedXa = 0x80;    // XA COMMIT/ROLLBACK of a prepared one: xid follows

// Rows event flags.
constexpr uint16_t kRowsStatementEnd = 0x01;

// Column types of the table map (enum_field_types).
enum ColumnType : uint8_t {
  kTypeDecimal = 0,
  kTypeTiny = 1,
  kTypeShort = 2,
  kTypeLong = 3,
  kTypeFloat = 4,
  kTypeDouble = 5,
  kTypeNull = 6,
  kTypeTimestamp = 7,
  kTypeLongLong = 8,
  kTypeInt24 = 9,
  kTypeDate = 10,
  kTypeTime = 11,
  kTypeDateTime = 12,
  kTypeYear = 13,
  kTypeNewDate = 14,
  kTypeVarchar = 15,
  kTypeBit = 16,
  kTypeTimestamp2 = 17,
  kTypeDateTime2 = 18,
  kTypeTime2 = 19,
  kTypeTypedArray = 20,
  kTypeBlobCompressed = 140,     // MariaDB column compression
  kTypeVarcharCompressed = 141,  // MariaDB column compression
  kTypeJson = 245,
  kTypeNewDecimal = 246,
  kTypeEnum = 247,
  kTypeSet = 248,
  kTypeTinyBlob = 249,
  kTypeMediumBlob = 250,
  kTypeLongBlob = 251,
  kTypeBlob = 252,
  kTypeVarString = 253,
  kTypeString = 254,
  kTypeGeometry = 255,
};

// Optional metadata of TABLE_MAP (binlog_row_metadata=MINIMAL/FULL), type-length-value.
enum TableMapMetadata : uint8_t {
  kMetaSignedness = 1,
  kMetaDefaultCharset = 2,
  kMetaColumnCharset = 3,
  kMetaColumnName = 4,
  kMetaSetStrValue = 5,
  kMetaEnumStrValue = 6,
  kMetaGeometryType = 7,
  kMetaSimplePrimaryKey = 8,
  kMetaPrimaryKeyWithPrefix = 9,
  kMetaEnumAndSetDefaultCharset = 10,
  kMetaEnumAndSetColumnCharset = 11,
  kMetaColumnVisibility = 12,
};

// The collation id of the binary "charset".
constexpr uint32_t kBinaryCollation = 63;

}  // namespace chameleon::reader::format
