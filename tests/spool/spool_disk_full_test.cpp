// Disk full: the spool on a tiny tmpfs. The writer gets a clear kIoError, stores nothing of
// the failed transaction, and once space is freed the same call succeeds and the stream goes
// on with no gap and no duplicate.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <fstream>

#include "spool/spool.h"
#include "spool/test_events.h"
#include "support/scratch_dir.h"

namespace chameleon::spool_test {
namespace {

// A tmpfs of `megabytes` at a scratch directory, unmounted at scope exit.
class TinyFilesystem {
 public:
  explicit TinyFilesystem(int megabytes) {
    std::string options = "size=" + std::to_string(megabytes) + "m";
    mounted_ = mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, options.c_str()) == 0;
    if (!mounted_) error_ = std::string(strerror(errno));
  }
  ~TinyFilesystem() {
    if (mounted_) umount2(dir_.path().c_str(), MNT_DETACH);
  }
  TinyFilesystem(const TinyFilesystem&) = delete;
  TinyFilesystem& operator=(const TinyFilesystem&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  const std::filesystem::path& path() const { return dir_.path(); }

 private:
  test_support::ScratchDir dir_;
  bool mounted_ = false;
  std::string error_;
};

// Writes up to `bytes` of zeros; stops quietly when the filesystem is full.
void WriteBallast(const std::filesystem::path& file, size_t bytes) {
  std::ofstream out(file, std::ios::binary);
  std::string chunk(64 * 1024, '\0');
  for (size_t written = 0; written < bytes && out; written += chunk.size()) {
    out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  }
}

TEST(SpoolDiskFull, FailsCleanlyAndResumesWhenSpaceReturns) {
  TinyFilesystem filesystem(16);
  if (!filesystem.mounted()) {
    GTEST_SKIP() << "cannot mount a tmpfs here (" << filesystem.error()
                 << "); this test needs root or CAP_SYS_ADMIN";
  }
  spool::SpoolOptions options;
  options.directory = filesystem.path() / "spool";
  options.source_id = 1;
  options.batch_size_events = 50;
  options.write_buffer_bytes = 1ULL << 20;
  options.compression = spool::Compression::kNone;  // fill the disk at a predictable pace
  std::filesystem::path ballast = filesystem.path() / "ballast";
  uint64_t t = 0;
  Status failure;
  {
    auto opened = spool::Spool::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    spool::Spool& spool = *opened;
    WriteBallast(ballast, 11ULL << 20);  // leaves a few MB for the spool

    for (; t < 100000; ++t) {
      auto result = spool.AppendTransaction(Transaction(t, 1000), TransactionStart(t + 1));
      if (!result.ok()) {
        failure = result.status();
        break;
      }
    }
    ASSERT_FALSE(failure.ok()) << "the filesystem never filled up";
    EXPECT_EQ(failure.code(), StatusCode::kIoError) << failure.message();
    EXPECT_NE(failure.message().find("spool"), std::string::npos) << failure.message();
    std::printf("disk full after %llu transactions: %s\n", static_cast<unsigned long long>(t),
                failure.message().c_str());

    // Still full. Recovery (reopening RocksDB) may free the WAL's preallocated space, so a
    // retry may succeed; either way it must not lose or duplicate anything (checked below).
    for (int more = 0; more < 20; ++more) {
      auto retry = spool.AppendTransaction(Transaction(t, 1000), TransactionStart(t + 1));
      if (!retry.ok()) {
        EXPECT_EQ(retry.status().code(), StatusCode::kIoError) << retry.status().message();
        continue;
      }
      ++t;
    }

    std::filesystem::remove(ballast);
    Result<spool::AppendResult> retry = Status::IoError("not tried");
    for (int attempt = 0; attempt < 3; ++attempt) {
      retry = spool.AppendTransaction(Transaction(t, 1000), TransactionStart(t + 1));
      if (retry.ok()) break;
    }
    ASSERT_TRUE(retry.ok()) << "after freeing space: " << retry.status().message();
    for (uint64_t end = t + 200; ++t < end;) {
      auto result = spool.AppendTransaction(Transaction(t, 1000), TransactionStart(t + 1));
      ASSERT_TRUE(result.ok()) << result.status().message();
    }
  }

  // Reopened, the stream is complete: every transaction once, in order.
  auto reopened = spool::Spool::Open(options);
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  EXPECT_EQ(*reopened->ResumePosition(), TransactionStart(t));
  auto cursor = reopened->ReadFrom(spool::EventKey{1, {}, 0});
  ASSERT_TRUE(cursor.ok());
  ChangeEvent event;
  uint64_t next_t = 0;
  uint32_t next_row = 0;
  while (*cursor->Next(&event)) {
    ASSERT_EQ(event, RowEvent(next_t, next_row, 1000)) << "transaction " << next_t;
    if (++next_row == TransactionRows(next_t)) {
      next_row = 0;
      ++next_t;
    }
  }
  EXPECT_EQ(next_t, t);
  EXPECT_EQ(next_row, 0U);
}

}  // namespace
}  // namespace chameleon::spool_test
