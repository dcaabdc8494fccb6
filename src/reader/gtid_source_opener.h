// With gtid_enable: the SourceOpener that asks a MariaDB source for the stream by GTID
// (@slave_connect_state), as its own replicas do, so that a failover to another server of the
// same GTID domains resumes after the last transaction read. MySQL sources are read by file
// and position (COM_BINLOG_DUMP_GTID is encoded in gtid_state.h but not sent yet).
#pragma once

#include <cstdint>
#include <memory>

#include "mysql/connection.h"
#include "reader/gtid_state.h"
#include "reader/reader.h"

namespace chameleon::reader {

// `state` (shared with the Reader, which records each transaction's GTID in it; read here on
// the reader's thread) is where the stream starts. While it is empty (the first connection
// of the process) the position comes from the source: BINLOG_GTID_POS of the stored file and
// offset; when the source has no GTID for it, reading starts by file and position.
SourceOpener GtidSourceOpener(const mysql::ConnectOptions& options, uint32_t server_id,
                              uint32_t heartbeat_period_ms,
                              std::shared_ptr<const MariadbGtidState> state);

}  // namespace chameleon::reader
