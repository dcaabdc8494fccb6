// GTID positions; see gtid_state.h.
#include "reader/gtid_state.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "common/strings.h"

namespace chameleon::reader {
namespace {

template <typename T>
bool ParseNumber(std::string_view text, T* value) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, *value);
  return error == std::errc() && ptr == end;
}

void PutLittleEndian(std::string* out, uint64_t value, int bytes = 8) {
  for (int i = 0; i < bytes; ++i)
    *out += static_cast<char>((value >> (8 * i)) & 0xff);
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> ParseUuid(std::string_view text) {
  std::string bytes;
  int high = -1;
  for (char c : text) {
    if (c == '-') continue;
    int digit = HexDigit(c);
    if (digit < 0) break;
    if (high < 0) {
      high = digit;
    } else {
      bytes += static_cast<char>(high * 16 + digit);
      high = -1;
    }
  }
  if (bytes.size() != 16 || high >= 0 ||
      static_cast<size_t>(std::count(text.begin(), text.end(), '-')) + 32 != text.size()) {
    return Status::InvalidArgument(fmt::format("'{}' is not a server uuid", text));
  }
  return bytes;
}

}  // namespace

Result<MariadbGtid> ParseMariadbGtid(std::string_view text) {
  std::vector<std::string> parts = Split(text, '-');
  MariadbGtid gtid;
  if (parts.size() != 3 || !ParseNumber(parts[0], &gtid.domain_id) ||
      !ParseNumber(parts[1], &gtid.server_id) || !ParseNumber(parts[2], &gtid.sequence)) {
    return Status::InvalidArgument(
        fmt::format("'{}' is not a MariaDB GTID (domain-server-sequence)", text));
  }
  return gtid;
}

Result<MariadbGtidState> MariadbGtidState::Parse(std::string_view text) {
  MariadbGtidState state;
  std::string trimmed = Trim(text);
  if (trimmed.empty()) return state;
  for (const std::string& part : Split(trimmed, ',')) {
    ASSIGN_OR_RETURN(MariadbGtid gtid, ParseMariadbGtid(Trim(part)));
    if (!state.last_.emplace(gtid.domain_id, gtid).second) {
      return Status::InvalidArgument(
          fmt::format("GTID position '{}' names domain {} twice", text, gtid.domain_id));
    }
  }
  return state;
}

bool MariadbGtidState::Update(std::string_view gtid) {
  Result<MariadbGtid> parsed = ParseMariadbGtid(gtid);
  if (!parsed.ok()) return false;
  last_[parsed->domain_id] = *parsed;
  return true;
}

std::string MariadbGtidState::ToString() const {
  std::string text;
  for (const auto& [domain, gtid] : last_) {
    if (!text.empty()) text += ',';
    text += fmt::format("{}-{}-{}", gtid.domain_id, gtid.server_id, gtid.sequence);
  }
  return text;
}

Result<MysqlGtidSet> ParseMysqlGtidSet(std::string_view text) {
  MysqlGtidSet set;
  std::string compact;
  for (char c : text) {
    if (c != ' ' && c != '\n' && c != '\t' && c != '\r') compact += c;
  }
  if (compact.empty()) return set;
  for (const std::string& member : Split(compact, ',')) {
    std::vector<std::string> parts = Split(member, ':');
    if (parts.size() < 2) {
      return Status::InvalidArgument(
          fmt::format("'{}' is not a MySQL GTID set member (uuid:interval[:interval...])", member));
    }
    ASSIGN_OR_RETURN(std::string uuid, ParseUuid(parts[0]));
    std::vector<MysqlGtidInterval>& intervals = set.intervals[uuid];
    for (size_t i = 1; i < parts.size(); ++i) {
      std::vector<std::string> bounds = Split(parts[i], '-');
      MysqlGtidInterval interval;
      int64_t last = 0;
      if (bounds.empty() || bounds.size() > 2 || !ParseNumber(bounds[0], &interval.start) ||
          !ParseNumber(bounds.back(), &last) || interval.start < 1 || last < interval.start) {
        return Status::InvalidArgument(fmt::format(
            "'{}' in '{}' is not a GTID interval (n or n-m, 1 <= n <= m)", parts[i], member));
      }
      interval.end = last + 1;
      intervals.push_back(interval);
    }
  }
  return set;
}

std::string EncodeMysqlGtidSet(const MysqlGtidSet& set) {
  std::string out;
  PutLittleEndian(&out, set.intervals.size());
  for (const auto& [uuid, intervals] : set.intervals) {
    out += uuid;
    PutLittleEndian(&out, intervals.size());
    for (const MysqlGtidInterval& interval : intervals) {
      PutLittleEndian(&out, static_cast<uint64_t>(interval.start));
      PutLittleEndian(&out, static_cast<uint64_t>(interval.end));
    }
  }
  return out;
}

std::string EncodeMysqlBinlogDumpGtid(uint32_t server_id, const MysqlGtidSet& set) {
  constexpr uint16_t kThroughGtid = 0x04;  // BINLOG_THROUGH_GTID
  std::string data = EncodeMysqlGtidSet(set);
  std::string out;
  PutLittleEndian(&out, kThroughGtid, 2);
  PutLittleEndian(&out, server_id, 4);
  PutLittleEndian(&out, 0, 4);  // no file name: the set decides where the stream starts
  PutLittleEndian(&out, 4, 8);
  PutLittleEndian(&out, data.size(), 4);
  out += data;
  return out;
}

}  // namespace chameleon::reader
