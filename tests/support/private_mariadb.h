// PrivateMariadb: a MariaDB of a test's own (tools/testenv.sh start-mysql in a directory and on
// a port derived from the test's pid), which the test may stop and start again without
// disturbing the shared sandbox other tests use. Removed (destroy) by the destructor.
#pragma once

#include <filesystem>
#include <string>

#include "common/status.h"
#include "mysql/connection.h"

namespace chameleon::test_support {

class PrivateMariadb {
 public:
  // Initialises and starts the server (a fresh datadir takes some seconds); `name` tells the
  // sandboxes of one test binary apart.
  static Result<std::unique_ptr<PrivateMariadb>> Start(const std::string& name);
  ~PrivateMariadb();
  PrivateMariadb(const PrivateMariadb&) = delete;
  PrivateMariadb& operator=(const PrivateMariadb&) = delete;

  // A clean shutdown (SIGTERM, waits for the process), then the same datadir again.
  Status Stop();
  Status StartAgain();
  // SIGSTOP / SIGCONT to the server process: it keeps its connections open and says
  // nothing, as a peer behind a dropped network does. The destructor thaws it.
  Status Freeze();
  Status Thaw();

  int port() const { return port_; }
  // root over TCP, for setting up, writing and KILL.
  mysql::ConnectOptions AdminOptions() const;
  // usr_replica (REPLICATION SLAVE, ALL on chameleon_%): what the reader connects as.
  mysql::ConnectOptions ReplicaOptions() const;

 private:
  PrivateMariadb(std::string name, std::filesystem::path dir, int port);
  Status RunTestenv(const std::string& command) const;
  Status Signal(int signal) const;

  std::string name_;
  std::filesystem::path dir_;
  int port_;
};

}  // namespace chameleon::test_support
