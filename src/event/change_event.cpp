// Operation names and the one-line text of a ChangeEvent; see change_event.h.
#include "event/change_event.h"

#include <fmt/format.h>

namespace chameleon {
namespace {

std::string DescribeImage(const std::vector<Value>& values) {
  std::string text = "(";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) text += ", ";
    text += DescribeValue(values[i]);
  }
  return text + ")";
}

}  // namespace

const char* OperationName(Operation operation) {
  switch (operation) {
    case Operation::kInsert:
      return "insert";
    case Operation::kUpdate:
      return "update";
    case Operation::kDelete:
      return "delete";
    case Operation::kDdl:
      return "ddl";
    case Operation::kCommit:
      return "commit";
  }
  return "unknown";
}

std::string DescribeEvent(const ChangeEvent& event) {
  std::string text = fmt::format("{}#{} {}", ToString(event.position), event.sequence,
                                 OperationName(event.operation));
  if (!event.schema.empty() || !event.table.empty()) {
    text += fmt::format(" {}.{}", event.schema, event.table);
  }
  if (event.operation == Operation::kDdl) {
    text += " " + event.ddl_statement;
  } else if (event.operation != Operation::kCommit) {
    text += fmt::format(" v{}", event.shape_version);
    if (event.operation != Operation::kInsert) text += " before=" + DescribeImage(event.before);
    if (event.operation != Operation::kDelete) text += " after=" + DescribeImage(event.after);
  }
  if (!event.gtid.empty()) text += " gtid=" + event.gtid;
  return text;
}

}  // namespace chameleon
