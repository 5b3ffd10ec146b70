#pragma once
// Reading date-times from text for parse_date: ISO 8601 and strftime-like
// patterns, both by hand (strict, no locale; date::parse reads uninitialized
// memory when a %S or %T fails half-way). Internal to stdlib/.

#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "engine/value.hpp"

namespace flow::stdlib {

/// A local date-time as written, before a zone or offset places it in time.
struct ParsedDate {
  date::local_time<std::chrono::milliseconds> local;
  std::optional<std::chrono::minutes> offset;  // "Z", "+01:00", or %z in a pattern
  std::string zone;                            // "[Europe/Dublin]" suffix, or %Z zone name
};

/// ISO 8601: 2027-06-30, 2027-06-30T09:30[:15[.250]] with an optional Z, +01:00,
/// +0100 or +01 offset and an optional [Zone/Name] suffix; 'T' may be a space.
std::optional<ParsedDate> parse_iso(std::string_view text);

/// A strftime-like pattern (the conversions docs/language.md lists); the whole
/// text must match, and give a year, a month and a day. Throws RunError for a
/// conversion it does not read.
std::optional<ParsedDate> parse_with_pattern(const std::string& text, const std::string& pattern);

/// The instant: the offset wins, else the local time in `zone`, else UTC. A local
/// time a DST change skips or repeats resolves to the earliest instant.
TimePoint resolve(const ParsedDate& parsed, const date::time_zone* zone);

}  // namespace flow::stdlib
