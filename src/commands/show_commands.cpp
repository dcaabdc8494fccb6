// show_status, show_errors, show_sources, show_config: what the catalogue and the
// configuration say, as pg_chameleon's tables or as JSON (--json).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "catalogue/status_report.h"
#include "commands/handlers.h"
#include "commands/steps.h"
#include "common/strings.h"
#include "common/text_table.h"
#include "notify/notification.h"

namespace chameleon::commands {
namespace {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

std::string ListText(const std::vector<std::string>& items) {
  return items.empty() ? "" : Join(items, ", ");
}

KeyValues SourceSettings(const config::Source& source) {
  std::vector<std::string> mappings;
  for (const auto& [origin, destination] : source.schema_mappings) {
    mappings.push_back(origin + ": " + destination);
  }
  KeyValues settings = {
      {"type", config::Name(source.type)},
      {"schema_mappings", ListText(mappings)},
      {"limit_tables", ListText(source.limit_tables)},
      {"skip_tables", ListText(source.skip_tables)},
      {"grant_select_to", ListText(source.grant_select_to)},
      {"lock_timeout", source.lock_timeout},
      {"my_server_id", std::to_string(source.my_server_id)},
      {"replica_batch_size", std::to_string(source.replica_batch_size)},
      {"replay_max_rows", std::to_string(source.replay_max_rows)},
      {"batch_retention", source.batch_retention},
      {"copy_max_memory", std::to_string(source.copy_max_memory_bytes)},
      {"copy_mode", config::Name(source.copy_mode)},
      {"out_dir", source.out_dir.string()},
      {"sleep_loop", std::to_string(source.sleep_loop_seconds)},
      {"on_error_replay", config::Name(source.on_error_replay)},
      {"on_error_read", config::Name(source.on_error_read)},
      {"auto_maintenance", source.auto_maintenance},
      {"gtid_enable", source.gtid_enable ? "true" : "false"},
      {"skip_events.insert", ListText(source.skip_events.insert)},
      {"skip_events.update", ListText(source.skip_events.update)},
      {"skip_events.delete", ListText(source.skip_events.delete_)},
      {"keep_existing_schema", source.keep_existing_schema ? "true" : "false"},
      {"net_read_timeout", std::to_string(source.net_read_timeout_seconds)},
      {"spool_dir", source.spool_dir.string()},
      {"copy_workers", std::to_string(source.copy_workers)},
      {"db_conn.host", source.db_conn.host},
      {"db_conn.port", std::to_string(source.db_conn.port)},
      {"db_conn.user", source.db_conn.user},
      {"db_conn.password", fmt::format("{}", source.db_conn.password)},
      {"db_conn.charset", source.db_conn.charset},
      {"db_conn.connect_timeout", std::to_string(source.db_conn.connect_timeout_seconds)},
  };
  if (source.type == config::SourceType::kPgsql) {
    settings.emplace_back("db_conn.database", source.db_conn.database);
  }
  return settings;
}

void PrintSources(Context& context, const config::Config& config, const config::Source* only) {
  for (const auto& source : config.sources) {
    if (only != nullptr && only != &source) continue;
    context.out() << "== Source " << source.name << " ==\n"
                  << RenderKeyValues(SourceSettings(source)) << "\n";
  }
}

nlohmann::json Optional(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json Optional(const std::optional<uint64_t>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json StatusJson(const catalogue::SourceStatus& status) {
  return {{"id", status.id},
          {"name", status.name},
          {"type", status.type},
          {"status", status.shown_status},
          {"catalogue_status", status.status},
          {"status_reason", status.status_reason},
          {"consistent", status.consistent},
          {"read_lag_seconds", Optional(status.read_lag_seconds)},
          {"last_read", status.last_read},
          {"replay_lag_seconds", Optional(status.replay_lag_seconds)},
          {"last_replay", status.last_replay},
          {"last_replayed_at", status.last_replayed_at},
          {"last_received", status.last_received},
          {"caught_up_at", status.caught_up_at},
          {"read_position", status.read_position},
          {"batches_waiting", Optional(status.batches_waiting)},
          {"spool_bytes", Optional(status.spool_bytes)},
          {"events_read", Optional(status.events_read)},
          {"figures_as_of", status.figures_as_of},
          {"figures_stale", status.figures_stale}};
}

// A figure of the daemon's last report: "(stale)" when it is not live.
std::string Figure(const catalogue::SourceStatus& status, std::string text) {
  if (status.figures_stale && text != "N/A") text += " (stale)";
  return text;
}

std::string CountText(const std::optional<uint64_t>& count) {
  return count ? std::to_string(*count) : "N/A";
}

std::string OrNotAvailable(const std::string& text) {
  return text.empty() ? "N/A" : text;
}

void PrintProgress(Context& context, const catalogue::SourceStatus& status) {
  std::string as_of = OrNotAvailable(status.figures_as_of);
  if (status.figures_stale) as_of += " (stale: not live)";
  context.out() << "\n== Replica progress ==\n"
                << RenderKeyValues({
                       {"Read lag", Figure(status, catalogue::FormatLag(status.read_lag_seconds))},
                       {"Replay lag",
                        Figure(status, catalogue::FormatLag(status.replay_lag_seconds))},
                       {"Last event read", OrNotAvailable(status.last_read)},
                       {"Last received", OrNotAvailable(status.last_received)},
                       {"Caught up at", OrNotAvailable(status.caught_up_at)},
                       {"Read position", OrNotAvailable(status.read_position)},
                       {"Events read", CountText(status.events_read)},
                       {"Last event replayed", OrNotAvailable(status.last_replay)},
                       {"Replayed at", OrNotAvailable(status.last_replayed_at)},
                       {"Batches waiting", Figure(status, CountText(status.batches_waiting))},
                       {"Spool size", Figure(status, catalogue::FormatBytes(status.spool_bytes))},
                       {"Figures as of", as_of},
                   });
}

nlohmann::json DetailJson(const catalogue::SourceDetail& detail) {
  nlohmann::json mappings = nlohmann::json::object();
  for (const auto& [origin, destination] : detail.schema_mappings)
    mappings[origin] = destination;
  nlohmann::json disabled = nlohmann::json::array();
  for (const auto& table : detail.disabled_tables) {
    disabled.push_back(
        {{"schema", table.schema}, {"table", table.table}, {"reason", table.reason}});
  }
  return {{"schema_mappings", mappings},
          {"tables_replicated", detail.tables_replicated},
          {"tables_not_replicated", detail.tables_not_replicated},
          {"tables_all", detail.tables_all},
          {"last_maintenance", detail.last_maintenance},
          {"next_maintenance", detail.next_maintenance},
          {"replayed_rows", detail.replayed_rows},
          {"replayed_ddl", detail.replayed_ddl},
          {"skipped_rows", detail.skipped_rows},
          {"tables_disabled", disabled}};
}

void PrintDetail(Context& context, const catalogue::SourceDetail& detail) {
  TextTable mappings({"Origin schema", "Destination schema"});
  for (const auto& [origin, destination] : detail.schema_mappings) {
    mappings.AddRow({origin, destination});
  }
  context.out() << "\n== Schema mappings ==\n" << mappings.Render();
  context.out() << "\n== Replica status ==\n"
                << RenderKeyValues({
                       {"Tables not replicated", std::to_string(detail.tables_not_replicated)},
                       {"Tables replicated", std::to_string(detail.tables_replicated)},
                       {"All tables", std::to_string(detail.tables_all)},
                       {"Last maintenance",
                        detail.last_maintenance.empty() ? "N/A" : detail.last_maintenance},
                       {"Next maintenance", detail.next_maintenance},
                       {"Replayed rows", std::to_string(detail.replayed_rows)},
                       {"Replayed DDL", std::to_string(detail.replayed_ddl)},
                       {"Skipped rows", std::to_string(detail.skipped_rows)},
                   });
  if (!detail.disabled_tables.empty()) {
    TextTable disabled({"Schema", "Table", "Reason"});
    for (const auto& table : detail.disabled_tables) {
      disabled.AddRow({table.schema, table.table, table.reason});
    }
    context.out() << "\n== Tables with replica disabled ==\n" << disabled.Render();
  }
}

// --source S: the one registered source to show (nullopt: all of them, also for `*`).
Result<std::optional<std::string>> OnlySource(Context& context, pg::Connection& connection) {
  const std::optional<std::string>& source = context.options().source;
  if (!source || *source == "*") return std::optional<std::string>();
  RETURN_IF_ERROR(RequireRegistered(context, connection, *source).status());
  return source;
}

}  // namespace

int ShowStatus(Context& context) {
  auto config = context.Config();
  if (!config.ok()) return context.Fail(config.status());
  context.OpenLog("");
  auto connection = ConnectToCurrentCatalogue(context);
  if (!connection.ok()) return context.Fail(connection.status());
  auto only = OnlySource(context, *connection);
  if (!only.ok()) return context.Fail(only.status());
  auto statuses = QueryStatuses(context, *connection, *only);
  if (!statuses.ok()) return context.Fail(statuses.status());
  std::optional<catalogue::SourceDetail> detail;
  if (*only) {
    const config::Source* source = (*config)->FindSource(**only);
    auto loaded = catalogue::QuerySourceDetail(*connection, statuses->front().id,
                                               source ? source->auto_maintenance : "disabled");
    if (!loaded.ok()) return context.Fail(loaded.status());
    detail = std::move(*loaded);
  }
  if (context.options().json) {
    nlohmann::json sources = nlohmann::json::array();
    for (const auto& status : *statuses) {
      nlohmann::json entry = StatusJson(status);
      if (detail) entry["detail"] = DetailJson(*detail);
      sources.push_back(entry);
    }
    context.out() << nlohmann::json{{"sources", sources}}.dump(2) << "\n";
    return kExitOk;
  }
  TextTable table({"Source id", "Source name", "Type", "Status", "Consistent", "Read lag",
                   "Last read", "Replay lag", "Last replay", "Batches waiting", "Spool size"});
  for (const auto& status : *statuses) {
    table.AddRow({std::to_string(status.id), status.name, status.type, status.shown_status,
                  status.consistent ? "Yes" : "No",
                  Figure(status, catalogue::FormatLag(status.read_lag_seconds)), status.last_read,
                  Figure(status, catalogue::FormatLag(status.replay_lag_seconds)),
                  status.last_replay, Figure(status, CountText(status.batches_waiting)),
                  Figure(status, catalogue::FormatBytes(status.spool_bytes))});
  }
  context.out() << table.Render();
  for (const auto& status : *statuses) {
    if (!status.figures_stale) continue;
    context.out() << fmt::format(
        "\n{}: {}: the lag and spool figures are as of its daemon's last report at {} UTC, "
        "not live (stale).\n",
        status.name, status.shown_status, status.figures_as_of);
  }
  for (const auto& status : *statuses) {
    if (status.shown_status == "dead") {
      std::string why = status.daemon_registered
                            ? fmt::format("its daemon has not reported for over {} s",
                                          catalogue::kHeartbeatTimeoutSeconds)
                            : "no process holds its pid file";
      context.out() << fmt::format(
          "\n{}: the catalogue says {}, but {}: it is not running. Reset it with `chameleon "
          "enable_replica --config {} --source {}`.\n",
          status.name, status.status, why, context.options().config, status.name);
    } else if (!status.status_reason.empty()) {
      context.out() << fmt::format("\n{}: {}: {}\n", status.name, status.status,
                                   status.status_reason);
    }
  }
  if (detail) {
    PrintDetail(context, *detail);
    PrintProgress(context, statuses->front());
  }
  return kExitOk;
}

int ShowErrors(Context& context) {
  if (auto config = context.Config(); !config.ok()) return context.Fail(config.status());
  context.OpenLog("");
  auto connection = ConnectToCurrentCatalogue(context);
  if (!connection.ok()) return context.Fail(connection.status());
  auto only = OnlySource(context, *connection);
  if (!only.ok()) return context.Fail(only.status());
  auto errors = catalogue::QueryErrors(*connection, *only, context.options().logid);
  if (!errors.ok()) return context.Fail(errors.status());
  if (context.options().json) {
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& error : *errors) {
      entries.push_back(
          {{"log_id", error.id},
           {"source", error.source},
           {"batch_id", error.batch_id ? nlohmann::json(*error.batch_id) : nullptr},
           {"table", error.table},
           {"schema", error.schema},
           {"timestamp", error.timestamp},
           {"sql", error.sql},
           {"message", error.message},
           {"binlog_name", error.binlog_name},
           {"binlog_position",
            error.binlog_position ? nlohmann::json(*error.binlog_position) : nullptr}});
    }
    context.out() << nlohmann::json{{"errors", entries}}.dump(2) << "\n";
    return kExitOk;
  }
  if (context.options().logid) {
    if (errors->empty()) {
      return context.Fail(
          fmt::format("there is no error with log id {}", *context.options().logid));
    }
    const auto& error = errors->front();
    context.out() << RenderKeyValues({
        {"Log id", std::to_string(error.id)},
        {"Source name", error.source},
        {"ID Batch", error.batch_id ? std::to_string(*error.batch_id) : ""},
        {"Table", error.table},
        {"Schema", error.schema},
        {"Error timestamp", error.timestamp},
        {"Binlog position", error.binlog_position
                                ? fmt::format("{}:{}", error.binlog_name, *error.binlog_position)
                                : ""},
        {"SQL executed", error.sql},
        {"Error message", error.message},
    });
    return kExitOk;
  }
  if (errors->empty()) {
    context.out() << "There are no errors in the log\n";
    return kExitOk;
  }
  TextTable table({"Log id", "Source name", "ID Batch", "Table", "Schema", "Error timestamp"});
  for (const auto& error : *errors) {
    table.AddRow({std::to_string(error.id), error.source,
                  error.batch_id ? std::to_string(*error.batch_id) : "", error.table, error.schema,
                  error.timestamp});
  }
  context.out() << table.Render();
  return kExitOk;
}

int ShowSources(Context& context) {
  auto config = context.Config();
  if (!config.ok()) return context.Fail(config.status());
  auto source = context.Source(false);
  if (!source.ok()) return context.Fail(source.status());
  if ((*config)->sources.empty()) {
    context.out() << "There are no sources in " << (*config)->file.string() << "\n";
    return kExitOk;
  }
  PrintSources(context, **config, *source);
  return kExitOk;
}

int ShowConfig(Context& context) {
  auto loaded = context.Config();
  if (!loaded.ok()) return context.Fail(loaded.status());
  const config::Config& config = **loaded;
  context.out()
      << "== Configuration " << config.file.string() << " ==\n"
      << RenderKeyValues({
             {"pid_dir", config.pid_dir.string()},
             {"log_dir", config.log_dir.string()},
             {"log_dest", config::Name(config.log_dest)},
             {"log_level", config::Name(config.log_level)},
             {"log_days_keep", std::to_string(config.log_days_keep)},
             {"rollbar_key", config.rollbar_key.empty() ? "" : Secret::kMask},
             {"rollbar_env", config.rollbar_env},
             {"rollbar_endpoint", config.rollbar_endpoint},
             {"alert_webhook_url",
              config.alert_webhook_url.empty()
                  ? ""
                  : notify::UrlOrigin(config.alert_webhook_url.reveal()) + "/" + Secret::kMask},
             {"alert_webhook_level", config::Name(config.alert_webhook_level)},
             {"spool_dir", config.spool_dir.string()},
             {"metrics_port",
              config.metrics_port == 0 ? "disabled" : std::to_string(config.metrics_port)},
             {"metrics_address", config.metrics_address},
         })
      << "\n== pg_conn ==\n"
      << RenderKeyValues({
             {"host", config.pg_conn.host},
             {"port", std::to_string(config.pg_conn.port)},
             {"user", config.pg_conn.user},
             {"password", fmt::format("{}", config.pg_conn.password)},
             {"database", config.pg_conn.database},
             {"charset", config.pg_conn.charset},
             {"connect_timeout", std::to_string(config.pg_conn.connect_timeout_seconds)},
             {"sslmode", config.pg_conn.sslmode},
         });
  if (!config.type_override.empty()) {
    TextTable overrides({"Column type", "Override to", "Tables"});
    for (const auto& item : config.type_override) {
      overrides.AddRow({item.mysql_column_type, item.override_to, ListText(item.override_tables)});
    }
    context.out() << "\n== type_override ==\n" << overrides.Render();
  }
  if (!config.fillfactor.empty()) {
    TextTable fillfactors({"Fillfactor", "Tables"});
    for (const auto& item : config.fillfactor) {
      fillfactors.AddRow({std::to_string(item.fillfactor), ListText(item.tables)});
    }
    context.out() << "\n== fillfactor ==\n" << fillfactors.Render();
  }
  context.out() << "\n";
  PrintSources(context, config, nullptr);
  return kExitOk;
}

}  // namespace chameleon::commands
