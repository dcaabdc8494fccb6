// Row generation for the benchmark workload; see workload.h. Values are chosen to exercise what
// replicators get wrong: quotes, backslashes, newlines, 4-byte UTF-8, NUL bytes, negative decimals.
#include "workload.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

namespace chameleon::bench {
namespace {

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ULL;
constexpr uint64_t kUpdateSalt = 0x5DEECE66DULL;
constexpr int64_t kEpoch2020 = 1577836800;  // 2020-01-01 00:00:00 UTC
constexpr int64_t kFiveYearsSeconds = int64_t{5} * 365 * 86400;

// Words of the generated text. Some carry what escaping must get right: ' " \ % and UTF-8 of
// 2, 3 and 4 bytes. JSON strings only use the first kJsonSafeWords (no quote or backslash).
constexpr std::array<std::string_view, 32> kWords = {
    "order", "parcel",  "fragile", "express",   "gift", "wrap",   "deliver", "monday",
    "back",  "door",    "leave",   "neighbour", "call", "before", "café",    "naïve",
    "Zoë",   "straße",  "東京",    "李",        "😀",    "ready",  "box",     "blue",
    "50%",   "O'Brien", "\"ok\"",  "C:\\temp",  "it's", "a\\b",   "tab",     "end"};
constexpr size_t kJsonSafeWords = 24;

constexpr std::array<std::string_view, 5> kStatuses = {"new", "paid", "shipped", "delivered",
                                                       "cancelled"};
constexpr std::array<std::string_view, 5> kTags = {"vip", "newsletter", "b2b", "wholesale",
                                                   "flagged"};
constexpr std::array<std::string_view, 10> kCountries = {"US", "DE", "FR", "IT", "JP",
                                                         "BR", "IN", "GB", "ES", "CN"};
constexpr std::array<std::string_view, 10> kFirstNames = {"Ana",  "José",  "Zoë", "Liam", "Mia",
                                                          "Noah", "Émile", "李",  "Ola",  "Sean"};
constexpr std::array<std::string_view, 10> kLastNames = {
    "Smith", "O'Brien", "Müller", "García", "Rossi", "Tanaka", "Dubois", "王", "Silva", "Nowak"};
constexpr std::array<std::string_view, 4> kChannels = {"web", "app", "phone", "store"};

uint64_t RowSeed(uint64_t seed, TableId table, uint64_t key) {
  Rng mixer(seed ^ ((static_cast<uint64_t>(table) + 1) * kGolden) ^ (key * 0xD6E8FEB86659FD93ULL));
  mixer.Next();
  return mixer.Next();
}

template <size_t N>
std::string_view Pick(Rng& rng, const std::array<std::string_view, N>& items) {
  return items[rng.Below(N)];
}

// Words joined by spaces until at least `min_bytes`; never more than `min_bytes` + one word.
std::string Words(Rng& rng, size_t min_bytes, size_t word_count, bool control_characters) {
  std::string text;
  while (text.size() < min_bytes) {
    if (!text.empty()) {
      text += control_characters && rng.Percent(5) ? (rng.Percent(50) ? "\n" : "\t") : " ";
    }
    text += kWords[rng.Below(word_count)];
  }
  return text;
}

// "-12.30": a decimal with two digits after the point from a signed number of cents.
std::string Cents(int64_t cents) {
  uint64_t magnitude = static_cast<uint64_t>(cents < 0 ? -cents : cents);
  return fmt::format("{}{}.{:02}", cents < 0 ? "-" : "", magnitude / 100, magnitude % 100);
}

// "YYYY-MM-DD" of a day number (days since 1970-01-01, negative before).
std::string Date(int64_t day_number) {
  std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{day_number}}};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
}

// "YYYY-MM-DD HH:MM:SS[.fraction]" in UTC of a time after 1970; `fraction_digits` 0, 3 or 6
// of `micros`.
std::string DateTime(int64_t unix_seconds, int fraction_digits, uint64_t micros) {
  int64_t second_of_day = unix_seconds % 86400;
  std::string text =
      fmt::format("{} {:02}:{:02}:{:02}", Date(unix_seconds / 86400), second_of_day / 3600,
                  (second_of_day / 60) % 60, second_of_day % 60);
  if (fraction_digits == 3) text += fmt::format(".{:03}", micros / 1000);
  if (fraction_digits == 6) text += fmt::format(".{:06}", micros);
  return text;
}

// A SET value: members in definition order, comma-separated, as MySQL returns them.
std::string SetValue(Rng& rng) {
  std::string value;
  for (std::string_view tag : kTags) {
    if (!rng.Percent(30)) continue;
    if (!value.empty()) value += ',';
    value += tag;
  }
  return value;
}

std::string Bytes(Rng& rng, size_t size) {
  std::string bytes(size, '\0');
  for (char& byte : bytes)
    byte = static_cast<char>(rng.Below(256));
  return bytes;
}

// JSON written exactly as PostgreSQL's jsonb prints it (keys by length then bytes, ", " and
// ": " separators), so MariaDB's verbatim text, json and jsonb all read back the same.
std::string Attributes(Rng& rng) {
  std::string tags;
  uint64_t tag_count = rng.Below(3);
  for (uint64_t i = 0; i < tag_count; ++i) {
    tags += fmt::format("{}\"{}\"", i == 0 ? "" : ", ", Pick(rng, kTags));
  }
  return fmt::format(
      R"({{"qty": {}, "sku": "SKU-{:06}", "note": "{}", "tags": [{}], "channel": "{}"}})",
      rng.Between(1, 20), rng.Below(1000000), Words(rng, 8, kJsonSafeWords, false), tags,
      Pick(rng, kChannels));
}

Row OrdersRow(const Workload& workload, Rng& rng, uint64_t id) {
  uint64_t customers = workload.InitialRows(TableId::kCustomers);
  int64_t ordered_at = kEpoch2020 + static_cast<int64_t>(rng.Below(kFiveYearsSeconds));
  Row row(9);
  row[0] = std::to_string(id);
  row[1] = std::to_string(1 + rng.Below(customers));
  row[2] = std::string(Pick(rng, kStatuses));
  row[3] = Cents(rng.Percent(3) ? -rng.Between(1, 100000) : rng.Between(0, 9999999));
  if (!rng.Percent(10)) row[4] = Words(rng, 10 + rng.Below(110), kWords.size(), false);
  row[5] = DateTime(ordered_at, 6, rng.Below(1000000));
  row[6] = DateTime(ordered_at + rng.Between(0, int64_t{86400} * 30), 0, 0);
  row[7] = rng.Percent(15) ? "1" : "0";
  if (!rng.Percent(5)) row[8] = Attributes(rng);
  return row;
}

Row CustomersRow(Rng& rng, uint64_t id) {
  Row row(8);
  row[0] = std::to_string(id);
  row[1] = fmt::format("user{}@example{}.com", id, rng.Below(50));
  row[2] = fmt::format("{} {}", Pick(rng, kFirstNames), Pick(rng, kLastNames));
  row[3] = std::string(Pick(rng, kCountries));
  row[4] = Cents(rng.Between(-100000, 100000000));
  // Birth dates from 1940 (day -10957) over 65 years.
  if (!rng.Percent(10)) row[5] = Date(-10957 + static_cast<int64_t>(rng.Below(uint64_t{65} * 365)));
  row[6] = SetValue(rng);
  if (!rng.Percent(30)) row[7] = Bytes(rng, 16 + rng.Below(113));
  return row;
}

Row EventsRow(Rng& rng, uint64_t id) {
  Row row(4);
  row[0] = std::to_string(id);
  row[1] = DateTime(kEpoch2020 + static_cast<int64_t>(rng.Below(kFiveYearsSeconds)), 3,
                    rng.Below(1000000));
  row[2] = std::to_string(rng.Between(-32768, 32767));
  if (!rng.Percent(5)) row[3] = Words(rng, 40 + rng.Below(220), kWords.size(), true);
  return row;
}

}  // namespace

uint64_t Rng::Next() {
  uint64_t z = (state_ += kGolden);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

int64_t Rng::Between(int64_t low, int64_t high) {
  uint64_t span = static_cast<uint64_t>(high - low) + 1;
  return low + static_cast<int64_t>(Below(span));
}

const std::array<TableSpec, kTableCount>& Tables() {
  using K = ValueKind;
  static const std::array<TableSpec, kTableCount> tables = {
      TableSpec{TableId::kOrders,
                "orders",
                {{"id", K::kNumber, false},
                 {"customer_id", K::kNumber, false},
                 {"status", K::kText, true},
                 {"amount", K::kNumber, true},
                 {"note", K::kText, true},
                 {"ordered_at", K::kText, false},
                 {"updated_at", K::kText, true},
                 {"is_gift", K::kNumber, true},
                 {"attributes", K::kText, false}},
                1,
                1000000},
      TableSpec{TableId::kCustomers,
                "customers",
                {{"id", K::kNumber, false},
                 {"email", K::kText, false},
                 {"name", K::kText, false},
                 {"country", K::kText, false},
                 {"balance", K::kNumber, true},
                 {"birth_date", K::kText, false},
                 {"tags", K::kText, true},
                 {"avatar", K::kBytes, true}},
                1,
                200000},
      // Ids above 2^63: a bigint unsigned key that only fits PostgreSQL's numeric.
      TableSpec{TableId::kEvents,
                "events",
                {{"id", K::kNumber, false},
                 {"happened_at", K::kText, false},
                 {"kind", K::kNumber, true},
                 {"payload", K::kText, true}},
                9223372036854775808ULL,
                500000},
  };
  return tables;
}

const TableSpec& Table(TableId table) {
  return Tables()[static_cast<size_t>(table)];
}

Workload::Workload(uint64_t seed, double scale) : seed_(seed) {
  for (const TableSpec& table : Tables()) {
    double rows = std::round(static_cast<double>(table.rows_at_scale_1) * scale);
    initial_rows_[static_cast<size_t>(table.id)] = rows < 1 ? 1 : static_cast<uint64_t>(rows);
  }
}

Row Workload::MakeRow(TableId table, uint64_t id, uint32_t stamp) const {
  Rng rng(RowSeed(seed_, table, id));
  Row row;
  switch (table) {
    case TableId::kOrders:
      row = OrdersRow(*this, rng, id);
      break;
    case TableId::kCustomers:
      row = CustomersRow(rng, id);
      break;
    case TableId::kEvents:
      row = EventsRow(rng, id);
      break;
  }
  if (stamp == 0) return row;
  Row updated = UpdatedValues(table, stamp);
  const auto& columns = Table(table).columns;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].updated) row[i] = std::move(updated[i]);
  }
  return row;
}

Row Workload::UpdatedValues(TableId table, uint32_t stamp) const {
  // A fresh row of the same table drawn from the stamp's own seed supplies the new values.
  Rng rng(RowSeed(seed_ ^ kUpdateSalt, table, stamp));
  Row source;
  switch (table) {
    case TableId::kOrders:
      source = OrdersRow(*this, rng, 0);
      break;
    case TableId::kCustomers:
      source = CustomersRow(rng, 0);
      break;
    case TableId::kEvents:
      source = EventsRow(rng, 0);
      break;
  }
  const auto& columns = Table(table).columns;
  Row values(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].updated) values[i] = std::move(source[i]);
  }
  return values;
}

void AppendMysqlLiteral(std::string& out, ValueKind kind, const Value& value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  if (!value) {
    out += "NULL";
    return;
  }
  switch (kind) {
    case ValueKind::kNumber:
      out += *value;
      return;
    case ValueKind::kText:
      out += '\'';
      for (char c : *value) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
      }
      out += '\'';
      return;
    case ValueKind::kBytes:
      out += "X'";
      for (char c : *value) {
        auto byte = static_cast<unsigned char>(c);
        out += kHex[byte >> 4];
        out += kHex[byte & 15];
      }
      out += '\'';
      return;
  }
}

std::string PgParameter(ValueKind kind, const std::string& value) {
  if (kind != ValueKind::kBytes) return value;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text = "\\x";
  text.reserve(2 + value.size() * 2);
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    text += kHex[byte >> 4];
    text += kHex[byte & 15];
  }
  return text;
}

}  // namespace chameleon::bench
