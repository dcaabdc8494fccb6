// The MariaDB and PostgreSQL-pipeline change sinks; see change_sinks.h. Both render the same
// Transaction: MariaDB as the statements an application writes, PostgreSQL as row changes by key.
#include "change_sinks.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <array>

namespace chameleon::bench {
namespace {

class MariadbSink : public ChangeSink {
 public:
  MariadbSink(MariadbSession session, const Workload& workload, std::string database)
      : session_(std::move(session)), workload_(workload), database_(std::move(database)) {}

  Status Apply(const Transaction& transaction) override {
    sql_ = "START TRANSACTION";
    for (const Statement& statement : transaction.statements) {
      sql_ += ";\n";
      AppendStatement(statement);
    }
    sql_ += ";\nCOMMIT";
    return session_.Execute(sql_);
  }

  Status Flush() override { return Status::Ok(); }

  Status WriteMarker(int64_t id, int64_t sent_us) override {
    return session_.Execute(fmt::format("INSERT INTO {}.bench_marker (id, sent_us) VALUES ({}, {})",
                                        MariadbIdentifier(database_), id, sent_us));
  }

 private:
  void AppendStatement(const Statement& statement) {
    const TableSpec& table = Table(statement.table);
    std::string name = MariadbIdentifier(database_) + "." + MariadbIdentifier(table.name);
    switch (statement.kind) {
      case ChangeKind::kInsert: {
        sql_ += "INSERT INTO " + name + " (";
        for (size_t i = 0; i < table.columns.size(); ++i) {
          sql_ += (i == 0 ? "" : ", ") + std::string(table.columns[i].name);
        }
        sql_ += ") VALUES ";
        for (size_t r = 0; r < statement.ids.size(); ++r) {
          Row row = workload_.MakeRow(statement.table, statement.ids[r], 0);
          sql_ += r == 0 ? "(" : ", (";
          for (size_t i = 0; i < row.size(); ++i) {
            if (i > 0) sql_ += ", ";
            AppendMysqlLiteral(sql_, table.columns[i].kind, row[i]);
          }
          sql_ += ')';
        }
        return;
      }
      case ChangeKind::kUpdate: {
        Row values = workload_.UpdatedValues(statement.table, statement.stamp);
        sql_ += "UPDATE " + name + " SET ";
        bool first = true;
        for (size_t i = 0; i < table.columns.size(); ++i) {
          if (!table.columns[i].updated) continue;
          sql_ += (first ? "" : ", ") + std::string(table.columns[i].name) + " = ";
          AppendMysqlLiteral(sql_, table.columns[i].kind, values[i]);
          first = false;
        }
        AppendWhere(statement);
        return;
      }
      case ChangeKind::kDelete:
        sql_ += "DELETE FROM " + name;
        AppendWhere(statement);
        return;
    }
  }

  void AppendWhere(const Statement& statement) {
    if (statement.by_range) {
      sql_ += fmt::format(" WHERE id BETWEEN {} AND {}", statement.low, statement.high);
    } else {
      sql_ += fmt::format(" WHERE id = {}", statement.ids.front());
    }
  }

  MariadbSession session_;
  const Workload& workload_;
  std::string database_;
  std::string sql_;
};

class PgPipelineSink : public ChangeSink {
 public:
  // Statements between syncs. Bounded because this client only reads results at a sync: the
  // ~30 bytes of results per statement must fit the socket buffers, or both sides would block.
  static constexpr int kStatementsPerSync = 1000;

  PgPipelineSink(PgSession session, const Workload& workload, uint64_t batch_row_changes)
      : session_(std::move(session)), workload_(workload), batch_row_changes_(batch_row_changes) {}

  Status Prepare(const std::string& schema) {
    for (const TableSpec& table : Tables()) {
      std::string name = PgIdentifier(schema) + "." + PgIdentifier(table.name);
      std::string columns;
      std::string placeholders;
      std::string assignments;
      for (size_t i = 0; i < table.columns.size(); ++i) {
        std::string column = PgIdentifier(table.columns[i].name);
        columns += (i == 0 ? "" : ", ") + column;
        placeholders += fmt::format("{}${}", i == 0 ? "" : ", ", i + 1);
        if (i > 0) assignments += fmt::format("{}{} = ${}", i == 1 ? "" : ", ", column, i + 1);
      }
      std::string prefix(table.name);
      RETURN_IF_ERROR(Prepare(prefix + "_insert", fmt::format("INSERT INTO {} ({}) VALUES ({})",
                                                              name, columns, placeholders)));
      RETURN_IF_ERROR(Prepare(prefix + "_update",
                              fmt::format("UPDATE {} SET {} WHERE id = $1", name, assignments)));
      RETURN_IF_ERROR(
          Prepare(prefix + "_delete", fmt::format("DELETE FROM {} WHERE id = $1", name)));
    }
    RETURN_IF_ERROR(Prepare("marker_insert",
                            fmt::format("INSERT INTO {}.bench_marker (id, sent_us) VALUES ($1, $2)",
                                        PgIdentifier(schema))));
    if (PQenterPipelineMode(session_.handle()) != 1) {
      return session_.Error(nullptr, "entering pipeline mode");
    }
    return Status::Ok();
  }

  Status Apply(const Transaction& transaction) override {
    if (!in_transaction_) {
      RETURN_IF_ERROR(SendCommand("BEGIN"));
      in_transaction_ = true;
    }
    for (const Statement& statement : transaction.statements) {
      const TableSpec& table = Table(statement.table);
      std::string prefix(table.name);
      for (uint64_t id : statement.ids) {
        switch (statement.kind) {
          case ChangeKind::kInsert:
            RETURN_IF_ERROR(SendPrepared(prefix + "_insert", &table,
                                         workload_.MakeRow(statement.table, id, 0),
                                         table.columns.size()));
            break;
          case ChangeKind::kUpdate:
            RETURN_IF_ERROR(SendPrepared(prefix + "_update", &table,
                                         workload_.MakeRow(statement.table, id, statement.stamp),
                                         table.columns.size()));
            break;
          case ChangeKind::kDelete:
            RETURN_IF_ERROR(SendPrepared(prefix + "_delete", &table, {std::to_string(id)}, 1));
            break;
        }
      }
    }
    batch_changes_ += transaction.row_changes;
    if (batch_changes_ >= batch_row_changes_) RETURN_IF_ERROR(Commit());  // 0: every transaction
    // A sync inside an open transaction block commits nothing; it only collects results.
    if (pending_ >= kStatementsPerSync) return Sync();
    return Status::Ok();
  }

  Status Flush() override {
    RETURN_IF_ERROR(Commit());
    return Sync();
  }

  Status WriteMarker(int64_t id, int64_t sent_us) override {
    RETURN_IF_ERROR(Flush());
    RETURN_IF_ERROR(SendCommand("BEGIN"));
    Row marker = {std::to_string(id), std::to_string(sent_us)};
    RETURN_IF_ERROR(SendPrepared("marker_insert", nullptr, marker, marker.size()));
    RETURN_IF_ERROR(SendCommand("COMMIT"));
    return Sync();
  }

 private:
  Status Commit() {
    if (!in_transaction_) return Status::Ok();
    RETURN_IF_ERROR(SendCommand("COMMIT"));
    in_transaction_ = false;
    batch_changes_ = 0;
    return Status::Ok();
  }

  // Sends a sync and reads the results of every command sent since the last one.
  Status Sync() {
    if (pending_ == 0) return Status::Ok();
    if (PQpipelineSync(session_.handle()) != 1) return session_.Error(nullptr, "pipeline sync");
    Status first_error = Status::Ok();
    // Each command yields its result(s) then a null; the sync yields PGRES_PIPELINE_SYNC.
    for (int command = 0; command < pending_; ++command) {
      while (PgResult result{PQgetResult(session_.handle())}) {
        ExecStatusType status = PQresultStatus(result.get());
        if (status == PGRES_FATAL_ERROR && first_error.ok()) {
          first_error = session_.Error(result.get(), "pipelined statement");
        }
      }
      if (PQstatus(session_.handle()) != CONNECTION_OK) {
        return session_.Error(nullptr, "pipeline results");
      }
    }
    PgResult sync{PQgetResult(session_.handle())};
    if (!sync || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) {
      return session_.Error(sync.get(), "pipeline sync result");
    }
    pending_ = 0;
    return first_error;
  }

  Status Prepare(const std::string& name, const std::string& sql) {
    PgResult result(PQprepare(session_.handle(), name.c_str(), sql.c_str(), 0, nullptr));
    if (!result || PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
      return session_.Error(result.get(), sql);
    }
    return Status::Ok();
  }

  Status SendCommand(const char* sql) {
    if (PQsendQueryParams(session_.handle(), sql, 0, nullptr, nullptr, nullptr, nullptr, 0) != 1) {
      return session_.Error(nullptr, sql);
    }
    ++pending_;
    return Status::Ok();
  }

  // The first `count` values of `row` as the text parameters of prepared statement `name`.
  Status SendPrepared(const std::string& name, const TableSpec* table, const Row& row,
                      size_t count) {
    parameters_.resize(count);
    values_.assign(count, nullptr);
    for (size_t i = 0; i < count; ++i) {
      if (!row[i]) continue;
      parameters_[i] = table != nullptr ? PgParameter(table->columns[i].kind, *row[i]) : *row[i];
      values_[i] = parameters_[i].c_str();
    }
    if (PQsendQueryPrepared(session_.handle(), name.c_str(), static_cast<int>(count),
                            values_.data(), nullptr, nullptr, 0) != 1) {
      return session_.Error(nullptr, name);
    }
    ++pending_;
    return Status::Ok();
  }

  PgSession session_;
  const Workload& workload_;
  uint64_t batch_row_changes_;   // 0: one PostgreSQL transaction per source transaction
  bool in_transaction_ = false;  // BEGIN sent, COMMIT not yet
  uint64_t batch_changes_ = 0;   // row changes in the open transaction
  int pending_ = 0;              // commands sent since the last sync
  std::vector<std::string> parameters_;
  std::vector<const char*> values_;
};

}  // namespace

std::unique_ptr<ChangeSink> MakeMariadbSink(MariadbSession session, const Workload& workload,
                                            std::string database) {
  return std::make_unique<MariadbSink>(std::move(session), workload, std::move(database));
}

Result<std::unique_ptr<ChangeSink>> MakePgPipelineSink(PgSession session, const Workload& workload,
                                                       const std::string& schema,
                                                       uint64_t batch_row_changes) {
  auto sink = std::make_unique<PgPipelineSink>(std::move(session), workload, batch_row_changes);
  RETURN_IF_ERROR(sink->Prepare(schema));
  return std::unique_ptr<ChangeSink>(std::move(sink));
}

}  // namespace chameleon::bench
