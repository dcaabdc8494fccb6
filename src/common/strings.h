// Small string helpers shared by the modules: trimming, case, splitting, "did you mean".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chameleon {

std::string Trim(std::string_view text);
std::string ToLower(std::string_view text);
std::vector<std::string> Split(std::string_view text, char separator);
std::string Join(const std::vector<std::string>& parts, std::string_view separator);
bool StartsWith(std::string_view text, std::string_view prefix);

// Levenshtein distance, for suggestions.
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is close enough to be a plausible typo.
std::optional<std::string> ClosestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates);

// "  (did you mean 'x'?)" or "" — appended to unknown-name errors.
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace chameleon
