// WaitFor: polls a condition a daemon test waits on, so a slow machine waits longer and a
// fast one does not sleep a fixed time.
#pragma once

#include <chrono>
#include <thread>

namespace chameleon::test_support {

// Polls `probe` every 200 ms for up to `seconds`; true once it returns true.
template <typename Probe>
bool WaitFor(Probe probe, int seconds = 30) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (probe()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return probe();
}

}  // namespace chameleon::test_support
