// The ordered catalogue migrations. Version N is the catalogue after migrations 1..N;
// create_replica_schema applies them all, upgrade_replica_schema the missing ones.
#pragma once

#include <string>
#include <vector>

namespace chameleon::catalogue {

struct Migration {
  int version = 0;
  std::string description;  // the first comment line of the file
  std::string sql;
};

// All migrations, sorted by version (1, 2, ...), without gaps.
const std::vector<Migration>& Migrations();

// The version this binary creates and expects.
int LatestVersion();

}  // namespace chameleon::catalogue
