// What the spool crash test's writer child and its verifying parent agree on: transaction
// numbering (test_events.h) and the simulated catalogue, a file replaced atomically.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "spool/test_events.h"

namespace chameleon::spool_test {

inline uint64_t TransactionNumberAt(const BinlogPosition& start) {
  return (start.file_number - 1ULL) * 1000 + (start.position - 5'000'000'000ULL) / 4096;
}

// The replayer's PostgreSQL commit: "batch id, file number, position" of the last replayed
// batch, written to a temporary file, fsynced and renamed over the old one.
struct SimulatedCatalogue {
  uint64_t batch_id = 0;
  BinlogPosition position;
};

inline std::filesystem::path CataloguePath(const std::filesystem::path& dir) {
  return dir / "catalogue.txt";
}

inline SimulatedCatalogue ReadCatalogue(const std::filesystem::path& dir) {
  SimulatedCatalogue catalogue;
  std::ifstream in(CataloguePath(dir));
  in >> catalogue.batch_id >> catalogue.position.file_number >> catalogue.position.position;
  return catalogue;
}

}  // namespace chameleon::spool_test
