// The replication prerequisites add_source enforces, case by case (pure logic).
#include "mysql/server_checks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chameleon::mysql {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

ServerVariables Good() {
  ServerVariables variables;
  variables.log_bin = "ON";
  variables.binlog_format = "ROW";
  variables.binlog_row_image = "FULL";
  variables.binlog_row_metadata = "FULL";
  return variables;
}

TEST(EvaluatePrerequisites, AGoodServerPasses) {
  ServerCheck check = EvaluatePrerequisites(Good(), "u@h:3306");
  EXPECT_THAT(check.problems, IsEmpty());
  EXPECT_THAT(check.warnings, IsEmpty());
}

TEST(EvaluatePrerequisites, EachProblemIsOneLineNamingTheFix) {
  ServerVariables variables = Good();
  variables.log_bin = "OFF";
  variables.binlog_format = "MIXED";
  variables.binlog_row_image = "MINIMAL";
  ServerCheck check = EvaluatePrerequisites(variables, "u@h:3306");
  EXPECT_THAT(check.problems,
              ElementsAre(HasSubstr("MySQL u@h:3306: log_bin is OFF; start the server with "
                                    "--log-bin"),
                          HasSubstr("binlog_format is MIXED; set binlog_format=ROW"),
                          HasSubstr("binlog_row_image is MINIMAL; set binlog_row_image=FULL")));
  for (const auto& problem : check.problems)
    EXPECT_EQ(problem.find('\n'), std::string::npos);
}

TEST(EvaluatePrerequisites, MySql55HasNoRowImageAndThatIsFine) {
  ServerVariables variables = Good();
  variables.binlog_row_image.reset();
  variables.binlog_row_metadata.reset();
  EXPECT_THAT(EvaluatePrerequisites(variables, "s").problems, IsEmpty());
}

TEST(EvaluatePrerequisites, AuroraSkipsTheLogBinCheck) {
  ServerVariables variables = Good();
  variables.log_bin = "OFF";
  variables.is_aurora = true;
  EXPECT_THAT(EvaluatePrerequisites(variables, "s").problems, IsEmpty());
}

TEST(EvaluatePrerequisites, MinimalRowMetadataIsAWarning) {
  ServerVariables variables = Good();
  variables.binlog_row_metadata = "MINIMAL";
  ServerCheck check = EvaluatePrerequisites(variables, "s");
  EXPECT_THAT(check.problems, IsEmpty());
  EXPECT_THAT(check.warnings, ElementsAre(HasSubstr("binlog_row_metadata is MINIMAL")));
}

TEST(EvaluatePrerequisites, ValuesAreCaseInsensitive) {
  ServerVariables variables = Good();
  variables.log_bin = "on";
  variables.binlog_format = "row";
  EXPECT_THAT(EvaluatePrerequisites(variables, "s").problems, IsEmpty());
}

}  // namespace
}  // namespace chameleon::mysql
