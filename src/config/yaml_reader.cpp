// MapReader and Diagnostics; see yaml_reader.h.
#include "config/yaml_reader.h"

#include <fmt/format.h>

#include <charconv>

#include "common/strings.h"

namespace chameleon::config {

std::string Diagnostics::Format(const YAML::Mark& mark, const std::string& key_path,
                                const std::string& message) const {
  std::string location = file_;
  if (!mark.is_null()) location += fmt::format(":{}", mark.line + 1);
  return fmt::format("{}: {}: {}", location, key_path, message);
}

void Diagnostics::Error(const YAML::Mark& mark, const std::string& key_path,
                        const std::string& message) {
  errors_.push_back(Format(mark, key_path, message));
}

void Diagnostics::Warning(const YAML::Mark& mark, const std::string& key_path,
                          const std::string& message) {
  warnings_.push_back(Format(mark, key_path, message));
}

std::string ScalarText(const YAML::Node& node) {
  if (node.IsScalar()) return "'" + node.Scalar() + "'";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  return "nothing";
}

MapReader::MapReader(const YAML::Node& node, std::string path, Diagnostics& diagnostics)
    : node_(node), path_(std::move(path)), diagnostics_(diagnostics), mark_(node_.Mark()) {}

std::string MapReader::KeyPath(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

YAML::Node MapReader::Lookup(const std::string& key) {
  known_.insert(key);
  if (!node_.IsMap()) return YAML::Node(YAML::NodeType::Null);
  // Keys are matched exactly, and a key written twice takes its last value, as PyYAML
  // gives pg_chameleon; we also say so, since it is rarely meant.
  YAML::Node found(YAML::NodeType::Undefined);
  int occurrences = 0;
  for (auto entry : node_) {
    if (entry.first.IsScalar() && entry.first.Scalar() == key) {
      found = entry.second;
      ++occurrences;
    }
  }
  if (occurrences > 1 && warned_duplicates_.insert(key).second) {
    diagnostics_.Warning(found.Mark(), KeyPath(key),
                         "key written more than once; the last value (this line) is used");
  }
  return found;
}

bool MapReader::Has(const std::string& key) {
  YAML::Node value = Lookup(key);
  return value.IsDefined() && !value.IsNull();
}

void MapReader::Missing(const std::string& key, const std::string& what) {
  diagnostics_.Error(mark_, KeyPath(key), "missing required key: " + what);
}

void MapReader::Invalid(const std::string& key, const std::string& message) {
  InvalidNode(Lookup(key), KeyPath(key), message);
}

void MapReader::InvalidNode(const YAML::Node& node, const std::string& key_path,
                            const std::string& message) {
  diagnostics_.Error(node.IsDefined() ? node.Mark() : mark_, key_path, message);
}

std::string MapReader::String(const std::string& key, const std::string& fallback) {
  YAML::Node value = Lookup(key);
  if (!value.IsDefined() || value.IsNull()) return fallback;
  if (!value.IsScalar()) {
    InvalidNode(value, KeyPath(key), "expected a text value, got " + ScalarText(value));
    return fallback;
  }
  return value.Scalar();
}

std::optional<std::string> MapReader::RequiredString(const std::string& key) {
  YAML::Node value = Lookup(key);
  if (!value.IsDefined() || value.IsNull()) {
    Missing(key, "a text value");
    return std::nullopt;
  }
  if (!value.IsScalar()) {
    InvalidNode(value, KeyPath(key), "expected a text value, got " + ScalarText(value));
    return std::nullopt;
  }
  return value.Scalar();
}

int64_t MapReader::Integer(const std::string& key, int64_t fallback, int64_t min, int64_t max) {
  YAML::Node value = Lookup(key);
  if (!value.IsDefined() || value.IsNull()) return fallback;
  std::string expected = fmt::format("expected an integer from {} to {}", min, max);
  if (!value.IsScalar()) {
    InvalidNode(value, KeyPath(key), expected + ", got " + ScalarText(value));
    return fallback;
  }
  // pg_chameleon casts with int(), so quoted numbers ("5432") are accepted too.
  std::string text = Trim(value.Scalar());
  int64_t parsed = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (error != std::errc() || end != text.data() + text.size() || parsed < min || parsed > max) {
    InvalidNode(value, KeyPath(key), expected + ", got " + ScalarText(value));
    return fallback;
  }
  return parsed;
}

bool MapReader::Boolean(const std::string& key, bool fallback) {
  YAML::Node value = Lookup(key);
  if (!value.IsDefined() || value.IsNull()) return fallback;
  // YAML 1.1 booleans, as PyYAML reads them (pg_chameleon's example writes "No").
  static const std::vector<std::string> kTrue = {"true", "yes", "y", "on", "1"};
  static const std::vector<std::string> kFalse = {"false", "no", "n", "off", "0"};
  if (value.IsScalar()) {
    std::string text = ToLower(Trim(value.Scalar()));
    for (const auto& word : kTrue) {
      if (text == word) return true;
    }
    for (const auto& word : kFalse) {
      if (text == word) return false;
    }
  }
  InvalidNode(value, KeyPath(key), "expected true or false (yes/no), got " + ScalarText(value));
  return fallback;
}

std::string MapReader::Choice(const std::string& key, const std::string& fallback,
                              const std::vector<std::string>& choices) {
  YAML::Node value = Lookup(key);
  if (!value.IsDefined() || value.IsNull()) return fallback;
  if (value.IsScalar()) {
    std::string text = ToLower(Trim(value.Scalar()));
    for (const auto& choice : choices) {
      if (text == choice) return choice;
    }
  }
  InvalidNode(value, KeyPath(key),
              "expected one of " + Join(choices, ", ") + ", got " + ScalarText(value) +
                  (value.IsScalar() ? DidYouMean(value.Scalar(), choices) : ""));
  return fallback;
}

std::vector<std::string> MapReader::StringList(const std::string& key) {
  YAML::Node value = Lookup(key);
  std::vector<std::string> items;
  if (!value.IsDefined() || value.IsNull()) return items;
  if (!value.IsSequence()) {
    InvalidNode(value, KeyPath(key), "expected a list, got " + ScalarText(value));
    return items;
  }
  for (const auto& item : value) {
    if (item.IsNull()) continue;
    if (!item.IsScalar()) {
      InvalidNode(item, KeyPath(key), "expected a list of names, got " + ScalarText(item));
      continue;
    }
    items.push_back(item.Scalar());
  }
  return items;
}

std::optional<MapReader> MapReader::Map(const std::string& key) {
  YAML::Node value = Lookup(key);
  if (!value.IsDefined() || value.IsNull()) return std::nullopt;
  if (!value.IsMap()) {
    InvalidNode(value, KeyPath(key), "expected a mapping of keys, got " + ScalarText(value));
    return std::nullopt;
  }
  return MapReader(value, KeyPath(key), diagnostics_);
}

YAML::Node MapReader::Raw(const std::string& key) {
  return Lookup(key);
}

std::vector<std::string> MapReader::Keys() const {
  std::vector<std::string> keys;
  if (!node_.IsMap()) return keys;
  for (auto entry : node_) {
    if (entry.first.IsScalar()) keys.push_back(entry.first.Scalar());
  }
  return keys;
}

void MapReader::WarnUnknownKeys() {
  if (!node_.IsMap()) return;
  std::vector<std::string> known(known_.begin(), known_.end());
  for (auto entry : node_) {
    std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "?";
    if (known_.count(key) != 0) continue;
    diagnostics_.Warning(entry.first.Mark(), KeyPath(key),
                         "unknown key, ignored" + DidYouMean(key, known));
  }
}

}  // namespace chameleon::config
