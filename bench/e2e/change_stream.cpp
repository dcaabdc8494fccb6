// The deterministic change stream; see change_stream.h. Only the stream's own Rng decides, so
// every process that replays it from the same seed sees the same transactions.
#include "change_stream.h"

namespace chameleon::bench {
namespace {

constexpr uint64_t kStreamSalt = 0xC0FFEE1234567ULL;

TableId PickTable(Rng& rng) {
  uint64_t roll = rng.Below(100);
  if (roll < 60) return TableId::kOrders;
  if (roll < 75) return TableId::kCustomers;
  return TableId::kEvents;
}

}  // namespace

ChangeStream::ChangeStream(const Workload& workload) : rng_(workload.seed() ^ kStreamSalt) {
  for (const TableSpec& spec : Tables()) {
    TableState& state = StateOf(spec.id);
    uint64_t rows = workload.InitialRows(spec.id);
    state.first_id = spec.first_id;
    state.next_id = spec.first_id + rows;
    state.positions.resize(rows);
    state.live.resize(rows);
    for (uint64_t i = 0; i < rows; ++i) {
      state.positions[i] = static_cast<uint32_t>(i);
      state.live[i] = spec.first_id + i;
    }
  }
}

const Transaction& ChangeStream::Next() {
  transaction_.statements.clear();
  transaction_.row_changes = 0;
  uint64_t statement_count = 1 + rng_.Below(20);
  for (uint64_t i = 0; i < statement_count; ++i) {
    Statement statement;
    statement.table = PickTable(rng_);
    // Statement weights chosen so that row changes come out near 50/30/20 given the rows per
    // statement of each kind (insert ~2, update ~1.9, delete ~1.2).
    uint64_t roll = rng_.Below(1000);
    bool has_rows = !StateOf(statement.table).live.empty();
    if (roll < 435 || !has_rows) {
      Insert(statement);
      counts_.inserts += statement.ids.size();
    } else if (roll < 710) {
      Update(statement);
      counts_.updates += statement.ids.size();
    } else {
      Delete(statement);
      counts_.deletes += statement.ids.size();
    }
    transaction_.row_changes += statement.ids.size();
    transaction_.statements.push_back(std::move(statement));
  }
  counts_.transactions += 1;
  counts_.statements += statement_count;
  return transaction_;
}

void ChangeStream::Insert(Statement& statement) {
  statement.kind = ChangeKind::kInsert;
  TableState& state = StateOf(statement.table);
  uint64_t rows = rng_.Percent(25) ? 2 + rng_.Below(7) : 1;
  for (uint64_t i = 0; i < rows; ++i) {
    uint64_t id = state.next_id++;
    state.positions.push_back(static_cast<uint32_t>(state.live.size()));
    state.live.push_back(id);
    statement.ids.push_back(id);
  }
}

void ChangeStream::Update(Statement& statement) {
  statement.kind = ChangeKind::kUpdate;
  statement.stamp = next_stamp_++;
  PickRows(statement, 20, 9);
}

void ChangeStream::Delete(Statement& statement) {
  statement.kind = ChangeKind::kDelete;
  PickRows(statement, 10, 4);
  TableState& state = StateOf(statement.table);
  for (uint64_t deleted : statement.ids)
    Remove(state, deleted);
}

void ChangeStream::PickRows(Statement& statement, uint64_t range_percent, uint64_t max_extra_ids) {
  TableState& state = StateOf(statement.table);
  uint64_t id = state.live[rng_.Below(state.live.size())];
  if (!rng_.Percent(range_percent)) {
    statement.ids.push_back(id);
    return;
  }
  statement.by_range = true;
  statement.low = id;
  statement.high = id + 1 + rng_.Below(max_extra_ids);
  for (uint64_t candidate = statement.low; candidate <= statement.high && candidate < state.next_id;
       ++candidate) {
    if (state.positions[candidate - state.first_id] != kAbsent) statement.ids.push_back(candidate);
  }
}

void ChangeStream::Remove(TableState& state, uint64_t id) {
  uint32_t position = state.positions[id - state.first_id];
  uint64_t last = state.live.back();
  state.live[position] = last;
  state.positions[last - state.first_id] = position;
  state.live.pop_back();
  state.positions[id - state.first_id] = kAbsent;
}

}  // namespace chameleon::bench
