// libpq pipeline mode: many prepared statements sent without waiting, their results read per
// window at a sync point. One round trip per window instead of one per statement.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "pg/connection.h"

namespace chameleon::pg {

// Pipeline mode on a Connection it does not own (`connection` must outlive it); one thread.
// While active, the connection takes only what this class sends (no Execute, no COPY).
class Pipeline {
 public:
  explicit Pipeline(Connection& connection) : connection_(connection) {}
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;
  ~Pipeline();

  bool active() const { return active_; }
  // Enters pipeline mode (non-blocking sends, so a full socket never deadlocks us).
  Status Enter();
  // Leaves pipeline mode; every window must have been read (SyncAndRead) before.
  Status Exit();

  // Queues PREPARE `name` AS `sql`.
  Status SendPrepare(const std::string& name, const std::string& sql, int param_count);
  // Queues EXECUTE `name` with text parameters (nullptr = NULL); the pointers are copied
  // into libpq's buffer before this returns.
  Status SendPrepared(const std::string& name, const std::vector<const char*>& values,
                      const std::vector<int>& lengths);
  // Statements queued since the last sync (prepares included).
  size_t pending() const { return commands_.size(); }

  // Ends the window and reads every result. `*affected_rows` gets one entry per queued
  // EXECUTE, in order (prepares get none). On the first failing command: its error Status
  // (kUnavailable when the connection is gone) and failed_execute() is its index among the
  // EXECUTEs (-1 when a PREPARE failed). The window is read to its end either way.
  Status SyncAndRead(std::vector<int64_t>* affected_rows);
  int64_t failed_execute() const { return failed_execute_; }
  // SQLSTATE of the failure SyncAndRead reported ("" when none).
  const std::string& last_sqlstate() const { return last_sqlstate_; }

 private:
  enum class Kind : uint8_t { kPrepare, kExecute };
  Status Flush();
  Status SendError(const std::string& what);

  Connection& connection_;
  bool active_ = false;
  std::vector<Kind> commands_;  // bounded by the caller's window
  int64_t failed_execute_ = -1;
  std::string last_sqlstate_;
};

// Whether a failure with this SQLSTATE is worth retrying on a new transaction: connection
// loss (class 08), serialization failure, deadlock, server shutdown or restart (57P0x).
bool IsRetryableSqlstate(const std::string& sqlstate);

}  // namespace chameleon::pg
