// time: now today add_time diff seconds minutes hours days format_date parse_date
// unix_time from_unix.
//
// Datetimes are UTC instants with millisecond precision. Time zones (IANA names,
// "Europe/Dublin") only matter when reading or writing local times: today(tz),
// format_date(.., tz), parse_date(.., tz). Calendar arithmetic (add_time with
// months or years) is done on the UTC calendar; a day is 24 hours.
// Secret taint: every result computed from a secret argument is secret.
// Null: no time function accepts null for its datetime/duration/number arguments
// (a type error); a null pattern means the default (ISO 8601).
// Patterns are strftime (`%d/%m/%Y`); one without a conversion is a run error,
// not text returned as written (stdlib/time_pattern.hpp).

#include <date/date.h>
#include <date/tz.h>

#include <cmath>
#include <optional>
#include <sstream>

#include "engine/clock.hpp"
#include "engine/iso_date.hpp"
#include "stdlib/stdlib.hpp"
#include "stdlib/support.hpp"
#include "stdlib/time_parse.hpp"
#include "stdlib/time_pattern.hpp"

namespace flow {
namespace {

using namespace std::chrono;
using stdlib::tainted;

constexpr double kMaxMilliseconds = 9007199254740992.0;  // 2^53: exact in a double

/// `where` says which argument it was, for a function whose arguments can be mistaken.
const date::time_zone* zone_arg(std::string_view fn, const Value& value, std::string_view where = {}) {
  if (const auto* zone = find_zone(stdlib::text_arg(fn, value))) return zone;
  throw RunError(std::string(fn) + ": unknown time zone " + stdlib::quoted(value) + std::string(where));
}

/// A pattern with no % conversion, which date::format would return as written.
[[noreturn]] void throw_not_a_pattern(std::string_view fn, const Value& pattern) {
  const std::string& text = pattern.as<std::string>();
  throw RunError(std::string(fn) + ": pattern " + stdlib::quoted(pattern) + " has no % conversion; " +
                 stdlib::strftime_advice(text, !pattern.secret));
}

/// Milliseconds of `count` units of `unit_ms`, or RunError when not finite / too large.
Duration scaled(std::string_view fn, double count, double unit_ms) {
  const double ms = std::round(count * unit_ms);
  if (!std::isfinite(ms) || std::fabs(ms) > kMaxMilliseconds) {
    throw RunError(std::string(fn) + ": duration out of range");
  }
  return Duration(static_cast<std::int64_t>(ms));
}

/// `t`, or RunError outside years -9999..9999, which every formatter can print.
TimePoint in_range(std::string_view fn, TimePoint t) {
  constexpr date::sys_days kFirst{date::year{-9999} / 1 / 1};
  constexpr date::sys_days kLast{date::year{9999} / 12 / 31};
  if (t < kFirst || t >= kLast + days{1}) throw RunError(std::string(fn) + ": date out of range");
  return t;
}

TimePoint local_midnight(TimePoint t, const date::time_zone* zone) {
  if (zone == nullptr) return floor<days>(t);
  const auto local_day = floor<days>(zone->to_local(t));
  // A zone that skips midnight (DST at 00:00) starts the day at the transition.
  return zone->to_sys(local_day, date::choose::earliest);
}

Value now_fn(std::span<const Value>, const CallContext& context) {
  if (context.clock == nullptr) throw RunError("now: no clock is available here");
  return Value(context.clock->now());
}

Value today_fn(std::span<const Value> args, const CallContext& context) {
  if (context.clock == nullptr) throw RunError("today: no clock is available here");
  const date::time_zone* zone = args.empty() ? nullptr : zone_arg("today", args[0]);
  return tainted(Value(local_midnight(context.clock->now(), zone)), args);
}

/// `t` plus `months` calendar months; the day is clamped to the end of a shorter
/// month (Jan 31 + 1 month = Feb 28, or 29 in a leap year).
TimePoint add_months(TimePoint t, std::int64_t months) {
  constexpr std::int64_t kMaxMonths = 12 * 10000;
  if (months > kMaxMonths || months < -kMaxMonths) {
    throw RunError("add_time: date out of range");
  }
  const auto day = floor<days>(t);
  const date::year_month_day ymd{day};
  const auto target = date::year_month{ymd.year(), ymd.month()} + date::months{months};
  const date::year_month_day result{target / std::min(ymd.day(), (target / date::last).day())};
  if (!result.ok()) throw RunError("add_time: date out of range");
  return in_range("add_time", date::sys_days{result} + (t - day));
}

/// Milliseconds per fixed unit, 0 for calendar units (months, years), nullopt if unknown.
std::optional<double> unit_milliseconds(std::string unit) {
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (unit == "ms" || unit == "millisecond" || unit == "milliseconds") return 1.0;
  if (unit == "s" || unit == "second" || unit == "seconds") return 1e3;
  if (unit == "m" || unit == "minute" || unit == "minutes") return 60e3;
  if (unit == "h" || unit == "hour" || unit == "hours") return 3600e3;
  if (unit == "d" || unit == "day" || unit == "days") return 86400e3;
  if (unit == "w" || unit == "week" || unit == "weeks") return 7 * 86400e3;
  if (unit == "month" || unit == "months" || unit == "year" || unit == "years") return 0.0;
  return std::nullopt;
}

Value add_time_fn(std::span<const Value> args, const CallContext&) {
  const TimePoint t = stdlib::datetime_arg("add_time", args[0]);
  if (args.size() == 2) {
    const Duration offset = stdlib::duration_arg("add_time", args[1]);
    return tainted(Value(in_range("add_time", t + offset)), args);
  }
  const std::string& unit = stdlib::text_arg("add_time", args[2]);
  const auto unit_ms = unit_milliseconds(unit);
  if (!unit_ms) {
    throw RunError("add_time: unknown unit " + stdlib::quoted(args[2]) +
                   " (expected ms, seconds, minutes, hours, days, weeks, months or years)");
  }
  if (*unit_ms > 0) {
    const Duration offset = scaled("add_time", stdlib::number_arg("add_time", args[1]), *unit_ms);
    return tainted(Value(in_range("add_time", t + offset)), args);
  }
  const std::int64_t count = stdlib::integer_arg("add_time", args[1]);
  const bool years = unit.front() == 'y' || unit.front() == 'Y';
  if (years && (count > 10000 || count < -10000)) throw RunError("add_time: date out of range");
  return tainted(Value(add_months(t, years ? count * 12 : count)), args);
}

Value diff_fn(std::span<const Value> args, const CallContext&) {
  const TimePoint a = stdlib::datetime_arg("diff", args[0]);
  const TimePoint b = stdlib::datetime_arg("diff", args[1]);
  return tainted(Value(Duration(a - b)), args);
}

/// seconds(n), minutes(n), ...: a duration of n units (fractions allowed).
BuiltinFn duration_of(std::string name, double unit_ms) {
  return [name = std::move(name), unit_ms](std::span<const Value> args, const CallContext&) {
    return tainted(Value(scaled(name, stdlib::number_arg(name, args[0]), unit_ms)), args);
  };
}

/// Formats at second precision unless there are milliseconds to show, so "%T"
/// reads 09:30:00 rather than 09:30:00.000.
template <typename Format>
std::string with_precision(TimePoint t, Format format) {
  if (t == floor<seconds>(t)) return format(floor<seconds>(t));
  return format(t);
}

std::string format_in_zone(TimePoint t, const std::string& pattern, const date::time_zone* zone) {
  return with_precision(t, [&](auto instant) {
    if (zone == nullptr) return date::format(pattern, instant);
    return date::format(pattern, date::make_zoned(zone, instant));
  });
}

Value format_date_fn(std::span<const Value> args, const CallContext&) {
  const TimePoint t = stdlib::datetime_arg("format_date", args[0]);
  const bool has_pattern = args.size() > 1 && !args[1].is_null();
  const date::time_zone* zone = args.size() > 2 ? zone_arg("format_date", args[2]) : nullptr;
  if (!has_pattern && zone == nullptr) return tainted(Value(format_iso(t)), args);
  const std::string pattern =
      has_pattern ? stdlib::text_arg("format_date", args[1]) : std::string("%FT%T%Ez");
  if (!stdlib::has_conversion(pattern)) {
    // format_date(t, "Europe/Dublin"): a zone in the pattern's place.
    if (args.size() == 2 && find_zone(pattern)) {
      throw RunError("format_date: " + stdlib::quoted(args[1]) + " is a time zone, not a pattern; the zone is " +
                     "the third argument: format_date(t, null, " + stdlib::quoted(args[1]) + ") for ISO 8601 there");
    }
    throw_not_a_pattern("format_date", args[1]);
  }
  constexpr std::size_t kMaxPattern = 256;
  if (pattern.size() > kMaxPattern) throw RunError("format_date: pattern is too long");
  try {
    return tainted(Value(format_in_zone(t, pattern, zone)), args);
  } catch (const std::exception&) {
    throw RunError("format_date: cannot format with pattern " + stdlib::quoted(Value(pattern)));
  }
}

/// parse_date(text, x): x is a pattern when it holds a % conversion, else a time zone.
struct DateReading {
  std::optional<std::string> pattern;
  const date::time_zone* zone = nullptr;
  std::string zone_was;  // for messages: which argument named the zone, and why
};

DateReading date_reading(std::span<const Value> args) {
  DateReading reading;
  if (args.size() == 3) {
    if (!args[1].is_null()) {
      reading.pattern = stdlib::text_arg("parse_date", args[1]);
      if (!stdlib::has_conversion(*reading.pattern)) throw_not_a_pattern("parse_date", args[1]);
    }
    reading.zone = zone_arg("parse_date", args[2], " (argument 3)");
  } else if (args.size() == 2 && !args[1].is_null()) {
    const std::string& second = stdlib::text_arg("parse_date", args[1]);
    if (stdlib::has_conversion(second)) {
      reading.pattern = second;
      return reading;
    }
    reading.zone = find_zone(second);
    if (!reading.zone) {
      throw RunError("parse_date: argument 2, " + stdlib::quoted(args[1]) +
                     ", has no % conversion, so it was taken for a time zone, and there is no such zone; " +
                     stdlib::strftime_advice(second, !args[1].secret));
    }
    reading.zone_was = "; argument 2, " + stdlib::quoted(args[1]) + ", was taken for its time zone";
  }
  return reading;
}

Value parse_date_fn(std::span<const Value> args, const CallContext&) {
  const std::string& text = stdlib::text_arg("parse_date", args[0]);
  auto [pattern, zone, zone_was] = date_reading(args);
  auto parsed = pattern ? stdlib::parse_with_pattern(text, *pattern) : parse_iso(text);
  if (!parsed) {
    throw RunError("parse_date: " + stdlib::quoted(args[0]) + " is not a date" +
                   (pattern ? " in the pattern " + stdlib::quoted(args[1]) : " (ISO 8601" + zone_was + ")"));
  }
  if (!parsed->zone.empty()) zone = zone_arg("parse_date", Value(parsed->zone, args[0].secret));
  return tainted(Value(resolve(*parsed, zone)), args);
}

Value unix_time_fn(std::span<const Value> args, const CallContext&) {
  const TimePoint t = stdlib::datetime_arg("unix_time", args[0]);
  return tainted(Value(static_cast<double>(t.time_since_epoch().count()) / 1000.0), args);
}

Value from_unix_fn(std::span<const Value> args, const CallContext&) {
  const double seconds = stdlib::number_arg("from_unix", args[0]);
  if (!std::isfinite(seconds) || std::fabs(seconds) > kMaxMilliseconds / 1e3) {
    throw RunError("from_unix: date out of range");
  }
  return tainted(Value(in_range("from_unix", TimePoint(scaled("from_unix", seconds, 1e3)))), args);
}

void add_durations(FunctionRegistry& registry) {
  const std::pair<const char*, double> units[] = {
      {"seconds", 1e3}, {"minutes", 60e3}, {"hours", 3600e3}, {"days", 86400e3}};
  for (const auto& [name, unit_ms] : units) {
    registry.add({name, 1, 1, ValueKind::duration, {ValueKind::number}, duration_of(name, unit_ms),
                  std::string(name) + "(number) -> duration"});
  }
}

}  // namespace

void register_time_functions(FunctionRegistry& registry) {
  using K = ValueKind;
  registry.add({"now", 0, 0, K::datetime, {}, now_fn, "now() -> datetime"});
  registry.add({"today", 0, 1, K::datetime, {K::text}, today_fn, "today([zone]) -> datetime"});
  registry.add({"add_time", 2, 3, K::datetime, {K::datetime, std::nullopt, K::text}, add_time_fn,
                "add_time(datetime, duration) or add_time(datetime, number, unit) -> datetime"});
  registry.add({"diff", 2, 2, K::duration, {K::datetime, K::datetime}, diff_fn,
                "diff(datetime a, datetime b) -> duration (a - b)"});
  add_durations(registry);
  registry.add({"format_date", 1, 3, K::text, {K::datetime, K::text, K::text}, format_date_fn,
                "format_date(datetime [, pattern [, zone]]) -> text"});
  registry.add({"parse_date", 1, 3, K::datetime, {K::text, K::text, K::text}, parse_date_fn,
                "parse_date(text [, pattern] [, zone]) -> datetime"});
  registry.add({"unix_time", 1, 1, K::number, {K::datetime}, unix_time_fn,
                "unix_time(datetime) -> number (seconds)"});
  registry.add({"from_unix", 1, 1, K::datetime, {K::number}, from_unix_fn,
                "from_unix(number) -> datetime"});
}

}  // namespace flow
