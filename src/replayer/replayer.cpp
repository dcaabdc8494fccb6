// The replayer; see replayer.h. One batch = one PostgreSQL transaction: the rows, the DDL,
// the error-log rows of unsupported DDL and the batch's catalogue record commit together.
#include "replayer/replayer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "catalogue/batches.h"
#include "catalogue/tables.h"
#include "common/strings.h"
#include "pg/pipeline.h"
#include "replayer/ddl_replay.h"
#include "replayer/kill_point.h"
#include "replayer/row_text.h"
#include "replayer/table_state.h"
#include "translation/value_text.h"

namespace chameleon::replayer {
namespace {

// DuckDB-style error classes (STYLE.md): what a failure means for the batch.
enum class FailureClass {
  kRetry,    // connection loss, deadlock, serialization: the same batch again, later
  kTable,    // a value or statement one table cannot take: the table leaves the replica
  kReplica,  // nothing to do but stop: corrupt spool, catalogue gone, on_error_replay exit
};

struct Failure {
  FailureClass kind = FailureClass::kReplica;
  std::string schema;  // PostgreSQL names of the table at fault (kTable)
  std::string table;
  std::string sql;
  std::string message;
  std::string table_pkey;
  BinlogPosition position;
  bool ddl = false;           // the failing statement was a DDL event (skipped, not disabling)
  spool::EventKey event_key;  // with `ddl`: the event to leave out on the next attempt
};

// How one table shape version is applied; built once per shape, reused across batches.
struct Applier {
  std::string pg_schema;
  std::string pg_table;
  std::string qualified;  // "schema"."table"
  std::string display;    // schema.table, for messages
  TableShape shape;
  std::vector<translation::ColumnType> types;
  // Columns whose shape has no COLUMN_TYPE (the reader's table-map shapes): the binlog type
  // code cannot tell TEXT from BLOB or VARCHAR from VARBINARY, the value's own type can.
  std::vector<bool> kind_from_value;
  std::vector<uint32_t> key_columns;  // shape column indexes of the catalogue's primary key
  std::string copy_sql;
  std::string update_name;
  std::string update_sql;
  std::string delete_name;
  std::string delete_sql;
  std::string insert_name;
  std::string insert_sql;
  uint64_t prepared_generation = 0;  // the connection generation it was prepared on
  Status error;                      // the mapping failed: table-fatal when used
};

// The column's type as it renders `value`: the value's own type decides text vs bytes vs
// JSON when the shape could not, and a BIT value carries its width.
const translation::ColumnType& TypeFor(const Applier& applier, size_t column, const Value& value,
                                       translation::ColumnType* scratch) {
  const translation::ColumnType& type = applier.types[column];
  using translation::ValueKind;
  if (type.kind == ValueKind::kBit && value.type() == ValueType::kBit &&
      value.bit_width() != type.bit_width && value.bit_width() != 0) {
    *scratch = type;
    scratch->bit_width = value.bit_width();
    return *scratch;
  }
  if (!applier.kind_from_value[column] ||
      (type.kind != ValueKind::kText && type.kind != ValueKind::kBytes &&
       type.kind != ValueKind::kJson)) {
    return type;
  }
  ValueKind wanted = value.type() == ValueType::kBytes  ? ValueKind::kBytes
                     : value.type() == ValueType::kJson ? ValueKind::kJson
                                                        : ValueKind::kText;
  if (wanted == type.kind) return type;
  *scratch = type;
  scratch->kind = wanted;
  return *scratch;
}

// A statement in the pipeline whose result has not been read yet.
struct PendingStatement {
  Applier* applier = nullptr;
  Operation operation = Operation::kUpdate;
  BinlogPosition position;
  std::vector<Value> key_values;  // rendered into a message only when one is needed
};

Failure FromStatus(const Status& status, const std::string& sqlstate) {
  Failure failure;
  failure.message = status.message();
  if (status.code() == StatusCode::kUnavailable || pg::IsRetryableSqlstate(sqlstate)) {
    failure.kind = FailureClass::kRetry;
  }
  return failure;
}

// The replayer's state across batches: connection, table appliers, per-attempt catalogue view.
struct ReplayerCore {
  ReplayerCore(spool::Spool& spool_ref, ConnectFunction connect_function,
               ReplayerOptions replay_options)
      : spool(spool_ref), connect(std::move(connect_function)), options(std::move(replay_options)) {
    log = options.logger ? options.logger : spdlog::default_logger();
  }

  spool::Spool& spool;
  ConnectFunction connect;
  ReplayerOptions options;
  std::shared_ptr<spdlog::logger> log;
  std::optional<pg::Connection> connection;
  uint64_t connection_generation = 0;
  std::map<std::tuple<std::string, std::string, uint32_t>, std::unique_ptr<Applier>> appliers;
  uint64_t statement_counter = 0;

  // --- per attempt ---
  std::map<std::string, TableState> tables;  // TableKey(pg schema, table)
  std::string binlog_base;                   // "mysql-bin", "" when unknown
  std::set<spool::EventKey> skipped_ddl;     // DDL events a previous attempt could not apply
  // MySQL (schema, table)s a DDL of this batch changed: a new attempt rebuilds their appliers.
  std::set<std::pair<std::string, std::string>> ddl_tables;
  // Tables an earlier attempt at this batch took out of the replica, with the reason: also
  // one this batch creates (its catalogue row is rolled back with the failed attempt, so the
  // new attempt disables it again inside its own transaction instead of failing for ever).
  std::map<std::string, std::string> disabled_in_batch;  // TableKey(pg schema, table)

  void InvalidateAppliers(const std::string& schema, const std::string& table) {
    auto first = appliers.lower_bound(std::make_tuple(schema, table, uint32_t{0}));
    auto last = first;
    while (last != appliers.end() && std::get<0>(last->first) == schema &&
           std::get<1>(last->first) == table) {
      ++last;
    }
    appliers.erase(first, last);
  }

  Status EnsureConnection() {
    if (connection && !connection->is_broken()) return Status::Ok();
    connection.reset();
    ASSIGN_OR_RETURN(pg::Connection opened, connect());
    // A batch is deleted from the spool once its COMMIT returns: with synchronous_commit off
    // (a database or role default) a PostgreSQL crash could then lose a batch the spool no
    // longer has. `local` (or anything stronger already set) makes the COMMIT durable first.
    RETURN_IF_ERROR(
        opened.Execute("SELECT CASE WHEN current_setting('synchronous_commit') = 'off' THEN "
                       "set_config('synchronous_commit', 'local', false) END"));
    connection.emplace(std::move(opened));
    ++connection_generation;
    return Status::Ok();
  }

  void DropConnection() {
    connection.reset();  // a fresh session: no half-read pipeline, no stale prepared plans
  }

  std::optional<std::string> PgSchema(const std::string& mysql_schema) const {
    for (const auto& [origin, destination] : options.schema_mappings) {
      if (origin == mysql_schema) return destination;
    }
    return std::nullopt;
  }

  std::string FileName(uint32_t file_number) const {
    if (binlog_base.empty()) return std::to_string(file_number);
    return BinlogFileName(binlog_base, file_number);
  }

  Status LoadCatalogue() {
    tables.clear();
    ASSIGN_OR_RETURN(std::vector<catalogue::ReplicaTable> rows,
                     catalogue::ListTables(*connection, options.source_id));
    for (auto& row : rows) {
      TableState state;
      state.primary_key = std::move(row.primary_key);
      state.enabled = row.enabled && !state.primary_key.empty();
      if (row.binlog_name && row.binlog_position) {
        auto file_number = ParseBinlogFileNumber(*row.binlog_name);
        if (file_number.ok()) {
          state.copy_position =
              BinlogPosition{*file_number, static_cast<uint64_t>(*row.binlog_position)};
          if (binlog_base.empty()) {
            binlog_base = row.binlog_name->substr(0, row.binlog_name->rfind('.'));
          }
        }
      }
      tables[TableKey(row.schema, row.table)] = std::move(state);
    }
    ASSIGN_OR_RETURN(
        pg::Rows booleans,
        connection->Query("SELECT t.v_schema_name, t.v_table_name, a.attname FROM "
                          "sch_chameleon.t_replica_tables t JOIN pg_namespace n ON n.nspname = "
                          "t.v_schema_name JOIN pg_class c ON c.relnamespace = n.oid AND c.relname "
                          "= t.v_table_name JOIN pg_attribute a ON a.attrelid = c.oid AND "
                          "a.attnum > 0 AND NOT a.attisdropped AND a.atttypid = 'boolean'::regtype "
                          "WHERE t.i_id_source = $1::bigint",
                          {std::to_string(options.source_id)}));
    for (int row = 0; row < booleans.size(); ++row) {
      auto table = tables.find(
          TableKey(std::string(booleans.Text(row, 0)), std::string(booleans.Text(row, 1))));
      if (table != tables.end())
        table->second.boolean_columns.insert(std::string(booleans.Text(row, 2)));
    }
    if (binlog_base.empty()) {
      ASSIGN_OR_RETURN(std::optional<std::string> name,
                       connection->QueryValue(
                           "SELECT coalesce(t_binlog_name, (SELECT t_last_binlog_name FROM "
                           "sch_chameleon.t_replica_batch WHERE i_id_source = $1::bigint AND "
                           "t_last_binlog_name LIKE '%.%' ORDER BY i_spool_batch DESC LIMIT 1)) "
                           "FROM sch_chameleon.t_sources WHERE i_id_source = $1::bigint",
                           {std::to_string(options.source_id)}));
      if (name && name->find('.') != std::string::npos) {
        binlog_base = name->substr(0, name->rfind('.'));
      }
    }
    return Status::Ok();
  }

  // The applier for an event's table and shape; builds it on first use.
  Applier* GetApplier(const ChangeEvent& event, const std::string& pg_schema,
                      const TableState& state) {
    auto key = std::make_tuple(event.schema, event.table, event.shape_version);
    auto found = appliers.find(key);
    if (found != appliers.end() && found->second->error.ok()) return found->second.get();
    auto applier = std::make_unique<Applier>();
    applier->pg_schema = pg_schema;
    applier->pg_table = event.table;
    applier->qualified = pg::QuoteIdentifier(pg_schema) + "." + pg::QuoteIdentifier(event.table);
    applier->display = pg_schema + "." + event.table;
    applier->error = Build(event, state, applier.get());
    Applier* raw = applier.get();
    appliers[key] = std::move(applier);
    return raw;
  }

  Status Build(const ChangeEvent& event, const TableState& state, Applier* applier) {
    ASSIGN_OR_RETURN(applier->shape,
                     spool.FindShape(event.schema, event.table, event.shape_version));
    std::vector<std::string> columns;
    for (const auto& column : applier->shape.columns) {
      ASSIGN_OR_RETURN(translation::ColumnType type,
                       translation::MapColumn(SourceColumnFor(column), event.schema, event.table,
                                              options.type_map));
      // The binlog's shapes lack MySQL's display widths (tinyint(1)), so a type_override keyed
      // on one cannot match here: the target column init created says what was overridden.
      if (state.boolean_columns.count(column.name) > 0 &&
          (type.kind == translation::ValueKind::kVerbatim ||
           type.kind == translation::ValueKind::kBit)) {
        type.bits_source = type.kind == translation::ValueKind::kBit;
        type.kind = translation::ValueKind::kBoolean;
        type.pg_type = "boolean";
        type.overridden = true;
      }
      applier->types.push_back(std::move(type));
      applier->kind_from_value.push_back(column.column_type.empty());
      columns.push_back(pg::QuoteIdentifier(column.name));
    }
    for (const auto& key_column : state.primary_key) {
      auto position = std::find_if(applier->shape.columns.begin(), applier->shape.columns.end(),
                                   [&](const ColumnShape& c) { return c.name == key_column; });
      if (position == applier->shape.columns.end()) {
        return Status::FailedPrecondition(
            fmt::format("primary key column {} is not in the binlog's shape v{} of the table",
                        key_column, event.shape_version));
      }
      applier->key_columns.push_back(
          static_cast<uint32_t>(position - applier->shape.columns.begin()));
    }
    applier->copy_sql =
        fmt::format("COPY {} ({}) FROM STDIN", applier->qualified, Join(columns, ", "));
    std::vector<std::string> sets;
    for (size_t index = 0; index < columns.size(); ++index) {
      sets.push_back(fmt::format("{} = ${}", columns[index], index + 1));
    }
    std::vector<std::string> update_where;
    std::vector<std::string> delete_where;
    for (size_t index = 0; index < applier->key_columns.size(); ++index) {
      const std::string& name = columns[applier->key_columns[index]];
      update_where.push_back(fmt::format("{} = ${}", name, columns.size() + index + 1));
      delete_where.push_back(fmt::format("{} = ${}", name, index + 1));
    }
    applier->update_sql = fmt::format("UPDATE {} SET {} WHERE {}", applier->qualified,
                                      Join(sets, ", "), Join(update_where, " AND "));
    applier->delete_sql =
        fmt::format("DELETE FROM {} WHERE {}", applier->qualified, Join(delete_where, " AND "));
    ++statement_counter;
    applier->update_name = fmt::format("chameleon_update_{}", statement_counter);
    applier->delete_name = fmt::format("chameleon_delete_{}", statement_counter);
    std::vector<std::string> placeholders;
    for (size_t index = 0; index < columns.size(); ++index) {
      placeholders.push_back(fmt::format("${}", index + 1));
    }
    applier->insert_sql = fmt::format("INSERT INTO {} ({}) VALUES ({})", applier->qualified,
                                      Join(columns, ", "), Join(placeholders, ", "));
    applier->insert_name = fmt::format("chameleon_insert_{}", statement_counter);
    return Status::Ok();
  }

  Result<std::optional<BatchOutcome>> ReplayOneBatch();
  // Sleeps `duration` in short steps; false as soon as options.stopping() says so.
  bool WaitUnlessStopping(std::chrono::milliseconds duration) const;
  Status StoppedWaiting(const spool::BatchInfo& batch) const;
  std::optional<Failure> Attempt(const spool::BatchInfo& batch, BatchOutcome* outcome);
  Status HandleTableFailure(const spool::BatchInfo& batch, const Failure& failure,
                            BatchOutcome* outcome);
};

// One attempt at a batch: everything below runs on one connection in one transaction.
class BatchApply {
 public:
  BatchApply(ReplayerCore& impl, const spool::BatchInfo& batch, BatchOutcome* outcome)
      : impl_(impl), batch_(batch), outcome_(outcome), pipeline_(*impl.connection) {}

  std::optional<Failure> Run();

 private:
  pg::Connection& connection() { return *impl_.connection; }
  int64_t* OperationCount(Operation operation) {
    if (operation == Operation::kInsert) return &outcome_->inserted;
    if (operation == Operation::kDelete) return &outcome_->deleted;
    return &outcome_->updated;
  }

  std::optional<Failure> Apply(const ChangeEvent& event);
  std::optional<Failure> ApplyDdl(const ChangeEvent& event);
  std::optional<Failure> AppendCopyRow(Applier* applier, const ChangeEvent& event);
  std::optional<Failure> HoldInsert(Applier* applier, const ChangeEvent& event);
  std::optional<Failure> ReleaseHeld();
  std::optional<Failure> SendStatement(Applier* applier, const ChangeEvent& event);
  std::optional<Failure> FlushCopy();
  std::optional<Failure> FlushPipeline();
  std::optional<Failure> FlushAll() {
    if (auto failure = ReleaseHeld()) return failure;
    if (auto failure = FlushCopy()) return failure;
    return FlushPipeline();
  }
  const std::string& StatementSql(const Applier& applier, Operation operation) const {
    return operation == Operation::kInsert   ? applier.insert_sql
           : operation == Operation::kUpdate ? applier.update_sql
                                             : applier.delete_sql;
  }
  // The table state for an event, nullptr when its events are skipped.
  const TableState* Replicated(const std::string& mysql_schema, const std::string& table,
                               const BinlogPosition& position, std::string* pg_schema);
  Failure TableFailure(const Applier& applier, const Status& status, const std::string& sqlstate,
                       const std::string& sql, const BinlogPosition& position,
                       std::string key_text);
  // "id=1, k='a'": the key of a row image, or of the key values alone (`key_only`).
  std::string KeyText(const Applier& applier, const std::vector<Value>& values,
                      bool key_only = false);

  ReplayerCore& impl_;
  const spool::BatchInfo& batch_;
  BatchOutcome* outcome_;
  pg::Pipeline pipeline_;
  Applier* copy_applier_ = nullptr;  // the COPY in progress
  BinlogPosition copy_first_position_;
  std::string copy_buffer_;
  std::vector<PendingStatement> pending_;
  // The start of an insert run (bounded by copy_min_rows): a long run goes through COPY, a
  // short one joins the pipeline, so interleaved changes never pay a COPY round trip each.
  std::vector<ChangeEvent> held_inserts_;
  Applier* held_applier_ = nullptr;
  std::vector<int64_t> affected_;
  std::vector<std::string> parameter_text_;
  std::vector<const char*> parameter_values_;
  std::vector<int> parameter_lengths_;
  std::string scratch_;
  translation::ColumnType type_scratch_;
  int64_t unmatched_logged_ = 0;
};

const TableState* BatchApply::Replicated(const std::string& mysql_schema, const std::string& table,
                                         const BinlogPosition& position, std::string* pg_schema) {
  std::optional<std::string> schema = impl_.PgSchema(mysql_schema);
  if (!schema) return nullptr;
  auto found = impl_.tables.find(TableKey(*schema, table));
  if (found == impl_.tables.end()) return nullptr;
  const TableState& state = found->second;
  if (!state.enabled || state.dropped) return nullptr;
  if (impl_.disabled_in_batch.count(found->first) > 0) return nullptr;
  // Per-table consistency: the init copy already holds everything before its coordinates.
  if (state.copy_position && position < *state.copy_position) return nullptr;
  *pg_schema = *schema;
  return &state;
}

std::string BatchApply::KeyText(const Applier& applier, const std::vector<Value>& values,
                                bool key_only) {
  std::vector<std::string> parts;
  for (size_t part = 0; part < applier.key_columns.size(); ++part) {
    uint32_t index = applier.key_columns[part];
    size_t at = key_only ? part : index;
    if (at < values.size()) {
      parts.push_back(applier.shape.columns[index].name + "=" + DescribeValue(values[at]));
    }
  }
  return Join(parts, ", ");
}

Failure BatchApply::TableFailure(const Applier& applier, const Status& status,
                                 const std::string& sqlstate, const std::string& sql,
                                 const BinlogPosition& position, std::string key_text) {
  Failure failure = FromStatus(status, sqlstate);
  if (failure.kind != FailureClass::kRetry) failure.kind = FailureClass::kTable;
  failure.schema = applier.pg_schema;
  failure.table = applier.pg_table;
  failure.sql = sql;
  failure.position = position;
  failure.table_pkey = std::move(key_text);
  // pg_chameleon's t_error_log form, "SQLSTATE - message", so show_errors reads the same.
  if (!sqlstate.empty()) failure.message = sqlstate + " - " + failure.message;
  return failure;
}

std::optional<Failure> BatchApply::FlushCopy() {
  if (copy_applier_ == nullptr) return std::nullopt;
  Applier* applier = copy_applier_;
  copy_applier_ = nullptr;
  Status status = copy_buffer_.empty() ? Status::Ok() : connection().PutCopyData(copy_buffer_);
  copy_buffer_.clear();
  REPLAY_KILL_POINT("replay.mid_copy");  // rows sent, the COPY not ended
  if (status.ok()) status = connection().EndCopy();
  if (!status.ok()) {
    return TableFailure(*applier, status, connection().last_sqlstate(), applier->copy_sql,
                        copy_first_position_, "");
  }
  return std::nullopt;
}

std::optional<Failure> BatchApply::FlushPipeline() {
  if (!pipeline_.active()) return std::nullopt;
  REPLAY_KILL_POINT("replay.mid_pipeline");  // statements sent, their results not read
  Status status = pipeline_.SyncAndRead(&affected_);
  if (!status.ok()) {
    int64_t index = pipeline_.failed_execute();
    if (index >= 0 && static_cast<size_t>(index) < pending_.size()) {
      const PendingStatement& failed = pending_[static_cast<size_t>(index)];
      return TableFailure(*failed.applier, status, pipeline_.last_sqlstate(),
                          StatementSql(*failed.applier, failed.operation), failed.position,
                          KeyText(*failed.applier, failed.key_values, true));
    }
    Failure failure = FromStatus(status, pipeline_.last_sqlstate());
    if (failure.kind != FailureClass::kRetry && !pending_.empty()) {
      // A PREPARE failed: blame the first statement's table (prepares precede their use).
      return TableFailure(*pending_.front().applier, status, pipeline_.last_sqlstate(),
                          pending_.front().applier->update_sql, pending_.front().position, "");
    }
    return failure;
  }
  for (size_t index = 0; index < pending_.size() && index < affected_.size(); ++index) {
    if (affected_[index] != 0) continue;
    ++outcome_->unmatched;
    --outcome_->replayed;
    const PendingStatement& statement = pending_[index];
    --*OperationCount(statement.operation);
    // Logged, never silently accepted; the first few in full, then a count per batch.
    if (++unmatched_logged_ <= 10) {
      impl_.log->warn(
          "batch {}: {} at {} matched no row in {} ({}): the target differs from the "
          "source for this key",
          batch_.id, OperationName(statement.operation),
          impl_.FileName(statement.position.file_number) + ":" +
              std::to_string(statement.position.position),
          statement.applier->display, KeyText(*statement.applier, statement.key_values, true));
    }
  }
  pending_.clear();
  Status exited = pipeline_.Exit();
  if (!exited.ok()) return FromStatus(exited, "");
  return std::nullopt;
}

std::optional<Failure> BatchApply::AppendCopyRow(Applier* applier, const ChangeEvent& event) {
  if (copy_applier_ != applier) {
    if (auto failure = FlushCopy()) return failure;
    if (auto failure = FlushPipeline()) return failure;
    Status begun = connection().BeginCopy(applier->copy_sql);
    if (!begun.ok()) {
      return TableFailure(*applier, begun, connection().last_sqlstate(), applier->copy_sql,
                          event.position, "");
    }
    copy_applier_ = applier;
    copy_first_position_ = event.position;
  }
  size_t row_start = copy_buffer_.size();
  for (size_t index = 0; index < event.after.size(); ++index) {
    if (index > 0) copy_buffer_.push_back('\t');
    const Value& value = event.after[index];
    if (value.is_null()) {
      translation::AppendCopyNull(&copy_buffer_);
      continue;
    }
    Status rendered = translation::AppendCopyValue(TypeFor(*applier, index, value, &type_scratch_),
                                                   applier->shape.columns[index].name,
                                                   MysqlText(value, &scratch_), &copy_buffer_);
    if (!rendered.ok()) {
      copy_buffer_.resize(row_start);
      Failure failure = TableFailure(*applier, rendered, "", applier->copy_sql, event.position,
                                     KeyText(*applier, event.after));
      failure.kind = FailureClass::kTable;
      return failure;
    }
  }
  copy_buffer_.push_back('\n');
  if (copy_buffer_.size() >= impl_.options.copy_chunk_bytes) {
    Status sent = connection().PutCopyData(copy_buffer_);
    copy_buffer_.clear();
    if (!sent.ok()) {
      return TableFailure(*applier, sent, connection().last_sqlstate(), applier->copy_sql,
                          copy_first_position_, "");
    }
  }
  return std::nullopt;
}

std::optional<Failure> BatchApply::HoldInsert(Applier* applier, const ChangeEvent& event) {
  if (held_applier_ != applier) {
    if (auto failure = ReleaseHeld()) return failure;
  }
  held_applier_ = applier;
  held_inserts_.push_back(event);
  if (held_inserts_.size() < impl_.options.copy_min_rows) return std::nullopt;
  std::vector<ChangeEvent> run = std::move(held_inserts_);
  held_inserts_.clear();
  held_applier_ = nullptr;
  for (const ChangeEvent& row : run) {
    if (auto failure = AppendCopyRow(applier, row)) return failure;
  }
  return std::nullopt;
}

std::optional<Failure> BatchApply::ReleaseHeld() {
  if (held_applier_ == nullptr) return std::nullopt;
  Applier* applier = held_applier_;
  std::vector<ChangeEvent> run = std::move(held_inserts_);
  held_inserts_.clear();
  held_applier_ = nullptr;
  for (const ChangeEvent& row : run) {
    if (auto failure = SendStatement(applier, row)) return failure;
  }
  return std::nullopt;
}

std::optional<Failure> BatchApply::SendStatement(Applier* applier, const ChangeEvent& event) {
  if (auto failure = FlushCopy()) return failure;
  if (!pipeline_.active()) {
    Status entered = pipeline_.Enter();
    if (!entered.ok()) return FromStatus(entered, "");
  }
  Operation operation = event.operation;
  if (applier->prepared_generation != impl_.connection_generation) {
    // All three at once: their PREPAREs travel in the same window as their first use.
    int columns = static_cast<int>(applier->shape.columns.size());
    int keys = static_cast<int>(applier->key_columns.size());
    Status prepared =
        pipeline_.SendPrepare(applier->update_name, applier->update_sql, columns + keys);
    if (prepared.ok()) {
      prepared = pipeline_.SendPrepare(applier->delete_name, applier->delete_sql, keys);
    }
    if (prepared.ok()) {
      prepared = pipeline_.SendPrepare(applier->insert_name, applier->insert_sql, columns);
    }
    if (!prepared.ok()) return FromStatus(prepared, "");
    applier->prepared_generation = impl_.connection_generation;
  }
  // Parameters: the after image (insert, update), then the key from the before image
  // (update, delete), so a key change finds the old row.
  bool with_after = operation != Operation::kDelete;
  bool with_key = operation != Operation::kInsert;
  size_t count =
      (with_after ? event.after.size() : 0) + (with_key ? applier->key_columns.size() : 0);
  parameter_text_.resize(count);
  parameter_values_.assign(count, nullptr);
  parameter_lengths_.assign(count, 0);
  auto set_parameter = [&](size_t slot, uint32_t column, const Value& value) -> Status {
    if (value.is_null()) return Status::Ok();
    ASSIGN_OR_RETURN(
        std::optional<std::string> text,
        translation::ToPgText(TypeFor(*applier, column, value, &type_scratch_),
                              applier->shape.columns[column].name, MysqlText(value, &scratch_)));
    if (!text) return Status::Ok();
    parameter_text_[slot] = std::move(*text);
    parameter_values_[slot] = parameter_text_[slot].c_str();
    parameter_lengths_[slot] = static_cast<int>(parameter_text_[slot].size());
    return Status::Ok();
  };
  size_t slot = 0;
  Status rendered;
  if (with_after) {
    for (uint32_t column = 0; column < event.after.size() && rendered.ok(); ++column) {
      rendered = set_parameter(slot++, column, event.after[column]);
    }
  }
  const std::vector<Value>& key_image = with_key ? event.before : event.after;
  if (with_key) {
    for (uint32_t column : applier->key_columns) {
      if (!rendered.ok()) break;
      rendered = set_parameter(slot++, column, key_image[column]);
    }
  }
  if (!rendered.ok()) {
    Failure failure = TableFailure(*applier, rendered, "", StatementSql(*applier, operation),
                                   event.position, KeyText(*applier, key_image));
    failure.kind = FailureClass::kTable;
    return failure;
  }
  const std::string& name = operation == Operation::kInsert   ? applier->insert_name
                            : operation == Operation::kUpdate ? applier->update_name
                                                              : applier->delete_name;
  Status sent = pipeline_.SendPrepared(name, parameter_values_, parameter_lengths_);
  if (!sent.ok()) return FromStatus(sent, "");
  PendingStatement pending{applier, operation, event.position, {}};
  for (uint32_t column : applier->key_columns) {
    pending.key_values.push_back(key_image[column]);
  }
  pending_.push_back(std::move(pending));
  if (pending_.size() >= impl_.options.statements_per_sync) return FlushPipeline();
  return std::nullopt;
}

std::optional<Failure> BatchApply::ApplyDdl(const ChangeEvent& event) {
  spool::EventKey key{impl_.spool.source_id(), event.position, event.sequence};
  if (impl_.skipped_ddl.count(key) > 0) {
    ++outcome_->skipped;
    return std::nullopt;
  }
  if (auto failure = FlushAll()) return failure;
  std::string where =
      impl_.FileName(event.position.file_number) + ":" + std::to_string(event.position.position);
  DdlResult result;
  Status applied =
      ReplayDdl(connection(), impl_.options, *impl_.log, where, event, &impl_.tables, &result);
  REPLAY_KILL_POINT("replay.mid_ddl");  // the DDL done, its batch not committed
  // Rows after the statement come with new shapes; rows of this batch before it, on a later
  // attempt, must not find appliers built for the changed table either.
  for (const auto& [schema, table] : result.stale) {
    impl_.InvalidateAppliers(schema, table);
    impl_.ddl_tables.emplace(schema, table);
  }
  catalogue::ReplayError error;
  error.source_id = impl_.options.source_id;
  error.spool_batch_id = batch_.id;
  error.schema =
      result.pg_schema.empty() ? impl_.PgSchema(event.schema).value_or("") : result.pg_schema;
  error.table = result.pg_table.empty() ? event.table : result.pg_table;
  error.binlog_name = impl_.FileName(event.position.file_number);
  error.binlog_position = static_cast<int64_t>(event.position.position);
  error.sql = event.ddl_statement;
  error.error_class = "ddl";
  if (applied.ok()) {
    outcome_->ddl += result.applied;
    outcome_->skipped += result.skipped;
    for (const std::string& note : result.notes) {
      error.message = note;
      Status recorded = catalogue::RecordReplayError(connection(), error);
      if (!recorded.ok()) return FromStatus(recorded, connection().last_sqlstate());
      impl_.log->warn("batch {}: DDL at {}: {}", batch_.id, where, note);
    }
    return std::nullopt;
  }
  Failure failure = FromStatus(applied, result.sqlstate);
  if (failure.kind == FailureClass::kRetry) return failure;
  std::string message =
      result.sqlstate.empty() ? applied.message() : result.sqlstate + " - " + applied.message();
  if (!result.untranslatable && impl_.options.on_error == config::OnError::kExit) {
    failure.kind = FailureClass::kTable;
    failure.schema = error.schema;
    failure.table = error.table;
    failure.sql = event.ddl_statement;
    failure.message = message;
    failure.position = event.position;
    failure.ddl = true;
    failure.event_key = key;
    return failure;
  }
  // Recorded in this batch's transaction, so exactly once; the replica goes on.
  error.message = result.untranslatable ? message : "DDL not replayed: " + message;
  if (!result.failed_sql.empty() && !result.untranslatable) {
    error.message += " (PostgreSQL statement: " + result.failed_sql + ")";
  }
  Status recorded = catalogue::RecordReplayError(connection(), error);
  if (!recorded.ok()) return FromStatus(recorded, connection().last_sqlstate());
  impl_.log->warn("batch {}: DDL at {} not replayed ({}): {}", batch_.id, where, message,
                  event.ddl_statement);
  ++outcome_->skipped;
  return std::nullopt;
}

std::optional<Failure> BatchApply::Apply(const ChangeEvent& event) {
  switch (event.operation) {
    case Operation::kCommit:
      return std::nullopt;
    case Operation::kDdl:
      return ApplyDdl(event);
    default:
      break;
  }
  std::string pg_schema;
  const TableState* state = Replicated(event.schema, event.table, event.position, &pg_schema);
  if (state == nullptr) {
    ++outcome_->skipped;
    return std::nullopt;
  }
  Applier* applier = impl_.GetApplier(event, pg_schema, *state);
  const std::vector<Value>& image =
      event.operation == Operation::kDelete ? event.before : event.after;
  Status usable = applier->error;
  if (usable.ok() && (image.size() != applier->shape.columns.size() ||
                      (event.operation == Operation::kUpdate &&
                       event.before.size() != applier->shape.columns.size()))) {
    usable = Status::Corruption(fmt::format("a row image has {} values, shape v{} has {} columns",
                                            image.size(), event.shape_version,
                                            applier->shape.columns.size()));
  }
  if (!usable.ok()) {
    Failure failure = TableFailure(*applier, usable, "", "", event.position, "");
    failure.kind = FailureClass::kTable;
    return failure;
  }
  ++outcome_->replayed;
  ++*OperationCount(event.operation);
  if (event.operation == Operation::kInsert) {
    // Straight into the open COPY only when no other table's rows wait before this one:
    // rows reach PostgreSQL in binlog order (foreign keys, triggers, sequences see it).
    if (copy_applier_ == applier && held_applier_ == nullptr) return AppendCopyRow(applier, event);
    return HoldInsert(applier, event);
  }
  if (auto failure = ReleaseHeld()) return failure;
  return SendStatement(applier, event);
}

std::optional<Failure> BatchApply::Run() {
  Status begun = connection().Execute("BEGIN");
  if (!begun.ok()) return FromStatus(begun, connection().last_sqlstate());
  auto cursor = impl_.spool.ReadBatch(batch_);
  if (!cursor.ok()) return FromStatus(cursor.status(), "");
  ChangeEvent event;
  uint32_t last_timestamp = 0;
  while (true) {
    Result<bool> next = cursor->Next(&event);
    if (!next.ok()) return FromStatus(next.status(), "");  // kReplica: corrupt spool
    if (!*next) break;
    if (event.source_timestamp_seconds != 0) last_timestamp = event.source_timestamp_seconds;
    if (auto failure = Apply(event)) return failure;
  }
  if (auto failure = FlushAll()) return failure;

  for (const auto& [key, reason] : impl_.disabled_in_batch) {
    size_t split = key.find('\n');
    Status disabled = catalogue::DisableTable(connection(), impl_.options.source_id,
                                              key.substr(0, split), key.substr(split + 1), reason);
    if (!disabled.ok()) return FromStatus(disabled, connection().last_sqlstate());
  }
  // Tables whose copy coordinates this batch passed need the check no more.
  for (auto& [key, state] : impl_.tables) {
    if (state.copy_position && !state.dropped && batch_.last_key.position >= *state.copy_position) {
      size_t split = key.find('\n');
      Status cleared = catalogue::ClearTableCoordinates(
          connection(), impl_.options.source_id, key.substr(0, split), key.substr(split + 1));
      if (!cleared.ok()) return FromStatus(cleared, connection().last_sqlstate());
    }
  }
  catalogue::ReplayedBatch record;
  record.source_id = impl_.options.source_id;
  record.spool_batch_id = batch_.id;
  record.first_binlog_name = impl_.FileName(batch_.first_key.position.file_number);
  record.first_binlog_position = static_cast<int64_t>(batch_.first_key.position.position);
  record.last_binlog_name = impl_.FileName(batch_.last_key.position.file_number);
  record.last_binlog_position = static_cast<int64_t>(batch_.last_key.position.position);
  if (batch_.resume) {
    record.resume_binlog_name = impl_.FileName(batch_.resume->file_number);
    record.resume_binlog_position = static_cast<int64_t>(batch_.resume->position);
  }
  record.replayed = outcome_->replayed;
  record.skipped = outcome_->skipped;
  record.ddl = outcome_->ddl;
  record.unmatched = outcome_->unmatched;
  if (last_timestamp != 0) record.last_event_epoch_seconds = last_timestamp;
  Status recorded = catalogue::RecordReplayedBatch(connection(), record);
  if (!recorded.ok()) {
    Failure failure = FromStatus(recorded, connection().last_sqlstate());
    return failure;
  }
  REPLAY_KILL_POINT("replay.before_commit");
  Status committed = connection().Execute("COMMIT");
  if (!committed.ok()) {
    // A lost connection here leaves the outcome unknown; the next attempt asks the
    // catalogue first (Attempt), so the batch is never applied twice.
    return FromStatus(committed, connection().last_sqlstate());
  }
  if (unmatched_logged_ > 10) {
    impl_.log->warn("batch {}: {} UPDATE/DELETE statements in all matched no row", batch_.id,
                    outcome_->unmatched);
  }
  return std::nullopt;
}

std::optional<Failure> ReplayerCore::Attempt(const spool::BatchInfo& batch, BatchOutcome* outcome) {
  if (Status connected = EnsureConnection(); !connected.ok()) {
    return FromStatus(connected, "");
  }
  // The catalogue is the truth: a batch it has is never applied again (a crash or a lost
  // COMMIT acknowledgement between the commit and MarkReplayed).
  auto last = catalogue::LastReplayed(*connection, options.source_id);
  if (!last.ok()) return FromStatus(last.status(), connection->last_sqlstate());
  if (last->spool_batch_id >= batch.id) {
    outcome->already_replayed = true;
    return std::nullopt;
  }
  if (last->spool_batch_id + 1 < batch.id) {
    // Batch ids follow each other in both places; a gap means PostgreSQL lost batches it had
    // committed (restored from an older backup, or a crash with unsafe settings such as
    // fsync off) while the spool had already deleted them. Going on would skip their rows.
    Failure failure;
    failure.kind = FailureClass::kReplica;
    failure.message = fmt::format(
        "the catalogue's last replayed batch is {}, but the spool's next is {}: PostgreSQL "
        "lost committed batches (restored from a backup, or a crash with fsync off?); run "
        "init_replica for this source",
        last->spool_batch_id, batch.id);
    return failure;
  }
  if (Status loaded = LoadCatalogue(); !loaded.ok()) {
    return FromStatus(loaded, connection->last_sqlstate());
  }
  for (const auto& [schema, table] : ddl_tables)
    InvalidateAppliers(schema, table);
  std::optional<Failure> failure;
  {
    BatchApply apply(*this, batch, outcome);
    failure = apply.Run();
  }
  return failure;
}

Status ReplayerCore::HandleTableFailure(const spool::BatchInfo& batch, const Failure& failure,
                                        BatchOutcome* outcome) {
  std::string display = failure.schema + "." + failure.table;
  bool exit_replica = options.on_error == config::OnError::kExit;
  catalogue::ReplayError error;
  error.source_id = options.source_id;
  error.spool_batch_id = batch.id;
  error.schema = failure.schema;
  error.table = failure.table;
  error.table_pkey = failure.table_pkey;
  error.binlog_name = FileName(failure.position.file_number);
  error.binlog_position = static_cast<int64_t>(failure.position.position);
  error.sql = failure.sql;
  error.message = failure.message;
  error.error_class = exit_replica ? "replica" : "table";
  std::string reason = fmt::format("replay error at {}:{}: {}", error.binlog_name,
                                   failure.position.position, failure.message);
  RETURN_IF_ERROR(EnsureConnection());
  // Its own transaction, committed before the batch is tried again: the batch transaction
  // was rolled back, and the exclusion must hold for that next attempt.
  Status recorded = connection->InTransaction([&]() -> Status {
    RETURN_IF_ERROR(catalogue::RecordReplayError(*connection, error));
    if (exit_replica) return Status::Ok();
    return catalogue::DisableTable(*connection, options.source_id, failure.schema, failure.table,
                                   reason);
  });
  if (!recorded.ok()) return recorded;
  if (!exit_replica) disabled_in_batch[TableKey(failure.schema, failure.table)] = reason;
  if (exit_replica) {
    log->error(
        "batch {}: {} rejected a change; on_error_replay is exit, so the replica stops: "
        "{}",
        batch.id, display, failure.message);
    return Status::FailedPrecondition(
        fmt::format("replay of batch {} stopped (on_error_replay: exit): table {}: {}", batch.id,
                    display, failure.message));
  }
  log->error(
      "batch {}: table {} leaves the replica ({}); the batch is applied again without "
      "it; `chameleon show_errors` has the statement, `sync_tables --tables disabled` "
      "brings it back",
      batch.id, display, reason);
  outcome->disabled_tables.push_back(display);
  return Status::Ok();
}

bool ReplayerCore::WaitUnlessStopping(std::chrono::milliseconds duration) const {
  auto until = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < until) {
    if (options.stopping && options.stopping()) return false;
    std::this_thread::sleep_for(std::min(std::chrono::milliseconds(50), duration));
  }
  return true;
}

Status ReplayerCore::StoppedWaiting(const spool::BatchInfo& batch) const {
  return Status::Unavailable(
      fmt::format("batch {} not replayed: stopping while waiting to try again (it stays in the "
                  "spool)",
                  batch.id));
}

Result<std::optional<BatchOutcome>> ReplayerCore::ReplayOneBatch() {
  std::optional<spool::BatchInfo> batch = spool.OldestClosedBatch();
  if (!batch) return std::optional<BatchOutcome>();
  skipped_ddl.clear();
  ddl_tables.clear();
  disabled_in_batch.clear();
  std::vector<std::string> disabled;
  auto backoff = options.first_backoff;
  int retries = 0;
  for (int attempt = 1;; ++attempt) {
    if (attempt > 10000) {
      return Status::Internal(
          fmt::format("batch {}: no progress after {} attempts", batch->id, attempt));
    }
    BatchOutcome outcome;
    outcome.batch_id = batch->id;
    std::optional<Failure> failure = Attempt(*batch, &outcome);
    if (!failure) {
      REPLAY_KILL_POINT("replay.after_commit");  // committed, still in the spool
      if (options.after_commit_for_test) {
        RETURN_IF_ERROR(options.after_commit_for_test(batch->id));
      }
      RETURN_IF_ERROR(spool.MarkReplayed(batch->id));
      outcome.attempts = attempt;
      outcome.disabled_tables = disabled;
      if (outcome.already_replayed) {
        log->info("batch {} was already replayed per the catalogue; removed from the spool",
                  batch->id);
      } else {
        log->info("batch {} replayed: {} rows, {} DDL, {} skipped, {} unmatched", batch->id,
                  outcome.replayed, outcome.ddl, outcome.skipped, outcome.unmatched);
      }
      return std::optional<BatchOutcome>(std::move(outcome));
    }
    DropConnection();  // rolls the transaction back; the next attempt starts clean
    switch (failure->kind) {
      case FailureClass::kRetry:
        if (++retries >= options.max_attempts) {
          return Status::Unavailable(
              fmt::format("batch {} not replayed after {} attempts (it stays in the spool): {}",
                          batch->id, retries, failure->message));
        }
        log->warn("batch {}: {}; retrying in {} ms", batch->id, failure->message, backoff.count());
        if (!WaitUnlessStopping(backoff)) return StoppedWaiting(*batch);
        backoff = std::min(backoff * 2, options.max_backoff);
        break;
      case FailureClass::kTable: {
        if (failure->ddl && options.on_error != config::OnError::kExit) {
          skipped_ddl.insert(failure->event_key);
        }
        Status handled = HandleTableFailure(*batch, *failure, &outcome);
        if (!handled.ok()) {
          if (handled.code() == StatusCode::kFailedPrecondition) return handled;
          DropConnection();
          if (++retries >= options.max_attempts) return handled;
          if (!WaitUnlessStopping(backoff)) return StoppedWaiting(*batch);
          backoff = std::min(backoff * 2, options.max_backoff);
          break;
        }
        disabled.insert(disabled.end(), outcome.disabled_tables.begin(),
                        outcome.disabled_tables.end());
        break;
      }
      case FailureClass::kReplica:
        return Status::Internal(
            fmt::format("batch {} cannot be replayed: {}", batch->id, failure->message));
    }
  }
}

}  // namespace

struct Replayer::Impl {
  ReplayerCore core;
};

Replayer::Replayer(spool::Spool& spool, ConnectFunction connect, ReplayerOptions options)
    : impl_(std::make_unique<Impl>(Impl{{spool, std::move(connect), std::move(options)}})) {}

Replayer::~Replayer() = default;

Result<spool::ReconcileReport> Replayer::Reconcile() {
  RETURN_IF_ERROR(impl_->core.EnsureConnection());
  ASSIGN_OR_RETURN(catalogue::LastReplayedBatch last,
                   catalogue::LastReplayed(*impl_->core.connection, impl_->core.options.source_id));
  spool::CatalogueState state;
  state.last_replayed_batch_id = last.spool_batch_id;
  if (last.last_binlog_name && last.last_binlog_position) {
    auto file_number = ParseBinlogFileNumber(*last.last_binlog_name);
    if (file_number.ok()) {
      state.replayed_position =
          BinlogPosition{*file_number, static_cast<uint64_t>(*last.last_binlog_position)};
    }
  }
  Result<spool::ReconcileReport> reconciled = impl_->core.spool.Reconcile(state);
  if (!reconciled.ok() && reconciled.status().code() == StatusCode::kNotFound &&
      last.resume_binlog_name && last.resume_binlog_position) {
    // The spool is lost, but the catalogue knows where reading resumes after the last batch
    // it applied: everything it has is behind that position, everything it lacks after it.
    ASSIGN_OR_RETURN(uint32_t file_number, ParseBinlogFileNumber(*last.resume_binlog_name));
    BinlogPosition resume{file_number, static_cast<uint64_t>(*last.resume_binlog_position)};
    RETURN_IF_ERROR(impl_->core.spool.ResetFromCatalogue(state, resume));
    impl_->core.log->warn(
        "{}: reading resumes at {}:{}, right after batch {} (the last one PostgreSQL has); the "
        "binlog must still hold that position",
        reconciled.status().message(), *last.resume_binlog_name, resume.position,
        last.spool_batch_id);
    spool::ReconcileReport report;
    report.resumed_from_catalogue = resume;
    return report;
  }
  if (!reconciled.ok()) return reconciled.status();
  for (uint64_t id : reconciled->deleted_batch_ids) {
    impl_->core.log->info("batch {} was committed before the last stop; removed from the spool",
                          id);
  }
  return reconciled;
}

Result<std::optional<BatchOutcome>> Replayer::ReplayOneBatch() {
  return impl_->core.ReplayOneBatch();
}

}  // namespace chameleon::replayer
