// Where the change stream goes: MariaDB (the source a replicator reads) or PostgreSQL through a
// minimal libpq pipeline client (the same-run baseline for applying the changes).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "change_stream.h"
#include "clients.h"
#include "workload.h"

namespace chameleon::bench {

class ChangeSink {
 public:
  virtual ~ChangeSink() = default;
  // Applies one source transaction (atomically on the target). May return before it is
  // committed; Flush() makes everything applied so far committed.
  virtual Status Apply(const Transaction& transaction) = 0;
  virtual Status Flush() = 0;
  // Inserts (id, sent_us) into bench_marker in a transaction of its own, committed on return.
  virtual Status WriteMarker(int64_t id, int64_t sent_us) = 0;
};

// Each transaction as one multi-statement query (START TRANSACTION; ...; COMMIT), as the
// statements an application would write: multi-row INSERTs, UPDATE/DELETE by id or id range.
std::unique_ptr<ChangeSink> MakeMariadbSink(MariadbSession session, const Workload& workload,
                                            std::string database);

// Row changes as prepared INSERT / UPDATE (every column, as a replicator with the full row
// image would) / DELETE by primary key in libpq pipeline mode, with a sync every ~1000
// statements. `batch_row_changes` 0: BEGIN/COMMIT around each source transaction. Otherwise
// whole source transactions are grouped into one PostgreSQL transaction until it holds that
// many row changes or Flush() is called, as a replicator applying batches does: one commit
// (one WAL flush) per batch instead of one per source transaction.
Result<std::unique_ptr<ChangeSink>> MakePgPipelineSink(PgSession session, const Workload& workload,
                                                       const std::string& schema,
                                                       uint64_t batch_row_changes);

}  // namespace chameleon::bench
