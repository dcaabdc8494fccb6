// Fatal-signal and terminate handlers printing a backward-cpp stack trace; see crash_handler.h.
// Printing after a crash is best effort: the process is dying, and a trace that may not
// finish is worth more than none (RocksDB and Chromium make the same trade).
#include "logging/crash_handler.h"

#define BACKWARD_HAS_DW 1
#include <signal.h>
#include <unistd.h>

#include <array>
#include <backward.hpp>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>

namespace chameleon::logging {
namespace {

// Fixed storage, set before any crash can happen: the handler must not allocate to find them.
std::array<char, 1024> g_context{};
std::array<char, 4096> g_log_file{};
// Symbolising with libdw needs far more stack than SIGSTKSZ; a stack overflow is reported too.
std::array<char, 1024 * 1024> g_alternate_stack{};

void PrintReport(FILE* stream, const char* reason) {
  std::fprintf(stream, "\n*** chameleon crashed: %s\n*** in: %s\n*** stack trace:\n", reason,
               g_context.data());
  backward::StackTrace trace;
  trace.load_here(64);
  trace.skip_n_firsts(3);  // this function, the handler, the signal trampoline
  backward::Printer printer;
  printer.color_mode = backward::ColorMode::never;
  printer.address = true;
  printer.snippet = false;  // no source files are read while dying
  printer.print(trace, stream);
  std::fflush(stream);
}

void Report(const char* reason) {
  PrintReport(stderr, reason);
  if (g_log_file[0] != '\0') {
    if (FILE* log = std::fopen(g_log_file.data(), "a")) {
      PrintReport(log, reason);
      std::fclose(log);
    }
  }
}

void OnFatalSignal(int signal_number, siginfo_t* /*info*/, void* /*ucontext*/) {
  std::array<char, 64> reason{};
  std::snprintf(reason.data(), reason.size(), "signal %d (%s)", signal_number,
                sigabbrev_np(signal_number) != nullptr ? sigabbrev_np(signal_number) : "?");
  Report(reason.data());
  // Die of the same signal, with the default action, so that the exit status tells it.
  std::signal(signal_number, SIG_DFL);
  raise(signal_number);
}

void OnTerminate() {
  const char* what = "std::terminate";
  std::array<char, 512> reason{};
  if (auto current = std::current_exception()) {
    try {
      std::rethrow_exception(current);
    } catch (const std::exception& error) {
      std::snprintf(reason.data(), reason.size(), "uncaught exception: %s", error.what());
      what = reason.data();
    } catch (...) {  // NOLINT(bugprone-empty-catch): any other type is reported as such
      what = "uncaught exception of unknown type";
    }
  }
  Report(what);
  std::signal(SIGABRT, SIG_DFL);
  std::abort();
}

void Copy(std::array<char, 1024>& target, const std::string& text) {
  std::snprintf(target.data(), target.size(), "%s", text.c_str());
}

}  // namespace

void InstallCrashHandler(const std::string& context) {
  Copy(g_context, context);
  stack_t alternate{};
  alternate.ss_sp = g_alternate_stack.data();
  alternate.ss_size = g_alternate_stack.size();
  sigaltstack(&alternate, nullptr);
  struct sigaction action {};
  action.sa_sigaction = OnFatalSignal;
  action.sa_flags = static_cast<int>(SA_SIGINFO | SA_ONSTACK | SA_RESETHAND);
  sigemptyset(&action.sa_mask);
  for (int signal_number : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) {
    sigaction(signal_number, &action, nullptr);
  }
  std::set_terminate(OnTerminate);
}

void SetCrashLogFile(const std::filesystem::path& file) {
  std::snprintf(g_log_file.data(), g_log_file.size(), "%s", file.c_str());
}

}  // namespace chameleon::logging
