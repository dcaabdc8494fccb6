// COM_BINLOG_DUMP over MariaDB Connector/C: the same command and packet reads its own
// mariadb_rpl_open uses, without its event parsing (ours is in src/reader).
#include "mysql/binlog_stream.h"

#include <errmsg.h>
#include <fmt/format.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <algorithm>
#include <cctype>

#include "common/strings.h"

namespace chameleon::mysql {
namespace {

constexpr unsigned long kPacketError = 0xffffffffUL;  // Connector/C's packet_error
constexpr uint16_t kDumpNonBlocking = 1;              // BINLOG_DUMP_NON_BLOCK
constexpr unsigned int kMariadbGtidCapability = 4;    // MARIA_SLAVE_CAPABILITY_GTID

bool IsNetworkError(unsigned int code) {
  return code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST || code == CR_CONNECTION_ERROR ||
         code == CR_CONN_HOST_ERROR || code == CR_SERVER_LOST_EXTENDED ||
         code == ER_NET_READ_INTERRUPTED || code == ER_NET_READ_ERROR ||
         code == ER_NET_ERROR_ON_WRITE || code == ER_SERVER_SHUTDOWN ||
         code == ER_CONNECTION_KILLED;
}

}  // namespace

void BinlogStream::Deleter::operator()(st_mysql* connection) const {
  mysql_close(connection);
}

BinlogStream::BinlogStream(st_mysql* connection, std::string description)
    : connection_(connection), description_(std::move(description)) {}

Status BinlogStream::ErrorStatus(const std::string& doing) {
  unsigned int code = mysql_errno(connection_.get());
  std::string message = fmt::format("MySQL {}: {} (error {}) while {}", description_,
                                    mysql_error(connection_.get()), code, doing);
  if (code == ER_MASTER_FATAL_ERROR_READING_BINLOG) {
    // 1236: the requested file or position is not in the server's binlog any more.
    return Status::NotFound(fmt::format(
        "{}; the binlog {} is no longer on the source (purged?): run init_replica again", message,
        requested_file_.empty() ? std::string("requested") : requested_file_));
  }
  if (IsNetworkError(code)) return Status::Unavailable(message);
  if (code == ER_SPECIFIC_ACCESS_DENIED_ERROR || code == ER_ACCESS_DENIED_ERROR ||
      code == ER_DBACCESS_DENIED_ERROR) {
    return Status::PermissionDenied(message + "; the user needs REPLICATION SLAVE");
  }
  return Status::Unavailable(message);
}

Status BinlogStream::Query(const std::string& sql) {
  if (mysql_real_query(connection_.get(), sql.data(), sql.size()) != 0) {
    return ErrorStatus("running " + sql.substr(0, sql.find(' ', 4)));
  }
  MYSQL_RES* result = mysql_store_result(connection_.get());
  if (result != nullptr) mysql_free_result(result);
  return Status::Ok();
}

Result<std::optional<std::string>> BinlogStream::QueryValue(const std::string& sql) {
  if (mysql_real_query(connection_.get(), sql.data(), sql.size()) != 0) {
    return ErrorStatus("running " + sql);
  }
  MYSQL_RES* result = mysql_store_result(connection_.get());
  if (result == nullptr) return std::optional<std::string>();
  std::optional<std::string> value;
  MYSQL_ROW row = mysql_fetch_row(result);
  unsigned long* lengths = mysql_fetch_lengths(result);
  if (row != nullptr && mysql_num_fields(result) > 0 && row[0] != nullptr) {
    value = std::string(row[0], lengths[0]);
  }
  mysql_free_result(result);
  return value;
}

Result<BinlogStream> BinlogStream::Open(const ConnectOptions& options,
                                        const BinlogDumpRequest& request) {
  std::string description = fmt::format("{}@{}:{}", options.user, options.host, options.port);
  if (request.position > 0xffffffffULL) {
    return Status::NotSupported(fmt::format(
        "binlog position {} of {} is beyond 4 GiB, which COM_BINLOG_DUMP cannot ask for",
        request.position, request.file_name));
  }
  MYSQL* raw = mysql_init(nullptr);
  if (raw == nullptr) return Status::Internal("mysql_init failed: out of memory");
  BinlogStream stream(raw, description);
  stream.requested_file_ = request.mariadb_gtid_start.empty()
                               ? request.file_name
                               : "holding GTID " + request.mariadb_gtid_start;
  auto connect_timeout = static_cast<unsigned int>(std::max(1, options.connect_timeout_seconds));
  // A read must outlast a heartbeat period: an idle source is not a dead one.
  unsigned int read_timeout =
      static_cast<unsigned int>(std::max(1, options.net_read_timeout_seconds));
  read_timeout = std::max(read_timeout, 2 * request.heartbeat_period_ms / 1000 + 2);
  if (request.heartbeat_period_ms > 0) {
    // With heartbeats, silence for three periods is a dead connection (a network drop that
    // sent no reset), not an idle source: reconnect in seconds, not net_read_timeout.
    read_timeout = std::min(read_timeout, std::max(5U, 3 * request.heartbeat_period_ms / 1000 + 2));
  }
  unsigned int protocol = MYSQL_PROTOCOL_TCP;
  unsigned long max_packet = 1UL << 30;
  std::string charset = ToLower(options.charset);
  if (charset.empty() || charset == "utf8" || charset == "utf8mb3") charset = "utf8mb4";
  mysql_optionsv(raw, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  mysql_optionsv(raw, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
  mysql_optionsv(raw, MYSQL_OPT_PROTOCOL, &protocol);
  mysql_optionsv(raw, MYSQL_OPT_MAX_ALLOWED_PACKET, &max_packet);
  mysql_optionsv(raw, MYSQL_SET_CHARSET_NAME, charset.c_str());
  if (mysql_real_connect(raw, options.host.c_str(), options.user.c_str(),
                         options.password.reveal().c_str(), nullptr,
                         static_cast<unsigned int>(options.port), nullptr, 0) == nullptr) {
    unsigned int code = mysql_errno(raw);
    std::string message = fmt::format("cannot connect to MySQL {} for the binlog: {} (error {})",
                                      description, mysql_error(raw), code);
    if (code == ER_ACCESS_DENIED_ERROR || code == ER_DBACCESS_DENIED_ERROR) {
      return Status::PermissionDenied(message + "; check db_conn.user and db_conn.password");
    }
    return Status::Unavailable(message);
  }
  stream.server_version_ = mysql_get_server_info(raw);
  stream.is_mariadb_ = stream.server_version_.find("MariaDB") != std::string::npos;

  // Checksum: ask for the server's own algorithm, so it need not strip or add anything.
  ASSIGN_OR_RETURN(std::optional<std::string> checksum,
                   stream.QueryValue("SELECT @@global.binlog_checksum"));
  stream.checksum_crc32_ = checksum && ToLower(*checksum) == "crc32";
  RETURN_IF_ERROR(stream.Query("SET @master_binlog_checksum = @@global.binlog_checksum"));
  if (stream.is_mariadb_) {
    RETURN_IF_ERROR(
        stream.Query(fmt::format("SET @mariadb_slave_capability = {}", kMariadbGtidCapability)));
  }
  if (request.heartbeat_period_ms > 0) {
    uint64_t nanoseconds = uint64_t{request.heartbeat_period_ms} * 1000000;
    RETURN_IF_ERROR(stream.Query(fmt::format("SET @master_heartbeat_period = {}", nanoseconds)));
  }
  std::string file_name = request.file_name;
  uint64_t position = request.position;
  if (!request.mariadb_gtid_start.empty()) {
    if (!stream.is_mariadb_) {
      return Status::InvalidArgument("a MariaDB GTID start was asked of a MySQL server");
    }
    for (char c : request.mariadb_gtid_start) {
      if (!(std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '-' || c == ',')) {
        return Status::InvalidArgument("'" + request.mariadb_gtid_start +
                                       "' is not a MariaDB GTID position");
      }
    }
    RETURN_IF_ERROR(
        stream.Query("SET @slave_connect_state = '" + request.mariadb_gtid_start + "'"));
    RETURN_IF_ERROR(stream.Query("SET @slave_gtid_strict_mode = 0"));
    RETURN_IF_ERROR(stream.Query("SET @slave_gtid_ignore_duplicates = 0"));
    file_name.clear();
    position = 4;
  }

  // COM_BINLOG_DUMP: position(4) flags(2) server_id(4) file name (rest of the packet).
  std::string command;
  auto put = [&command](uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i)
      command += static_cast<char>((value >> (8 * i)) & 0xff);
  };
  put(position, 4);
  put(request.non_blocking ? kDumpNonBlocking : 0, 2);
  stream.non_blocking_ = request.non_blocking;
  put(request.server_id, 4);
  command += file_name;
  if (raw->methods->db_command(raw, COM_BINLOG_DUMP, command.data(), command.size(), 1, nullptr) !=
      0) {
    return stream.ErrorStatus("asking for the binlog");
  }
  return stream;
}

Result<std::optional<std::string_view>> BinlogStream::Next() {
  MYSQL* raw = connection_.get();
  unsigned long length = mysql_net_read_packet(raw);
  if (length == kPacketError || length == 0) {
    if (mysql_errno(raw) == 0)
      return Status::Unavailable("MySQL " + description_ + ": stream lost");
    return ErrorStatus("reading the binlog");
  }
  const unsigned char* packet = raw->net.read_pos;
  if (packet[0] == 0xfe && length < 8) {
    if (non_blocking_) return std::optional<std::string_view>();  // the end of the binlog
    // A blocking dump never ends by itself: the server is going away (shutdown). Reconnect
    // like after any lost stream, rather than take it for the end of the source.
    return Status::Unavailable("MySQL " + description_ + ": the server ended the binlog stream");
  }
  if (packet[0] != 0x00) {
    return Status::Corruption(
        fmt::format("MySQL {}: binlog packet starts with 0x{:02x}", description_, packet[0]));
  }
  return std::optional<std::string_view>(
      std::string_view(reinterpret_cast<const char*>(packet) + 1, length - 1));
}

}  // namespace chameleon::mysql
