// Progress of init_replica's copy: per table rows copied / estimated, rate and ETA, on a
// terminal as one updating line, elsewhere as log lines every few seconds; a final line per
// table. Workers only add to atomic counters; one reporter thread writes.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace chameleon::init {

// "1.2M", "35k", "950": a count in few characters.
std::string ShortCount(double count);
// "45 s", "12 min", "3.5 h"; "?" when unknown (negative).
std::string ShortDuration(double seconds);
// "copying db.t: 120000/200000 rows (60%), 45000 rows/s, ETA 2 s" (estimate 0: unknown).
std::string ProgressLine(const std::string& table, int64_t rows, int64_t estimated_rows,
                         double seconds);

class CopyProgress {
 public:
  enum class Output {
    kLog,       // a log line per table being copied, every `log_every`
    kTerminal,  // one line redrawn on stderr every second (the log is that terminal)
  };
  // kTerminal when the log goes to the console and stderr is a terminal, else kLog.
  static Output DetectOutput();

  CopyProgress(Output output, std::chrono::milliseconds log_every);
  ~CopyProgress();  // stops the reporter
  CopyProgress(const CopyProgress&) = delete;
  CopyProgress& operator=(const CopyProgress&) = delete;

  // Before Start: a table to follow; returns its index.
  size_t AddTable(std::string name, int64_t estimated_rows);
  void Start();
  void Stop();

  // From the workers, any thread.
  void TableStarted(size_t table);
  void AddRows(size_t table, int64_t rows, int64_t bytes);
  // The final line of a copied table: rows, MB and seconds since it started.
  void TableDone(size_t table, bool ok);

 private:
  struct Table {
    std::string name;
    int64_t estimated_rows = 0;
    std::atomic<int64_t> rows{0};
    std::atomic<int64_t> bytes{0};
    std::atomic<int> state{0};  // 0 waiting, 1 copying, 2 done
    std::atomic<int64_t> started_ns{0};
  };
  void Run();
  void Report();
  std::string TerminalLine() const;
  double Seconds(const Table& table) const;
  void ClearTerminalLine();

  Output output_;
  std::chrono::milliseconds log_every_;
  std::chrono::steady_clock::time_point origin_ = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<Table>> tables_;
  std::atomic<size_t> done_{0};
  std::mutex mutex_;  // guards stop_ and the terminal
  std::condition_variable wake_;
  bool stop_ = false;
  bool line_drawn_ = false;
  std::thread reporter_;
};

}  // namespace chameleon::init
