// The crash test's load: a thread on MariaDB running multi-statement transactions for as long as
// it is told to (inserts, bulk inserts that replay through COPY, updates incl. primary-key
// changes and multi-row updates, deletes, a TRUNCATE now and then), and surviving the server
// going away. `counters` has no auto-increment and is changed by `v = v + 1`, so an update
// applied twice shows as a wrong value, not only as a missing row.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "mysql/connection.h"

namespace chameleon::crash_test {

// The tables the workload writes; `schema` must exist.
void CreateTables(mysql::Connection& mysql);

class Workload {
 public:
  Workload(mysql::ConnectOptions options, uint64_t seed);
  ~Workload();
  Workload(const Workload&) = delete;
  Workload& operator=(const Workload&) = delete;

  void Start();
  void Stop();  // returns once the transaction in hand has ended
  int64_t committed() const { return committed_.load(); }
  int64_t failed() const { return failed_.load(); }

 private:
  void Run();
  Status OneTransaction(mysql::Connection& mysql, uint64_t draw);

  mysql::ConnectOptions options_;
  uint64_t seed_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> committed_{0};
  std::atomic<int64_t> failed_{0};
  int64_t next_counter_ = 100000;
  std::thread thread_;
};

}  // namespace chameleon::crash_test
