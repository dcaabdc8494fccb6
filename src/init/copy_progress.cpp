// init_replica's copy progress; see copy_progress.h.
#include "init/copy_progress.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "logging/logging.h"

namespace chameleon::init {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kRedrawEvery = std::chrono::seconds(1);
constexpr size_t kDefaultWidth = 100;

int64_t NowNs(Clock::time_point origin) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - origin).count();
}

size_t TerminalWidth() {
  winsize size{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 10) return size.ws_col;
  return kDefaultWidth;
}

// Seconds left at `rate` for `left` rows; -1 when unknown.
double Eta(double left, double rate) {
  return rate > 0 && left >= 0 ? left / rate : -1;
}

}  // namespace

std::string ShortCount(double count) {
  if (count >= 1e9) return fmt::format("{:.1f}G", count / 1e9);
  if (count >= 1e6) return fmt::format("{:.1f}M", count / 1e6);
  if (count >= 1e4) return fmt::format("{:.0f}k", count / 1e3);
  return fmt::format("{:.0f}", count);
}

std::string ShortDuration(double seconds) {
  if (seconds < 0) return "?";
  if (seconds < 100) return fmt::format("{:.0f} s", seconds);
  if (seconds < 6000) return fmt::format("{:.0f} min", seconds / 60);
  return fmt::format("{:.1f} h", seconds / 3600);
}

std::string ProgressLine(const std::string& table, int64_t rows, int64_t estimated_rows,
                         double seconds) {
  double rate = seconds > 0 ? static_cast<double>(rows) / seconds : 0;
  if (estimated_rows <= 0) {
    return fmt::format("copying {}: {} rows, {:.0f} rows/s", table, rows, rate);
  }
  // information_schema's row count is an estimate: past it, the end is unknown.
  bool passed = rows >= estimated_rows;
  double left = passed ? -1 : static_cast<double>(estimated_rows - rows);
  return fmt::format("copying {}: {}/{} rows ({}%), {:.0f} rows/s, ETA {}", table, rows,
                     estimated_rows, passed ? 99 : rows * 100 / estimated_rows, rate,
                     ShortDuration(Eta(left, rate)));
}

CopyProgress::Output CopyProgress::DetectOutput() {
  return logging::CurrentFile().empty() && isatty(STDERR_FILENO) == 1 ? Output::kTerminal
                                                                      : Output::kLog;
}

CopyProgress::CopyProgress(Output output, std::chrono::milliseconds log_every)
    : output_(output), log_every_(log_every) {}

CopyProgress::~CopyProgress() {
  Stop();
}

size_t CopyProgress::AddTable(std::string name, int64_t estimated_rows) {
  auto table = std::make_unique<Table>();
  table->name = std::move(name);
  table->estimated_rows = estimated_rows;
  tables_.push_back(std::move(table));
  return tables_.size() - 1;
}

void CopyProgress::Start() {
  origin_ = Clock::now();
  reporter_ = std::thread([this]() { Run(); });
}

void CopyProgress::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    ClearTerminalLine();
  }
  wake_.notify_all();
  if (reporter_.joinable()) reporter_.join();
}

void CopyProgress::TableStarted(size_t table) {
  int waiting = 0;
  if (tables_[table]->state.compare_exchange_strong(waiting, 1)) {
    tables_[table]->started_ns = NowNs(origin_);
  }
}

void CopyProgress::AddRows(size_t table, int64_t rows, int64_t bytes) {
  tables_[table]->rows += rows;
  tables_[table]->bytes += bytes;
}

void CopyProgress::TableDone(size_t table, bool ok) {
  Table& done = *tables_[table];
  done.state = 2;
  size_t finished = ++done_;
  if (!ok) return;  // the worker logs the failure
  double seconds = Seconds(done);
  int64_t rows = done.rows;
  std::lock_guard lock(mutex_);
  ClearTerminalLine();
  spdlog::info("copied {}: {} rows, {:.1f} MB in {:.1f} s ({:.0f} rows/s); {}/{} tables done",
               done.name, rows, static_cast<double>(done.bytes) / 1e6, seconds,
               seconds > 0 ? static_cast<double>(rows) / seconds : 0.0, finished, tables_.size());
}

double CopyProgress::Seconds(const Table& table) const {
  return static_cast<double>(NowNs(origin_) - table.started_ns) / 1e9;
}

void CopyProgress::Run() {
  auto every = output_ == Output::kTerminal
                   ? std::chrono::duration_cast<std::chrono::milliseconds>(kRedrawEvery)
                   : log_every_;
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, every, [this]() { return stop_; })) {
    lock.unlock();
    Report();
    lock.lock();
  }
}

void CopyProgress::Report() {
  if (output_ == Output::kTerminal) {
    std::string line = TerminalLine();
    std::lock_guard lock(mutex_);
    if (stop_) return;
    (void)std::fprintf(stderr, "\r\033[K%s", line.c_str());
    (void)std::fflush(stderr);
    line_drawn_ = true;
    return;
  }
  for (const auto& table : tables_) {
    if (table->state != 1) continue;
    spdlog::info("{}",
                 ProgressLine(table->name, table->rows, table->estimated_rows, Seconds(*table)));
  }
}

std::string CopyProgress::TerminalLine() const {
  int64_t rows = 0;
  double expected = 0;
  std::string copying;
  for (const auto& table : tables_) {
    int64_t copied = table->rows;
    rows += copied;
    // A finished table counts what it had; the others at least their estimate.
    expected +=
        static_cast<double>(table->state == 2 ? copied : std::max(copied, table->estimated_rows));
    if (table->state == 1) {
      copying += table->estimated_rows > 0
                     ? fmt::format(" {} {}%", table->name,
                                   std::min<int64_t>(99, copied * 100 / table->estimated_rows))
                     : fmt::format(" {} {}", table->name, ShortCount(static_cast<double>(copied)));
    }
  }
  double seconds = static_cast<double>(NowNs(origin_)) / 1e9;
  double rate = seconds > 0 ? static_cast<double>(rows) / seconds : 0;
  std::string line = fmt::format(
      "copy: {}/{} tables, {}/{} rows, {} rows/s, ETA {} |{}", done_.load(), tables_.size(),
      ShortCount(static_cast<double>(rows)), ShortCount(expected), ShortCount(rate),
      ShortDuration(Eta(expected - static_cast<double>(rows), rate)), copying);
  size_t width = TerminalWidth() - 1;
  if (line.size() > width) {
    line.resize(width);
    // No half UTF-8 character at the cut: trailing non-ASCII bytes go.
    while (!line.empty() && (static_cast<unsigned char>(line.back()) & 0x80) != 0)
      line.pop_back();
  }
  return line;
}

void CopyProgress::ClearTerminalLine() {
  if (!line_drawn_) return;
  (void)std::fputs("\r\033[K", stderr);
  (void)std::fflush(stderr);
  line_drawn_ = false;
}

}  // namespace chameleon::init
