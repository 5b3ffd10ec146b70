#pragma once
// ISO 8601 date-times as text, read one way for every use: date-time literals
// in .flow files (grammar/lower_expr.cpp), text assigned to a datetime field
// (engine/value.cpp, stored values typed on load included) and parse_date(text)
// without a pattern (stdlib/time.cpp). Read by hand with DateReader, never
// date::parse (grammar/date_reader.hpp says why). Zones are looked up, and a
// reading placed in time, by engine/iso_date.hpp.

#include <date/date.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace flow {

/// A local date-time as written, before a zone or offset places it in time.
struct ParsedDate {
  date::local_time<std::chrono::milliseconds> local;
  std::optional<std::chrono::minutes> offset;  // "Z", "+01:00", or %z in a pattern
  std::string zone;                            // "[Europe/Dublin]" suffix, or %Z zone name
};

/// The whole of `text` as ISO 8601, or nullopt:
///   YYYY-MM-DD
///   YYYY-MM-DD{T|t| }HH:MM[:SS[{.|,}fraction]][offset][[Zone/Name]]
/// offset: Z, z, +HH:MM, +HHMM or +HH (or '-'); the zone name is 1 to 64
/// characters, not yet looked up (find_zone). A date that does not exist
/// (2027-02-29), hour 24, minute or second 60 and offsets of 24 hours or 60
/// minutes are refused; any number of fraction digits, read to the millisecond.
std::optional<ParsedDate> parse_iso(std::string_view text);

}  // namespace flow
