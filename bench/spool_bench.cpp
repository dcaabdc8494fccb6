// spool_bench: the spool's append and drain throughput and its bytes on disk, each next to a
// raw RocksDB baseline storing the same encoded bytes in the same run (issue 3's goals).
#include <benchmark/benchmark.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>
#include <stdlib.h>
#include <zstd.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "spool/codec.h"
#include "spool/spool.h"

namespace chameleon::spool {
namespace {

constexpr uint64_t kBatchEvents = 10000;  // replica_batch_size's default: one sync per batch
constexpr int kDiskEvents = 100000;

// A private directory under /tmp, removed at scope exit.
class BenchDir {
 public:
  BenchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "spool-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~BenchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  BenchDir(const BenchDir&) = delete;
  BenchDir& operator=(const BenchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Text that compresses like real rows do: words from a small vocabulary, not one repeated byte.
std::string Words(std::mt19937& random, size_t bytes) {
  static const char* kWords[] = {"order",   "shipped", "customer", "london",  "paris",  "berlin",
                                 "express", "pending", "returned", "invoice", "street", "road",
                                 "blue",    "large",   "the",      "of",      "and",    "item"};
  std::string text;
  while (text.size() < bytes) {
    text += kWords[random() % std::size(kWords)];
    text += ' ';
    if (random() % 4 == 0) text += std::to_string(random() % 100000) + " ";
  }
  text.resize(bytes);
  return text;
}

// A row event whose encoded value is about `payload_bytes` long.
ChangeEvent RowEvent(std::mt19937& random, size_t payload_bytes, uint64_t id) {
  ChangeEvent event;
  event.operation = Operation::kInsert;
  event.source_timestamp_seconds = 1700000000;
  event.schema = "shop";
  event.table = "orders";
  event.shape_version = 1;
  event.after = {Value::UInt(id),
                 Value::Int(static_cast<int64_t>(random() % 1000000)),
                 Value::String(""),
                 Value::MakeDateTime({2024, 5, 17, 12, 30, 5, 0}),
                 Value::Decimal(std::to_string(random() % 100000) + ".25"),
                 Value::Enum("shipped"),
                 Value::Null()};
  std::string encoded;
  EncodeEventValue(event, &encoded);
  size_t text_bytes = payload_bytes > encoded.size() ? payload_bytes - encoded.size() : 1;
  event.after[2] = Value::String(Words(random, text_bytes));
  return event;
}

std::vector<ChangeEvent> Events(size_t count, size_t payload_bytes) {
  std::mt19937 random(7);
  std::vector<ChangeEvent> events;
  for (size_t i = 0; i < count; ++i)
    events.push_back(RowEvent(random, payload_bytes, i));
  return events;
}

SpoolOptions BenchOptions(const BenchDir& dir, Compression compression) {
  SpoolOptions options;
  options.directory = dir.path() / "spool";
  options.source_id = 1;
  options.batch_size_events = kBatchEvents;
  options.compression = compression;
  return options;
}

struct RawDb {
  std::unique_ptr<rocksdb::DB> db;
  std::unique_ptr<rocksdb::ColumnFamilyHandle> events;
};

RawDb OpenRaw(const BenchDir& dir, rocksdb::CompressionType compression) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.compression = compression;
  options.write_buffer_size = 64ULL << 20;
  rocksdb::DB* db = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(options, (dir.path() / "raw").string(), &db);
  if (!status.ok()) return {};
  rocksdb::ColumnFamilyHandle* handle = nullptr;
  rocksdb::ColumnFamilyOptions family;
  family.compression = compression;
  family.write_buffer_size = 64ULL << 20;
  if (!db->CreateColumnFamily(family, "events", &handle).ok()) return {};
  RawDb raw;
  raw.db.reset(db);
  raw.events.reset(handle);
  return raw;
}

void ClosedRaw(RawDb& raw) {
  raw.events.reset();
  raw.db.reset();
}

uint64_t SstBytes(const std::filesystem::path& directory) {
  uint64_t total = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(directory)) {
    if (entry.path().extension() == ".sst") total += entry.file_size();
  }
  return total;
}

// --- append ---------------------------------------------------------------------------------

// args: payload bytes, rows per transaction.
void BM_SpoolAppend(benchmark::State& state) {
  size_t payload = static_cast<size_t>(state.range(0));
  size_t rows = static_cast<size_t>(state.range(1));
  BenchDir dir;
  auto spool = Spool::Open(BenchOptions(dir, Compression::kLz4));
  if (!spool.ok()) return state.SkipWithError(spool.status().message().c_str());
  std::vector<ChangeEvent> transaction = Events(rows, payload);
  std::string encoded;
  EncodeEventValue(transaction[0], &encoded);
  uint64_t position = 4;
  for (auto _ : state) {
    for (uint32_t i = 0; i < rows; ++i) {
      transaction[i].position = {1, position};
      transaction[i].sequence = i;
    }
    position += 1000;
    auto result = spool->AppendTransaction(transaction, {1, position});
    if (!result.ok()) return state.SkipWithError(result.status().message().c_str());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(rows));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(rows * encoded.size()));
  state.counters["value_bytes"] = static_cast<double>(encoded.size());
}

// The same event bytes, pre-encoded, one WriteBatch per transaction, synced every
// kBatchEvents events: what RocksDB does without the spool's encoding and bookkeeping.
void BM_RawAppend(benchmark::State& state) {
  size_t payload = static_cast<size_t>(state.range(0));
  size_t rows = static_cast<size_t>(state.range(1));
  BenchDir dir;
  RawDb raw = OpenRaw(dir, rocksdb::kLZ4Compression);
  if (!raw.db) return state.SkipWithError("cannot open raw RocksDB");
  std::vector<std::string> values;
  for (const ChangeEvent& event : Events(rows, payload)) {
    values.emplace_back();
    EncodeEventValue(event, &values.back());
  }
  uint64_t position = 4;
  uint64_t since_sync = 0;
  std::string key;
  for (auto _ : state) {
    rocksdb::WriteBatch batch;
    for (uint32_t i = 0; i < rows; ++i) {
      key.clear();
      AppendEventKey({1, {1, position}, i}, &key);
      batch.Put(raw.events.get(), key, values[i]);
    }
    position += 1000;
    since_sync += rows;
    rocksdb::WriteOptions write_options;
    write_options.sync = since_sync >= kBatchEvents;
    if (write_options.sync) since_sync = 0;
    if (!raw.db->Write(write_options, &batch).ok()) return state.SkipWithError("write failed");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(rows));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(rows * values[0].size()));
  ClosedRaw(raw);
}

void AppendArgs(benchmark::internal::Benchmark* bench) {
  bench->ArgNames({"payload", "rows_per_txn"});
  for (int64_t payload : {100, 1000}) {
    for (int64_t rows : {1, 10, 100})
      bench->Args({payload, rows});
  }
}
BENCHMARK(BM_SpoolAppend)->Apply(AppendArgs);
BENCHMARK(BM_RawAppend)->Apply(AppendArgs);

// --- drain ----------------------------------------------------------------------------------

constexpr int kDrainEvents = 200000;

// args: payload bytes. Decodes every event of every closed batch, as the replayer will.
void BM_SpoolDrain(benchmark::State& state) {
  size_t payload = static_cast<size_t>(state.range(0));
  BenchDir dir;
  auto spool = Spool::Open(BenchOptions(dir, Compression::kLz4));
  if (!spool.ok()) return state.SkipWithError(spool.status().message().c_str());
  std::vector<ChangeEvent> events = Events(100, payload);
  for (int t = 0; t < kDrainEvents / 100; ++t) {
    for (uint32_t i = 0; i < 100; ++i)
      events[i].position = {1, 4 + static_cast<uint64_t>(t)}, events[i].sequence = i;
    if (!spool->AppendTransaction(events, {1, 5 + static_cast<uint64_t>(t)}).ok()) {
      return state.SkipWithError("append failed");
    }
  }
  (void)spool->CloseBatch();
  (void)spool->Compact(true);
  ChangeEvent event;
  int64_t drained = 0;
  for (auto _ : state) {
    for (const BatchInfo& batch : spool->Batches()) {
      auto cursor = spool->ReadBatch(batch);
      while (*cursor->Next(&event))
        ++drained;
    }
  }
  state.SetItemsProcessed(drained);
}

// The same keys and values read back without decoding.
void BM_RawDrain(benchmark::State& state) {
  size_t payload = static_cast<size_t>(state.range(0));
  BenchDir dir;
  RawDb raw = OpenRaw(dir, rocksdb::kLZ4Compression);
  if (!raw.db) return state.SkipWithError("cannot open raw RocksDB");
  std::vector<std::string> values;
  for (const ChangeEvent& event : Events(100, payload)) {
    values.emplace_back();
    EncodeEventValue(event, &values.back());
  }
  for (int t = 0; t < kDrainEvents / 100; ++t) {
    rocksdb::WriteBatch batch;
    for (uint32_t i = 0; i < 100; ++i) {
      batch.Put(raw.events.get(), EncodeEventKey({1, {1, 4 + static_cast<uint64_t>(t)}, i}),
                values[i]);
    }
    (void)raw.db->Write(rocksdb::WriteOptions(), &batch);
  }
  (void)raw.db->CompactRange(rocksdb::CompactRangeOptions(), raw.events.get(), nullptr, nullptr);
  int64_t drained = 0;
  size_t checksum = 0;
  for (auto _ : state) {
    rocksdb::ReadOptions read_options;
    read_options.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(raw.db->NewIterator(read_options, raw.events.get()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      checksum += it->value().size();
      ++drained;
    }
  }
  benchmark::DoNotOptimize(checksum);
  state.SetItemsProcessed(drained);
  ClosedRaw(raw);
}
BENCHMARK(BM_SpoolDrain)->ArgName("payload")->Arg(100)->Arg(1000);
BENCHMARK(BM_RawDrain)->ArgName("payload")->Arg(100)->Arg(1000);

// --- bytes on disk --------------------------------------------------------------------------

// args: payload bytes, compression (0 none, 1 lz4, 2 zstd) of the events column family.
void BM_SpoolDiskBytes(benchmark::State& state) {
  size_t payload = static_cast<size_t>(state.range(0));
  auto compression = static_cast<Compression>(state.range(1));
  std::vector<ChangeEvent> events = Events(100, payload);
  uint64_t sst_bytes = 0;
  for (auto _ : state) {
    BenchDir dir;
    auto spool = Spool::Open(BenchOptions(dir, compression));
    if (!spool.ok()) return state.SkipWithError(spool.status().message().c_str());
    for (int t = 0; t < kDiskEvents / 100; ++t) {
      for (uint32_t i = 0; i < 100; ++i)
        events[i].position = {1, 4 + static_cast<uint64_t>(t)}, events[i].sequence = i;
      (void)spool->AppendTransaction(events, {1, 5 + static_cast<uint64_t>(t)});
    }
    (void)spool->Compact(true);
    sst_bytes = SstBytes(dir.path());
  }
  std::string encoded;
  EncodeEventValue(events[0], &encoded);
  state.counters["value_bytes"] = static_cast<double>(encoded.size());
  state.counters["disk_bytes_per_event"] = static_cast<double>(sst_bytes) / kDiskEvents;
}
BENCHMARK(BM_SpoolDiskBytes)
    ->ArgNames({"payload", "cf_compression"})
    ->ArgsProduct({{100, 1000}, {0, 1, 2}})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// Per-value zstd (level 3) instead of column-family compression: each value compressed alone,
// stored in an uncompressed column family. Time is the compression CPU per event.
void BM_PerValueZstd(benchmark::State& state) {
  size_t payload = static_cast<size_t>(state.range(0));
  std::vector<std::string> values;
  for (const ChangeEvent& event : Events(100, payload)) {
    values.emplace_back();
    EncodeEventValue(event, &values.back());
  }
  std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> context(ZSTD_createCCtx(), ZSTD_freeCCtx);
  std::string compressed(ZSTD_compressBound(values[0].size() * 2), '\0');
  uint64_t total = 0;
  uint64_t count = 0;
  for (auto _ : state) {
    const std::string& value = values[count % values.size()];
    size_t size = ZSTD_compressCCtx(context.get(), compressed.data(), compressed.size(),
                                    value.data(), value.size(), 3);
    total += std::min(size, value.size() + 1);  // a flag byte would mark incompressible values
    ++count;
  }
  BenchDir dir;
  RawDb raw = OpenRaw(dir, rocksdb::kNoCompression);
  for (int t = 0; t < kDiskEvents / 100; ++t) {
    rocksdb::WriteBatch batch;
    for (uint32_t i = 0; i < 100; ++i) {
      size_t size = ZSTD_compressCCtx(context.get(), compressed.data(), compressed.size(),
                                      values[i].data(), values[i].size(), 3);
      batch.Put(raw.events.get(), EncodeEventKey({1, {1, 4 + static_cast<uint64_t>(t)}, i}),
                rocksdb::Slice(compressed.data(), size));
    }
    (void)raw.db->Write(rocksdb::WriteOptions(), &batch);
  }
  (void)raw.db->CompactRange(rocksdb::CompactRangeOptions(), raw.events.get(), nullptr, nullptr);
  state.counters["value_bytes"] = static_cast<double>(values[0].size());
  state.counters["zstd_value_bytes"] = static_cast<double>(total) / static_cast<double>(count);
  state.counters["disk_bytes_per_event"] = static_cast<double>(SstBytes(dir.path())) / kDiskEvents;
  ClosedRaw(raw);
  state.SetItemsProcessed(static_cast<int64_t>(count));
}
BENCHMARK(BM_PerValueZstd)->ArgName("payload")->Arg(100)->Arg(1000);

}  // namespace
}  // namespace chameleon::spool

BENCHMARK_MAIN();
