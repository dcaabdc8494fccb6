// update_schema_mappings: what changes between the schema_mappings stored for a source and
// the configured ones (a pure diff), and applying it to the catalogue in one transaction.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "catalogue/sources.h"
#include "common/status.h"
#include "pg/connection.h"

namespace chameleon::catalogue {

struct MappingRename {
  std::string origin;
  std::string from;  // current PostgreSQL schema
  std::string to;    // new PostgreSQL schema
};

struct MappingChanges {
  SchemaMappings removed;  // origin -> the destination it had
  // In an order that never renames to a name another rename has yet to free.
  std::vector<MappingRename> renamed;
  SchemaMappings added;  // origin -> destination, no data copied yet

  bool empty() const { return removed.empty() && renamed.empty() && added.empty(); }
};

// The changes from `stored` to `wanted`. InvalidArgument when two wanted origins share a
// destination, or when the renames form a cycle (a -> b while b -> a).
Result<MappingChanges> DiffMappings(const SchemaMappings& stored, const SchemaMappings& wanted);

struct AppliedMappings {
  std::vector<std::string> absent_schemas;  // renamed in the catalogue only: not in PostgreSQL
  int tables_forgotten = 0;                 // t_replica_tables rows of removed mappings
  int tables_moved = 0;                     // t_replica_tables rows of renamed schemas
};

// In one transaction: checks that no other source owns a wanted destination and that each
// rename's new schema is free, then deletes the t_replica_tables rows of removed mappings,
// renames the schemas (ALTER SCHEMA) and their rows, and stores `wanted` as the mappings.
// FailedPrecondition names the schema at fault; nothing changes then.
Result<AppliedMappings> ApplyMappingChanges(pg::Connection& connection, const SourceRecord& source,
                                            const MappingChanges& changes,
                                            const SchemaMappings& wanted);

}  // namespace chameleon::catalogue
