#include "stdlib/time_parse.hpp"

#include <array>
#include <cctype>

#include "grammar/date_reader.hpp"

namespace flow::stdlib {
namespace {

using namespace std::chrono;

constexpr std::array<std::string_view, 12> kMonths = {"january", "february", "march",     "april",   "may",      "june",
                                                      "july",    "august",   "september", "october", "november", "december"};
constexpr std::array<std::string_view, 7> kWeekdays = {"sunday",   "monday", "tuesday", "wednesday",
                                                       "thursday", "friday", "saturday"};
constexpr std::string_view kConversions = "%Y %y %m %b %B %d %e %a %A %H %I %p %M %S %F %T %R %D %z %Ez %Z %% %n %t";

/// What a pattern read, before it is checked as a whole.
struct PatternFields {
  int year = -1, month = -1, day = -1;  // -1: the pattern has none
  int hour = 0, minute = 0, second = 0, millisecond = 0;
  std::optional<bool> pm;  // %p
  bool twelve_hour = false;  // %I
  ParsedDate parsed{};
};

bool read_pattern(DateReader& in, std::string_view pattern, PatternFields& f);

/// By reference: `value` is read after the read that fills it.
bool in_range(bool read, const int& value, int low, int high) { return read && value >= low && value <= high; }

/// One conversion (`modifier` is E or O when one came between '%' and it).
/// Throws RunError for a conversion parse_date does not read.
bool read_conversion(DateReader& in, char modifier, char conversion, PatternFields& f) {
  switch (conversion) {
    case 'Y': return in_range(in.number(4, f.year), f.year, 0, 9999);
    case 'y': {
      if (!in.number(2, f.year)) return false;
      f.year += f.year < 69 ? 2000 : 1900;  // POSIX: 69-99 are 19xx, 00-68 are 20xx
      return true;
    }
    case 'm': return in_range(in.number(2, f.month), f.month, 1, 12);
    case 'b': case 'B': case 'h': return (f.month = in.name(kMonths) + 1) > 0;
    case 'e': in.skip_spaces(); [[fallthrough]];
    case 'd': return in_range(in.number(2, f.day), f.day, 1, 31);
    case 'a': case 'A': return in.name(kWeekdays) >= 0;  // read, not checked against the date
    case 'H': return in_range(in.number(2, f.hour), f.hour, 0, 23);
    case 'I': f.twelve_hour = true; return in_range(in.number(2, f.hour), f.hour, 1, 12);
    case 'p': {
      static constexpr std::array<std::string_view, 2> kHalves = {"am", "pm"};
      const int half = in.name(kHalves);
      if (half >= 0) f.pm = half == 1;
      return half >= 0;
    }
    case 'M': return in_range(in.number(2, f.minute), f.minute, 0, 59);
    case 'S': {
      if (!in_range(in.number(2, f.second), f.second, 0, 59)) return false;
      return !(in.eat('.') || in.eat(',')) || in.fraction(f.millisecond);
    }
    case 'F': return read_pattern(in, "%Y-%m-%d", f);
    case 'T': return read_pattern(in, "%H:%M:%S", f);
    case 'R': return read_pattern(in, "%H:%M", f);
    case 'D': return read_pattern(in, "%m/%d/%y", f);
    case 'z': return (in.peek() == '+' || in.peek() == '-' || in.peek() == 'Z') && in.offset(f.parsed.offset);
    case 'Z': {
      const auto name = in.word();
      if (name.empty()) return false;
      if (name.find('/') != std::string_view::npos) f.parsed.zone = std::string(name);
      if (name == "UTC" || name == "GMT" || name == "Z") f.parsed.offset = minutes{0};
      return true;  // another abbreviation (IST) is read and left: it names no one zone
    }
    case 'n': case 't': in.skip_spaces(); return true;
    case '%': return in.eat('%');
    default: break;
  }
  const std::string written = modifier ? std::string{'%', modifier, conversion} : std::string{'%', conversion};
  throw RunError("parse_date: the pattern's " + written + " is not a conversion parse_date reads; it reads " +
                 std::string(kConversions));
}

/// Reads `pattern` from `in`: a space matches any run of spaces (none too),
/// other text itself, and each % conversion what it stands for.
bool read_pattern(DateReader& in, std::string_view pattern, PatternFields& f) {
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c != '%') {
      if (std::isspace(static_cast<unsigned char>(c))) in.skip_spaces();
      else if (!in.eat(c)) return false;
      continue;
    }
    char modifier = 0;
    if (i + 1 < pattern.size() && (pattern[i + 1] == 'E' || pattern[i + 1] == 'O')) modifier = pattern[++i];
    if (i + 1 == pattern.size()) throw RunError("parse_date: the pattern ends in a lone %; %% reads a %");
    if (!read_conversion(in, modifier, pattern[++i], f)) return false;
  }
  return true;
}

}  // namespace

std::optional<ParsedDate> parse_with_pattern(const std::string& text, const std::string& pattern) {
  DateReader in(text);
  PatternFields f;
  if (!read_pattern(in, pattern, f) || !in.done()) return std::nullopt;
  if (f.year < 0 || f.month < 0 || f.day < 0) return std::nullopt;  // a time alone is not a date
  const date::year_month_day ymd{date::year{f.year}, date::month{static_cast<unsigned>(f.month)},
                                 date::day{static_cast<unsigned>(f.day)}};
  if (!ymd.ok()) return std::nullopt;
  if (f.twelve_hour && f.pm) f.hour = f.hour % 12 + (*f.pm ? 12 : 0);
  f.parsed.local = date::local_days{ymd} + hours{f.hour} + minutes{f.minute} + seconds{f.second} +
                   milliseconds{f.millisecond};
  return f.parsed;
}

}  // namespace flow::stdlib
