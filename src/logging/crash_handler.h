// Crash reports: on a fatal signal or std::terminate, write what crashed (the command line,
// which never holds a password) and a symbolised stack trace to stderr and to the log file.
#pragma once

#include <filesystem>
#include <string>

namespace chameleon::logging {

// Installs handlers for SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT and std::terminate.
// `context` names the run, e.g. "chameleon start_replica --config default --source mysql".
// Call once from main, before threads start; SetCrashLogFile may follow at any time.
void InstallCrashHandler(const std::string& context);

// The log file crash reports are appended to (besides stderr); empty for none.
void SetCrashLogFile(const std::filesystem::path& file);

}  // namespace chameleon::logging
