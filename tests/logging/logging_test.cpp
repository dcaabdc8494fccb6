// Logging honours every documented log_level and writes pg_chameleon's file names.
#include "logging/logging.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>

#include "support/scratch_dir.h"

namespace chameleon::logging {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string LogText(const Options& options, Level level) {
  Options copy = options;
  copy.level = level;
  EXPECT_TRUE(Setup(copy).ok());
  spdlog::debug("a debug line");
  spdlog::info("an info line");
  spdlog::warn("a warning line");
  spdlog::error("an error line");
  spdlog::critical("a critical line");
  std::filesystem::path file = CurrentFile();
  Shutdown();
  std::ifstream stream(file);
  std::ostringstream text;
  text << stream.rdbuf();
  std::filesystem::remove(file);
  return text.str();
}

TEST(Logging, EveryLevelIsHonoured) {
  test_support::ScratchDir dir;
  Options options;
  options.directory = dir.path();
  options.file_stem = FileStem("default", "mysql", "replay");
  options.process_name = "replay";
  std::string debug = LogText(options, Level::kDebug);
  EXPECT_THAT(debug, HasSubstr("a debug line"));
  std::string info = LogText(options, Level::kInfo);
  EXPECT_THAT(info, Not(HasSubstr("a debug line")));
  EXPECT_THAT(info, HasSubstr("replay info: an info line"));
  std::string warning = LogText(options, Level::kWarning);
  EXPECT_THAT(warning, Not(HasSubstr("an info line")));
  EXPECT_THAT(warning, HasSubstr("a warning line"));
  std::string error = LogText(options, Level::kError);
  EXPECT_THAT(error, Not(HasSubstr("a warning line")));
  EXPECT_THAT(error, HasSubstr("an error line"));
  std::string critical = LogText(options, Level::kCritical);
  EXPECT_THAT(critical, Not(HasSubstr("an error line")));
  EXPECT_THAT(critical, HasSubstr("a critical line"));
}

TEST(Logging, FilesAreNamedPerConfigSourceAndComponent) {
  EXPECT_EQ(FileStem("default", "mysql", ""), "default_mysql");
  EXPECT_EQ(FileStem("default", "mysql", "read"), "default_mysql_read");
  EXPECT_EQ(FileStem("prod", "", ""), "prod_general");
  test_support::ScratchDir dir;
  Options options;
  options.directory = dir.path() / "logs";
  options.file_stem = "default_mysql";
  ASSERT_TRUE(logging::Setup(options).ok());
  spdlog::info("hello");
  EXPECT_EQ(CurrentFile().parent_path(), dir.path() / "logs");
  EXPECT_THAT(CurrentFile().filename().string(), HasSubstr("default_mysql_"));
  Shutdown();
  EXPECT_TRUE(std::filesystem::exists(CurrentFile()));
}

TEST(Logging, AnUnwritableDirectoryIsAnError) {
  Options options;
  options.directory = "/proc/chameleon-cannot-write-here";
  options.file_stem = "x";
  Status status = logging::Setup(options);
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("/proc/chameleon-cannot-write-here"));
}

}  // namespace
}  // namespace chameleon::logging
