// GoogleTest printers for the event types, so a failed comparison shows the value's text.
#pragma once

#include <ostream>

#include "event/change_event.h"
#include "event/value.h"

namespace chameleon {

inline void PrintTo(const Value& value, std::ostream* out) {
  *out << DescribeValue(value);
}
inline void PrintTo(const ChangeEvent& event, std::ostream* out) {
  *out << DescribeEvent(event);
}

}  // namespace chameleon
