// decode_bench: the reader's decoder on a generated MariaDB binlog of row events over a mixed
// table (INT, BIGINT, DECIMAL(10,2), VARCHAR(64), DATETIME(6), JSON), next to a baseline that
// only frames the same bytes (header + length walk). Both report the same row changes per
// second, so decode/framing is the ratio the issue asks for (goal >= 0.5, >= 1M rows/s).
#include <benchmark/benchmark.h>
#include <time.h>

#include <chrono>
#include <string>
#include <vector>

#include "event/change_event.h"
#include "reader/binlog_format.h"
#include "reader/binlog_source.h"
#include "reader/event_decoder.h"
#include "reader/event_stream.h"
#include "reader/row_decoder.h"

namespace chameleon::reader {
namespace {

constexpr int kTransactions = 2000;
constexpr int kRowsPerEvent = 25;
constexpr uint64_t kTableId = 42;

void Put(std::string* out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i)
    *out += static_cast<char>((value >> (8 * i)) & 0xff);
}
void PutBigEndian(std::string* out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i)
    *out += static_cast<char>((value >> (8 * i)) & 0xff);
}
void PutLengthEncoded(std::string* out, uint64_t value) {
  if (value < 251) {
    Put(out, value, 1);
  } else {
    *out += static_cast<char>(0xfc);
    Put(out, value, 2);
  }
}

// Events in binlog v4 framing with CRC32, as a MariaDB 10.11 server writes them.
class BinlogWriter {
 public:
  BinlogWriter() { bytes_.assign(format::kBinlogMagic, format::kBinlogMagicSize); }

  void Add(uint8_t type, const std::string& body) {
    std::string event;
    auto size = static_cast<uint32_t>(format::kHeaderSize + body.size() + format::kChecksumSize);
    Put(&event, 1764100000, 4);
    event += static_cast<char>(type);
    Put(&event, 1, 4);
    Put(&event, size, 4);
    Put(&event, bytes_.size() + size, 4);
    Put(&event, 0, 2);
    event += body;
    Put(&event, Crc32(event), 4);
    bytes_ += event;
  }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

std::string FormatDescription() {
  std::string body;
  Put(&body, 4, 2);
  std::string version = "10.11.6-MariaDB-log";
  version.resize(50, '\0');
  body += version;
  Put(&body, 0, 4);
  body += static_cast<char>(format::kHeaderSize);
  std::string lengths(format::kDeleteRowsCompressed, '\0');
  auto set = [&lengths](uint8_t type, int length) {
    lengths[type - 1U] = static_cast<char>(length);
  };
  set(format::kQuery, 13);
  set(format::kRotate, 8);
  set(format::kFormatDescription, 84);
  set(format::kTableMap, 8);
  set(format::kWriteRowsV1, 8);
  set(format::kUpdateRowsV1, 8);
  set(format::kDeleteRowsV1, 8);
  set(format::kMariadbGtid, 19);
  set(format::kMariadbGtidList, 4);
  body += lengths;
  body += static_cast<char>(format::kChecksumCrc32);
  return body;
}

std::string TableMapEvent() {
  std::string body;
  Put(&body, kTableId, 6);
  Put(&body, 1, 2);
  body += static_cast<char>(5);
  body += "bench";
  body += '\0';
  body += static_cast<char>(6);
  body += "orders";
  body += '\0';
  PutLengthEncoded(&body, 6);
  body += static_cast<char>(format::kTypeLong);
  body += static_cast<char>(format::kTypeLongLong);
  body += static_cast<char>(format::kTypeNewDecimal);
  body += static_cast<char>(format::kTypeVarchar);
  body += static_cast<char>(format::kTypeDateTime2);
  body += static_cast<char>(format::kTypeBlob);  // MariaDB's JSON is a LONGTEXT
  std::string metadata;
  metadata += static_cast<char>(10);  // precision
  metadata += static_cast<char>(2);   // scale
  Put(&metadata, 256, 2);             // VARCHAR(64) utf8mb4: 256 bytes
  metadata += static_cast<char>(6);   // fractional digits
  metadata += static_cast<char>(4);   // LONGTEXT: 4 length bytes
  PutLengthEncoded(&body, metadata.size());
  body += metadata;
  body += static_cast<char>(0x3c);  // nullable: varchar, datetime, json
  // binlog_row_metadata=FULL: signedness, default charset utf8mb4_general_ci, column names.
  auto tlv = [&body](uint8_t tag, const std::string& value) {
    body += static_cast<char>(tag);
    PutLengthEncoded(&body, value.size());
    body += value;
  };
  tlv(format::kMetaSignedness, std::string(1, '\0'));
  std::string charset;
  PutLengthEncoded(&charset, 45);
  tlv(format::kMetaDefaultCharset, charset);
  std::string names;
  for (const char* name : {"id", "amount", "price", "name", "created", "doc"}) {
    PutLengthEncoded(&names, std::string(name).size());
    names += name;
  }
  tlv(format::kMetaColumnName, names);
  return body;
}

void AppendRowImage(std::string* out, int id, int version) {
  out->push_back('\0');  // null bitmap: nothing NULL
  Put(out, static_cast<uint32_t>(id), 4);
  Put(out, uint64_t{1000000007} * static_cast<uint64_t>(id + version), 8);
  // DECIMAL(10,2): 8 integer digits in 4 bytes, 2 fraction digits in 1, sign bit flipped.
  std::string decimal;
  PutBigEndian(&decimal, static_cast<uint64_t>(id % 99999999), 4);
  decimal += static_cast<char>(version % 100);
  decimal[0] = static_cast<char>(decimal[0] ^ 0x80);
  *out += decimal;
  std::string name = "customer " + std::to_string(id) + " version " + std::to_string(version);
  Put(out, name.size(), 2);
  *out += name;
  // DATETIME2: 2026-11-26 hh:mm:ss.uuuuuu
  auto bits = [](int value) { return static_cast<uint64_t>(value); };
  uint64_t year_month = 2026 * 13 + 11;
  uint64_t packed = (year_month << 22) | (bits(26) << 17) | (bits(id % 24) << 12) |
                    (bits(id % 60) << 6) | bits(version % 60);
  PutBigEndian(out, packed + (uint64_t{1} << 39), 5);
  PutBigEndian(out, static_cast<uint64_t>(id * 7 % 1000000), 3);
  std::string json = R"({"id": )" + std::to_string(id) + R"(, "tags": ["a", "b"], "v": )" +
                     std::to_string(version) + "}";
  Put(out, json.size(), 4);
  *out += json;
}

struct GeneratedBinlog {
  std::string bytes;
  uint64_t row_changes = 0;
};

// Transactions of GTID, TABLE_MAP, a rows event of kRowsPerEvent rows, XID; one in three
// updates (before and after images), the rest inserts.
GeneratedBinlog Generate() {
  BinlogWriter writer;
  writer.Add(format::kFormatDescription, FormatDescription());
  GeneratedBinlog out;
  int next_id = 1;
  for (int txn = 1; txn <= kTransactions; ++txn) {
    std::string gtid;
    Put(&gtid, static_cast<uint64_t>(txn), 8);
    Put(&gtid, 0, 4);
    gtid += '\0';
    gtid.append(6, '\0');
    writer.Add(format::kMariadbGtid, gtid);
    writer.Add(format::kTableMap, TableMapEvent());
    bool update = txn % 3 == 0;
    std::string rows;
    Put(&rows, kTableId, 6);
    Put(&rows, format::kRowsStatementEnd, 2);
    PutLengthEncoded(&rows, 6);
    rows += static_cast<char>(0x3f);
    if (update) rows += static_cast<char>(0x3f);
    for (int row = 0; row < kRowsPerEvent; ++row) {
      int id = update ? next_id - 1 - row : next_id++;
      AppendRowImage(&rows, id, 0);
      if (update) AppendRowImage(&rows, id, txn);
    }
    out.row_changes += kRowsPerEvent;
    writer.Add(update ? format::kUpdateRowsV1 : format::kWriteRowsV1, rows);
    std::string xid;
    Put(&xid, static_cast<uint64_t>(txn), 8);
    writer.Add(format::kXid, xid);
  }
  out.bytes = writer.bytes();
  return out;
}

const GeneratedBinlog& Binlog() {
  static const GeneratedBinlog binlog = Generate();
  return binlog;
}

// The baseline: every event's header read and its length walked, nothing decoded.
uint64_t Frame(const std::string& bytes) {
  BytesBinlogSource source(bytes);
  uint64_t events = 0;
  while (true) {
    Result<std::optional<std::string_view>> next = source.Next();
    if (!next.ok() || !*next) break;
    benchmark::DoNotOptimize(next->value().data());
    ++events;
  }
  return events;
}

// The reader's work: events decoded with checksums verified, rows decoded into ChangeEvents.
Status Decode(const std::string& bytes, bool verify_checksums, std::vector<ChangeEvent>* out) {
  BytesBinlogSource source(bytes);
  EventStream stream(&source, "binlog.000001", BinlogPosition{1, 4});
  stream.decoder().set_verify_checksums(verify_checksums);
  BinlogEvent event;
  std::vector<RowChange> changes;
  out->clear();
  while (true) {
    ASSIGN_OR_RETURN(bool more, stream.Next(&event));
    if (!more) return Status::Ok();
    if (event.kind != EventKind::kRows || event.rows.table == nullptr) continue;
    RETURN_IF_ERROR(DecodeRowChanges(event.rows, &changes));
    const TableMap& map = *event.rows.table;
    for (size_t i = 0; i < changes.size(); ++i) {
      ChangeEvent& change = out->emplace_back();
      change.operation =
          event.rows.action == RowsAction::kWrite ? Operation::kInsert : Operation::kUpdate;
      change.position = stream.event_start();
      change.sequence = static_cast<uint32_t>(i);
      change.source_timestamp_seconds = event.header.timestamp;
      change.schema = map.schema;
      change.table = map.table;
      change.before = std::move(changes[i].before);
      change.after = std::move(changes[i].after);
    }
    // A transaction's events go to the spool and are dropped: memory holds one.
    if (out->size() > 4096) out->clear();
  }
}

void SetRates(benchmark::State& state) {
  const GeneratedBinlog& binlog = Binlog();
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(binlog.row_changes));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(binlog.bytes.size()));
}

void BM_Framing(benchmark::State& state) {
  const GeneratedBinlog& binlog = Binlog();
  for (auto _ : state)
    benchmark::DoNotOptimize(Frame(binlog.bytes));
  SetRates(state);
}
BENCHMARK(BM_Framing)->Unit(benchmark::kMillisecond);

// For scale: framing plus the CRC32 of every event, the least any reader that verifies the
// checksum does with every byte.
void BM_FramingCrc32(benchmark::State& state) {
  const GeneratedBinlog& binlog = Binlog();
  for (auto _ : state) {
    BytesBinlogSource source(binlog.bytes);
    uint32_t crcs = 0;
    while (true) {
      Result<std::optional<std::string_view>> next = source.Next();
      if (!next.ok() || !*next) break;
      crcs ^= Crc32(next->value().substr(0, next->value().size() - format::kChecksumSize));
    }
    benchmark::DoNotOptimize(crcs);
  }
  SetRates(state);
}
BENCHMARK(BM_FramingCrc32)->Unit(benchmark::kMillisecond);

// CPU seconds of this thread: the machine is shared, wall time is not ours.
double ThreadCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// items/s are row changes decoded per second; ratio_to_framing divides the framing CPU time
// of the same bytes, measured in the same run between iterations, by the decode CPU time.
// crc32:1 verifies every event's checksum (the reader's default), crc32:0 does not.
void BM_Decode(benchmark::State& state) {
  const GeneratedBinlog& binlog = Binlog();
  bool verify = state.range(0) != 0;
  std::vector<ChangeEvent> events;
  events.reserve(4200);
  double decode_seconds = 0, frame_seconds = 0;
  for (auto _ : state) {
    double start = ThreadCpuSeconds();
    Status status = Decode(binlog.bytes, verify, &events);
    decode_seconds += ThreadCpuSeconds() - start;
    if (!status.ok()) {
      state.SkipWithError(status.message().c_str());
      return;
    }
    state.PauseTiming();
    start = ThreadCpuSeconds();
    benchmark::DoNotOptimize(Frame(binlog.bytes));
    frame_seconds += ThreadCpuSeconds() - start;
    state.ResumeTiming();
  }
  SetRates(state);
  state.counters["ratio_to_framing"] = decode_seconds > 0 ? frame_seconds / decode_seconds : 0;
}
BENCHMARK(BM_Decode)->ArgName("crc32")->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace chameleon::reader

BENCHMARK_MAIN();
