// Spool: RocksDB layout, the writer's atomic appends, batch closing, replay deletion,
// reconciliation and compaction. FORMAT.md describes the bytes; this file the protocol.
#include "spool/spool.h"

#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <map>
#include <mutex>
#include <system_error>

#include "spool/codec.h"
#include "spool/format.h"
#include "spool/kill_point.h"

namespace chameleon::spool {
namespace {

rocksdb::Slice ToSlice(std::string_view bytes) {
  return {bytes.data(), bytes.size()};
}

Status FromRocks(const rocksdb::Status& status, const std::string& context) {
  if (status.ok()) return Status::Ok();
  std::string message = context + ": " + status.ToString();
  if (status.IsNotFound()) return Status::NotFound(message);
  if (status.IsCorruption()) return Status::Corruption(message);
  if (status.IsBusy() || status.IsTryAgain() || status.IsTimedOut()) {
    return Status::Unavailable(message);
  }
  if (status.IsNotSupported()) return Status::NotSupported(message);
  if (status.IsInvalidArgument()) return Status::InvalidArgument(message);
  // I/O errors, disk full (IOError/NoSpace), and a database stopped by a background error.
  return Status::IoError(message);
}

// RocksDB's own info LOG writer asserts (Debian builds keep asserts) when it writes again after
// a failed write, so a full disk would abort the process. This one drops lines it cannot
// write: the spool's errors reach the caller as Status anyway.
class SpoolInfoLog final : public rocksdb::Logger {
 public:
  // No file: discard everything (read-only opens must not write into the spool directory).
  explicit SpoolInfoLog(const std::optional<std::filesystem::path>& file)
      : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL),
        file_(file ? std::fopen(file->c_str(), "a") : nullptr) {}
  ~SpoolInfoLog() override {
    if (file_ != nullptr) (void)std::fclose(file_);  // a lost line of RocksDB's log: no matter
  }
  SpoolInfoLog(const SpoolInfoLog&) = delete;
  SpoolInfoLog& operator=(const SpoolInfoLog&) = delete;

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list arguments) override {
    std::lock_guard lock(mutex_);
    if (file_ == nullptr) return;
    // Lines that cannot be written are dropped (see above): nothing to do with the results.
    (void)std::vfprintf(file_, format, arguments);
    (void)std::fputc('\n', file_);
    (void)std::fflush(file_);
    // Keep it bounded: the spool runs for months; the last few MB are what anyone reads.
    if (std::ftell(file_) > kMaxBytes) file_ = std::freopen(nullptr, "w", file_);
  }

 private:
  static constexpr long kMaxBytes = 16L << 20;
  std::mutex mutex_;
  std::FILE* file_;
};

rocksdb::CompressionType ToRocks(Compression compression) {
  switch (compression) {
    case Compression::kNone:
      return rocksdb::kNoCompression;
    case Compression::kLz4:
      return rocksdb::kLZ4Compression;
    case Compression::kZstd:
      return rocksdb::kZSTD;
  }
  return rocksdb::kNoCompression;
}

std::string Describe(const EventKey& key) {
  return ToString(key.position) + "#" + std::to_string(key.sequence);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
struct EventCursor::Impl {
  std::unique_ptr<rocksdb::Iterator> iterator;
  std::string lower;
  std::string upper;
  rocksdb::Slice upper_slice;
  bool started = false;
  size_t last_value_bytes = 0;
};

EventCursor::EventCursor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EventCursor::EventCursor(EventCursor&&) noexcept = default;
EventCursor& EventCursor::operator=(EventCursor&&) noexcept = default;
EventCursor::~EventCursor() = default;

size_t EventCursor::last_value_bytes() const {
  return impl_->last_value_bytes;
}

Result<bool> EventCursor::Next(ChangeEvent* event) {
  rocksdb::Iterator& it = *impl_->iterator;
  if (!impl_->started) {
    impl_->started = true;
    it.Seek(impl_->lower);
  } else {
    it.Next();
  }
  if (!it.Valid()) {
    RETURN_IF_ERROR(FromRocks(it.status(), "spool: reading events"));
    return false;
  }
  rocksdb::Slice value = it.value();
  impl_->last_value_bytes = value.size();
  RETURN_IF_ERROR(DecodeStoredEvent(it.key().ToStringView(), value.ToStringView(), event));
  return true;
}

// ---------------------------------------------------------------------------------------------
struct Spool::Impl {
  SpoolOptions options;
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::ColumnFamilyHandle* events = nullptr;
  rocksdb::ColumnFamilyHandle* metadata = nullptr;

  // Everything below mirrors what is on disk; it changes only after a successful write.
  mutable std::mutex mutex;
  mutable std::condition_variable batch_closed;  // the replayer waits on it when idle
  bool created_now = false;
  uint32_t source_id = 0;
  WriterRecord writer;
  ReplayedRecord replayed;
  // Parts of the source transaction being appended (AppendPart): in the events column
  // family, past the resume position, not in any batch until AppendTransaction commits them.
  struct PendingParts {
    EventKey first;
    EventKey last;
    uint64_t count = 0;
    uint64_t bytes = 0;
  };
  std::optional<PendingParts> pending;
  std::map<uint64_t, BatchInfo> batches;  // open and closed
  bool needs_recovery = false;
  std::chrono::steady_clock::time_point last_sync = std::chrono::steady_clock::now();
  std::string value_buffer;  // reused by appends: no allocation per event

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() { CloseDatabase(); }

  std::string Context() const { return "spool " + options.directory.string(); }

  void CloseDatabase() {
    for (rocksdb::ColumnFamilyHandle* handle : handles) {
      if (db != nullptr) db->DestroyColumnFamilyHandle(handle);
    }
    handles.clear();
    events = metadata = nullptr;
    delete db;
    db = nullptr;
  }

  Status OpenDatabase() {
    rocksdb::DBOptions db_options;
    db_options.create_if_missing = !options.read_only;
    db_options.create_missing_column_families = !options.read_only;
    db_options.info_log = std::make_shared<SpoolInfoLog>(
        options.read_only
            ? std::nullopt
            : std::optional<std::filesystem::path>(options.directory / "rocksdb.log"));
    db_options.max_total_wal_size = 4 * options.write_buffer_bytes;
    rocksdb::ColumnFamilyOptions event_options;
    event_options.compression = ToRocks(options.compression);
    // Events that linger (replay lagging) sink to the bottom level: zstd there is 1.3-1.6x
    // smaller than LZ4 (spool_bench, FORMAT.md) and costs only background compaction CPU.
    if (options.compression == Compression::kLz4) {
      event_options.bottommost_compression = rocksdb::kZSTD;
    }
    event_options.write_buffer_size = options.write_buffer_bytes;
    rocksdb::ColumnFamilyOptions metadata_options;
    metadata_options.write_buffer_size = 4ULL << 20;
    std::vector<rocksdb::ColumnFamilyDescriptor> families = {
        {rocksdb::kDefaultColumnFamilyName, metadata_options},
        {std::string(format::kEventsColumnFamily), event_options},
        {std::string(format::kMetadataColumnFamily), metadata_options}};
    std::string path = options.directory.string();
    if (options.read_only) {
      // A spool killed while being created may lack its column families: nothing in it yet.
      std::vector<std::string> names;
      rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(db_options, path, &names);
      if (!listed.ok()) return FromRocks(listed, Context() + ": cannot open");
      for (std::string_view wanted : {format::kEventsColumnFamily, format::kMetadataColumnFamily}) {
        if (std::find(names.begin(), names.end(), wanted) == names.end()) {
          return Status::NotFound(Context() + ": no spool there yet (being created)");
        }
      }
    }
    rocksdb::Status status =
        options.read_only ? rocksdb::DB::OpenForReadOnly(db_options, path, families, &handles, &db)
                          : rocksdb::DB::Open(db_options, path, families, &handles, &db);
    if (!status.ok()) {
      db = nullptr;
      handles.clear();
      return FromRocks(status, Context() + ": cannot open");
    }
    events = handles[1];
    metadata = handles[2];
    return Status::Ok();
  }

  Result<std::optional<std::string>> GetMetadata(std::string_view key) const {
    std::string value;
    rocksdb::Status status = db->Get(rocksdb::ReadOptions(), metadata, ToSlice(key), &value);
    if (status.IsNotFound()) return std::optional<std::string>();
    RETURN_IF_ERROR(FromRocks(status, Context() + ": reading metadata"));
    return std::optional<std::string>(std::move(value));
  }

  // Reads the metadata records into memory: at open and after recovering from an I/O error.
  Status LoadState() {
    ASSIGN_OR_RETURN(auto format_value, GetMetadata(format::kFormatKey));
    ASSIGN_OR_RETURN(auto source_value, GetMetadata(format::kSourceIdKey));
    if (!format_value || !source_value) {
      return Status::Corruption(Context() + ": no format record (not a chameleon spool?)");
    }
    ASSIGN_OR_RETURN(uint32_t version, DecodeFixed32(*format_value));
    if (version > format::kSpoolFormatVersion) {
      return Status::Corruption(
          fmt::format("{}: spool format {} is newer than this chameleon's {}; upgrade chameleon",
                      Context(), version, format::kSpoolFormatVersion));
    }
    ASSIGN_OR_RETURN(source_id, DecodeFixed32(*source_value));
    ASSIGN_OR_RETURN(auto writer_value, GetMetadata(format::kWriterKey));
    writer = WriterRecord{};
    if (writer_value) {
      ASSIGN_OR_RETURN(writer, DecodeWriterRecord(*writer_value));
    }
    ASSIGN_OR_RETURN(auto replayed_value, GetMetadata(format::kLastReplayedKey));
    replayed = ReplayedRecord{};
    if (replayed_value) {
      ASSIGN_OR_RETURN(replayed, DecodeReplayedRecord(*replayed_value));
    }
    batches.clear();
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), metadata));
    for (it->Seek(ToSlice(format::kBatchPrefix));
         it->Valid() && it->key().starts_with(ToSlice(format::kBatchPrefix)); it->Next()) {
      ASSIGN_OR_RETURN(uint64_t id, DecodeBatchKey(it->key().ToStringView()));
      ASSIGN_OR_RETURN(BatchInfo batch, DecodeBatchRecord(id, it->value().ToStringView()));
      batches[id] = batch;
    }
    RETURN_IF_ERROR(FromRocks(it->status(), Context() + ": reading batch records"));
    // The open batch's record is written when it opens; its growth lives in the writer record.
    if (writer.open_batch_id != 0) {
      auto open = batches.find(writer.open_batch_id);
      if (open == batches.end() || open->second.state != BatchState::kOpen) {
        return Status::Corruption(fmt::format("{}: open batch {} has no open batch record",
                                              Context(), writer.open_batch_id));
      }
      open->second.event_count = writer.open_event_count;
      open->second.payload_bytes = writer.open_payload_bytes;
      open->second.last_key = writer.open_last_key;
    }
    return Status::Ok();
  }

  std::optional<EventKey> LastKey() const {
    if (!batches.empty()) return batches.rbegin()->second.last_key;
    if (replayed.batch_id != 0) return replayed.last_key;
    return std::nullopt;
  }

  // The key every committed event sorts below (an uncommitted part sorts at or above it):
  // committed events lie before the resume position, parts of the next transaction after.
  std::string UncommittedFrom() const {
    return EncodeEventKey(EventKey{source_id, writer.resume.value_or(BinlogPosition{}), 0});
  }
  std::string EndOfSource() const {
    return EncodeEventKey(EventKey{source_id, BinlogPosition{UINT32_MAX, UINT64_MAX}, UINT32_MAX}) +
           '\xff';
  }

  // Deletes the parts of a transaction that was never committed (the process died, or the
  // reader dropped them). Only events at or past the resume position go.
  Status DeleteUncommitted(const std::string& from, const char* what) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), events));
    it->Seek(from);
    bool any = it->Valid() && it->key().ToStringView() < std::string_view(EndOfSource());
    RETURN_IF_ERROR(FromRocks(it->status(), Context() + ": looking for uncommitted events"));
    if (!any) return Status::Ok();
    rocksdb::WriteBatch write;
    write.DeleteRange(events, from, EndOfSource());
    return Write(write, true, what);
  }

  uint64_t NextBatchId() const {
    uint64_t last = batches.empty() ? replayed.batch_id : batches.rbegin()->first;
    return last + 1;
  }

  // A failed write stored nothing, but RocksDB stops accepting writes after an I/O error until
  // resumed; re-reading the records afterwards covers a write whose outcome is unknown.
  Status Recover() {
    if (!needs_recovery) return Status::Ok();
    rocksdb::Status resumed = db->Resume();
    if (!resumed.ok()) {
      // Some errors (a failed WAL write) are not resumable in place: reopen the database.
      CloseDatabase();
      RETURN_IF_ERROR(OpenDatabase().WithContext("recovering from an earlier write error"));
    }
    RETURN_IF_ERROR(LoadState());
    // The failed write may have landed after all (its outcome is unknown): parts it committed
    // now lie before the resume position, in a batch; they are no longer pending, and the
    // caller's retry of that commit is recognised as already stored.
    if (pending && pending->first.position < writer.resume.value_or(BinlogPosition{})) {
      pending.reset();
    }
    needs_recovery = false;
    return Status::Ok();
  }

  Status Write(rocksdb::WriteBatch& batch, bool sync, const char* what) {
    rocksdb::WriteOptions write_options;
    write_options.sync = sync;
    rocksdb::Status status = db->Write(write_options, &batch);
    if (!status.ok()) {
      needs_recovery = true;
      return FromRocks(status, Context() + ": " + what);
    }
    if (sync) last_sync = std::chrono::steady_clock::now();
    return Status::Ok();
  }

  Status CheckWritable() {
    if (options.read_only) return Status::FailedPrecondition(Context() + " is open read-only");
    return Recover();
  }

  bool SyncDue() const {
    if (options.sync_interval_ms == 0) return false;
    return std::chrono::steady_clock::now() - last_sync >=
           std::chrono::milliseconds(options.sync_interval_ms);
  }

  Status ApplyReplayed(uint64_t batch_id, bool from_reconcile) {
    auto oldest = batches.begin();
    if (batch_id <= replayed.batch_id) {
      return Status::FailedPrecondition(
          fmt::format("{}: batch {} is already replayed", Context(), batch_id));
    }
    if (oldest == batches.end() || oldest->first != batch_id) {
      return Status::FailedPrecondition(fmt::format(
          "{}: batch {} is not the oldest unreplayed batch ({})", Context(), batch_id,
          oldest == batches.end() ? std::string("none") : std::to_string(oldest->first)));
    }
    const BatchInfo& batch = oldest->second;
    RETURN_IF_ERROR(CheckBatchTransition(batch.state, BatchState::kReplayed)
                        .WithContext(fmt::format("{}: batch {}", Context(), batch_id)));
    ReplayedRecord record{batch_id, batch.last_key};
    rocksdb::WriteBatch write;
    write.DeleteRange(events, EncodeEventKey(batch.first_key), KeySuccessor(batch.last_key));
    write.Delete(metadata, BatchKey(batch_id));
    write.Put(metadata, format::kLastReplayedKey, EncodeReplayedRecord(record));
    SPOOL_KILL_POINT(from_reconcile ? "reconcile.before_write" : "replayed.before_write");
    // Not synced: the catalogue is authoritative, and reconciliation redoes a lost delete.
    RETURN_IF_ERROR(Write(write, false, "marking a batch replayed"));
    SPOOL_KILL_POINT(from_reconcile ? "reconcile.after_write" : "replayed.after_write");
    replayed = record;
    batches.erase(oldest);
    return Status::Ok();
  }

  SpoolSummary Summary() const {
    SpoolSummary summary;
    summary.created_now = created_now;
    summary.resume = writer.resume;
    summary.last_replayed_batch_id = replayed.batch_id;
    if (replayed.batch_id != 0 && replayed.last_key != EventKey{}) {
      summary.last_replayed_position = replayed.last_key.position;
    }
    summary.open_batch_id = writer.open_batch_id;
    for (const auto& [id, batch] : batches) {
      if (batch.state == BatchState::kClosed) summary.closed_batch_ids.push_back(id);
    }
    return summary;
  }

  Result<EventCursor> Cursor(const EventKey& from, std::string upper) const {
    auto cursor = std::make_unique<EventCursor::Impl>();
    cursor->lower = EncodeEventKey(from);
    cursor->upper = std::move(upper);
    cursor->upper_slice = ToSlice(cursor->upper);
    rocksdb::ReadOptions read_options;
    read_options.iterate_upper_bound = &cursor->upper_slice;
    read_options.fill_cache = false;  // each event is read once: keep the cache for metadata
    read_options.readahead_size = 2ULL << 20;
    cursor->iterator.reset(db->NewIterator(read_options, events));
    return EventCursor(std::move(cursor));
  }
};

// ---------------------------------------------------------------------------------------------
Spool::Spool(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Spool::Spool(Spool&&) noexcept = default;
Spool& Spool::operator=(Spool&&) noexcept = default;
Spool::~Spool() = default;

Status Spool::Destroy(const std::filesystem::path& directory) {
  std::error_code error;
  if (!std::filesystem::exists(directory / "CURRENT", error)) return Status::Ok();
  rocksdb::Status destroyed = rocksdb::DestroyDB(directory.string(), rocksdb::Options());
  if (!destroyed.ok()) {
    return Status::IoError(
        fmt::format("spool {}: cannot delete it: {}", directory.string(), destroyed.ToString()));
  }
  return Status::Ok();
}

Result<Spool> Spool::Open(const SpoolOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  std::error_code error;
  bool exists = std::filesystem::exists(options.directory / "CURRENT", error);
  if (options.read_only && !exists) {
    return Status::NotFound(impl->Context() + ": no spool there");
  }
  if (!exists) {
    std::filesystem::create_directories(options.directory, error);
    if (error) {
      return Status::IoError(impl->Context() + ": cannot create the directory: " + error.message());
    }
  }
  RETURN_IF_ERROR(impl->OpenDatabase());
  impl->created_now = !exists;
  ASSIGN_OR_RETURN(auto format_value, impl->GetMetadata(format::kFormatKey));
  if (!format_value && options.read_only) {
    return Status::NotFound(impl->Context() + ": no spool there yet (being created)");
  }
  if (!format_value) {
    // A new spool (or one killed before this first write landed: same thing).
    rocksdb::WriteBatch write;
    write.Put(impl->metadata, format::kFormatKey, EncodeFixed32(format::kSpoolFormatVersion));
    write.Put(impl->metadata, format::kSourceIdKey, EncodeFixed32(options.source_id));
    RETURN_IF_ERROR(impl->Write(write, true, "creating the spool"));
    impl->created_now = true;
  }
  RETURN_IF_ERROR(impl->LoadState());
  if (!options.read_only && impl->source_id != options.source_id) {
    return Status::FailedPrecondition(
        fmt::format("{} belongs to source id {}, not {}; is spool_dir shared between sources?",
                    impl->Context(), impl->source_id, options.source_id));
  }
  if (!options.read_only) {
    // Parts of a transaction whose commit never came: the reader reads it again.
    RETURN_IF_ERROR(impl->DeleteUncommitted(impl->UncommittedFrom(),
                                            "deleting an uncommitted transaction's parts"));
  }
  return Spool(std::move(impl));
}

Result<AppendResult> Spool::AppendTransaction(std::span<const ChangeEvent> events,
                                              const BinlogPosition& resume,
                                              std::span<const TableShape> shapes) {
  Impl& s = *impl_;
  std::lock_guard lock(s.mutex);
  RETURN_IF_ERROR(s.CheckWritable());
  const std::optional<Impl::PendingParts>& pending = s.pending;
  std::optional<EventKey> last_key = pending ? pending->last : s.LastKey();
  std::optional<BinlogPosition> stored_resume = s.writer.resume;

  if (events.empty()) {
    if (!pending && stored_resume && resume <= *stored_resume) {
      return AppendResult{0, false, true};
    }
    if (pending && resume <= pending->last.position) {
      return Status::InvalidArgument(fmt::format("{}: resume position {} is not after event {}",
                                                 s.Context(), ToString(resume),
                                                 Describe(pending->last)));
    }
  } else {
    EventKey first = KeyOf(s.source_id, events.front());
    EventKey last = KeyOf(s.source_id, events.back());
    if (!pending && last_key && last <= *last_key) {
      if (!stored_resume || resume <= *stored_resume) return AppendResult{0, false, true};
    }
    if (last_key && first <= *last_key) {
      return Status::InvalidArgument(
          fmt::format("{}: event {} is not after the last stored event {}", s.Context(),
                      Describe(first), Describe(*last_key)));
    }
    if (stored_resume && first.position < *stored_resume) {
      return Status::InvalidArgument(fmt::format("{}: event {} is before the resume position {}",
                                                 s.Context(), Describe(first),
                                                 ToString(*stored_resume)));
    }
    if (resume <= last.position) {
      return Status::InvalidArgument(fmt::format("{}: resume position {} is not after event {}",
                                                 s.Context(), ToString(resume), Describe(last)));
    }
  }
  if (stored_resume && resume < *stored_resume) {
    return Status::InvalidArgument(fmt::format("{}: resume position {} goes back from {}",
                                               s.Context(), ToString(resume),
                                               ToString(*stored_resume)));
  }

  // Work on copies: memory changes only once the write has succeeded.
  WriterRecord writer = s.writer;
  writer.resume = resume;
  std::optional<BatchInfo> open_batch;
  bool opening = false;
  rocksdb::WriteBatch write;
  std::string key;
  key.reserve(format::kEventKeySize);
  if (!events.empty() || pending) {
    if (writer.open_batch_id == 0) {
      opening = true;
      open_batch = BatchInfo{};
      open_batch->id = s.NextBatchId();
      open_batch->first_key = pending ? pending->first : KeyOf(s.source_id, events.front());
      writer.open_batch_id = open_batch->id;
      writer.open_event_count = 0;
      writer.open_payload_bytes = 0;
    } else {
      open_batch = s.batches.at(writer.open_batch_id);
    }
    // The transaction's parts, already written, join the batch with this commit.
    EventKey previous = pending ? pending->last : EventKey{};
    bool have_previous = pending.has_value();
    if (pending) {
      writer.open_event_count += pending->count;
      writer.open_payload_bytes += pending->bytes;
    }
    for (const ChangeEvent& event : events) {
      EventKey event_key = KeyOf(s.source_id, event);
      if (have_previous && event_key <= previous) {
        return Status::InvalidArgument(
            fmt::format("{}: events of a transaction must ascend: {} follows {}", s.Context(),
                        Describe(event_key), Describe(previous)));
      }
      previous = event_key;
      have_previous = true;
      key.clear();
      AppendEventKey(event_key, &key);
      EncodeEventValue(event, &s.value_buffer);
      write.Put(s.events, key, s.value_buffer);
      writer.open_payload_bytes += s.value_buffer.size();
    }
    writer.open_event_count += events.size();
    writer.open_last_key = previous;
    open_batch->event_count = writer.open_event_count;
    open_batch->payload_bytes = writer.open_payload_bytes;
    open_batch->last_key = previous;
  }
  for (const TableShape& shape : shapes) {
    write.Put(s.metadata, ShapeKey(shape.schema, shape.table, shape.version),
              EncodeTableShape(shape));
  }
  bool closing = open_batch && open_batch->event_count >= s.options.batch_size_events;
  if (closing) {
    open_batch->state = BatchState::kClosed;
    open_batch->resume = resume;
    writer.open_batch_id = 0;
    writer.open_event_count = 0;
    writer.open_payload_bytes = 0;
    writer.open_last_key = EventKey{};
  }
  // The batch record is written when the batch opens and when it closes; in between its
  // growth is in the writer record, which every append rewrites anyway (for the resume).
  if (opening || closing)
    write.Put(s.metadata, BatchKey(open_batch->id), EncodeBatchRecord(*open_batch));
  write.Put(s.metadata, format::kWriterKey, EncodeWriterRecord(writer));

  SPOOL_KILL_POINT(closing ? "close.before_write" : "append.before_write");
  RETURN_IF_ERROR(s.Write(write, closing || s.SyncDue(), "appending a transaction"));
  SPOOL_KILL_POINT(closing ? "close.after_write" : "append.after_write");

  s.writer = writer;
  s.pending.reset();
  AppendResult result;
  if (open_batch) {
    s.batches[open_batch->id] = *open_batch;
    result.batch_id = open_batch->id;
    result.batch_closed = closing;
  }
  if (closing) s.batch_closed.notify_all();
  return result;
}

Status Spool::AppendPart(std::span<const ChangeEvent> events, std::span<const TableShape> shapes) {
  Impl& s = *impl_;
  std::lock_guard lock(s.mutex);
  RETURN_IF_ERROR(s.CheckWritable());
  if (events.empty() && shapes.empty()) return Status::Ok();
  std::optional<EventKey> last_key = s.pending ? s.pending->last : s.LastKey();
  rocksdb::WriteBatch write;
  std::string key;
  Impl::PendingParts part = s.pending.value_or(Impl::PendingParts{});
  for (const ChangeEvent& event : events) {
    EventKey event_key = KeyOf(s.source_id, event);
    if (last_key && event_key <= *last_key) {
      return Status::InvalidArgument(
          fmt::format("{}: event {} of a transaction part is not after the last stored event {}",
                      s.Context(), Describe(event_key), Describe(*last_key)));
    }
    if (s.writer.resume && event_key.position < *s.writer.resume) {
      return Status::InvalidArgument(fmt::format("{}: event {} is before the resume position {}",
                                                 s.Context(), Describe(event_key),
                                                 ToString(*s.writer.resume)));
    }
    if (part.count == 0) part.first = event_key;
    last_key = event_key;
    part.last = event_key;
    key.clear();
    AppendEventKey(event_key, &key);
    EncodeEventValue(event, &s.value_buffer);
    write.Put(s.events, key, s.value_buffer);
    part.bytes += s.value_buffer.size();
    ++part.count;
  }
  for (const TableShape& shape : shapes) {
    write.Put(s.metadata, ShapeKey(shape.schema, shape.table, shape.version),
              EncodeTableShape(shape));
  }
  // Not synced: the commit's synced write makes everything before it in the WAL durable.
  SPOOL_KILL_POINT("part.before_write");
  RETURN_IF_ERROR(s.Write(write, false, "appending part of a transaction"));
  SPOOL_KILL_POINT("part.after_write");
  if (part.count != 0) s.pending = part;
  return Status::Ok();
}

Status Spool::DiscardParts() {
  Impl& s = *impl_;
  std::lock_guard lock(s.mutex);
  RETURN_IF_ERROR(s.CheckWritable());
  if (!s.pending) return Status::Ok();
  RETURN_IF_ERROR(
      s.DeleteUncommitted(EncodeEventKey(s.pending->first), "discarding a transaction's parts"));
  s.pending.reset();
  return Status::Ok();
}

Result<std::optional<uint64_t>> Spool::CloseBatch() {
  Impl& s = *impl_;
  std::lock_guard lock(s.mutex);
  RETURN_IF_ERROR(s.CheckWritable());
  if (s.writer.open_batch_id == 0) return std::optional<uint64_t>();
  BatchInfo batch = s.batches.at(s.writer.open_batch_id);
  RETURN_IF_ERROR(CheckBatchTransition(batch.state, BatchState::kClosed));
  batch.state = BatchState::kClosed;
  // Nothing stored lies between the batch's end and the resume position (a transaction's
  // uncommitted parts lie past it): reading resumes there after this batch.
  batch.resume = s.writer.resume;
  WriterRecord writer = s.writer;
  writer.open_batch_id = 0;
  writer.open_event_count = 0;
  writer.open_payload_bytes = 0;
  writer.open_last_key = EventKey{};
  rocksdb::WriteBatch write;
  write.Put(s.metadata, BatchKey(batch.id), EncodeBatchRecord(batch));
  write.Put(s.metadata, format::kWriterKey, EncodeWriterRecord(writer));
  SPOOL_KILL_POINT("idle_close.before_write");
  RETURN_IF_ERROR(s.Write(write, true, "closing a batch"));
  SPOOL_KILL_POINT("idle_close.after_write");
  s.writer = writer;
  s.batches[batch.id] = batch;
  s.batch_closed.notify_all();
  return std::optional<uint64_t>(batch.id);
}

std::optional<BinlogPosition> Spool::ResumePosition() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->writer.resume;
}

std::optional<BatchInfo> Spool::OldestClosedBatch() const {
  std::lock_guard lock(impl_->mutex);
  if (impl_->batches.empty()) return std::nullopt;
  const BatchInfo& oldest = impl_->batches.begin()->second;
  if (oldest.state != BatchState::kClosed) return std::nullopt;
  return oldest;
}

bool Spool::WaitForClosedBatch(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mutex);
  auto closed_waiting = [this] {
    return !impl_->batches.empty() && impl_->batches.begin()->second.state == BatchState::kClosed;
  };
  return impl_->batch_closed.wait_for(lock, timeout, closed_waiting);
}

Result<EventCursor> Spool::ReadBatch(const BatchInfo& batch) const {
  return impl_->Cursor(batch.first_key, KeySuccessor(batch.last_key));
}

Result<EventCursor> Spool::ReadFrom(const EventKey& from) const {
  EventKey end{from.source_id, {UINT32_MAX, UINT64_MAX}, UINT32_MAX};
  return impl_->Cursor(from, KeySuccessor(end));
}

Result<TableShape> Spool::FindShape(const std::string& schema, const std::string& table,
                                    uint32_t version) const {
  ASSIGN_OR_RETURN(auto value, impl_->GetMetadata(ShapeKey(schema, table, version)));
  if (!value) {
    return Status::NotFound(
        fmt::format("{}: no shape version {} of {}.{}", impl_->Context(), version, schema, table));
  }
  return DecodeTableShape(*value);
}

Status Spool::MarkReplayed(uint64_t batch_id) {
  std::lock_guard lock(impl_->mutex);
  RETURN_IF_ERROR(impl_->CheckWritable());
  return impl_->ApplyReplayed(batch_id, false);
}

SpoolSummary Spool::Summary() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->Summary();
}

Result<ReconcileReport> Spool::Reconcile(const CatalogueState& catalogue) {
  std::lock_guard lock(impl_->mutex);
  RETURN_IF_ERROR(impl_->CheckWritable());
  ASSIGN_OR_RETURN(ReconciliationPlan plan, PlanReconciliation(impl_->Summary(), catalogue));
  ReconcileReport report;
  for (uint64_t id : plan.delete_batch_ids) {
    RETURN_IF_ERROR(impl_->ApplyReplayed(id, true));
    report.deleted_batch_ids.push_back(id);
  }
  return report;
}

Status Spool::ResetFromCatalogue(const CatalogueState& catalogue, const BinlogPosition& resume) {
  Impl& s = *impl_;
  std::lock_guard lock(s.mutex);
  RETURN_IF_ERROR(s.CheckWritable());
  if (!s.batches.empty() || s.writer.resume || s.replayed.batch_id != 0) {
    return Status::FailedPrecondition(s.Context() +
                                      ": not empty; only a new spool takes the catalogue's state");
  }
  WriterRecord writer;
  writer.resume = resume;
  ReplayedRecord replayed{catalogue.last_replayed_batch_id, EventKey{}};
  rocksdb::WriteBatch write;
  write.Put(s.metadata, format::kWriterKey, EncodeWriterRecord(writer));
  write.Put(s.metadata, format::kLastReplayedKey, EncodeReplayedRecord(replayed));
  RETURN_IF_ERROR(s.Write(write, true, "taking the catalogue's position"));
  s.writer = writer;
  s.replayed = replayed;
  return Status::Ok();
}

Status Spool::Compact(bool full) {
  Impl& s = *impl_;
  std::string end;
  {
    std::lock_guard lock(s.mutex);
    if (s.options.read_only) return Status::FailedPrecondition(s.Context() + " is open read-only");
    // Everything below the oldest live batch has been replayed and range-deleted.
    if (!s.batches.empty()) {
      end = EncodeEventKey(s.batches.begin()->second.first_key);
    } else if (s.replayed.batch_id != 0) {
      end = KeySuccessor(s.replayed.last_key);
    }
  }
  SPOOL_KILL_POINT("compact.before");
  rocksdb::CompactRangeOptions compact_options;
  compact_options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  rocksdb::Slice end_slice = ToSlice(end);
  if (!full && end.empty()) return Status::Ok();
  RETURN_IF_ERROR(
      FromRocks(s.db->CompactRange(compact_options, s.events, nullptr, full ? nullptr : &end_slice),
                s.Context() + ": compacting"));
  if (full) {
    RETURN_IF_ERROR(FromRocks(s.db->CompactRange(compact_options, s.metadata, nullptr, nullptr),
                              s.Context() + ": compacting metadata"));
  }
  return Status::Ok();
}

std::vector<BatchInfo> Spool::Batches() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<BatchInfo> batches;
  for (const auto& [id, batch] : impl_->batches)
    batches.push_back(batch);
  return batches;
}

uint32_t Spool::source_id() const {
  return impl_->source_id;
}

uint64_t Spool::DiskUsageBytes() const {
  uint64_t total = 0;
  std::error_code error;
  for (auto it = std::filesystem::recursive_directory_iterator(impl_->options.directory, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    std::error_code size_error;
    if (it->is_regular_file(size_error)) {
      uintmax_t size = it->file_size(size_error);
      if (!size_error) total += size;
    }
  }
  return total;
}

}  // namespace chameleon::spool
