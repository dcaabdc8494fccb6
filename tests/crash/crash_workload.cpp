// Workload; see crash_workload.h.
#include "crash/crash_workload.h"

#include <fmt/format.h>

#include <chrono>
#include <random>

namespace chameleon::crash_test {

constexpr int kSeedCounters = 300;

void CreateTables(mysql::Connection& mysql) {
  auto check = [&](const std::string& sql) {
    Status status = mysql.Execute(sql);
    if (!status.ok()) throw std::runtime_error(sql + ": " + status.message());
  };
  check(
      "CREATE TABLE items (id int AUTO_INCREMENT PRIMARY KEY, grp int NOT NULL, v bigint NOT "
      "NULL, note varchar(64))");
  check("CREATE TABLE counters (k int PRIMARY KEY, v bigint NOT NULL)");
  check("CREATE TABLE scratch (id int PRIMARY KEY, v int NOT NULL)");
  check(fmt::format("INSERT INTO counters SELECT seq, seq * 1000 FROM seq_1_to_{}", kSeedCounters));
  check("INSERT INTO items (grp, v, note) SELECT seq % 10, seq, 'seed' FROM seq_1_to_500");
  check("INSERT INTO scratch SELECT seq, seq FROM seq_1_to_20");
}

Workload::Workload(mysql::ConnectOptions options, uint64_t seed)
    : options_(std::move(options)), seed_(seed) {}

Workload::~Workload() {
  Stop();
}

void Workload::Start() {
  stop_.store(false);
  thread_ = std::thread([this] { Run(); });
}

void Workload::Stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

void Workload::Run() {
  std::mt19937_64 random(seed_);
  std::optional<mysql::Connection> mysql;
  while (!stop_.load()) {
    if (!mysql) {
      auto opened = mysql::Connection::Open(options_);
      if (!opened.ok()) {  // the server is restarting: try again
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        continue;
      }
      mysql.emplace(std::move(*opened));
    }
    Status status = OneTransaction(*mysql, random());
    if (status.ok()) {
      committed_.fetch_add(1);
    } else {
      failed_.fetch_add(1);
      (void)mysql->Execute("ROLLBACK");
      mysql.reset();  // a fresh session after any failure
    }
    // Now and then a quiet second and a half: the reader closes its batch on an idle stream.
    int pause = random() % 100 == 0 ? 1500 : static_cast<int>(random() % 15);
    std::this_thread::sleep_for(std::chrono::milliseconds(pause));
  }
}

// One transaction of a kind chosen by `draw`; every kind ends with COMMIT.
Status Workload::OneTransaction(mysql::Connection& mysql, uint64_t draw) {
  std::mt19937_64 random(draw);
  auto pick = [&](int64_t low, int64_t high) {  // inclusive
    return low + static_cast<int64_t>(random() % static_cast<uint64_t>(high - low + 1));
  };
  auto item = [&]() { return pick(1, 500 + committed_.load() * 3); };
  auto counter = [&]() { return pick(1, kSeedCounters); };
  RETURN_IF_ERROR(mysql.Execute("START TRANSACTION"));
  int64_t kind = pick(0, 99);
  if (kind < 8) {
    // Long insert runs: replayed through COPY.
    RETURN_IF_ERROR(mysql.Execute(fmt::format(
        "INSERT INTO items (grp, v, note) SELECT seq % 10, seq, 'bulk {}' FROM seq_1_to_{}",
        draw % 1000, pick(80, 400))));
    RETURN_IF_ERROR(
        mysql.Execute(fmt::format("UPDATE counters SET v = v + 1 WHERE k = {}", counter())));
  } else if (kind < 14) {
    // Multi-row updates: many pipelined statements.
    RETURN_IF_ERROR(
        mysql.Execute(fmt::format("UPDATE counters SET v = v + 1 WHERE k % 7 = {}", pick(0, 6))));
    RETURN_IF_ERROR(mysql.Execute(fmt::format(
        "UPDATE items SET v = v + 1 WHERE grp = {} AND id % 5 = {}", pick(0, 9), pick(0, 4))));
  } else if (kind < 20) {
    // Primary-key changes on both tables.
    RETURN_IF_ERROR(mysql.Execute(fmt::format("UPDATE items SET id = -id WHERE id = {}", item())));
    int64_t from = counter();
    RETURN_IF_ERROR(mysql.Execute(
        fmt::format("UPDATE counters SET k = {}, v = v + 1 WHERE k = {}", next_counter_++, from)));
    RETURN_IF_ERROR(mysql.Execute(
        fmt::format("INSERT IGNORE INTO counters VALUES ({}, {})", from, pick(0, 1000))));
  } else if (kind < 22) {
    // DDL: empty a table and fill it again.
    RETURN_IF_ERROR(mysql.Execute("COMMIT"));
    RETURN_IF_ERROR(mysql.Execute("TRUNCATE TABLE scratch"));
    RETURN_IF_ERROR(mysql.Execute("START TRANSACTION"));
    RETURN_IF_ERROR(mysql.Execute(fmt::format(
        "INSERT INTO scratch SELECT seq, seq * {} FROM seq_1_to_{}", pick(1, 9), pick(5, 40))));
  } else {
    // The common case: a few of everything.
    int64_t inserts = pick(1, 4);
    for (int64_t row = 0; row < inserts; ++row) {
      RETURN_IF_ERROR(mysql.Execute(fmt::format(
          "INSERT INTO items (grp, v, note) VALUES ({}, {}, {})", pick(0, 9), pick(0, 1000000),
          row % 3 == 0 ? "NULL" : "'row " + std::to_string(draw % 100000) + "'")));
    }
    for (int updates = 0; updates < 3; ++updates) {
      RETURN_IF_ERROR(
          mysql.Execute(fmt::format("UPDATE counters SET v = v + 1 WHERE k = {}", counter())));
    }
    RETURN_IF_ERROR(mysql.Execute(
        fmt::format("UPDATE items SET v = v + 1, note = 'upd' WHERE id = {}", item())));
    RETURN_IF_ERROR(mysql.Execute(fmt::format("DELETE FROM items WHERE id = {}", item())));
    RETURN_IF_ERROR(
        mysql.Execute(fmt::format("UPDATE scratch SET v = v + 1 WHERE id = {}", pick(1, 40))));
    if (pick(0, 9) == 0) {
      RETURN_IF_ERROR(mysql.Execute(fmt::format("DELETE FROM counters WHERE k = {}", counter())));
    }
  }
  return mysql.Execute("COMMIT");
}

}  // namespace chameleon::crash_test
