// A background command's failure before it has said it started goes to the parent that
// waits for it (daemon::Failed) as well as to the log; afterwards only to the log.
#pragma once

#include "commands/context.h"
#include "common/status.h"
#include "daemon/daemon.h"

namespace chameleon::commands {

class StartupReporter {
 public:
  explicit StartupReporter(Context& context) : context_(context) {}
  // The command runs: a daemon's parent may exit (once).
  void Started() {
    if (!started_) daemon::Ready();
    started_ = true;
  }
  // Reports `status` and returns the command's exit code.
  int Fail(const Status& status) {
    if (!started_) daemon::Failed(status.message());
    started_ = true;
    return context_.Fail(status);
  }

 private:
  Context& context_;
  bool started_ = false;
};

}  // namespace chameleon::commands
