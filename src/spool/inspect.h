// `chameleon spool inspect`: read-only views of a source's spool as plain structs, and their
// text and JSON renderings. Opens the spool read-only, so it is safe beside a running replica.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "event/binlog_position.h"
#include "spool/batch.h"

namespace chameleon::spool {

struct BatchView {
  uint64_t id = 0;
  std::string state;  // open, closed
  BinlogPosition first;
  BinlogPosition last;
  uint64_t events = 0;
  uint64_t bytes = 0;  // encoded event values
};

struct EventView {
  BinlogPosition position;
  uint32_t sequence = 0;
  uint64_t bytes = 0;  // encoded value size
  std::string text;    // DescribeEvent
};

struct StatsView {
  std::string directory;
  uint32_t format_version = 0;
  uint32_t source_id = 0;
  uint64_t disk_bytes = 0;
  std::optional<BinlogPosition> resume;
  uint64_t open_batches = 0;
  uint64_t closed_batches = 0;
  uint64_t pending_events = 0;  // in open and closed batches
  uint64_t pending_bytes = 0;
  uint64_t last_replayed_batch = 0;
};

Result<std::vector<BatchView>> InspectBatches(const std::filesystem::path& spool_directory);
// At most `limit` events from `from` (the first stored event when nullopt), in stream order.
Result<std::vector<EventView>> InspectEvents(const std::filesystem::path& spool_directory,
                                             std::optional<BinlogPosition> from, size_t limit);
Result<StatsView> InspectStats(const std::filesystem::path& spool_directory);

std::string RenderBatchesText(const std::vector<BatchView>& batches);
std::string RenderBatchesJson(const std::vector<BatchView>& batches);
std::string RenderEventsText(const std::vector<EventView>& events);
std::string RenderEventsJson(const std::vector<EventView>& events);
std::string RenderStatsText(const StatsView& stats);
std::string RenderStatsJson(const StatsView& stats);

}  // namespace chameleon::spool
