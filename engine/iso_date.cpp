#include "engine/iso_date.hpp"

#include <exception>

namespace flow {

const date::time_zone* find_zone(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

TimePoint resolve(const ParsedDate& parsed, const date::time_zone* zone) {
  if (parsed.offset) return TimePoint{parsed.local.time_since_epoch()} - *parsed.offset;
  if (zone != nullptr) return zone->to_sys(parsed.local, date::choose::earliest);
  return TimePoint{parsed.local.time_since_epoch()};
}

}  // namespace flow
