// Spool: one source's local RocksDB staging the binlog between reader and replayer (DESIGN.md
// data flow 3-5; on-disk layout in FORMAT.md). RocksDB stays behind the pimpl.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "common/status.h"
#include "event/change_event.h"
#include "spool/batch.h"
#include "spool/reconcile.h"

namespace chameleon::spool {

// RocksDB column-family compression of the events; spool_bench measured the choice
// (FORMAT.md, "Compression").
enum class Compression { kNone, kLz4, kZstd };

// From the configuration: directory = Source::spool_dir, batch_size_events =
// Source::SpoolBatchEvents(), source_id = the catalogue's id of the source.
struct SpoolOptions {
  std::filesystem::path directory;
  uint32_t source_id = 0;              // sch_chameleon's source id: the first key field
  uint64_t batch_size_events = 10000;  // replica_batch_size, replay_max_rows
  // 0: only the write that closes a batch is synced (group commit). N: also sync a write when
  // the last sync is N ms old, bounding what a power loss takes from the open batch.
  uint64_t sync_interval_ms = 0;
  Compression compression = Compression::kLz4;  // kLz4: LZ4, zstd for the bottom level
  uint64_t write_buffer_bytes = 64ULL << 20;
  bool read_only = false;  // `spool inspect`: no lock, no writes, safe beside a running replica
};

struct AppendResult {
  uint64_t batch_id = 0;        // the batch the events went to (0 for an empty transaction)
  bool batch_closed = false;    // this write closed that batch, synced
  bool already_stored = false;  // a retry of a transaction the spool already holds: no-op
};

struct ReconcileReport {
  std::vector<uint64_t> deleted_batch_ids;
  // The spool was lost and now resumes from the catalogue's position (Replayer::Reconcile).
  std::optional<BinlogPosition> resumed_from_catalogue;
};

// Forward iterator over a key range of the events column family. Holds one decoded event
// at a time, so a five-million-row batch streams. Must not outlive its Spool; one thread.
class EventCursor {
 public:
  EventCursor(EventCursor&&) noexcept;
  EventCursor& operator=(EventCursor&&) noexcept;
  EventCursor(const EventCursor&) = delete;
  EventCursor& operator=(const EventCursor&) = delete;
  ~EventCursor();

  // Decodes the next event into `*event` (reusing its storage); false at the end.
  Result<bool> Next(ChangeEvent* event);
  // Bytes of the value Next decoded last, for statistics.
  size_t last_value_bytes() const;

 private:
  friend class Spool;
  struct Impl;
  explicit EventCursor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Thread-safe: the reader thread appends while the replayer thread reads and marks batches
// replayed. Move-only; one Spool per directory per process (RocksDB locks the directory).
class Spool {
 public:
  static Result<Spool> Open(const SpoolOptions& options);
  // init_replica starts the replica anew: deletes the spool in `directory` (RocksDB's files
  // only; nothing else there is touched). Ok when there is none. The caller guarantees no
  // process has it open (the source's pid file).
  static Status Destroy(const std::filesystem::path& directory);

  Spool(Spool&&) noexcept;
  Spool& operator=(Spool&&) noexcept;
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;
  ~Spool();

  // --- reader side ---
  // Stores one whole source transaction and `resume` (where reading restarts after it) in one
  // atomic write. Keys (position, sequence) must ascend strictly past everything stored, start
  // at or after the stored resume position, and `resume` must lie after the last event.
  // Closes the open batch once it holds batch_size_events; only that write is synced.
  // `shapes`: table shapes the events refer to that the spool has not stored yet.
  // On kIoError (disk full...) nothing was stored: call again later with the same arguments.
  Result<AppendResult> AppendTransaction(std::span<const ChangeEvent> events,
                                         const BinlogPosition& resume,
                                         std::span<const TableShape> shapes = {});
  // A source transaction too large to hold in memory is appended in parts: AppendPart
  // stores events (and new shapes) past the resume position without committing them; the
  // AppendTransaction that follows (with the rest, possibly none, and the resume) commits
  // them all into the open batch in order. Parts never committed — the process died, or
  // DiscardParts after a ROLLBACK or a reconnection — are deleted, never replayed (Open
  // deletes every event at or past the resume position). Same ordering rules as
  // AppendTransaction; kIoError: nothing stored, call again.
  Status AppendPart(std::span<const ChangeEvent> events, std::span<const TableShape> shapes = {});
  Status DiscardParts();
  // The stream went idle: closes the open batch (synced) if it holds events. Returns the
  // closed batch's id, or nullopt when there was nothing to close.
  Result<std::optional<uint64_t>> CloseBatch();
  // Where the reader resumes; nullopt for a new spool.
  std::optional<BinlogPosition> ResumePosition() const;

  // --- replayer side ---
  std::optional<BatchInfo> OldestClosedBatch() const;
  // Waits up to `timeout` for a closed batch (woken when one closes); whether one is there.
  bool WaitForClosedBatch(std::chrono::milliseconds timeout) const;
  Result<EventCursor> ReadBatch(const BatchInfo& batch) const;
  Result<TableShape> FindShape(const std::string& schema, const std::string& table,
                               uint32_t version) const;
  // After the PostgreSQL commit that recorded `batch_id` replayed: deletes its events
  // (DeleteRange) and its record in one write. Only the oldest closed batch may go.
  Status MarkReplayed(uint64_t batch_id);

  // --- startup, maintenance, inspection ---
  SpoolSummary Summary() const;
  // Deletes the batches the catalogue has replayed; see PlanReconciliation for refusals.
  Result<ReconcileReport> Reconcile(const CatalogueState& catalogue);
  // After a lost spool (Reconcile said kNotFound): continue batch ids after the catalogue's
  // and resume reading at `resume`. Only on an empty spool.
  Status ResetFromCatalogue(const CatalogueState& catalogue, const BinlogPosition& resume);
  // run_maintenance: compacts the replayed (deleted) prefix of the events, or everything.
  Status Compact(bool full);
  // Open and closed batches, oldest first.
  std::vector<BatchInfo> Batches() const;
  // Events from `from` (inclusive) to the end of the spool.
  Result<EventCursor> ReadFrom(const EventKey& from) const;
  uint32_t source_id() const;
  uint64_t DiskUsageBytes() const;

 private:
  struct Impl;
  explicit Spool(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace chameleon::spool
