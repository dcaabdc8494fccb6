// SPOOL_KILL_POINT("name"): a named place in the spool's write and delete paths where the
// crash test SIGKILLs the process. Compiled to nothing unless CHAMELEON_KILL_POINTS is defined,
// which only the test-only library chameleon_spool_kill_points is (src/spool/CMakeLists.txt).
#pragma once

#if defined(CHAMELEON_KILL_POINTS)

#include <cstdint>
#include <string>

namespace chameleon::spool::kill_point {

// Called by the macro: raises SIGKILL when `name` is armed and has been reached the armed
// number of times. Thread-safe.
void Reached(const char* name);
// Kill at the (skip + 1)-th time `name` is reached. Overrides CHAMELEON_KILL_POINT=name[:skip],
// which is read from the environment when nothing was armed.
void Arm(const std::string& name, uint64_t skip);
void Disarm();

}  // namespace chameleon::spool::kill_point

#define SPOOL_KILL_POINT(name) ::chameleon::spool::kill_point::Reached(name)

#else

// The name is still evaluated (a literal, or a choice between two) so no variable goes unused.
#define SPOOL_KILL_POINT(name) \
  do {                         \
    (void)(name);              \
  } while (false)

#endif
