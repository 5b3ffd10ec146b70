#pragma once
// Reading date-times from text by a strftime-like pattern, for
// parse_date(text, pattern): by hand, strict, no locale (date::parse reads
// uninitialized memory when a %S or %T fails half-way). ISO 8601 without a
// pattern is the engine's reader (engine/iso_date.hpp). Internal to stdlib/.

#include <optional>
#include <string>

#include "engine/iso_date.hpp"

namespace flow::stdlib {

/// A strftime-like pattern (the conversions docs/language.md lists); the whole
/// text must match, and give a year, a month and a day. Throws RunError for a
/// conversion it does not read.
std::optional<ParsedDate> parse_with_pattern(const std::string& text, const std::string& pattern);

}  // namespace flow::stdlib
