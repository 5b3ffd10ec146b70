#pragma once
// An ISO 8601 reading (grammar/iso_date.hpp) placed in time: its zone looked
// up in the tz database, its local time resolved to an instant.

#include <date/tz.h>

#include <string>

#include "engine/value.hpp"
#include "grammar/iso_date.hpp"

namespace flow {

/// The IANA zone called `name` (howardhinnant date's tz database), or nullptr.
const date::time_zone* find_zone(const std::string& name);

/// The instant: the offset wins, else the local time in `zone`, else UTC. A local
/// time a DST change skips or repeats resolves to the earliest instant.
TimePoint resolve(const ParsedDate& parsed, const date::time_zone* zone);

}  // namespace flow
