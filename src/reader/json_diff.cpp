// Partial JSON updates applied to the before image's document; see json_diff.h. Semantics
// follow MySQL's apply_json_diff: REPLACE needs the path to exist; INSERT adds a member that
// is not there yet or inserts into an array (an index past the end appends); REMOVE needs it.
#include "reader/json_diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <variant>
#include <vector>

#include "reader/json_binary.h"

namespace chameleon::reader {
namespace {

using Json = nlohmann::json;

enum class Operation : uint8_t { kReplace = 0, kInsert = 1, kRemove = 2 };

// One leg of a path: a member name or an array index (`last` counts from the end).
struct Leg {
  bool member = false;
  std::string name;
  uint64_t index = 0;
  bool from_last = false;
};

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// "$", then ".name", ."quoted name" or [N] / [last] / [last-N] legs. Wildcards and ranges
// never occur in a diff and are refused.
bool ParsePath(std::string_view text, std::vector<Leg>* legs) {
  size_t at = 0;
  auto skip_space = [&] {
    while (at < text.size() && IsSpace(text[at]))
      ++at;
  };
  skip_space();
  if (at >= text.size() || text[at] != '$') return false;
  ++at;
  while (true) {
    skip_space();
    if (at == text.size()) return true;
    Leg leg;
    if (text[at] == '.') {
      ++at;
      skip_space();
      leg.member = true;
      if (at < text.size() && text[at] == '"') {
        // A quoted key is a JSON string: let the JSON parser unescape it.
        size_t end = at + 1;
        while (end < text.size() && text[end] != '"')
          end += text[end] == '\\' ? size_t{2} : size_t{1};
        if (end >= text.size()) return false;
        Json key = Json::parse(text.substr(at, end - at + 1), nullptr, false);
        if (!key.is_string()) return false;
        leg.name = key.get<std::string>();
        at = end + 1;
      } else {
        size_t end = at;
        while (end < text.size() && text[end] != '.' && text[end] != '[' && !IsSpace(text[end]))
          ++end;
        if (end == at) return false;
        leg.name.assign(text.substr(at, end - at));
        if (leg.name.find_first_of("*\"") != std::string::npos) return false;
        at = end;
      }
    } else if (text[at] == '[') {
      size_t end = text.find(']', at);
      if (end == std::string_view::npos) return false;
      std::string_view inside = text.substr(at + 1, end - at - 1);
      while (!inside.empty() && IsSpace(inside.front()))
        inside.remove_prefix(1);
      while (!inside.empty() && IsSpace(inside.back()))
        inside.remove_suffix(1);
      if (inside.starts_with("last")) {
        leg.from_last = true;
        inside.remove_prefix(4);
        while (!inside.empty() && IsSpace(inside.front()))
          inside.remove_prefix(1);
        if (!inside.empty()) {
          if (inside.front() != '-') return false;
          inside.remove_prefix(1);
          while (!inside.empty() && IsSpace(inside.front()))
            inside.remove_prefix(1);
        }
      }
      if (!inside.empty() || !leg.from_last) {
        auto [next, error] =
            std::from_chars(inside.data(), inside.data() + inside.size(), leg.index);
        if (error != std::errc() || next != inside.data() + inside.size()) return false;
      }
      at = end + 1;
    } else {
      return false;
    }
    legs->push_back(std::move(leg));
  }
}

// The array position a leg names in an array of `size` elements; may be >= size.
uint64_t Position(const Leg& leg, size_t size) {
  if (!leg.from_last) return leg.index;
  return leg.index + 1 > size ? size : size - 1 - leg.index;  // before the start: clamp
}

// The value `legs` name, or nullptr.
Json* Seek(Json* at, const std::vector<Leg>& legs, size_t count) {
  for (size_t i = 0; i < count && at != nullptr; ++i) {
    const Leg& leg = legs[i];
    if (at->is_object() && leg.member) {
      auto it = at->find(leg.name);
      at = it == at->end() ? nullptr : &*it;
    } else if (at->is_array() && !leg.member) {
      uint64_t position = Position(leg, at->size());
      at = position < at->size() ? &(*at)[static_cast<size_t>(position)] : nullptr;
    } else {
      at = nullptr;
    }
  }
  return at;
}

bool Apply(Operation operation, const std::vector<Leg>& legs, Json value, Json* document) {
  if (legs.empty()) return false;  // MySQL never writes a diff of the whole document
  const Leg& last = legs.back();
  if (operation == Operation::kReplace) {
    Json* old = Seek(document, legs, legs.size());
    if (old == nullptr) return false;
    *old = std::move(value);
    return true;
  }
  Json* parent = Seek(document, legs, legs.size() - 1);
  if (parent == nullptr) return false;
  if (parent->is_object() && last.member) {
    bool exists = parent->contains(last.name);
    if (operation == Operation::kInsert) {
      if (exists) return false;
      (*parent)[last.name] = std::move(value);
      return true;
    }
    if (!exists) return false;
    parent->erase(last.name);
    return true;
  }
  if (parent->is_array() && !last.member) {
    uint64_t position = Position(last, parent->size());
    if (operation == Operation::kInsert) {
      size_t where = static_cast<size_t>(std::min<uint64_t>(position, parent->size()));
      parent->insert(parent->begin() + static_cast<std::ptrdiff_t>(where), std::move(value));
      return true;
    }
    if (position >= parent->size()) return false;
    parent->erase(static_cast<size_t>(position));
    return true;
  }
  return false;
}

// MySQL's text style: ", " and ": " separators, object keys by length then bytes.
void Print(const Json& value, std::string* out) {
  if (value.is_object()) {
    std::vector<const std::string*> keys;
    for (const auto& item : value.items())
      keys.push_back(&item.key());
    std::sort(keys.begin(), keys.end(), [](const std::string* a, const std::string* b) {
      return a->size() != b->size() ? a->size() < b->size() : *a < *b;
    });
    *out += '{';
    for (size_t i = 0; i < keys.size(); ++i) {
      if (i > 0) *out += ", ";
      *out += Json(*keys[i]).dump(-1, ' ', false, Json::error_handler_t::replace);
      *out += ": ";
      Print(value.find(*keys[i]).value(), out);
    }
    *out += '}';
  } else if (value.is_array()) {
    *out += '[';
    for (size_t i = 0; i < value.size(); ++i) {
      if (i > 0) *out += ", ";
      Print(value[i], out);
    }
    *out += ']';
  } else {
    *out += value.dump(-1, ' ', false, Json::error_handler_t::replace);
  }
}

}  // namespace

Status ApplyJsonDiffs(ByteReader& in, std::string* document) {
  uint64_t length = in.U32();
  ByteReader diffs(in.Take(length));
  if (!in.ok()) return Status::Corruption("partial JSON update truncated in its diff list");
  Json json = Json::parse(*document, nullptr, false);
  if (json.is_discarded()) {
    return Status::Corruption("partial JSON update: the before image is not valid JSON");
  }
  int index = 0;
  while (!diffs.empty()) {
    ++index;
    uint8_t operation = diffs.U8();
    std::string_view path = diffs.LengthEncodedString();
    if (!diffs.ok()) {
      return Status::Corruption(fmt::format("partial JSON update: diff {} is truncated", index));
    }
    if (operation > static_cast<uint8_t>(Operation::kRemove)) {
      return Status::Corruption(
          fmt::format("partial JSON update: diff {} has unknown operation {}", index, operation));
    }
    std::vector<Leg> legs;
    if (!ParsePath(path, &legs)) {
      return Status::Corruption(
          fmt::format("partial JSON update: diff {} has a bad path '{}'", index, path));
    }
    Json value;
    if (operation != static_cast<uint8_t>(Operation::kRemove)) {
      std::string_view binary = diffs.LengthEncodedString();
      if (!diffs.ok()) {
        return Status::Corruption(
            fmt::format("partial JSON update: diff {} at {} is truncated", index, path));
      }
      Result<std::string> text = JsonBinaryToText(binary);
      if (!text.ok()) return text.status().WithContext(fmt::format("JSON diff at {}", path));
      value = Json::parse(*text, nullptr, false);
      if (value.is_discarded()) {
        return Status::Corruption(fmt::format("partial JSON update: bad value at {}", path));
      }
    }
    if (!Apply(static_cast<Operation>(operation), legs, std::move(value), &json)) {
      return Status::Corruption(
          fmt::format("partial JSON update: diff {} does not apply at {} (the before image "
                      "lacks it; binlog_row_image must be FULL)",
                      index, path));
    }
  }
  document->clear();
  Print(json, document);
  return Status::Ok();
}

}  // namespace chameleon::reader
