// The command table: every pg_chameleon 2.0 command (and ours), what it needs, whether it
// works yet, and the dispatch from a parsed command line to its handler.
#pragma once

#include <string>
#include <vector>

#include "commands/context.h"

namespace chameleon::commands {

struct CommandSpec {
  std::string name;
  std::string summary;
  int (*run)(Context& context) = nullptr;  // nullptr: not implemented yet
};

const std::vector<CommandSpec>& AllCommands();

// Runs options.command; returns the process exit status.
int Dispatch(Context& context);

// The "Commands:" section of --help.
std::string CommandHelp();

}  // namespace chameleon::commands
