// Opening the stream by GTID; see gtid_source_opener.h.
#include "reader/gtid_source_opener.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace chameleon::reader {

SourceOpener GtidSourceOpener(const mysql::ConnectOptions& options, uint32_t server_id,
                              uint32_t heartbeat_period_ms,
                              std::shared_ptr<const MariadbGtidState> state) {
  SourceOpener by_position = ServerSourceOpener(options, server_id, heartbeat_period_ms);
  return
      [options, server_id, heartbeat_period_ms, state = std::move(state),
       by_position = std::move(by_position)](const BinlogPosition& from) -> Result<OpenedSource> {
        ASSIGN_OR_RETURN(mysql::Connection connection, mysql::Connection::Open(options));
        if (!connection.is_mariadb()) {
          spdlog::info("reader: gtid_enable: {} is MySQL; reading by file and position",
                       connection.description());
          return by_position(from);
        }
        ASSIGN_OR_RETURN(std::optional<std::string> path,
                         connection.QueryValue("SELECT @@global.log_bin_basename"));
        if (!path || path->empty()) {
          return Status::FailedPrecondition("the source has no binary log (log_bin is OFF)");
        }
        std::string file_name =
            BinlogFileName(path->substr(path->find_last_of('/') + 1), from.file_number);
        std::string gtid_start = state->ToString();
        if (gtid_start.empty()) {
          // First connection of this process: the source knows which GTIDs precede the position.
          ASSIGN_OR_RETURN(
              std::optional<std::string> position,
              connection.QueryValue(fmt::format("SELECT BINLOG_GTID_POS({}, {})",
                                                mysql::QuoteLiteral(file_name), from.position)));
          if (position) {
            ASSIGN_OR_RETURN(MariadbGtidState parsed, MariadbGtidState::Parse(*position));
            gtid_start = parsed.ToString();
          }
          if (gtid_start.empty()) return by_position(from);
        }
        mysql::BinlogDumpRequest request;
        request.server_id = server_id;
        request.file_name = file_name;  // for messages: the server finds the file itself
        request.mariadb_gtid_start = gtid_start;
        request.heartbeat_period_ms = heartbeat_period_ms;
        ASSIGN_OR_RETURN(mysql::BinlogStream stream, mysql::BinlogStream::Open(options, request));
        spdlog::info("reader: streaming from GTID {} (stored position {}) from {} ({})", gtid_start,
                     ToString(from), stream.description(), stream.server_version());
        OpenedSource opened;
        opened.file_name = file_name;
        opened.source = std::make_unique<ServerBinlogSource>(std::move(stream));
        return opened;
      };
}

}  // namespace chameleon::reader
