// The crash test's child: reader and replayer of one spool in one process, appending
// deterministic transactions until the parent SIGKILLs it (or an armed kill point does).
// Usage: spool_crash_writer DIR SEED [KILL_POINT SKIP]
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "spool/crash_protocol.h"
#include "spool/kill_point.h"
#include "spool/spool.h"

namespace chameleon::spool_test {
namespace {

[[noreturn]] void Fail(const std::string& what, const Status& status) {
  std::fprintf(stderr, "crash writer: %s: %s\n", what.c_str(), status.message().c_str());
  std::_Exit(2);
}

void CommitCatalogue(const std::filesystem::path& dir, const spool::BatchInfo& batch) {
  std::string temporary = (dir / "catalogue.tmp").string();
  std::string text = std::to_string(batch.id) + " " +
                     std::to_string(batch.last_key.position.file_number) + " " +
                     std::to_string(batch.last_key.position.position) + "\n";
  int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
      fsync(fd) != 0 || close(fd) != 0) {
    Fail("writing the simulated catalogue", Status::IoError(temporary));
  }
  std::filesystem::rename(temporary, CataloguePath(dir));
}

int Run(const std::filesystem::path& dir, uint64_t seed) {
  spool::SpoolOptions options;
  options.directory = dir / "spool";
  options.source_id = 1;
  options.batch_size_events = 20;
  options.write_buffer_bytes = 1ULL << 20;  // small: flushes happen within a cycle
  auto opened = spool::Spool::Open(options);
  if (!opened.ok()) Fail("open", opened.status());
  spool::Spool& spool = *opened;

  SimulatedCatalogue catalogue = ReadCatalogue(dir);
  auto reconciled = spool.Reconcile({catalogue.batch_id, catalogue.position});
  if (!reconciled.ok()) Fail("reconcile", reconciled.status());

  std::mt19937_64 random(seed);
  std::optional<BinlogPosition> resume = spool.ResumePosition();
  uint64_t t = resume ? TransactionNumberAt(*resume) : 0;
  for (int step = 0; step < 200000; ++step, ++t) {
    auto appended = spool.AppendTransaction(Transaction(t), TransactionStart(t + 1));
    if (!appended.ok()) Fail("append", appended.status());
    if (random() % 15 == 0) {
      auto closed = spool.CloseBatch();
      if (!closed.ok()) Fail("close", closed.status());
    }
    if (random() % 4 == 0) {
      if (auto batch = spool.OldestClosedBatch()) {
        CommitCatalogue(dir, *batch);  // the PostgreSQL commit, then the spool delete
        Status replayed = spool.MarkReplayed(batch->id);
        if (!replayed.ok()) Fail("mark replayed", replayed);
      }
    }
    if (random() % 300 == 0) {
      Status compacted = spool.Compact(false);
      if (!compacted.ok()) Fail("compact", compacted);
    }
  }
  return 0;
}

}  // namespace
}  // namespace chameleon::spool_test

int main(int argc, char** argv) {
  if (argc != 3 && argc != 5) {
    std::fprintf(stderr, "usage: %s DIR SEED [KILL_POINT SKIP]\n", argv[0]);
    return 64;
  }
  if (argc == 5) {
    chameleon::spool::kill_point::Arm(argv[3], std::strtoull(argv[4], nullptr, 10));
  }
  return chameleon::spool_test::Run(argv[1], std::strtoull(argv[2], nullptr, 10));
}
