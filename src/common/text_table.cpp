// TextTable rendering; see text_table.h.
#include "common/text_table.h"

#include <algorithm>
#include <cctype>

namespace chameleon {
namespace {

bool IsNumber(const std::string& text) {
  if (text.empty()) return false;
  size_t start = (text[0] == '-') ? 1 : 0;
  if (start == text.size()) return false;
  return std::all_of(text.begin() + static_cast<std::ptrdiff_t>(start), text.end(),
                     [](unsigned char c) { return std::isdigit(c) || c == '.'; });
}

// Display width of UTF-8 text: one column per code point (no wide-character tables).
size_t DisplayWidth(const std::string& text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

void Pad(std::string& out, const std::string& cell, size_t width, bool right) {
  std::string padding(width - std::min(width, DisplayWidth(cell)), ' ');
  out += right ? padding + cell : cell + padding;
}

}  // namespace

std::string TextTable::Render() const {
  const size_t columns = headers_.size();
  std::vector<size_t> widths(columns);
  std::vector<bool> numeric(columns, !rows_.empty());
  for (size_t column = 0; column < columns; ++column) {
    widths[column] = DisplayWidth(headers_[column]);
    for (const auto& row : rows_) {
      const std::string& cell = column < row.size() ? row[column] : std::string();
      widths[column] = std::max(widths[column], DisplayWidth(cell));
      if (!cell.empty() && !IsNumber(cell)) numeric[column] = false;
    }
  }
  std::string out;
  auto emit_line = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t column = 0; column < columns; ++column) {
      if (column > 0) line += "  ";
      Pad(line, column < cells.size() ? cells[column] : std::string(), widths[column],
          numeric[column]);
    }
    while (!line.empty() && line.back() == ' ')
      line.pop_back();
    out += line + "\n";
  };
  emit_line(headers_);
  std::vector<std::string> rule;
  rule.reserve(columns);
  for (size_t width : widths)
    rule.emplace_back(width, '-');
  emit_line(rule);
  for (const auto& row : rows_)
    emit_line(row);
  return out;
}

std::string RenderKeyValues(const std::vector<std::pair<std::string, std::string>>& pairs) {
  size_t width = 0;
  for (const auto& [key, value] : pairs)
    width = std::max(width, DisplayWidth(key));
  std::string out;
  for (const auto& [key, value] : pairs) {
    out += key + std::string(width - DisplayWidth(key) + 2, ' ') + value + "\n";
  }
  return out;
}

}  // namespace chameleon
