// BinlogStream: a replica's connection to a MySQL/MariaDB server that asks for the binlog
// (COM_BINLOG_DUMP) and hands over the raw bytes of each event. Decoding is src/reader's job.
// Owned by one thread; move-only. MYSQL* stays inside this module.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "mysql/connection.h"

struct st_mysql;

namespace chameleon::mysql {

struct BinlogDumpRequest {
  uint32_t server_id = 100;  // my_server_id: must differ from the source's and other replicas'
  std::string file_name;     // "mysql-bin.000042"; empty with a MariaDB GTID start
  uint64_t position = 4;     // byte offset in file_name (COM_BINLOG_DUMP carries 32 bits)
  // MariaDB GTID start ("0-1-100,1-2-7"): the server finds the position itself.
  std::string mariadb_gtid_start;
  uint32_t heartbeat_period_ms = 1000;  // 0: no heartbeats
  bool non_blocking = false;            // end the stream at the end of the binlog
};

class BinlogStream {
 public:
  // Connects as `options` says, negotiates the checksum and heartbeat, and asks for the
  // stream. A binlog the server no longer has is kNotFound naming it.
  static Result<BinlogStream> Open(const ConnectOptions& options, const BinlogDumpRequest& request);

  BinlogStream(BinlogStream&&) noexcept = default;
  BinlogStream& operator=(BinlogStream&&) noexcept = default;
  BinlogStream(const BinlogStream&) = delete;
  BinlogStream& operator=(const BinlogStream&) = delete;
  ~BinlogStream() = default;

  // The next event (header to checksum), valid until the next call; nullopt when the server
  // ended the stream (non_blocking only). kUnavailable when the connection broke or timed out,
  // or the server ended a blocking stream (shutting down);
  // kNotFound when the server says the requested binlog is gone (purged).
  Result<std::optional<std::string_view>> Next();

  // The events carry a CRC32 checksum (the server's binlog_checksum, negotiated).
  bool checksum_crc32() const { return checksum_crc32_; }
  bool is_mariadb() const { return is_mariadb_; }
  const std::string& server_version() const { return server_version_; }
  const std::string& description() const { return description_; }

 private:
  struct Deleter {
    void operator()(st_mysql* connection) const;
  };
  BinlogStream(st_mysql* connection, std::string description);
  Status Query(const std::string& sql);
  Result<std::optional<std::string>> QueryValue(const std::string& sql);
  Status ErrorStatus(const std::string& doing);

  std::unique_ptr<st_mysql, Deleter> connection_;
  std::string description_;
  std::string requested_file_;
  bool checksum_crc32_ = false;
  bool is_mariadb_ = false;
  bool non_blocking_ = false;  // the request asked the server to end at the end of the binlog
  std::string server_version_;
};

}  // namespace chameleon::mysql
