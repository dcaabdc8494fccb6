// TextTable: the plain column layout of pg_chameleon's show_* output (tabulate "simple").
#pragma once

#include <string>
#include <vector>

namespace chameleon {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> headers) : headers_(std::move(headers)) {}

  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }

  // Columns whose values are all numbers are right-aligned, the others left-aligned.
  std::string Render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// Two columns, one "key value" pair per line, as pg_chameleon prints a source's settings.
std::string RenderKeyValues(const std::vector<std::pair<std::string, std::string>>& pairs);

}  // namespace chameleon
