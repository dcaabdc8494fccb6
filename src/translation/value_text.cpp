// Value rendering; see value_text.h. The rules per ValueKind are documented in
// docs/configuration.md ("Type map").
#include "translation/value_text.h"

#include <fmt/format.h>

#include <algorithm>

namespace chameleon::translation {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// Where rendered text goes: COPY text format escapes backslash and the control characters
// that delimit rows and fields; a plain parameter takes the text as is.
class Sink {
 public:
  Sink(std::string* out, bool copy_escape) : out_(out), copy_escape_(copy_escape) {}

  void Raw(std::string_view text) { out_->append(text); }
  void Raw(char c) { out_->push_back(c); }
  // Text that may hold any character.
  void Text(std::string_view text) {
    if (!copy_escape_) {
      out_->append(text);
      return;
    }
    size_t start = 0;
    for (size_t index = 0; index < text.size(); ++index) {
      const char* escape = nullptr;
      switch (text[index]) {
        case '\\':
          escape = "\\\\";
          break;
        case '\n':
          escape = "\\n";
          break;
        case '\r':
          escape = "\\r";
          break;
        case '\t':
          escape = "\\t";
          break;
        default:
          continue;
      }
      out_->append(text.substr(start, index - start));
      out_->append(escape);
      start = index + 1;
    }
    out_->append(text.substr(start));
  }
  // A backslash PostgreSQL's type input must see (bytea's "\x"): doubled inside COPY.
  void Backslash() { out_->append(copy_escape_ ? "\\\\" : "\\"); }

 private:
  std::string* out_;
  bool copy_escape_;
};

Status NulInText(const std::string& column_name) {
  return Status::InvalidArgument(fmt::format(
      "column {}: a text value holds a NUL byte (0x00), which PostgreSQL text cannot store; "
      "remove it on MySQL or map the column to bytea with type_override",
      column_name));
}

void Hex(std::string_view bytes, Sink& sink) {
  sink.Backslash();
  sink.Raw('x');
  for (char c : bytes) {
    auto byte = static_cast<unsigned char>(c);
    sink.Raw(kHexDigits[byte >> 4]);
    sink.Raw(kHexDigits[byte & 0x0f]);
  }
}

// "0000-00-00..." or a date with a zero month or day: values PostgreSQL has no date for.
bool IsZeroDate(std::string_view raw) {
  if (raw.size() < 10) return false;
  return raw.substr(0, 4) == "0000" || raw.substr(5, 2) == "00" || raw.substr(8, 2) == "00";
}

// SET 'a,b' -> array literal {"a","b"}; members are quoted, so any character survives.
void SetArray(std::string_view raw, Sink& sink) {
  sink.Raw('{');
  if (!raw.empty()) {
    size_t start = 0;
    while (true) {
      size_t comma = raw.find(',', start);
      std::string_view member = raw.substr(
          start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      std::string quoted = "\"";
      for (char c : member) {
        if (c == '"' || c == '\\') quoted += '\\';
        quoted += c;
      }
      quoted += '"';
      sink.Text(quoted);
      if (comma == std::string_view::npos) break;
      sink.Raw(',');
      start = comma + 1;
    }
  }
  sink.Raw('}');
}

void BitString(std::string_view raw, int width, Sink& sink) {
  // The server sends BIT(n) as ceil(n/8) big-endian bytes; the low n bits are the value.
  int total_bits = static_cast<int>(raw.size()) * 8;
  for (int bit = std::max(0, total_bits - width); bit < total_bits; ++bit) {
    auto byte = static_cast<unsigned char>(raw[static_cast<size_t>(bit / 8)]);
    sink.Raw((byte >> (7 - bit % 8)) & 1 ? '1' : '0');
  }
  for (int pad = total_bits; pad < width; ++pad) {
    sink.Raw('0');  // fewer bytes than the width (never from a server): leading zeros
  }
}

bool IsZeroNumber(std::string_view raw, ValueKind from_bytes) {
  if (from_bytes == ValueKind::kBit) {
    return std::all_of(raw.begin(), raw.end(), [](char c) { return c == '\0'; });
  }
  for (char c : raw) {
    if (c != '0' && c != '.' && c != '-' && c != '+') return false;
  }
  return true;
}

// Renders `raw`; returns false when the value becomes NULL.
Result<bool> Render(const ColumnType& type, const std::string& column_name, std::string_view raw,
                    Sink& sink) {
  switch (type.kind) {
    case ValueKind::kVerbatim:
      sink.Text(raw);
      return true;
    case ValueKind::kText:
    case ValueKind::kJson:
      if (raw.find('\0') != std::string_view::npos) return NulInText(column_name);
      sink.Text(raw);
      return true;
    case ValueKind::kBytes:
      Hex(raw, sink);
      return true;
    case ValueKind::kSpatial:
      // MySQL stores a 4-byte SRID before the WKB; bytea gets the standard WKB.
      Hex(raw.size() >= 4 ? raw.substr(4) : raw, sink);
      return true;
    case ValueKind::kBit:
      BitString(raw, type.bit_width, sink);
      return true;
    case ValueKind::kBoolean: {
      // An overridden BIT(1) arrives as bytes, an integer as digits; anything non-zero is
      // true so tinyint(1) columns holding 2 or -1 do not abort the copy.
      sink.Raw(IsZeroNumber(raw, type.bits_source ? ValueKind::kBit : ValueKind::kVerbatim) ? 'f'
                                                                                            : 't');
      return true;
    }
    case ValueKind::kDate:
    case ValueKind::kDateTime:
    case ValueKind::kTimestamp:
      if (IsZeroDate(raw)) {
        if (type.nullable) return false;
        sink.Text(type.zero_date_value);
        return true;
      }
      sink.Text(raw);
      if (type.kind == ValueKind::kTimestamp) sink.Raw("+00");  // the session reads UTC
      return true;
    case ValueKind::kTime:
      sink.Text(raw);  // [-]HHH:MM:SS[.ffffff] is valid interval input as it is
      return true;
    case ValueKind::kSet:
      SetArray(raw, sink);
      return true;
  }
  return Status::Internal("unhandled value kind");
}

}  // namespace

Status AppendCopyValue(const ColumnType& type, const std::string& column_name, std::string_view raw,
                       std::string* out) {
  size_t mark = out->size();
  Sink sink(out, true);
  Result<bool> rendered = Render(type, column_name, raw, sink);
  if (!rendered.ok()) {
    out->resize(mark);
    return rendered.status();
  }
  if (!*rendered) AppendCopyNull(out);
  return Status::Ok();
}

void AppendCopyNull(std::string* out) {
  out->append("\\N");
}

Result<std::optional<std::string>> ToPgText(const ColumnType& type, const std::string& column_name,
                                            std::string_view raw) {
  std::string text;
  Sink sink(&text, false);
  ASSIGN_OR_RETURN(bool present, Render(type, column_name, raw, sink));
  if (!present) return std::optional<std::string>();
  return std::optional<std::string>(std::move(text));
}

}  // namespace chameleon::translation
