// PrivateMariadb; see private_mariadb.h.
#include "support/private_mariadb.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace chameleon::test_support {
namespace {

// Whether nothing listens on (or holds) 127.0.0.1:`port` right now.
bool PortIsFree(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool free = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  return free;
}

std::string SourceDir() {
  const char* source = std::getenv("CHAMELEON_SOURCE_DIR");  // NOLINT(concurrency-mt-unsafe)
  return source != nullptr ? source : ".";
}

std::string Tail(const std::filesystem::path& log) {
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  std::string all = text.str();
  return all.size() > 2000 ? all.substr(all.size() - 2000) : all;
}

}  // namespace

PrivateMariadb::PrivateMariadb(std::string name, std::filesystem::path dir, int port)
    : name_(std::move(name)), dir_(std::move(dir)), port_(port) {}

Result<std::unique_ptr<PrivateMariadb>> PrivateMariadb::Start(const std::string& name) {
  // Short paths (the socket path is limited to 107 bytes) in a directory every user may
  // traverse: the server runs as mysql when the tests run as root.
  int pid = getpid();
  std::filesystem::path dir = fmt::format("/tmp/chameleon-{}-{}", name, pid);
  int port = 0;
  for (int attempt = 0; attempt < 200 && port == 0; ++attempt) {
    int candidate = 42000 + (pid + attempt * 97) % 8000;
    if (PortIsFree(candidate)) port = candidate;
  }
  if (port == 0) return Status::Unavailable("no free port for a private MariaDB");
  std::unique_ptr<PrivateMariadb> server(new PrivateMariadb(name, dir, port));
  RETURN_IF_ERROR(server->RunTestenv("start-mysql"));
  return server;
}

PrivateMariadb::~PrivateMariadb() {
  (void)Thaw();
  Status status = RunTestenv("destroy");
  if (!status.ok()) fmt::print(stderr, "{}\n", status.message());
}

Status PrivateMariadb::RunTestenv(const std::string& command) const {
  std::filesystem::path log =
      std::filesystem::temp_directory_path() / fmt::format("chameleon-{}-{}.log", name_, getpid());
  std::string line = fmt::format(
      "CHAMELEON_TESTENV_NAME='{}' CHAMELEON_TESTENV_DIR='{}' CHAMELEON_MYSQL_PORT={} "
      "CHAMELEON_PG_PORT={} '{}/tools/testenv.sh' {} >'{}' 2>&1",
      name_, dir_.string(), port_, port_ + 1, SourceDir(), command, log.string());
  int rc = std::system(line.c_str());  // NOLINT(concurrency-mt-unsafe, cert-env33-c)
  std::string output = Tail(log);
  std::filesystem::remove(log);
  if (rc != 0) {
    return Status::Unavailable(
        fmt::format("tools/testenv.sh {} failed (status {}): {}", command, rc, output));
  }
  return Status::Ok();
}

Status PrivateMariadb::Stop() {
  return RunTestenv("stop-mysql");
}

Status PrivateMariadb::StartAgain() {
  return RunTestenv("start-mysql");
}

Status PrivateMariadb::Signal(int signal) const {
  // The pid tools/testenv.sh recorded for the server it started: never a process by name.
  std::ifstream in(dir_ / "mariadb" / "mariadb.pid");
  pid_t pid = 0;
  if (!(in >> pid) || pid <= 0) {
    return Status::NotFound("no pid file of the private MariaDB in " + dir_.string());
  }
  if (kill(pid, signal) != 0) {
    return Status::Internal(fmt::format("cannot signal the private MariaDB (pid {})", pid));
  }
  return Status::Ok();
}

Status PrivateMariadb::Freeze() {
  return Signal(SIGSTOP);
}

Status PrivateMariadb::Thaw() {
  return Signal(SIGCONT);
}

mysql::ConnectOptions PrivateMariadb::AdminOptions() const {
  mysql::ConnectOptions options;
  options.host = "127.0.0.1";
  options.port = port_;
  options.user = "root";
  options.password = Secret("root_password");
  options.connect_timeout_seconds = 5;
  options.net_read_timeout_seconds = 30;
  return options;
}

mysql::ConnectOptions PrivateMariadb::ReplicaOptions() const {
  mysql::ConnectOptions options = AdminOptions();
  options.user = "usr_replica";
  options.password = Secret("replica_password");
  return options;
}

}  // namespace chameleon::test_support
