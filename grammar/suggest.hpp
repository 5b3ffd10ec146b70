#pragma once
// "Did you mean": the one way Flow guesses the name a typo meant, shared by the
// parser (duration units), the checker (names) and the CLI (task names).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flow {

/// Damerau-Levenshtein distance (optimal string alignment), ignoring ASCII case:
/// `accesstoken` is one step from nothing but a casing slip of `AccessToken`.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `name` when it is close enough to be a typo: one
/// edit for names shorter than 5, else two edits or a third of the length.
/// Ties go to the earliest candidate (declaration order).
std::optional<std::string> closest_name(std::string_view name, const std::vector<std::string>& candidates);

/// "; did you mean 'X'?" or "".
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace flow
