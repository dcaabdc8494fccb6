// Binlog position arithmetic; see position.h.
#include "reader/position.h"

#include "reader/binlog_format.h"

namespace chameleon::reader {

bool IsArtificialEvent(uint8_t type, uint16_t flags, uint32_t header_log_pos) {
  if ((flags & format::kFlagArtificial) != 0) return true;
  if (type == format::kHeartbeat || type == format::kHeartbeatV2) return true;
  if (header_log_pos != 0) return false;
  switch (type) {
    case format::kRotate:
    case format::kFormatDescription:
    case format::kMariadbGtidList:
    case format::kBinlogCheckpoint:
    case format::kPreviousGtids:
      return true;
    default:
      return false;
  }
}

uint64_t NextEventPosition(uint64_t event_start, uint32_t event_size, uint32_t header_log_pos) {
  uint64_t by_size = event_start + event_size;
  if (static_cast<uint32_t>(by_size) == header_log_pos) return by_size;
  constexpr uint64_t kHighMask = ~uint64_t{0xffffffff};
  uint64_t candidate = (event_start & kHighMask) | header_log_pos;
  if (candidate < event_start) candidate += uint64_t{1} << 32;
  return candidate;
}

}  // namespace chameleon::reader
