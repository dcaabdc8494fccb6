// Spool behaviour on a real RocksDB in a scratch directory: batch state machine, retries,
// streaming a large batch, reconciliation with the catalogue, compaction and inspection.
#include "spool/spool.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include "spool/inspect.h"
#include "spool/test_events.h"
#include "support/scratch_dir.h"

namespace chameleon::spool {
namespace {

using spool_test::Transaction;
using spool_test::TransactionStart;

SpoolOptions Options(const test_support::ScratchDir& dir, uint64_t batch_size = 10) {
  SpoolOptions options;
  options.directory = dir.path() / "spool";
  options.source_id = 1;
  options.batch_size_events = batch_size;
  options.write_buffer_bytes = 8ULL << 20;
  return options;
}

Spool OpenOrDie(const SpoolOptions& options) {
  auto spool = Spool::Open(options);
  EXPECT_TRUE(spool.ok()) << spool.status().message();
  return std::move(spool).value();
}

// Appends transactions [from, to) and returns the status of the last append.
void AppendRange(Spool& spool, uint64_t from, uint64_t to) {
  for (uint64_t t = from; t < to; ++t) {
    auto result = spool.AppendTransaction(Transaction(t), TransactionStart(t + 1));
    ASSERT_TRUE(result.ok()) << "transaction " << t << ": " << result.status().message();
    ASSERT_FALSE(result->already_stored);
  }
}

std::vector<ChangeEvent> ReadAll(const Spool& spool, const BatchInfo& batch) {
  std::vector<ChangeEvent> events;
  auto cursor = spool.ReadBatch(batch);
  EXPECT_TRUE(cursor.ok());
  ChangeEvent event;
  while (true) {
    auto found = cursor->Next(&event);
    EXPECT_TRUE(found.ok()) << found.status().message();
    if (!found.ok() || !*found) break;
    events.push_back(event);
  }
  return events;
}

TEST(BatchState, MovesOnlyForward) {
  EXPECT_TRUE(CheckBatchTransition(BatchState::kOpen, BatchState::kClosed).ok());
  EXPECT_TRUE(CheckBatchTransition(BatchState::kClosed, BatchState::kReplayed).ok());
  for (auto [from, to] : {std::pair{BatchState::kOpen, BatchState::kReplayed},
                          std::pair{BatchState::kClosed, BatchState::kOpen},
                          std::pair{BatchState::kReplayed, BatchState::kClosed},
                          std::pair{BatchState::kReplayed, BatchState::kOpen},
                          std::pair{BatchState::kClosed, BatchState::kClosed}}) {
    EXPECT_EQ(CheckBatchTransition(from, to).code(), StatusCode::kFailedPrecondition);
  }
}

TEST(Spool, ClosesABatchAtATransactionBoundaryOnceItIsFull) {
  test_support::ScratchDir dir;
  Spool spool = OpenOrDie(Options(dir, 10));
  EXPECT_FALSE(spool.ResumePosition());
  EXPECT_FALSE(spool.OldestClosedBatch());
  // Transactions 0..3 hold 1+2+3+4 = 10 rows: the fourth closes batch 1 with all ten.
  AppendRange(spool, 0, 3);
  EXPECT_FALSE(spool.OldestClosedBatch()) << "an open batch is not for the replayer";
  auto result = spool.AppendTransaction(Transaction(3), TransactionStart(4));
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->batch_closed);
  EXPECT_EQ(result->batch_id, 1U);
  auto oldest = spool.OldestClosedBatch();
  ASSERT_TRUE(oldest);
  EXPECT_EQ(oldest->event_count, 10U);
  EXPECT_EQ(oldest->first_key.position, TransactionStart(0));
  EXPECT_EQ(oldest->last_key.position, TransactionStart(3));
  EXPECT_EQ(*spool.ResumePosition(), TransactionStart(4));
  EXPECT_EQ(oldest->resume, TransactionStart(4)) << "where reading resumes after the batch";
  // Transaction 4 (5 rows) then 5 (1 row) and 6 (2 rows): 8 < 10, batch 2 stays open...
  AppendRange(spool, 4, 7);
  std::vector<BatchInfo> batches = spool.Batches();
  ASSERT_EQ(batches.size(), 2U);
  EXPECT_EQ(batches[1].state, BatchState::kOpen);
  EXPECT_EQ(batches[1].event_count, 8U);
  // ...until the stream goes idle.
  auto closed = spool.CloseBatch();
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(*closed, std::optional<uint64_t>(2));
  EXPECT_EQ(spool.Batches()[1].resume, TransactionStart(7));
  auto nothing = spool.CloseBatch();
  ASSERT_TRUE(nothing.ok());
  EXPECT_FALSE(*nothing);
  // A transaction larger than the batch size is never split.
  std::vector<ChangeEvent> big;
  for (uint32_t row = 0; row < 25; ++row)
    big.push_back(spool_test::RowEvent(7, row));
  result = spool.AppendTransaction(big, TransactionStart(8));
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->batch_closed);
  EXPECT_EQ(spool.Batches().back().event_count, 25U);
  // The open batch has no resume position yet (StateSurvivesReopen: the closed ones keep it).
  AppendRange(spool, 8, 9);
  batches = spool.Batches();
  ASSERT_EQ(batches.size(), 4U);
  EXPECT_EQ(batches[2].resume, TransactionStart(8));
  EXPECT_FALSE(batches[3].resume.has_value());
}

TEST(Spool, StateSurvivesReopenIncludingTheOpenBatch) {
  test_support::ScratchDir dir;
  std::vector<BatchInfo> before;
  {
    Spool spool = OpenOrDie(Options(dir, 10));
    AppendRange(spool, 0, 6);
    before = spool.Batches();
  }
  ASSERT_TRUE(before.front().resume.has_value());
  Spool spool = OpenOrDie(Options(dir, 10));
  EXPECT_EQ(spool.Batches(), before);
  EXPECT_EQ(*spool.ResumePosition(), TransactionStart(6));
  EXPECT_FALSE(spool.Summary().created_now);
  AppendRange(spool, 6, 7);  // continues the open batch
  EXPECT_EQ(spool.Batches().back().id, before.back().id);
}

TEST(Spool, MarkReplayedOnlyTakesTheOldestClosedBatchOnce) {
  test_support::ScratchDir dir;
  Spool spool = OpenOrDie(Options(dir, 3));
  AppendRange(spool, 0, 6);  // batches of 1+2, 3, 4 and 5 rows closed; 1 row open
  std::vector<BatchInfo> batches = spool.Batches();
  ASSERT_GE(batches.size(), 3U);
  ASSERT_EQ(batches.back().state, BatchState::kOpen);
  EXPECT_EQ(spool.MarkReplayed(batches[1].id).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(spool.MarkReplayed(batches.back().id).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(spool.MarkReplayed(batches[0].id).ok());
  EXPECT_EQ(spool.MarkReplayed(batches[0].id).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(spool.OldestClosedBatch()->id, batches[1].id);
  // The replayed batch's events are gone; the next batch's are all there.
  auto cursor = spool.ReadFrom(EventKey{1, {}, 0});
  ASSERT_TRUE(cursor.ok());
  ChangeEvent event;
  ASSERT_TRUE(*cursor->Next(&event));
  EXPECT_EQ(event.position, batches[1].first_key.position);
  EXPECT_EQ(ReadAll(spool, batches[1]).size(), batches[1].event_count);
}

TEST(Spool, RetriesOfStoredTransactionsAreNoOpsAndBadOrderIsRefused) {
  test_support::ScratchDir dir;
  Spool spool = OpenOrDie(Options(dir, 100));
  AppendRange(spool, 0, 3);
  auto retry = spool.AppendTransaction(Transaction(2), TransactionStart(3));
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->already_stored);
  auto empty_retry = spool.AppendTransaction({}, TransactionStart(3));
  ASSERT_TRUE(empty_retry.ok());
  EXPECT_TRUE(empty_retry->already_stored);
  // Overlapping the stored stream, out of order inside, or a resume going back: refused.
  std::vector<ChangeEvent> overlap = Transaction(2);
  overlap.push_back(spool_test::RowEvent(3, 0));
  EXPECT_EQ(spool.AppendTransaction(overlap, TransactionStart(4)).status().code(),
            StatusCode::kInvalidArgument);
  std::vector<ChangeEvent> reversed = Transaction(4);
  std::reverse(reversed.begin(), reversed.end());
  EXPECT_EQ(spool.AppendTransaction(reversed, TransactionStart(5)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(spool.AppendTransaction(Transaction(3), TransactionStart(3)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(spool.AppendTransaction({}, TransactionStart(2)).status().code(),
            StatusCode::kOk);  // an older empty transaction: already covered
  // Nothing of the refused writes landed.
  EXPECT_EQ(spool.Batches().back().event_count, 1U + 2U + 3U);
  AppendRange(spool, 3, 4);
}

TEST(Spool, StoresTableShapesWithTheEventsThatUseThem) {
  test_support::ScratchDir dir;
  Spool spool = OpenOrDie(Options(dir));
  TableShape shape{"app", "orders", 1, {{"id", 8, 0, true, false, "bigint unsigned"}}, {0}};
  ASSERT_TRUE(spool.AppendTransaction(Transaction(0), TransactionStart(1), {&shape, 1}).ok());
  auto found = spool.FindShape("app", "orders", 1);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, shape);
  EXPECT_EQ(spool.FindShape("app", "orders", 2).status().code(), StatusCode::kNotFound);
}

size_t HeapInUseBytes() {
  return mallinfo2().uordblks;
}

TEST(EventCursor, StreamsALargeBatchHoldingOneEventAtATime) {
  test_support::ScratchDir dir;
  constexpr uint32_t kRows = 200000;
  Spool spool = OpenOrDie(Options(dir, 1000));
  {
    // One source transaction of 200k rows: one batch, since batches never split one.
    std::vector<ChangeEvent> rows;
    rows.reserve(kRows);
    for (uint32_t row = 0; row < kRows; ++row)
      rows.push_back(spool_test::RowEvent(0, row, 80));
    auto result = spool.AppendTransaction(rows, TransactionStart(1));
    ASSERT_TRUE(result.ok()) << result.status().message();
    EXPECT_TRUE(result->batch_closed);
  }
  ASSERT_TRUE(spool.Compact(true).ok());  // read from SST files, as after a restart
  auto batch = spool.OldestClosedBatch();
  ASSERT_TRUE(batch);
  ASSERT_EQ(batch->event_count, kRows);
  auto cursor = spool.ReadBatch(*batch);
  ASSERT_TRUE(cursor.ok());
  size_t heap_before = HeapInUseBytes();
  size_t heap_peak = heap_before;
  ChangeEvent event;
  uint32_t expected_row = 0;
  while (true) {
    auto found = cursor->Next(&event);
    ASSERT_TRUE(found.ok()) << found.status().message();
    if (!*found) break;
    ASSERT_EQ(event, spool_test::RowEvent(0, expected_row, 80)) << expected_row;
    ++expected_row;
    if (expected_row % 10000 == 0) heap_peak = std::max(heap_peak, HeapInUseBytes());
  }
  EXPECT_EQ(expected_row, kRows);
#if !defined(__SANITIZE_ADDRESS__)
  // 200k decoded events would be ~80 MB; the cursor may hold RocksDB blocks, not events.
  EXPECT_LT(heap_peak - heap_before, 16U << 20) << "the cursor is holding events";
#endif
}

TEST(Spool, ReconcileDeletesWhatTheCatalogueReplayed) {
  test_support::ScratchDir dir;
  Spool spool = OpenOrDie(Options(dir, 3));
  AppendRange(spool, 0, 6);
  std::vector<BatchInfo> batches = spool.Batches();
  ASSERT_GE(batches.size(), 3U);
  ASSERT_TRUE(spool.MarkReplayed(batches[0].id).ok());
  // PostgreSQL committed batch 2 and 3, then the process died before the spool heard of it.
  auto report = spool.Reconcile({batches[2].id, batches[2].last_key.position});
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->deleted_batch_ids, (std::vector<uint64_t>{batches[1].id, batches[2].id}));
  EXPECT_EQ(spool.Summary().last_replayed_batch_id, batches[2].id);
  auto again = spool.Reconcile({batches[2].id, batches[2].last_key.position});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->deleted_batch_ids.empty());
  auto older = spool.Reconcile({batches[0].id, std::nullopt});
  EXPECT_EQ(older.status().code(), StatusCode::kFailedPrecondition);
}

TEST(Spool, ALostSpoolIsReportedAndRestartsFromTheCatalogue) {
  test_support::ScratchDir dir;
  Spool spool = OpenOrDie(Options(dir, 3));
  CatalogueState catalogue{41, BinlogPosition{1, 4}};
  auto report = spool.Reconcile(catalogue);
  ASSERT_EQ(report.status().code(), StatusCode::kNotFound);
  EXPECT_NE(report.status().message().find("missing"), std::string::npos);
  ASSERT_TRUE(spool.ResetFromCatalogue(catalogue, TransactionStart(0)).ok());
  EXPECT_EQ(*spool.ResumePosition(), TransactionStart(0));
  AppendRange(spool, 0, 3);
  EXPECT_EQ(spool.Batches().front().id, 42U) << "batch ids continue after the catalogue's";
  EXPECT_TRUE(spool.Reconcile(catalogue).ok());
  EXPECT_EQ(spool.ResetFromCatalogue(catalogue, TransactionStart(0)).code(),
            StatusCode::kFailedPrecondition);
}

TEST(Spool, CompactionReclaimsReplayedRanges) {
  test_support::ScratchDir dir;
  Spool spool = OpenOrDie(Options(dir, 100));
  AppendRange(spool, 0, 2000);
  ASSERT_TRUE(spool.CloseBatch().ok());
  ASSERT_TRUE(spool.Compact(true).ok());
  uint64_t full_bytes = spool.DiskUsageBytes();
  while (auto batch = spool.OldestClosedBatch())
    ASSERT_TRUE(spool.MarkReplayed(batch->id).ok());
  ASSERT_TRUE(spool.Compact(false).ok());
  ASSERT_TRUE(spool.Compact(true).ok());
  auto cursor = spool.ReadFrom(EventKey{1, {}, 0});
  ChangeEvent event;
  EXPECT_FALSE(*cursor->Next(&event));
  EXPECT_LT(spool.DiskUsageBytes(), full_bytes);
}

TEST(Spool, RefusesAnotherSourcesSpool) {
  test_support::ScratchDir dir;
  { Spool spool = OpenOrDie(Options(dir)); }
  SpoolOptions other = Options(dir);
  other.source_id = 2;
  EXPECT_EQ(Spool::Open(other).status().code(), StatusCode::kFailedPrecondition);
}

TEST(Inspect, ShowsBatchesEventsAndStatsBesideARunningWriter) {
  test_support::ScratchDir dir;
  Spool spool = OpenOrDie(Options(dir, 10));
  AppendRange(spool, 0, 6);  // batch 1 closed (1+2+3+4 events), batch 2 open (5+1)
  std::filesystem::path path = Options(dir).directory;

  auto batches = InspectBatches(path);
  ASSERT_TRUE(batches.ok()) << batches.status().message();
  ASSERT_EQ(batches->size(), 2U);
  EXPECT_EQ((*batches)[0].state, "closed");
  EXPECT_EQ((*batches)[0].events, 10U);
  EXPECT_EQ((*batches)[1].state, "open");
  std::string text = RenderBatchesText(*batches);
  EXPECT_NE(text.find("Batch id"), std::string::npos) << text;
  EXPECT_NE(text.find("1:5000000000"), std::string::npos) << text;
  EXPECT_NE(RenderBatchesJson(*batches).find("\"state\": \"open\""), std::string::npos);

  auto events = InspectEvents(path, TransactionStart(2), 4);
  ASSERT_TRUE(events.ok()) << events.status().message();
  ASSERT_EQ(events->size(), 4U);
  EXPECT_EQ((*events)[0].position, TransactionStart(2));
  EXPECT_NE((*events)[0].text.find("insert app.orders v1 after=(2, 0, 'xxx"), std::string::npos)
      << (*events)[0].text;
  EXPECT_NE(RenderEventsJson(*events).find("\"sequence\": 1"), std::string::npos);

  auto stats = InspectStats(path);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->resume, TransactionStart(6));
  EXPECT_EQ(stats->pending_events, 16U);
  EXPECT_GT(stats->disk_bytes, 0U);
  EXPECT_NE(RenderStatsText(*stats).find("resume position      1:5000024576"), std::string::npos)
      << RenderStatsText(*stats);
  EXPECT_NE(RenderStatsJson(*stats).find("\"format_version\": 1"), std::string::npos);

  EXPECT_EQ(InspectStats(dir.path() / "nothing").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace chameleon::spool

namespace chameleon::spool {
namespace {

// One large transaction t as parts: rows 0..n-1 of one rows event each part `per_part` long.
std::vector<ChangeEvent> Rows(uint64_t t, uint32_t from, uint32_t to) {
  std::vector<ChangeEvent> events;
  for (uint32_t row = from; row < to; ++row)
    events.push_back(spool_test::RowEvent(t, row));
  return events;
}

TEST(SpoolParts, ATransactionInPartsIsCommittedWholeIntoTheOpenBatch) {
  test_support::ScratchDir dir;
  Spool spool = OpenOrDie(Options(dir, 1000));
  AppendRange(spool, 0, 2);  // 1 + 2 rows
  ASSERT_TRUE(spool.AppendPart(Rows(2, 0, 400)).ok());
  ASSERT_TRUE(spool.AppendPart(Rows(2, 400, 800)).ok());
  EXPECT_EQ(*spool.ResumePosition(), TransactionStart(2)) << "parts do not move the resume";
  auto committed = spool.AppendTransaction(Rows(2, 800, 1000), TransactionStart(3));
  ASSERT_TRUE(committed.ok()) << committed.status().message();
  EXPECT_TRUE(committed->batch_closed);
  auto batch = spool.OldestClosedBatch();
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->event_count, 1003U);
  std::vector<ChangeEvent> events = ReadAll(spool, *batch);
  ASSERT_EQ(events.size(), 1003U);
  for (uint32_t row = 0; row < 1000; ++row)
    EXPECT_EQ(events[3 + row], spool_test::RowEvent(2, row)) << row;
}

TEST(SpoolParts, PartsWithAnEmptyCommitAndAcrossABatchThatOpensWithThem) {
  test_support::ScratchDir dir;
  Spool spool = OpenOrDie(Options(dir, 1000));
  ASSERT_TRUE(spool.AppendPart(Rows(5, 0, 10)).ok());
  auto committed = spool.AppendTransaction({}, TransactionStart(6));
  ASSERT_TRUE(committed.ok()) << committed.status().message();
  EXPECT_FALSE(committed->already_stored);
  ASSERT_TRUE(spool.CloseBatch().ok());
  auto batch = spool.OldestClosedBatch();
  ASSERT_TRUE(batch);
  EXPECT_EQ(ReadAll(spool, *batch), Rows(5, 0, 10));
}

TEST(SpoolParts, UncommittedPartsAreGoneAfterACrashAndTheTransactionCanComeAgain) {
  test_support::ScratchDir dir;
  {
    Spool spool = OpenOrDie(Options(dir, 1000));
    AppendRange(spool, 0, 2);
    ASSERT_TRUE(spool.AppendPart(Rows(2, 0, 300)).ok());
    // The process dies here: no commit.
  }
  Spool spool = OpenOrDie(Options(dir, 1000));
  EXPECT_EQ(*spool.ResumePosition(), TransactionStart(2));
  auto tail = spool.ReadFrom(EventKey{1, TransactionStart(2), 0});
  ASSERT_TRUE(tail.ok());
  ChangeEvent event;
  EXPECT_FALSE(tail->Next(&event).value()) << "an uncommitted part survived a restart";
  // Read again from the binlog, the same transaction is stored, once.
  ASSERT_TRUE(spool.AppendPart(Rows(2, 0, 300)).ok());
  ASSERT_TRUE(spool.AppendTransaction(Rows(2, 300, 310), TransactionStart(3)).ok());
  ASSERT_TRUE(spool.CloseBatch().ok());
  EXPECT_EQ(spool.OldestClosedBatch()->event_count, 313U);
}

TEST(SpoolParts, DiscardedPartsLeaveNothingAndOrderIsChecked) {
  test_support::ScratchDir dir;
  Spool spool = OpenOrDie(Options(dir, 1000));
  AppendRange(spool, 0, 3);
  ASSERT_TRUE(spool.AppendPart(Rows(3, 0, 50)).ok());
  ASSERT_TRUE(spool.DiscardParts().ok());  // ROLLBACK, or a reconnection
  EXPECT_EQ(spool.AppendPart(Rows(1, 0, 1)).code(), StatusCode::kInvalidArgument)
      << "a part before the resume position";
  ASSERT_TRUE(spool.AppendPart(Rows(3, 0, 20)).ok());
  EXPECT_EQ(spool.AppendPart(Rows(3, 10, 30)).code(), StatusCode::kInvalidArgument)
      << "a part must follow the previous one";
  ASSERT_TRUE(spool.AppendTransaction({}, TransactionStart(4)).ok());
  ASSERT_TRUE(spool.CloseBatch().ok());
  auto batch = spool.OldestClosedBatch();
  std::vector<ChangeEvent> events = ReadAll(spool, *batch);
  ASSERT_EQ(events.size(), 1U + 2U + 3U + 20U);
  EXPECT_EQ(events.back(), spool_test::RowEvent(3, 19));
}

}  // namespace
}  // namespace chameleon::spool
