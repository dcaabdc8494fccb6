// Binlog position arithmetic as pure functions: where the next event starts, given the 32-bit
// log_pos MySQL writes in each header. Past 4 GiB that field wraps; our positions never do.
#pragma once

#include <cstdint>

namespace chameleon::reader {

// True for events the server makes up while streaming (fake ROTATE, the FORMAT_DESCRIPTION
// and GTID list sent on connect, heartbeats): they occupy no bytes of the file.
bool IsArtificialEvent(uint8_t type, uint16_t flags, uint32_t header_log_pos);

// The start of the event after a real one that starts at `event_start`, is `event_size`
// bytes, and whose header says `header_log_pos` (the next offset modulo 2^32). The size
// decides, which survives the 4 GiB wrap (an event ending at exactly 4 GiB has log_pos 0);
// when the low 32 bits disagree with log_pos (a relay log, a server counting differently),
// log_pos wins for them and the high bits come from `event_start`, carried if it went back.
uint64_t NextEventPosition(uint64_t event_start, uint32_t event_size, uint32_t header_log_pos);

}  // namespace chameleon::reader
