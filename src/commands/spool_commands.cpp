// `chameleon spool inspect`: what a source's spool holds — batches, decoded events, disk use
// and resume position — read-only, so it is safe beside a running replica (RocksDB's ldb).
#include <fmt/format.h>

#include "commands/handlers.h"
#include "common/strings.h"
#include "spool/inspect.h"

namespace chameleon::commands {

int Spool(Context& context) {
  const Options& options = context.options();
  if (options.arguments.size() != 1 || options.arguments[0] != "inspect") {
    context.Fail(
        "usage: chameleon spool inspect --source S [--batches | --events [--from "
        "FILE:POS] [--limit N] | --stats] [--json]");
    return kExitUsage;
  }
  auto source = context.Source(true);
  if (!source.ok()) return context.Fail(source.status());
  const std::filesystem::path& directory = (*source)->spool_dir;
  std::error_code error;
  if (!std::filesystem::exists(directory, error)) {
    return context.Fail(
        fmt::format("source '{}' has no spool at {} yet (start_replica creates "
                    "it; spool_dir sets where)",
                    (*source)->name, directory.string()));
  }
  int views = (options.spool_batches ? 1 : 0) + (options.spool_events ? 1 : 0) +
              (options.spool_stats ? 1 : 0);
  if (views > 1) {
    context.Fail("spool inspect: choose one of --batches, --events, --stats");
    return kExitUsage;
  }
  if (options.spool_events) {
    std::optional<BinlogPosition> from;
    if (options.spool_from) {
      auto parsed = ParseBinlogPosition(*options.spool_from);
      if (!parsed.ok()) {
        return context.Fail(
            fmt::format("--from '{}': {}; write FILE:POS, e.g. "
                        "mysql-bin.000042:1234",
                        *options.spool_from, parsed.status().message()));
      }
      from = *parsed;
    }
    auto events = spool::InspectEvents(directory, from, options.spool_limit);
    if (!events.ok()) return context.Fail(events.status());
    context.out() << (options.json ? spool::RenderEventsJson(*events)
                                   : spool::RenderEventsText(*events));
    return kExitOk;
  }
  if (options.spool_batches) {
    auto batches = spool::InspectBatches(directory);
    if (!batches.ok()) return context.Fail(batches.status());
    context.out() << (options.json ? spool::RenderBatchesJson(*batches)
                                   : spool::RenderBatchesText(*batches));
    return kExitOk;
  }
  auto stats = spool::InspectStats(directory);  // the default view
  if (!stats.ok()) return context.Fail(stats.status());
  context.out() << (options.json ? spool::RenderStatsJson(*stats) : spool::RenderStatsText(*stats));
  return kExitOk;
}

}  // namespace chameleon::commands
