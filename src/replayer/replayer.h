// The replayer: drains a source's closed spool batches into PostgreSQL, one batch per
// PostgreSQL transaction that also records the batch replayed in sch_chameleon (DESIGN.md
// data flow 4). Inserts go through COPY, updates and deletes through pipelined prepared
// statements; a table PostgreSQL rejects leaves the replica and the batch is applied again
// without it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "config/config.h"
#include "pg/connection.h"
#include "spool/spool.h"
#include "translation/type_map.h"

namespace spdlog {
class logger;
}

namespace chameleon::replayer {

struct ReplayerOptions {
  int64_t source_id = 0;  // sch_chameleon's id of the source (the spool's source_id)
  std::string source_name;
  // MySQL origin schema -> PostgreSQL schema; events of other schemas are skipped.
  std::vector<std::pair<std::string, std::string>> schema_mappings;
  translation::TypeMapOptions type_map;  // the same type_override / sentinel as init_replica
  config::OnError on_error = config::OnError::kContinue;  // on_error_replay
  size_t statements_per_sync = 1000;                      // pipelined statements per round trip
  size_t copy_chunk_bytes = 256 << 10;                    // COPY data sent per PutCopyData
  // Inserts into one table in a row from which COPY pays off; shorter runs are pipelined
  // INSERTs (a COPY costs two round trips to start and end).
  size_t copy_min_rows = 64;
  int max_attempts = 8;  // retryable failures per ReplayOneBatch call
  std::chrono::milliseconds first_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
  // Asked during backoff waits: true ends them, and ReplayOneBatch returns kUnavailable with
  // the batch left in the spool (a stop during a PostgreSQL outage need not wait them out).
  std::function<bool()> stopping;
  std::shared_ptr<spdlog::logger> logger;  // nullptr: spdlog's default logger
  // Tests: runs after the PostgreSQL COMMIT and before Spool::MarkReplayed; an error stops
  // there, as a crash would.
  std::function<Status(uint64_t batch_id)> after_commit_for_test;
};

struct BatchOutcome {
  uint64_t batch_id = 0;
  int64_t replayed = 0;  // rows applied
  int64_t inserted = 0;  // of which inserts, updates, deletes (for the metrics)
  int64_t updated = 0;
  int64_t deleted = 0;
  int64_t skipped = 0;    // events of tables not replicated, excluded or not yet consistent
  int64_t ddl = 0;        // DDL statements applied
  int64_t unmatched = 0;  // UPDATE/DELETE that found no row (logged)
  int attempts = 0;       // transactions it took (1 unless an error or retry intervened)
  std::vector<std::string> disabled_tables;  // "schema.table" taken out of the replica
  bool already_replayed = false;             // the catalogue had it: only removed from the spool
};

// Opens a new PostgreSQL connection (called again after a connection loss).
using ConnectFunction = std::function<Result<pg::Connection>()>;

// Owns its PostgreSQL connection; `spool` must outlive it. One thread.
class Replayer {
 public:
  Replayer(spool::Spool& spool, ConnectFunction connect, ReplayerOptions options);
  Replayer(const Replayer&) = delete;
  Replayer& operator=(const Replayer&) = delete;
  ~Replayer();

  // Startup: removes from the spool the batches the catalogue says are replayed (a crash
  // between COMMIT and MarkReplayed). A lost (missing or empty) spool takes the position the
  // catalogue recorded after its last batch (report.resumed_from_catalogue); kNotFound when
  // the catalogue has none (batches of a catalogue older than version 5);
  // kFailedPrecondition as Spool::Reconcile.
  Result<spool::ReconcileReport> Reconcile();

  // Applies the oldest closed batch exactly once; nullopt when none waits. Retryable
  // failures (connection loss, deadlock, serialization) are retried with backoff up to
  // max_attempts, then returned as kUnavailable with nothing lost: call again. With
  // on_error_replay: exit, a rejected row returns kFailedPrecondition and the batch stays.
  Result<std::optional<BatchOutcome>> ReplayOneBatch();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chameleon::replayer
