// The spool's on-disk constants: column families, key layout, record and format versions.
// FORMAT.md next to this file is the prose; change both together.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace chameleon::spool::format {

// Layout of the database as a whole (column families, metadata keys). Stored under
// kFormatKey when the spool is created; a spool with a higher number is refused.
constexpr uint32_t kSpoolFormatVersion = 1;
// First byte of every event value; a reader dispatches on it (FORMAT.md, "Reading a future
// format").
constexpr uint8_t kEventFormatVersion = 1;
// First byte of every metadata record value.
constexpr uint8_t kRecordVersion = 1;
// Event value flags this version knows; any other bit set is refused as corruption.
constexpr uint8_t kKnownEventFlags = 0;

constexpr std::string_view kEventsColumnFamily = "events";
constexpr std::string_view kMetadataColumnFamily = "metadata";

// Event key: source id (4) + file number (4) + position (8) + sequence (4), big-endian.
constexpr size_t kEventKeySize = 20;

// Metadata keys.
constexpr std::string_view kFormatKey = "format";               // u32 BE
constexpr std::string_view kSourceIdKey = "source_id";          // u32 BE
constexpr std::string_view kWriterKey = "writer";               // writer record
constexpr std::string_view kLastReplayedKey = "last_replayed";  // replayed record
constexpr std::string_view kBatchPrefix = "batch/";             // + u64 BE id: batch record
constexpr std::string_view kShapePrefix = "shape/";             // + schema 0 table 0 u32 BE

}  // namespace chameleon::spool::format
