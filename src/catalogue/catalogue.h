// The sch_chameleon catalogue as a whole: does it exist, whose is it, which version;
// create, drop and upgrade it. Every change runs in one transaction under an advisory lock,
// so two commands never migrate at once and a failure leaves the catalogue as it was.
#pragma once

#include <string>

#include "common/status.h"
#include "pg/connection.h"

namespace chameleon::catalogue {

inline constexpr const char* kSchemaName = "sch_chameleon";

enum class CatalogueKind {
  kAbsent,     // no sch_chameleon schema
  kChameleon,  // ours, with a version
  kForeign,    // sch_chameleon exists but was not made by chameleon (pg_chameleon's, say)
};

struct CatalogueState {
  CatalogueKind kind = CatalogueKind::kAbsent;
  int version = 0;              // kChameleon
  std::string foreign_version;  // kForeign: v_version's text when there is one
};

struct UpgradeOutcome {
  int from_version = 0;
  int to_version = 0;
};

// Works on `connection`, which must outlive the Catalogue.
class Catalogue {
 public:
  explicit Catalogue(pg::Connection& connection) : connection_(connection) {}

  Result<CatalogueState> State();

  // OK when the catalogue exists, is ours and is at LatestVersion(); otherwise a one-line
  // Status saying which command fixes it.
  Status RequireCurrent(const std::string& config_name);

  // Creates the catalogue; false (and no change) when it is already there and current.
  Result<bool> Create();

  // Applies migrations 1..version to an absent catalogue (Create() uses the latest;
  // tests build older catalogues with it).
  Status CreateAtVersion(int version);

  Status Drop();

  // Applies the missing migrations. Refused while a source is running, initialising or
  // syncing, with the sources named.
  Result<UpgradeOutcome> Upgrade();

 private:
  Status ApplyMigrations(int from_version, int to_version);

  pg::Connection& connection_;
};

}  // namespace chameleon::catalogue
