// Turns the embedded sql/catalogue files into ordered migrations; see migrations.h.
#include "catalogue/migrations.h"

#include <algorithm>
#include <cstdlib>

#include "catalogue/embedded_sql.h"
#include "common/strings.h"

namespace chameleon::catalogue {
namespace {

std::string FirstCommentLine(std::string_view sql) {
  std::string line(sql.substr(0, sql.find('\n')));
  if (StartsWith(line, "--")) line = line.substr(2);
  return Trim(line);
}

std::vector<Migration> Load() {
  std::vector<Migration> migrations;
  for (const auto& file : embedded::EmbeddedFiles()) {
    Migration migration;
    migration.version = std::atoi(std::string(file.name.substr(0, 4)).c_str());
    migration.description = FirstCommentLine(file.contents);
    migration.sql = std::string(file.contents);
    migrations.push_back(std::move(migration));
  }
  std::sort(migrations.begin(), migrations.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (size_t index = 0; index < migrations.size(); ++index) {
    // A gap or a duplicate is a packaging bug caught by the unit tests; never ship it.
    if (migrations[index].version != static_cast<int>(index) + 1) {
      std::abort();
    }
  }
  return migrations;
}

}  // namespace

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> migrations = Load();
  return migrations;
}

int LatestVersion() {
  return static_cast<int>(Migrations().size());
}

}  // namespace chameleon::catalogue
