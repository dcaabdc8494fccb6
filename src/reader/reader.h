// Reader: the replica daemon's reading thread. Streams the source's binlog from the spool's
// resume position, decodes and filters it, and appends whole source transactions to the
// spool with the position after each; reconnects after network errors (on_error_read).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "config/config.h"
#include "event/binlog_position.h"
#include "event/change_event.h"
#include "mysql/connection.h"
#include "reader/binlog_source.h"
#include "reader/event_stream.h"
#include "reader/filter.h"
#include "reader/gtid_state.h"
#include "reader/row_decoder.h"
#include "spool/spool.h"

namespace chameleon::reader {

// An opened source: where it reads from, and the name of the file it starts in.
struct OpenedSource {
  std::unique_ptr<BinlogSource> source;
  std::string file_name;
};

// Opens a binlog source positioned at `from`. The seam that lets tests feed bytes; the
// default (ServerSourceOpener) connects to the configured server.
using SourceOpener = std::function<Result<OpenedSource>(const BinlogPosition& from)>;

struct ReaderOptions {
  config::Source source;  // filters, my_server_id, on_error_read, timeouts, db_conn
  // Where to start when the spool has no resume position yet (init_replica's coordinates).
  std::optional<BinlogPosition> start;
  // Per-table copy points: rows of a table before its point are older than its init copy.
  std::map<std::string, BinlogPosition> table_copy_positions;  // "schema.table" -> position
  // The server's heartbeat on a quiet stream: the idle moment that closes the open batch (so
  // it bounds the replay lag of a source's last changes); also bounds how long Stop() waits.
  uint32_t heartbeat_period_ms = 250;
  // While the replayer waits for work (no closed batch in the spool), a transaction's end
  // closes the open batch once the last close is this old: a lone change is replayed at once,
  // a busy replayer still gets batches of replica_batch_size. 0: close on size, sleep_loop
  // and idle moments only.
  std::chrono::milliseconds eager_close_after{100};
  // on_error_read: exit gives up after this many failed reconnections in a row.
  int reconnect_attempts_before_exit = 5;
  std::chrono::milliseconds max_backoff{30000};
  // A source transaction is stored in parts of this many events (Spool::AppendPart), so the
  // reader holds at most one part of it in memory however large it is.
  size_t transaction_part_events = 10000;
};

struct ReaderStats {
  uint64_t transactions_appended = 0;
  uint64_t events_appended = 0;
  uint64_t reconnections = 0;
  uint32_t last_event_timestamp = 0;  // source time of the last event read (0: none yet)
  std::chrono::system_clock::time_point last_received;  // last event or heartbeat
  // The last heartbeat: the server had nothing more to send, the reader was caught up.
  std::optional<std::chrono::system_clock::time_point> caught_up_at;
  std::optional<BinlogPosition> position;  // last resume position stored
  std::string binlog_base_name;  // "mysql-bin" of "mysql-bin.000042"; empty before streaming
};

// The connection settings of a configured source (db_conn, net_read_timeout).
mysql::ConnectOptions ConnectOptionsFor(const config::Source& source);

// The default SourceOpener: a replica connection to `options`' server as my_server_id,
// heartbeat every `heartbeat_period_ms`. The file name comes from the server's
// log_bin_basename and the position's file number.
SourceOpener ServerSourceOpener(const mysql::ConnectOptions& options, uint32_t server_id,
                                uint32_t heartbeat_period_ms);

class Reader {
 public:
  // `spool` must outlive the Reader. `opener` defaults to ServerSourceOpener.
  Reader(ReaderOptions options, spool::Spool* spool, SourceOpener opener = nullptr);
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Reads until Stop() (returns Ok), the end of a finite source (Ok), or an error it must
  // not retry: a purged binlog (kNotFound, replica-fatal: re-run init_replica), refused
  // credentials, a damaged event, or on_error_read: exit after failed reconnections.
  Status Run();
  // Thread-safe; Run returns within about one heartbeat period.
  void Stop();
  ReaderStats stats() const;

 private:
  Status ReadFrom(BinlogSource* source, const std::string& file_name, const BinlogPosition& from);
  Status HandleEvent(EventStream& stream, const BinlogEvent& event);
  Status HandleRows(EventStream& stream, const BinlogEvent& event);
  Status HandleQuery(EventStream& stream, const BinlogEvent& event);
  Status EndTransaction(const BinlogPosition& resume);
  Status Append(const BinlogPosition& resume);
  Status AppendPart();
  Status DiscardParts();
  Status MarkIdle();
  // XA: a prepared transaction's rows wait for its XA COMMIT, which applies them there.
  Status PrepareXa(EventStream& stream);
  Status CommitXa(EventStream& stream, const std::string& xid);
  Result<uint32_t> ShapeVersion(const TableMap& map);
  bool Wait(std::chrono::milliseconds duration);

  ReaderOptions options_;
  spool::Spool* spool_;
  SourceOpener opener_;
  EventFilter filter_;
  std::atomic<bool> stop_{false};

  mutable std::mutex stats_mutex_;
  ReaderStats stats_;

  // The source transaction being read.
  std::vector<ChangeEvent> events_;
  std::vector<TableShape> new_shapes_;
  std::string gtid_;
  // gtid_enable: the GTID of each transaction read, where a reconnection starts.
  std::shared_ptr<MariadbGtidState> gtid_state_ = std::make_shared<MariadbGtidState>();
  bool in_transaction_ = false;
  bool dirty_since_close_ = false;
  uint64_t skipped_transactions_ = 0;
  std::optional<BinlogPosition> unsaved_resume_;  // after filtered-out transactions
  std::map<std::string, TableShape> shapes_;      // "schema.table" -> latest stored shape
  std::vector<RowChange> changes_;
  uint64_t part_events_ = 0;  // events of the current transaction already stored as parts
  // The last rows event's position and the sequence its successor at the same position (a
  // MySQL 8 TRANSACTION_PAYLOAD) starts from.
  std::optional<BinlogPosition> last_rows_position_;
  uint32_t next_sequence_ = 0;
  // XA: the xid of the group being read (XA START), and the prepared groups' events waiting
  // for their XA COMMIT (dropped at XA ROLLBACK), by xid.
  std::string xa_id_;
  std::map<std::string, std::vector<ChangeEvent>> prepared_xa_;
  int consecutive_failures_ = 0;
  std::chrono::steady_clock::time_point last_close_ = std::chrono::steady_clock::now();
};

// The spool's TableShape of a table map (version 0: the reader numbers versions).
TableShape ShapeOf(const TableMap& map);

}  // namespace chameleon::reader
