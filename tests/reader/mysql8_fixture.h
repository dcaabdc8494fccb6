// Builders for hand-made MySQL 8 binlog fixtures (the live MariaDB cannot produce these
// events): a v4 event around a body, a MySQL 8.0 FORMAT_DESCRIPTION, length-encoded pieces
// and small binary JSON documents (MySQL's json_binary.h layout).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "reader/binlog_format.h"
#include "reader/test_bytes.h"

namespace chameleon::reader::mysql8 {

inline std::string Le(uint64_t value, size_t size) {
  std::string out;
  for (size_t i = 0; i < size; ++i)
    out += static_cast<char>(value >> (8 * i) & 0xff);
  return out;
}

// MySQL's length-encoded integer (net_field_length).
inline std::string Lenenc(uint64_t value) {
  if (value < 251) return Le(value, 1);
  if (value < (1U << 16)) return "\xfc" + Le(value, 2);
  if (value < (1U << 24)) return "\xfd" + Le(value, 3);
  return "\xfe" + Le(value, 8);
}
inline std::string LenencString(const std::string& text) {
  return Lenenc(text.size()) + text;
}

// A v4 event: timestamp, type, server id 1, size, log_pos (offset `at` + size), flags 0.
// No checksum (the FORMAT_DESCRIPTION below says binlog_checksum=NONE).
inline std::string Event(uint8_t type, const std::string& body, uint32_t at = 0) {
  auto size = static_cast<uint32_t>(format::kHeaderSize + body.size());
  return Le(1700000000, 4) + Le(type, 1) + Le(1, 4) + Le(size, 4) + Le(at + size, 4) + Le(0, 2) +
         body;
}

// MySQL 8.0.36's FORMAT_DESCRIPTION, checksum algorithm NONE. Post-header lengths as MySQL
// 8 announces them: QUERY 13, ROTATE 8, TABLE_MAP 8, rows v1 8, rows v2 and PARTIAL_UPDATE
// 10, GTID 42, TRANSACTION_PAYLOAD 0, the rest 0.
inline std::string FormatDescriptionEvent() {
  std::string version = "8.0.36";
  version.resize(50, '\0');
  std::string lengths(41, '\0');
  auto set = [&](int type, int length) {
    lengths[static_cast<size_t>(type - 1)] = static_cast<char>(length);
  };
  set(format::kQuery, 13);
  set(format::kRotate, 8);
  set(format::kFormatDescription, 98);
  set(format::kTableMap, 8);
  for (int t : {23, 24, 25})
    set(t, 8);
  for (int t : {30, 31, 32, 39})
    set(t, 10);
  set(format::kMysqlGtid, 42);
  set(format::kMysqlAnonymousGtid, 42);
  std::string body = Le(4, 2) + version + Le(0, 4) + Le(19, 1) + lengths;
  body += Le(format::kChecksumOff, 1) + Le(0, 4);  // algorithm, then a checksum nobody checks
  return Event(format::kFormatDescription, body);
}

// Binary JSON values: a type byte and the value's bytes.
struct JsonValue {
  uint8_t type;
  std::string data;
  std::string Document() const { return Le(type, 1) + data; }
};
inline JsonValue JInt(int16_t value) {
  return {0x05, Le(static_cast<uint16_t>(value), 2)};
}
inline JsonValue JString(const std::string& text) {
  return {0x0c, Lenenc(text.size()) + text};
}
// A small object or array: count(2), size(2), [key entries], value entries (type, offset or
// inlined int16), [keys], then the non-inlined values; offsets count from the count field.
inline JsonValue JContainer(bool object,
                            const std::vector<std::pair<std::string, JsonValue>>& items) {
  size_t header = 4 + (object ? 4 * items.size() : 0) + 3 * items.size();
  std::string keys, values, key_entries, value_entries;
  size_t keys_at = header;
  size_t total_keys = 0;
  for (const auto& item : items)
    total_keys += object ? item.first.size() : 0;
  size_t values_at = header + total_keys;
  for (const auto& [key, value] : items) {
    if (object) {
      key_entries += Le(keys_at + keys.size(), 2) + Le(key.size(), 2);
      keys += key;
    }
    if (value.type == 0x05) {
      value_entries += Le(value.type, 1) + value.data;  // inlined
    } else {
      value_entries += Le(value.type, 1) + Le(values_at + values.size(), 2);
      values += value.data;
    }
  }
  size_t size = values_at + values.size();
  return {static_cast<uint8_t>(object ? 0x00 : 0x02),
          Le(items.size(), 2) + Le(size, 2) + key_entries + value_entries + keys + values};
}
inline JsonValue JObject(const std::vector<std::pair<std::string, JsonValue>>& items) {
  return JContainer(true, items);
}
inline JsonValue JArray(const std::vector<JsonValue>& items) {
  std::vector<std::pair<std::string, JsonValue>> entries;
  for (const JsonValue& item : items)
    entries.emplace_back("", item);
  return JContainer(false, entries);
}

}  // namespace chameleon::reader::mysql8
