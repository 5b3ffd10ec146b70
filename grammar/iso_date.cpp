#include "grammar/iso_date.hpp"

#include "grammar/date_reader.hpp"

namespace flow {

namespace {

using namespace std::chrono;

/// The longest zone name read between brackets: tzdb's longest is 32
/// characters; a longer one is no zone, and is not echoed in a message.
constexpr std::size_t kMaxZoneName = 64;

/// HH:MM[:SS[{.|,}fraction]].
bool read_time_of_day(DateReader& in, milliseconds& out) {
  int h = 0, m = 0, s = 0, ms = 0;
  if (!in.digits(2, h) || !in.eat(':') || !in.digits(2, m)) return false;
  if (in.eat(':')) {
    if (!in.digits(2, s)) return false;
    if ((in.eat('.') || in.eat(',')) && !in.fraction(ms)) return false;
  }
  if (h > 23 || m > 59 || s > 59) return false;
  out = hours{h} + minutes{m} + seconds{s} + milliseconds{ms};
  return true;
}

/// YYYY-MM-DD, a day that exists.
std::optional<date::local_days> read_date(DateReader& in) {
  int y = 0, m = 0, d = 0;
  if (!in.digits(4, y) || !in.eat('-') || !in.digits(2, m) || !in.eat('-') || !in.digits(2, d)) {
    return std::nullopt;
  }
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m)},
                                 date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return date::local_days{ymd};
}

/// [Zone/Name], when one comes.
bool read_zone(DateReader& in, std::string& out) {
  if (!in.eat('[')) return true;
  const auto zone = in.until(']');
  if (!zone || zone->empty() || zone->size() > kMaxZoneName) return false;
  out = std::string(*zone);
  return true;
}

}  // namespace

std::optional<ParsedDate> parse_iso(std::string_view text) {
  DateReader in(text);
  const auto day = read_date(in);
  if (!day) return std::nullopt;
  ParsedDate parsed{*day, std::nullopt, {}};
  if (in.done()) return parsed;
  if (!in.eat('T') && !in.eat('t') && !in.eat(' ')) return std::nullopt;
  milliseconds time_of_day{};
  if (!read_time_of_day(in, time_of_day) || !in.offset(parsed.offset) || !read_zone(in, parsed.zone) ||
      !in.done()) {
    return std::nullopt;
  }
  parsed.local += time_of_day;
  return parsed;
}

}  // namespace flow
