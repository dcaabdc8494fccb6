// Secret: a password that cannot be printed by accident.
// fmt/spdlog render it as "********"; only reveal() gives the text, for the connect call.
#pragma once

#include <fmt/format.h>

#include <string>
#include <utility>

namespace chameleon {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  bool operator==(const Secret& other) const = default;

  static constexpr const char* kMask = "********";

 private:
  std::string value_;
};

}  // namespace chameleon

template <>
struct fmt::formatter<chameleon::Secret> : fmt::formatter<std::string_view> {
  template <typename FormatContext>
  auto format(const chameleon::Secret&, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format(chameleon::Secret::kMask, ctx);
  }
};
