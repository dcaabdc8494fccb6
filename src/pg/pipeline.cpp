// libpq pipeline mode; see pipeline.h. Sends are non-blocking and interleaved with reads so
// neither side's socket buffer can fill up while the other waits.
#include "pg/pipeline.h"

#include <libpq-fe.h>
#include <poll.h>

#include <charconv>

namespace chameleon::pg {

Pipeline::~Pipeline() {
  if (active_) (void)Exit();
}

Status Pipeline::Enter() {
  pg_conn* conn = connection_.connection_.get();
  if (PQenterPipelineMode(conn) != 1) return SendError("entering pipeline mode");
  if (PQsetnonblocking(conn, 1) != 0) return SendError("setting non-blocking mode");
  active_ = true;
  commands_.clear();
  return Status::Ok();
}

Status Pipeline::Exit() {
  if (!active_) return Status::Ok();
  pg_conn* conn = connection_.connection_.get();
  active_ = false;
  (void)PQsetnonblocking(conn, 0);
  if (PQexitPipelineMode(conn) != 1) return SendError("leaving pipeline mode");
  return Status::Ok();
}

Status Pipeline::SendError(const std::string& what) {
  return connection_.ErrorFrom(nullptr, "pipeline: " + what);
}

Status Pipeline::Flush() {
  pg_conn* conn = connection_.connection_.get();
  while (true) {
    int flushed = PQflush(conn);
    if (flushed == 0) return Status::Ok();
    if (flushed < 0) return SendError("sending");
    // The server may be waiting for us to read its results before it reads more: take
    // them into libpq's buffer (bounded by the caller's window) and try again.
    pollfd fd{PQsocket(conn), POLLIN | POLLOUT, 0};
    if (poll(&fd, 1, 10000) < 0) return SendError("waiting for the socket");
    if ((fd.revents & POLLIN) != 0 && PQconsumeInput(conn) != 1) return SendError("reading");
  }
}

Status Pipeline::SendPrepare(const std::string& name, const std::string& sql, int param_count) {
  if (PQsendPrepare(connection_.connection_.get(), name.c_str(), sql.c_str(), param_count,
                    nullptr) != 1) {
    return SendError("PREPARE " + name);
  }
  commands_.push_back(Kind::kPrepare);
  return Flush();
}

Status Pipeline::SendPrepared(const std::string& name, const std::vector<const char*>& values,
                              const std::vector<int>& lengths) {
  if (PQsendQueryPrepared(connection_.connection_.get(), name.c_str(),
                          static_cast<int>(values.size()), values.data(), lengths.data(), nullptr,
                          0) != 1) {
    return SendError("EXECUTE " + name);
  }
  commands_.push_back(Kind::kExecute);
  // libpq flushes by itself past 8 KiB; flushing here keeps the server busy meanwhile.
  if (commands_.size() % 64 == 0) return Flush();
  return Status::Ok();
}

Status Pipeline::SyncAndRead(std::vector<int64_t>* affected_rows) {
  pg_conn* conn = connection_.connection_.get();
  affected_rows->clear();
  failed_execute_ = -1;
  last_sqlstate_.clear();
  if (PQpipelineSync(conn) != 1) return SendError("sync");
  RETURN_IF_ERROR(Flush());
  Status verdict;
  int64_t execute_index = 0;
  for (Kind kind : commands_) {
    pg_result* result = PQgetResult(conn);
    if (result == nullptr) {
      commands_.clear();
      return SendError("reading a result");
    }
    ExecStatusType status = PQresultStatus(result);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
      if (kind == Kind::kExecute) {
        const char* tuples = PQcmdTuples(result);
        int64_t count = 0;
        std::from_chars(tuples, tuples + std::char_traits<char>::length(tuples), count);
        affected_rows->push_back(count);
      }
      PQclear(result);
    } else if (status == PGRES_PIPELINE_ABORTED) {
      if (kind == Kind::kExecute) affected_rows->push_back(0);
      PQclear(result);
    } else {
      if (verdict.ok()) {
        failed_execute_ = kind == Kind::kExecute ? execute_index : -1;
        verdict = connection_.ErrorFrom(result, kind == Kind::kExecute ? "EXECUTE" : "PREPARE");
        last_sqlstate_ = connection_.last_sqlstate();
      } else {
        PQclear(result);
      }
      if (kind == Kind::kExecute) affected_rows->push_back(0);
    }
    if (kind == Kind::kExecute) ++execute_index;
    // Each command's results end with a NULL.
    if (pg_result* end = PQgetResult(conn); end != nullptr) {
      PQclear(end);
      commands_.clear();
      return Status::Internal("pipeline: a command returned more than one result");
    }
  }
  commands_.clear();
  pg_result* sync = PQgetResult(conn);
  if (sync == nullptr) return SendError("reading the sync result");
  bool synced = PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
  PQclear(sync);
  if (!synced && verdict.ok()) return Status::Internal("pipeline: expected the sync result");
  return verdict;
}

bool IsRetryableSqlstate(const std::string& sqlstate) {
  return sqlstate.rfind("08", 0) == 0 || sqlstate == "40001" || sqlstate == "40P01" ||
         sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03";
}

}  // namespace chameleon::pg
