// A crash leaves a report: the signal, the command that ran, and a symbolised stack trace,
// on stderr and in the log file.
#include "logging/crash_handler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "support/scratch_dir.h"

namespace chameleon::logging {
namespace {

volatile int g_after_crash = 0;
// The store after the call keeps -O3 from turning it into a tail call that would leave this
// frame out of the trace.
[[gnu::noinline]] void CrashInsideAWellNamedFunction() {
  std::raise(SIGSEGV);
  g_after_crash = 1;
}

TEST(CrashHandlerDeathTest, AFatalSignalPrintsTheContextAndAStackTrace) {
  test_support::ScratchDir dir;
  std::filesystem::path log = dir.path() / "crash.log";
  EXPECT_EXIT(
      {
        InstallCrashHandler("chameleon start_replica --config default --source mysql");
        SetCrashLogFile(log);
        CrashInsideAWellNamedFunction();
      },
      ::testing::KilledBySignal(SIGSEGV),
      "chameleon crashed: signal 11 \\(SEGV\\).*in: chameleon start_replica --config "
      "default --source mysql.*CrashInsideAWellNamedFunction");
  std::ifstream stream(log);
  std::ostringstream text;
  text << stream.rdbuf();
  EXPECT_THAT(text.str(), ::testing::HasSubstr("CrashInsideAWellNamedFunction"));
}

[[gnu::noinline]] void Throw() {
  throw std::runtime_error("something impossible");
}
// An exception leaving a noexcept function ends in std::terminate, as one leaving a thread.
[[gnu::noinline]] void ThrowThroughNoexcept() noexcept {
  Throw();
}

TEST(CrashHandlerDeathTest, AnUncaughtExceptionIsReported) {
  EXPECT_DEATH(
      {
        InstallCrashHandler("chameleon init_replica");
        ThrowThroughNoexcept();
      },
      "uncaught exception: something impossible.*in: chameleon init_replica");
}

}  // namespace
}  // namespace chameleon::logging
