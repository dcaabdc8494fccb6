// MapReader: typed, diagnosed access to one YAML mapping of the configuration file.
// Each getter records the key as known, so after reading, the keys nobody asked for are
// the unknown ones (warned with the closest known key). Errors name file, line and key path.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace chameleon::config {

// Errors and warnings found while reading one file; each is one line for the user.
class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}

  void Error(const YAML::Mark& mark, const std::string& key_path, const std::string& message);
  void Warning(const YAML::Mark& mark, const std::string& key_path, const std::string& message);

  const std::vector<std::string>& errors() const { return errors_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  const std::string& file() const { return file_; }

 private:
  std::string Format(const YAML::Mark& mark, const std::string& key_path,
                     const std::string& message) const;

  std::string file_;
  std::vector<std::string> errors_;
  std::vector<std::string> warnings_;
};

class MapReader {
 public:
  // `node` must be a map (or null, read as an empty map); `path` is its dotted key path.
  MapReader(const YAML::Node& node, std::string path, Diagnostics& diagnostics);

  const std::string& path() const { return path_; }
  const YAML::Mark& mark() const { return mark_; }
  Diagnostics& diagnostics() { return diagnostics_; }

  // True when the key is present with a non-null value.
  bool Has(const std::string& key);

  std::string String(const std::string& key, const std::string& fallback);
  std::optional<std::string> RequiredString(const std::string& key);
  int64_t Integer(const std::string& key, int64_t fallback, int64_t min, int64_t max);
  bool Boolean(const std::string& key, bool fallback);
  // One of `choices` (case-insensitive), returned lower-case.
  std::string Choice(const std::string& key, const std::string& fallback,
                     const std::vector<std::string>& choices);
  // A YAML list of strings; null or absent is an empty list.
  std::vector<std::string> StringList(const std::string& key);
  // A nested map, if present and a map (an error otherwise).
  std::optional<MapReader> Map(const std::string& key);
  // The raw node (marked as known), for shapes the typed getters do not cover.
  YAML::Node Raw(const std::string& key);

  // A required key that is absent.
  void Missing(const std::string& key, const std::string& what);
  void Invalid(const std::string& key, const std::string& message);
  void InvalidNode(const YAML::Node& node, const std::string& key_path, const std::string& message);

  // Warns about every key of this map that no getter asked for.
  void WarnUnknownKeys();
  // Keys present in the map, in file order.
  std::vector<std::string> Keys() const;

 private:
  std::string KeyPath(const std::string& key) const;
  YAML::Node Lookup(const std::string& key);

  YAML::Node node_;
  std::string path_;
  Diagnostics& diagnostics_;
  YAML::Mark mark_;
  std::set<std::string> known_;
  std::set<std::string> warned_duplicates_;
};

// Text of a scalar node as written in the file (for messages).
std::string ScalarText(const YAML::Node& node);

}  // namespace chameleon::config
