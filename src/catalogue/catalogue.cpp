// Catalogue lifecycle; see catalogue.h.
#include "catalogue/catalogue.h"

#include <fmt/format.h>

#include "catalogue/migrations.h"
#include "common/strings.h"
#include "common/version.h"

namespace chameleon::catalogue {
namespace {

// pg_advisory_xact_lock key for catalogue migrations ("chameleo" in ASCII).
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(7162431628045495919)";

std::string ForeignMessage(const CatalogueState& state) {
  std::string version =
      state.foreign_version.empty() ? "" : " (catalogue version " + state.foreign_version + ")";
  return "sch_chameleon in this database was not created by chameleon" + version +
         "; it looks like pg_chameleon's. chameleon cannot use or upgrade it: stop pg_chameleon, "
         "then drop it with `chameleon drop_replica_schema`, or point pg_conn at another database";
}

}  // namespace

Result<CatalogueState> Catalogue::State() {
  ASSIGN_OR_RETURN(
      pg::Rows rows,
      connection_.Query("SELECT "
                        " to_regnamespace('sch_chameleon') IS NOT NULL,"
                        " to_regclass('sch_chameleon.t_catalogue_version') IS NOT NULL,"
                        " to_regclass('sch_chameleon.v_version') IS NOT NULL"));
  CatalogueState state;
  if (!rows.Bool(0, 0)) return state;
  if (!rows.Bool(0, 1)) {
    state.kind = CatalogueKind::kForeign;
    if (rows.Bool(0, 2)) {
      ASSIGN_OR_RETURN(auto version, connection_.QueryValue(
                                         "SELECT t_version::text FROM sch_chameleon.v_version"));
      state.foreign_version = version.value_or("");
    }
    return state;
  }
  ASSIGN_OR_RETURN(
      auto version,
      connection_.QueryValue("SELECT max(i_version) FROM sch_chameleon.t_catalogue_version"));
  state.kind = CatalogueKind::kChameleon;
  state.version = version ? std::atoi(version->c_str()) : 0;
  return state;
}

Status Catalogue::RequireCurrent(const std::string& config_name) {
  ASSIGN_OR_RETURN(CatalogueState state, State());
  switch (state.kind) {
    case CatalogueKind::kAbsent:
      return Status::FailedPrecondition(
          fmt::format("the replica catalogue sch_chameleon does not exist in {}; create it with "
                      "`chameleon create_replica_schema --config {}`",
                      connection_.description(), config_name));
    case CatalogueKind::kForeign:
      return Status::FailedPrecondition(ForeignMessage(state));
    case CatalogueKind::kChameleon:
      break;
  }
  if (state.version < LatestVersion()) {
    return Status::FailedPrecondition(
        fmt::format("replica catalogue version mismatch: expected {}, found {}; run "
                    "`chameleon upgrade_replica_schema --config {}`",
                    LatestVersion(), state.version, config_name));
  }
  if (state.version > LatestVersion()) {
    return Status::FailedPrecondition(fmt::format(
        "the replica catalogue is version {}, newer than this chameleon ({}): install the "
        "chameleon release that upgraded it",
        state.version, LatestVersion()));
  }
  return Status::Ok();
}

Status Catalogue::ApplyMigrations(int from_version, int to_version) {
  for (const Migration& migration : Migrations()) {
    if (migration.version <= from_version || migration.version > to_version) continue;
    RETURN_IF_ERROR(connection_.Execute(migration.sql)
                        .WithContext(fmt::format("catalogue migration {}", migration.version)));
    ASSIGN_OR_RETURN(auto ignored,
                     connection_.Query("INSERT INTO sch_chameleon.t_catalogue_version "
                                       "(i_version, t_description, t_chameleon_version) "
                                       "VALUES ($1, $2, $3)",
                                       {std::to_string(migration.version), migration.description,
                                        std::string(CHAMELEON_VERSION)}));
    (void)ignored;
  }
  return Status::Ok();
}

Status Catalogue::CreateAtVersion(int version) {
  if (version < 1 || version > LatestVersion()) {
    return Status::InvalidArgument(
        fmt::format("catalogue version {} does not exist (1 to {})", version, LatestVersion()));
  }
  return connection_.InTransaction([&]() -> Status {
    RETURN_IF_ERROR(connection_.Execute(kMigrationLock));
    ASSIGN_OR_RETURN(CatalogueState state, State());
    if (state.kind != CatalogueKind::kAbsent) {
      return Status::AlreadyExists("sch_chameleon already exists");
    }
    return ApplyMigrations(0, version);
  });
}

Result<bool> Catalogue::Create() {
  ASSIGN_OR_RETURN(CatalogueState state, State());
  if (state.kind == CatalogueKind::kForeign)
    return Status::FailedPrecondition(ForeignMessage(state));
  if (state.kind == CatalogueKind::kChameleon) {
    if (state.version < LatestVersion()) {
      return Status::FailedPrecondition(
          fmt::format("sch_chameleon already exists at version {} (this chameleon uses {}); run "
                      "upgrade_replica_schema",
                      state.version, LatestVersion()));
    }
    return false;
  }
  Status status = CreateAtVersion(LatestVersion());
  // Another command created it between our check and our lock: that is success too.
  if (status.code() == StatusCode::kAlreadyExists) return false;
  RETURN_IF_ERROR(status);
  return true;
}

Status Catalogue::Drop() {
  return connection_.InTransaction([&]() -> Status {
    RETURN_IF_ERROR(connection_.Execute(kMigrationLock));
    return connection_.Execute("DROP SCHEMA IF EXISTS sch_chameleon CASCADE");
  });
}

Result<UpgradeOutcome> Catalogue::Upgrade() {
  UpgradeOutcome outcome;
  Status status = connection_.InTransaction([&]() -> Status {
    RETURN_IF_ERROR(connection_.Execute(kMigrationLock));
    ASSIGN_OR_RETURN(CatalogueState state, State());
    if (state.kind == CatalogueKind::kAbsent) {
      return Status::FailedPrecondition(
          "there is no replica catalogue to upgrade; create it with create_replica_schema");
    }
    if (state.kind == CatalogueKind::kForeign)
      return Status::FailedPrecondition(ForeignMessage(state));
    outcome.from_version = state.version;
    outcome.to_version = state.version;
    if (state.version > LatestVersion()) {
      return Status::FailedPrecondition(
          fmt::format("the replica catalogue is version {}, newer than this chameleon ({})",
                      state.version, LatestVersion()));
    }
    if (state.version == LatestVersion()) return Status::Ok();
    ASSIGN_OR_RETURN(
        pg::Rows busy,
        connection_.Query("SELECT t_source, enm_status::text FROM sch_chameleon.t_sources "
                          "WHERE enm_status IN ('running', 'initialising', 'syncing') "
                          "ORDER BY t_source"));
    if (!busy.empty()) {
      std::vector<std::string> names;
      names.reserve(static_cast<size_t>(busy.size()));
      for (int row = 0; row < busy.size(); ++row) {
        names.push_back(fmt::format("{} ({})", busy.Text(row, 0), busy.Text(row, 1)));
      }
      return Status::FailedPrecondition(
          "cannot upgrade the catalogue while replicas run: " + Join(names, ", ") +
          "; stop them with stop_replica (or stop_all_replicas) and run upgrade_replica_schema "
          "again");
    }
    RETURN_IF_ERROR(ApplyMigrations(state.version, LatestVersion()));
    outcome.to_version = LatestVersion();
    return Status::Ok();
  });
  RETURN_IF_ERROR(status);
  return outcome;
}

}  // namespace chameleon::catalogue
