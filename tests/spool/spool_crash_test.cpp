// Crash test: runs spool_crash_writer over and over, SIGKILLs it at random moments and at
// every named kill point, reopens the spool and checks: no gap, no duplicate, the resume
// position right after the last stored event, closed batches intact, progress never undone.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <random>
#include <thread>

#include "spool/crash_protocol.h"
#include "spool/spool.h"
#include "support/scratch_dir.h"

namespace chameleon::spool_test {
namespace {

using std::chrono::steady_clock;

struct KillPoint {
  const char* name;
  uint64_t max_skip;  // reached how often before it fires: spread over a writer's life
};

constexpr KillPoint kKillPoints[] = {
    {"append.before_write", 300},  {"append.after_write", 300},    {"close.before_write", 20},
    {"close.after_write", 20},     {"idle_close.before_write", 5}, {"idle_close.after_write", 5},
    {"replayed.before_write", 20}, {"replayed.after_write", 20},   {"reconcile.before_write", 0},
    {"reconcile.after_write", 0},  {"compact.before", 1},
};

// What a verification saw: live transactions [first_live, end).
struct Observed {
  uint64_t first_live = 0;
  uint64_t end = 0;
};

#define VERIFY(condition, message)                                       \
  do {                                                                   \
    if (!(condition)) return std::string(message) + " [" #condition "]"; \
  } while (false)

// Empty when the spool in `dir` is consistent and has not gone back from `previous`.
std::string Verify(const std::filesystem::path& dir, const Observed& previous, Observed& seen) {
  spool::SpoolOptions options;
  options.directory = dir / "spool";
  options.source_id = 1;
  options.batch_size_events = 20;
  options.read_only = true;  // what the next writer will recover, without fsyncs of our own
  auto opened = spool::Spool::Open(options);
  if (opened.status().code() == StatusCode::kNotFound) {
    // Killed before the spool's creation was complete: fine only if nothing was ever stored.
    VERIFY(previous.end == 0, "the spool vanished: " + opened.status().message());
    seen = Observed{};
    return "";
  }
  VERIFY(opened.ok(), "reopen: " + opened.status().message());
  spool::Spool& spool = *opened;
  spool::SpoolSummary summary = spool.Summary();
  SimulatedCatalogue catalogue = ReadCatalogue(dir);
  VERIFY(summary.last_replayed_batch_id <= catalogue.batch_id,
         "the spool deleted a batch the catalogue has not committed");

  uint64_t next_t =
      summary.last_replayed_position ? TransactionNumberAt(*summary.last_replayed_position) + 1 : 0;
  seen.first_live = next_t;
  uint32_t next_row = 0;
  uint64_t total = 0;
  auto cursor = spool.ReadFrom(spool::EventKey{1, {}, 0});
  VERIFY(cursor.ok(), cursor.status().message());
  ChangeEvent event;
  while (true) {
    auto found = cursor->Next(&event);
    VERIFY(found.ok(), "reading: " + found.status().message());
    if (!*found) break;
    uint64_t t = TransactionNumberAt(event.position);
    VERIFY(
        t == next_t && event.sequence == next_row,
        "expected transaction " + std::to_string(next_t) + " row " + std::to_string(next_row) +
            ", found " + std::to_string(t) + " row " + std::to_string(event.sequence) +
            (t < next_t || (t == next_t && event.sequence < next_row) ? " (duplicate)" : " (gap)"));
    VERIFY(event == RowEvent(t, event.sequence),
           "event content differs at transaction " + std::to_string(t));
    ++total;
    if (++next_row == TransactionRows(t)) {
      next_row = 0;
      ++next_t;
    }
  }
  VERIFY(next_row == 0, "transaction " + std::to_string(next_t) + " is stored in part");
  seen.end = next_t;

  std::optional<BinlogPosition> resume = spool.ResumePosition();
  if (!resume) {
    VERIFY(seen.end == 0, "events without a resume position");
  } else {
    VERIFY(TransactionNumberAt(*resume) == seen.end,
           "resume position " + ToString(*resume) + " is not right after the last stored event");
  }

  uint64_t batch_next_t = seen.first_live;
  uint64_t batch_events = 0;
  std::vector<spool::BatchInfo> batches = spool.Batches();
  for (size_t i = 0; i < batches.size(); ++i) {
    const spool::BatchInfo& batch = batches[i];
    VERIFY(batch.state == spool::BatchState::kClosed || i + 1 == batches.size(),
           "an open batch before a closed one");
    VERIFY(batch.first_key.sequence == 0 &&
               TransactionNumberAt(batch.first_key.position) == batch_next_t,
           "batch " + std::to_string(batch.id) + " does not start where the previous ended");
    auto batch_cursor = spool.ReadBatch(batch);
    VERIFY(batch_cursor.ok(), batch_cursor.status().message());
    uint64_t count = 0;
    spool::EventKey last{};
    while (true) {
      auto found = batch_cursor->Next(&event);
      VERIFY(found.ok(), found.status().message());
      if (!*found) break;
      ++count;
      last = spool::EventKey{1, event.position, event.sequence};
    }
    VERIFY(count == batch.event_count && last == batch.last_key,
           "batch " + std::to_string(batch.id) + " holds " + std::to_string(count) +
               " events, its record says " + std::to_string(batch.event_count));
    uint64_t last_t = TransactionNumberAt(last.position);
    VERIFY(last.sequence + 1 == TransactionRows(last_t),
           "batch " + std::to_string(batch.id) + " ends inside a transaction");
    batch_next_t = last_t + 1;
    batch_events += count;
  }
  VERIFY(batch_events == total, "events outside any batch");
  VERIFY(seen.end >= previous.end, "stored transactions were lost: end went from " +
                                       std::to_string(previous.end) + " to " +
                                       std::to_string(seen.end));
  VERIFY(seen.first_live >= previous.first_live, "replayed transactions came back");
  return "";
}

TEST(SpoolCrash, SurvivesSigkillAnywhere) {
  test_support::ScratchDir dir;
  const char* cycles_env = std::getenv("CHAMELEON_CRASH_CYCLES");
  int cycles = cycles_env != nullptr ? std::atoi(cycles_env) : 300;
  // Leaves room under the ctest TIMEOUT on a slow (sanitizer) build; reports what it did.
  auto budget = std::chrono::seconds(70);
  std::mt19937_64 random(42);
  auto started = steady_clock::now();
  Observed previous;
  std::map<std::string, int> kill_point_cycles;
  int done = 0;
  // How long a writer takes to open the spool here: grows while kills land before any
  // progress (sanitizers, a loaded machine), shrinks when they do not, so kills fall both
  // during startup and in the middle of the stream.
  uint64_t startup_ms = 0;
  for (; done < cycles && steady_clock::now() - started < budget; ++done) {
    bool at_kill_point = done % 3 == 2;
    std::string seed = std::to_string(random());
    const KillPoint& point = kKillPoints[random() % std::size(kKillPoints)];
    std::string skip = std::to_string(random() % (point.max_skip + 1));
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      std::string dir_text = dir.path().string();
      if (at_kill_point) {
        execl(SPOOL_CRASH_WRITER, SPOOL_CRASH_WRITER, dir_text.c_str(), seed.c_str(), point.name,
              skip.c_str(), static_cast<char*>(nullptr));
      } else {
        execl(SPOOL_CRASH_WRITER, SPOOL_CRASH_WRITER, dir_text.c_str(), seed.c_str(),
              static_cast<char*>(nullptr));
      }
      _exit(127);
    }
    int status = 0;
    if (at_kill_point) {
      // Most kill points fire within milliseconds; one never reached is killed after a while.
      auto deadline = steady_clock::now() + std::chrono::milliseconds(400);
      while (waitpid(child, &status, WNOHANG) == 0 && steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      if (kill(child, SIGKILL) == 0) waitpid(child, &status, 0);
      kill_point_cycles[point.name] += 1;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(startup_ms + 5 + random() % 60));
      kill(child, SIGKILL);
      waitpid(child, &status, 0);
    }
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "cycle " << done << ": the writer exited by itself with status " << status
        << " (see its message above)";
    Observed seen;
    std::string problem = Verify(dir.path(), previous, seen);
    ASSERT_EQ(problem, "") << "cycle " << done << (at_kill_point ? " at kill point " : "")
                           << (at_kill_point ? point.name : "");
    if (!at_kill_point) {
      startup_ms = seen.end == previous.end ? std::min<uint64_t>(startup_ms + 20, 2000)
                                            : startup_ms - std::min<uint64_t>(startup_ms, 5);
    }
    previous = seen;
  }
  double seconds = std::chrono::duration<double>(steady_clock::now() - started).count();
  std::printf("%d kill cycles in %.1f s; %llu transactions stored, %llu replayed\n", done, seconds,
              static_cast<unsigned long long>(previous.end),
              static_cast<unsigned long long>(previous.first_live));
  for (const auto& [name, count] : kill_point_cycles)
    std::printf("  %-24s %d\n", name.c_str(), count);
#if defined(__SANITIZE_ADDRESS__)
  constexpr int kMinimumCycles = 30;  // sanitizers make every RocksDB open several times slower
#else
  constexpr int kMinimumCycles = 100;
#endif
  EXPECT_GE(done, std::min(cycles, kMinimumCycles)) << "too few cycles within the time budget";
  EXPECT_GT(previous.first_live, 0U) << "the writer never replayed a batch";
}

}  // namespace
}  // namespace chameleon::spool_test
