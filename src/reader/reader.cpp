// The reader loop: connect, stream, group events into source transactions, filter, append to
// the spool, and reconnect with backoff. One thread; Stop() may come from any other.
#include "reader/reader.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <thread>

#include "common/strings.h"
#include "reader/ddl_parser.h"
#include "reader/gtid_source_opener.h"
#include "reader/statement.h"
#include "translation/type_map.h"

namespace chameleon::reader {
namespace {

std::string TableKey(std::string_view schema, std::string_view table) {
  std::string key(schema);
  key += '.';
  key += table;
  return key;
}

std::string QuoteLabels(const std::vector<std::string>& labels) {
  std::string text;
  for (const std::string& label : labels) {
    if (!text.empty()) text += ',';
    text += translation::QuoteEnumLabel(label);
  }
  return text;
}

bool SameColumns(TableShape a, const TableShape& b) {
  a.version = b.version;
  return a == b;
}

}  // namespace

TableShape ShapeOf(const TableMap& map) {
  TableShape shape;
  shape.schema = map.schema;
  shape.table = map.table;
  shape.columns.reserve(map.columns.size());
  for (const ColumnInfo& column : map.columns) {
    ColumnShape out;
    out.name = column.name;
    out.type_code = column.real_type;
    out.metadata = column.metadata;
    out.is_unsigned = column.is_unsigned;
    out.nullable = column.nullable;
    if (column.real_type == 247 && !column.labels.empty()) {
      out.column_type = "enum(" + QuoteLabels(column.labels) + ")";
    } else if (column.real_type == 248 && !column.labels.empty()) {
      out.column_type = "set(" + QuoteLabels(column.labels) + ")";
    }
    shape.columns.push_back(std::move(out));
  }
  shape.primary_key = map.primary_key;
  return shape;
}

mysql::ConnectOptions ConnectOptionsFor(const config::Source& source) {
  mysql::ConnectOptions options;
  options.host = source.db_conn.host;
  options.port = source.db_conn.port;
  options.user = source.db_conn.user;
  options.password = source.db_conn.password;
  options.charset = source.db_conn.charset;
  options.connect_timeout_seconds = source.db_conn.connect_timeout_seconds;
  options.net_read_timeout_seconds = source.net_read_timeout_seconds;
  return options;
}

SourceOpener ServerSourceOpener(const mysql::ConnectOptions& options, uint32_t server_id,
                                uint32_t heartbeat_period_ms) {
  auto base_name = std::make_shared<std::string>();
  return [options, server_id, heartbeat_period_ms,
          base_name](const BinlogPosition& from) -> Result<OpenedSource> {
    if (base_name->empty()) {
      // The files' base name, so a stored file number becomes a name the server knows.
      ASSIGN_OR_RETURN(mysql::Connection connection, mysql::Connection::Open(options));
      ASSIGN_OR_RETURN(std::optional<std::string> path,
                       connection.QueryValue("SELECT @@global.log_bin_basename"));
      if (!path || path->empty()) {
        return Status::FailedPrecondition("the source has no binary log (log_bin is OFF)");
      }
      *base_name = path->substr(path->find_last_of('/') + 1);
    }
    mysql::BinlogDumpRequest request;
    request.server_id = server_id;
    request.file_name = BinlogFileName(*base_name, from.file_number);
    request.position = from.position;
    request.heartbeat_period_ms = heartbeat_period_ms;
    ASSIGN_OR_RETURN(mysql::BinlogStream stream, mysql::BinlogStream::Open(options, request));
    spdlog::info("reader: streaming {}:{} from {} ({})", request.file_name, request.position,
                 stream.description(), stream.server_version());
    OpenedSource opened;
    opened.file_name = request.file_name;
    opened.source = std::make_unique<ServerBinlogSource>(std::move(stream));
    return opened;
  };
}

Reader::Reader(ReaderOptions options, spool::Spool* spool, SourceOpener opener)
    : options_(std::move(options)),
      spool_(spool),
      opener_(std::move(opener)),
      filter_(options_.source) {
  if (!opener_ && options_.source.gtid_enable) {
    opener_ = GtidSourceOpener(ConnectOptionsFor(options_.source), options_.source.my_server_id,
                               options_.heartbeat_period_ms, gtid_state_);
  }
  if (!opener_) {
    opener_ = ServerSourceOpener(ConnectOptionsFor(options_.source), options_.source.my_server_id,
                                 options_.heartbeat_period_ms);
  }
}

void Reader::Stop() {
  stop_ = true;
}

ReaderStats Reader::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

bool Reader::Wait(std::chrono::milliseconds duration) {
  auto until = std::chrono::steady_clock::now() + duration;
  while (!stop_ && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return !stop_;
}

Status Reader::Run() {
  std::chrono::milliseconds backoff =
      std::min<std::chrono::milliseconds>(std::chrono::milliseconds(1000), options_.max_backoff);
  auto last_warning = std::chrono::steady_clock::time_point();
  // A batch left open by the previous process (stopped or killed) closes at the first idle
  // moment like one of ours: otherwise a quiet source would never replay its last changes.
  dirty_since_close_ = spool_->Summary().open_batch_id != 0;
  while (!stop_) {
    std::optional<BinlogPosition> resume = spool_->ResumePosition();
    if (!resume) resume = options_.start;
    if (!resume) {
      return Status::FailedPrecondition(
          fmt::format("source {}: no binlog position to read from: run init_replica first",
                      options_.source.name));
    }
    Result<OpenedSource> opened = opener_(*resume);
    Status status =
        opened.ok() ? ReadFrom(opened->source.get(), opened->file_name, *resume) : opened.status();
    // Whatever was read of an unfinished transaction is read again after reconnecting.
    Status discarded = DiscardParts();
    if (!discarded.ok()) return discarded;
    events_.clear();
    new_shapes_.clear();
    in_transaction_ = false;
    shapes_.clear();
    last_rows_position_.reset();
    if (stop_ || status.ok()) return Status::Ok();
    switch (status.code()) {
      case StatusCode::kNotFound:
        return Status::NotFound(fmt::format(
            "source {}: replica-fatal: the binlog at {} is gone from the source ({}); run "
            "init_replica again",
            options_.source.name, ToString(*resume), status.message()));
      case StatusCode::kUnavailable: {
        ++consecutive_failures_;
        {
          std::lock_guard lock(stats_mutex_);
          ++stats_.reconnections;
        }
        bool exit = options_.source.on_error_read == config::OnError::kExit;
        if (exit && consecutive_failures_ > options_.reconnect_attempts_before_exit) {
          return status.WithContext(
              fmt::format("source {}: giving up after {} attempts (on_error_read: exit)",
                          options_.source.name, consecutive_failures_));
        }
        auto now = std::chrono::steady_clock::now();
        if (now - last_warning >= std::chrono::minutes(1) || consecutive_failures_ == 1) {
          spdlog::warn("reader: {}; reconnecting in {} ms", status.message(), backoff.count());
          last_warning = now;
        }
        if (!Wait(backoff)) return Status::Ok();
        backoff = std::min(backoff * 2, options_.max_backoff);
        break;
      }
      default:
        return status;
    }
  }
  return Status::Ok();
}

Status Reader::ReadFrom(BinlogSource* source, const std::string& file_name,
                        const BinlogPosition& from) {
  EventStream stream(source, file_name, from);
  BinlogEvent event;
  while (!stop_) {
    ASSIGN_OR_RETURN(bool more, stream.Next(&event));
    if (!more) return MarkIdle();
    consecutive_failures_ = 0;
    RETURN_IF_ERROR(HandleEvent(stream, event));
  }
  return Status::Ok();
}

Status Reader::HandleEvent(EventStream& stream, const BinlogEvent& event) {
  {
    std::lock_guard lock(stats_mutex_);
    stats_.last_received = std::chrono::system_clock::now();
    if (stats_.binlog_base_name.empty()) {
      const std::string& name = stream.file_name();
      stats_.binlog_base_name = name.substr(0, name.find_last_of('.'));
    }
    if (event.kind == EventKind::kHeartbeat) {
      // The server sends a heartbeat only when it has had nothing to send for a period.
      stats_.caught_up_at = stats_.last_received;
    } else if (event.header.timestamp != 0) {
      stats_.last_event_timestamp = event.header.timestamp;
    }
  }
  switch (event.kind) {
    case EventKind::kHeartbeat:
      if (!in_transaction_) return MarkIdle();
      return Status::Ok();
    case EventKind::kGtid:
      gtid_ = event.gtid.gtid;
      xa_id_ = event.gtid.prepared_xa_id;
      // A MariaDB GTID opens the group itself (no BEGIN follows); a standalone one is followed
      // by a single statement. A MySQL GTID is followed by BEGIN or by a DDL.
      in_transaction_ = event.gtid.mariadb && !event.gtid.standalone;
      return Status::Ok();
    case EventKind::kQuery:
      return HandleQuery(stream, event);
    case EventKind::kXid:
      return EndTransaction(stream.next_position());
    case EventKind::kRows:
      return HandleRows(stream, event);
    case EventKind::kXaPrepare:
      return PrepareXa(stream);
    case EventKind::kRotate:
      // The source moved to its next binlog file (FLUSH LOGS, max_binlog_size, a restart):
      // an idle source must not leave the resume position in a file that may be purged.
      if (!in_transaction_ && events_.empty() && part_events_ == 0) {
        unsaved_resume_ = stream.next_position();
      }
      return Status::Ok();
    default:
      return Status::Ok();
  }
}

Status Reader::HandleQuery(EventStream& stream, const BinlogEvent& event) {
  const std::string& query = event.query.query;
  switch (ClassifyStatement(query)) {
    case StatementKind::kBegin:
      in_transaction_ = true;
      xa_id_ = XaId(query);
      return Status::Ok();
    case StatementKind::kCommit: {
      std::string xid = XaId(query);
      if (!xid.empty()) return CommitXa(stream, xid);
      return EndTransaction(stream.next_position());
    }
    case StatementKind::kRollback:
      if (std::string xid = XaId(query); !xid.empty() && prepared_xa_.erase(xid) > 0) {
        spdlog::info("reader: XA transaction {} rolled back at {}: its rows are dropped", xid,
                     ToString(stream.event_start()));
      }
      if (!events_.empty() || part_events_ != 0) {
        // A group is logged with ROLLBACK only when it changed a non-transactional table
        // (MyISAM, Aria, ...): those changes stay on the source. PostgreSQL cannot take
        // half a transaction, so they are not replicated; say so.
        std::set<std::string> tables;
        for (const ChangeEvent& change : events_)
          tables.insert(change.schema + "." + change.table);
        spdlog::warn(
            "reader: the transaction ending at {} was rolled back after changing "
            "non-transactional tables ({}{}); those changes stay on the source and are not "
            "replicated: run sync_tables for them",
            ToString(stream.event_start()),
            Join(std::vector<std::string>(tables.begin(), tables.end()), ", "),
            part_events_ != 0 ? ", and more" : "");
      }
      // The group was undone on the source: nothing of it reaches the spool. Shapes it
      // introduced were never stored: forget them so the next use stores them.
      for (const TableShape& shape : new_shapes_)
        shapes_.erase(TableKey(shape.schema, shape.table));
      RETURN_IF_ERROR(DiscardParts());
      events_.clear();
      new_shapes_.clear();
      return EndTransaction(stream.next_position());
    case StatementKind::kIgnored:
      return Status::Ok();
    case StatementKind::kOther:
      break;
  }
  // DDL: the statement names its tables; the default database only fills in a missing schema
  // (pg_chameleon missed `USE other; ALTER TABLE app.t ...`, its issue #123).
  ParsedDdl parsed = ParseDdl(query);
  const std::string& default_schema = event.query.schema;
  bool wanted = false;
  std::string schema = default_schema;
  std::string table;
  if (parsed.kind == DdlKind::kUnsupported) {
    wanted = filter_.WantsSchema(default_schema);
    if (wanted) {
      spdlog::warn("reader: unsupported DDL at {} kept for the replayer ({}): {}",
                   ToString(stream.event_start()), parsed.reason, query.substr(0, 500));
    }
  } else if (!parsed.temporary) {
    std::vector<TableName> names = parsed.tables;
    names.insert(names.end(), parsed.rename_to.begin(), parsed.rename_to.end());
    for (const TableName& name : names) {
      const std::string& name_schema = name.schema.empty() ? default_schema : name.schema;
      if (filter_.WantsTable(name_schema, name.table)) {
        if (!wanted) {
          schema = name_schema;
          table = name.table;
        }
        wanted = true;
      }
    }
  }
  if (wanted) {
    ChangeEvent ddl;
    ddl.operation = Operation::kDdl;
    ddl.position = stream.event_start();
    ddl.source_timestamp_seconds = event.header.timestamp;
    ddl.gtid = gtid_;
    // The replayer resolves the statement's unqualified names in `schema`: the session's
    // default database, as the source did (`USE other; RENAME TABLE app.a TO b` moves the
    // table to other.b). Without one, every name is qualified: the first wanted table's.
    ddl.schema = default_schema.empty() ? schema : default_schema;
    ddl.table = table;
    ddl.ddl_statement = query;
    ddl.ddl_parsed = DescribeDdl(parsed);
    events_.push_back(std::move(ddl));
  }
  if (!in_transaction_) return EndTransaction(stream.next_position());
  return Status::Ok();
}

Status Reader::HandleRows(EventStream& stream, const BinlogEvent& event) {
  const RowsEventInfo& rows = event.rows;
  if (rows.table == nullptr) return Status::Ok();  // the dummy end-of-statement event
  const TableMap& map = *rows.table;
  Operation operation = rows.action == RowsAction::kWrite    ? Operation::kInsert
                        : rows.action == RowsAction::kUpdate ? Operation::kUpdate
                                                             : Operation::kDelete;
  if (!filter_.WantsRow(operation, map.schema, map.table)) return Status::Ok();
  if (!options_.table_copy_positions.empty()) {
    auto copy = options_.table_copy_positions.find(TableKey(map.schema, map.table));
    if (copy != options_.table_copy_positions.end() && stream.event_start() < copy->second) {
      return Status::Ok();  // the init copy already holds this change
    }
  }
  ASSIGN_OR_RETURN(uint32_t version, ShapeVersion(map));
  Status status = DecodeRowChanges(rows, &changes_);
  if (!status.ok()) {
    return status.WithContext(
        fmt::format("binlog {} at {}", stream.file_name(), stream.event_start().position));
  }
  // Rows events inside a MySQL 8 TRANSACTION_PAYLOAD all sit at the payload's position: their
  // rows number on from the previous event's, so keys stay unique and ascending.
  uint32_t first_sequence = 0;
  if (last_rows_position_ && *last_rows_position_ == stream.event_start()) {
    first_sequence = next_sequence_;
  }
  last_rows_position_ = stream.event_start();
  next_sequence_ = first_sequence + static_cast<uint32_t>(changes_.size());
  for (size_t i = 0; i < changes_.size(); ++i) {
    ChangeEvent change;
    change.operation = operation;
    change.position = stream.event_start();
    change.sequence = first_sequence + static_cast<uint32_t>(i);
    change.source_timestamp_seconds = event.header.timestamp;
    change.gtid = gtid_;
    change.schema = map.schema;
    change.table = map.table;
    change.shape_version = version;
    change.before = std::move(changes_[i].before);
    change.after = std::move(changes_[i].after);
    events_.push_back(std::move(change));
  }
  if (in_transaction_ && events_.size() >= options_.transaction_part_events) return AppendPart();
  return Status::Ok();
}

Result<uint32_t> Reader::ShapeVersion(const TableMap& map) {
  std::string key = TableKey(map.schema, map.table);
  TableShape shape = ShapeOf(map);
  auto cached = shapes_.find(key);
  if (cached != shapes_.end() && SameColumns(cached->second, shape)) {
    return cached->second.version;
  }
  uint32_t latest = 0;
  if (cached != shapes_.end()) {
    latest = cached->second.version;
  } else {
    // First sight in this process: the spool knows the versions stored before.
    for (uint32_t version = 1;; ++version) {
      Result<TableShape> stored = spool_->FindShape(map.schema, map.table, version);
      if (!stored.ok()) {
        if (stored.status().code() != StatusCode::kNotFound) return stored.status();
        break;
      }
      latest = version;
      if (SameColumns(*stored, shape)) {
        shapes_[key] = *stored;
        return version;
      }
    }
  }
  shape.version = latest + 1;
  new_shapes_.push_back(shape);
  shapes_[key] = std::move(shape);
  return latest + 1;
}

Status Reader::EndTransaction(const BinlogPosition& resume) {
  in_transaction_ = false;
  xa_id_.clear();
  std::string gtid = std::move(gtid_);
  gtid_.clear();
  if (events_.empty() && new_shapes_.empty() && part_events_ == 0) {
    // Nothing of ours: remember the position, store it now and then, not per transaction
    // (nor while an XA transaction is prepared: a restart must read its prepare again).
    unsaved_resume_ = resume;
    if (!gtid.empty()) gtid_state_->Update(gtid);
    if (++skipped_transactions_ % 1000 == 0 && prepared_xa_.empty()) return Append(resume);
    return Status::Ok();
  }
  RETURN_IF_ERROR(Append(resume));
  // Only once stored: a reconnection by GTID starts after the transactions the spool holds.
  if (!gtid.empty()) gtid_state_->Update(gtid);
  if (!dirty_since_close_) return Status::Ok();
  auto since_close = std::chrono::steady_clock::now() - last_close_;
  auto period = std::chrono::seconds(std::max(1, options_.source.sleep_loop_seconds));
  bool replayer_waiting = options_.eager_close_after.count() > 0 &&
                          since_close >= options_.eager_close_after &&
                          !spool_->OldestClosedBatch().has_value();
  if (since_close >= period || replayer_waiting) {
    // A steady trickle never idles: close on time too, so replay lag stays bounded; and at
    // once while the replayer has nothing to do.
    ASSIGN_OR_RETURN(std::optional<uint64_t> closed, spool_->CloseBatch());
    (void)closed;
    dirty_since_close_ = false;
    last_close_ = std::chrono::steady_clock::now();
  }
  return Status::Ok();
}

Status Reader::Append(const BinlogPosition& resume) {
  std::chrono::milliseconds backoff(500);
  auto last_warning = std::chrono::steady_clock::time_point();
  while (true) {
    Result<spool::AppendResult> result = spool_->AppendTransaction(events_, resume, new_shapes_);
    if (result.ok()) {
      std::lock_guard lock(stats_mutex_);
      if (!events_.empty() || part_events_ != 0) {
        ++stats_.transactions_appended;
        stats_.events_appended += events_.size() + part_events_;
        dirty_since_close_ = !result->batch_closed;
        if (result->batch_closed) last_close_ = std::chrono::steady_clock::now();
      }
      stats_.position = resume;
      part_events_ = 0;
      events_.clear();
      new_shapes_.clear();
      unsaved_resume_.reset();
      return Status::Ok();
    }
    if (result.status().code() != StatusCode::kIoError) return result.status();
    // Disk full or another I/O failure: nothing was stored; the same call may succeed later.
    auto now = std::chrono::steady_clock::now();
    if (now - last_warning >= std::chrono::minutes(1)) {
      spdlog::warn("reader: cannot write the spool ({}); retrying", result.status().message());
      last_warning = now;
    }
    if (!Wait(backoff)) return Status::Ok();  // stopping: the transaction is read again later
    backoff = std::min(backoff * 2, std::chrono::milliseconds(10000));
  }
}

Status Reader::AppendPart() {
  std::chrono::milliseconds backoff(500);
  auto last_warning = std::chrono::steady_clock::time_point();
  while (true) {
    Status stored = spool_->AppendPart(events_, new_shapes_);
    if (stored.ok()) {
      part_events_ += events_.size();
      events_.clear();
      new_shapes_.clear();  // stored: a ROLLBACK no longer needs to forget them
      return Status::Ok();
    }
    if (stored.code() != StatusCode::kIoError) return stored;
    auto now = std::chrono::steady_clock::now();
    if (now - last_warning >= std::chrono::minutes(1)) {
      spdlog::warn("reader: cannot write the spool ({}); retrying", stored.message());
      last_warning = now;
    }
    if (!Wait(backoff)) return Status::Ok();  // stopping: the parts are dropped at the next start
    backoff = std::min(backoff * 2, std::chrono::milliseconds(10000));
  }
}

Status Reader::DiscardParts() {
  if (part_events_ == 0) return Status::Ok();
  RETURN_IF_ERROR(spool_->DiscardParts());
  part_events_ = 0;
  return Status::Ok();
}

Status Reader::PrepareXa(EventStream& stream) {
  std::string xid = std::move(xa_id_);
  xa_id_.clear();
  if (xid.empty() || part_events_ != 0) {
    if (part_events_ != 0) {
      spdlog::warn(
          "reader: XA transaction {} prepared at {} is too large to hold until its XA COMMIT "
          "(more than {} rows): it is replicated now; an XA ROLLBACK of it would not be undone",
          xid, ToString(stream.event_start()), options_.transaction_part_events);
    }
    return EndTransaction(stream.next_position());
  }
  // Table shapes first seen in it are stored now: later transactions may use them too.
  if (!new_shapes_.empty()) {
    RETURN_IF_ERROR(spool_->AppendPart({}, new_shapes_));
    new_shapes_.clear();
  }
  // The group ends here, but its rows commit (or not) at a later XA COMMIT (XA ROLLBACK).
  // The resume position stays before this group until something after it is stored.
  prepared_xa_[xid] = std::move(events_);
  events_.clear();
  in_transaction_ = false;
  gtid_.clear();
  return Status::Ok();
}

Status Reader::CommitXa(EventStream& stream, const std::string& xid) {
  auto prepared = prepared_xa_.find(xid);
  if (prepared != prepared_xa_.end()) {
    // The rows commit here: they take this position, so they sort after everything the
    // source committed between the prepare and now.
    events_ = std::move(prepared->second);
    prepared_xa_.erase(prepared);
    uint32_t sequence = 0;
    for (ChangeEvent& event : events_) {
      event.position = stream.event_start();
      event.sequence = sequence++;
      event.gtid = gtid_;
    }
  } else if (events_.empty() && part_events_ == 0) {
    // XA COMMIT ... ONE PHASE carries its rows in its own group (events_). Otherwise the
    // prepare was not read by this process: before the position the replica started from,
    // or before a restart that moved the resume position past it.
    spdlog::error(
        "reader: XA transaction {} committed at {} was prepared where this reader did not "
        "read it (before the replica's start position, or before a restart): its rows are "
        "not replicated; run sync_tables for the tables it changed",
        xid, ToString(stream.event_start()));
  }
  return EndTransaction(stream.next_position());
}

Status Reader::MarkIdle() {
  if (unsaved_resume_ && events_.empty() && part_events_ == 0 && prepared_xa_.empty()) {
    RETURN_IF_ERROR(Append(*unsaved_resume_));
  }
  if (dirty_since_close_) {
    ASSIGN_OR_RETURN(std::optional<uint64_t> closed, spool_->CloseBatch());
    (void)closed;
    dirty_since_close_ = false;
    last_close_ = std::chrono::steady_clock::now();
  }
  return Status::Ok();
}

}  // namespace chameleon::reader
