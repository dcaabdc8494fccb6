// REPLAY_KILL_POINT("name"): a named place in the replayer where the crash test
// (tools/crashtest.sh) SIGKILLs the replica daemon. The spool's switch and arming
// (spool/kill_point.h): compiled to nothing unless CHAMELEON_KILL_POINTS is defined, which only
// the test-only chameleon_replayer_kill_points objects are (src/replayer/CMakeLists.txt).
#pragma once

#include "spool/kill_point.h"

#define REPLAY_KILL_POINT(name) SPOOL_KILL_POINT(name)
