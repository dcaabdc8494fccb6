// spool inspect: views and renderings; see inspect.h.
#include "spool/inspect.h"

#include <nlohmann/json.hpp>

#include "common/text_table.h"
#include "spool/format.h"
#include "spool/spool.h"

namespace chameleon::spool {
namespace {

Result<Spool> OpenForInspection(const std::filesystem::path& directory) {
  SpoolOptions options;
  options.directory = directory;
  options.read_only = true;
  return Spool::Open(options);
}

nlohmann::json PositionJson(const BinlogPosition& position) {
  return {{"file_number", position.file_number}, {"position", position.position}};
}

}  // namespace

Result<std::vector<BatchView>> InspectBatches(const std::filesystem::path& spool_directory) {
  ASSIGN_OR_RETURN(Spool spool, OpenForInspection(spool_directory));
  std::vector<BatchView> views;
  for (const BatchInfo& batch : spool.Batches()) {
    views.push_back(BatchView{batch.id, BatchStateName(batch.state), batch.first_key.position,
                              batch.last_key.position, batch.event_count, batch.payload_bytes});
  }
  return views;
}

Result<std::vector<EventView>> InspectEvents(const std::filesystem::path& spool_directory,
                                             std::optional<BinlogPosition> from, size_t limit) {
  ASSIGN_OR_RETURN(Spool spool, OpenForInspection(spool_directory));
  EventKey start{spool.source_id(), from.value_or(BinlogPosition{}), 0};
  ASSIGN_OR_RETURN(EventCursor cursor, spool.ReadFrom(start));
  std::vector<EventView> views;
  ChangeEvent event;
  while (views.size() < limit) {
    ASSIGN_OR_RETURN(bool found, cursor.Next(&event));
    if (!found) break;
    views.push_back(
        EventView{event.position, event.sequence, cursor.last_value_bytes(), DescribeEvent(event)});
  }
  return views;
}

Result<StatsView> InspectStats(const std::filesystem::path& spool_directory) {
  ASSIGN_OR_RETURN(Spool spool, OpenForInspection(spool_directory));
  StatsView stats;
  stats.directory = spool_directory.string();
  stats.format_version = format::kSpoolFormatVersion;
  stats.source_id = spool.source_id();
  stats.disk_bytes = spool.DiskUsageBytes();
  stats.resume = spool.ResumePosition();
  stats.last_replayed_batch = spool.Summary().last_replayed_batch_id;
  for (const BatchInfo& batch : spool.Batches()) {
    (batch.state == BatchState::kOpen ? stats.open_batches : stats.closed_batches) += 1;
    stats.pending_events += batch.event_count;
    stats.pending_bytes += batch.payload_bytes;
  }
  return stats;
}

std::string RenderBatchesText(const std::vector<BatchView>& batches) {
  if (batches.empty()) return "No batches in the spool.\n";
  TextTable table({"Batch id", "State", "First position", "Last position", "Events", "Bytes"});
  for (const BatchView& batch : batches) {
    table.AddRow({std::to_string(batch.id), batch.state, ToString(batch.first),
                  ToString(batch.last), std::to_string(batch.events), std::to_string(batch.bytes)});
  }
  return table.Render();
}

std::string RenderBatchesJson(const std::vector<BatchView>& batches) {
  nlohmann::json list = nlohmann::json::array();
  for (const BatchView& batch : batches) {
    list.push_back({{"id", batch.id},
                    {"state", batch.state},
                    {"first", PositionJson(batch.first)},
                    {"last", PositionJson(batch.last)},
                    {"events", batch.events},
                    {"bytes", batch.bytes}});
  }
  return list.dump(2) + "\n";
}

std::string RenderEventsText(const std::vector<EventView>& events) {
  std::string text;
  for (const EventView& event : events)
    text += event.text + "\n";
  return text.empty() ? "No events.\n" : text;
}

std::string RenderEventsJson(const std::vector<EventView>& events) {
  nlohmann::json list = nlohmann::json::array();
  for (const EventView& event : events) {
    // Values may hold raw bytes; DescribeEvent prints them as x'..', so the text is UTF-8
    // unless a string column held invalid UTF-8, which dump() replaces rather than throws.
    list.push_back({{"position", PositionJson(event.position)},
                    {"sequence", event.sequence},
                    {"bytes", event.bytes},
                    {"text", event.text}});
  }
  return list.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string RenderStatsText(const StatsView& stats) {
  return RenderKeyValues({{"directory", stats.directory},
                          {"format version", std::to_string(stats.format_version)},
                          {"source id", std::to_string(stats.source_id)},
                          {"disk bytes", std::to_string(stats.disk_bytes)},
                          {"resume position", stats.resume ? ToString(*stats.resume) : "none"},
                          {"open batches", std::to_string(stats.open_batches)},
                          {"closed batches", std::to_string(stats.closed_batches)},
                          {"pending events", std::to_string(stats.pending_events)},
                          {"pending bytes", std::to_string(stats.pending_bytes)},
                          {"last replayed batch", std::to_string(stats.last_replayed_batch)}});
}

std::string RenderStatsJson(const StatsView& stats) {
  nlohmann::json json = {{"directory", stats.directory},
                         {"format_version", stats.format_version},
                         {"source_id", stats.source_id},
                         {"disk_bytes", stats.disk_bytes},
                         {"resume", stats.resume ? PositionJson(*stats.resume) : nullptr},
                         {"open_batches", stats.open_batches},
                         {"closed_batches", stats.closed_batches},
                         {"pending_events", stats.pending_events},
                         {"pending_bytes", stats.pending_bytes},
                         {"last_replayed_batch", stats.last_replayed_batch}};
  return json.dump(2) + "\n";
}

}  // namespace chameleon::spool
