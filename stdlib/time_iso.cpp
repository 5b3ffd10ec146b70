#include "stdlib/time_iso.hpp"

#include <array>
#include <cctype>
#include <span>

namespace flow::stdlib {
namespace {

using namespace std::chrono;

/// A cursor over ISO text; every read either consumes what it expects or fails.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  bool done() const { return pos_ == text_.size(); }
  char peek() const { return done() ? '\0' : text_[pos_]; }

  bool eat(char c) {
    if (peek() != c || done()) return false;
    ++pos_;
    return true;
  }

  bool digits(int count, int& out) {
    if (pos_ + static_cast<std::size_t>(count) > text_.size()) return false;
    out = 0;
    for (int i = 0; i < count; ++i) {
      const char c = text_[pos_ + static_cast<std::size_t>(i)];
      if (c < '0' || c > '9') return false;
      out = out * 10 + (c - '0');
    }
    pos_ += static_cast<std::size_t>(count);
    return true;
  }

  /// One to `most` digits, as many as there are.
  bool number(int most, int& out) {
    int seen = 0;
    out = 0;
    while (seen < most && !done() && peek() >= '0' && peek() <= '9') {
      out = out * 10 + (peek() - '0');
      ++seen;
      ++pos_;
    }
    return seen > 0;
  }

  void skip_spaces() {
    while (!done() && std::isspace(static_cast<unsigned char>(peek()))) ++pos_;
  }

  /// The run of characters up to the next space or the end.
  std::string_view word() {
    const auto start = pos_;
    while (!done() && !std::isspace(static_cast<unsigned char>(peek()))) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  /// The index in `names` of the full English name, or its first three
  /// letters, that comes next (in any case); -1 when none does.
  int name(std::span<const std::string_view> names) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      for (const std::size_t length : {names[i].size(), std::size_t{3}}) {
        if (starts_with_folded(names[i].substr(0, length))) {
          pos_ += length;
          return static_cast<int>(i);
        }
      }
    }
    return -1;
  }

  /// Fraction of a second after '.' or ',': milliseconds, extra digits ignored.
  bool fraction(int& ms) {
    int seen = 0;
    ms = 0;
    while (!done() && peek() >= '0' && peek() <= '9') {
      if (seen < 3) ms = ms * 10 + (peek() - '0');
      ++seen;
      ++pos_;
    }
    for (int i = seen; i < 3; ++i) ms *= 10;
    return seen > 0;
  }

  /// Everything up to `end` (consumed too); nullopt when `end` never comes.
  std::optional<std::string_view> until(char end) {
    const auto stop = text_.find(end, pos_);
    if (stop == std::string_view::npos) return std::nullopt;
    const auto part = text_.substr(pos_, stop - pos_);
    pos_ = stop + 1;
    return part;
  }

 private:
  bool starts_with_folded(std::string_view lower) const {
    if (text_.size() - pos_ < lower.size()) return false;
    for (std::size_t i = 0; i < lower.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(text_[pos_ + i])) != lower[i]) return false;
    }
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

bool read_time_of_day(Reader& in, milliseconds& out) {
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

/// Z, z, +HH:MM, +HHMM, +HH (or '-'); absent is fine.
bool read_offset(Reader& in, std::optional<minutes>& out) {
  if (in.eat('Z') || in.eat('z')) {
    out = minutes{0};
    return true;
  }
  const int sign = in.peek() == '-' ? -1 : 1;
  if (!in.eat('+') && !in.eat('-')) return true;
  int h = 0, m = 0;
  if (!in.digits(2, h)) return false;
  if (in.eat(':')) {
    if (!in.digits(2, m)) return false;
  } else if (!in.done() && in.peek() != '[') {
    if (!in.digits(2, m)) return false;
  }
  if (h > 23 || m > 59) return false;
  out = minutes{sign * (h * 60 + m)};
  return true;
}

}  // namespace

std::optional<ParsedDate> parse_iso(std::string_view text) {
  Reader in(text);
  int y = 0, mo = 0, d = 0;
  if (!in.digits(4, y) || !in.eat('-') || !in.digits(2, mo) || !in.eat('-') || !in.digits(2, d)) {
    return std::nullopt;
  }
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)},
                                 date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  ParsedDate parsed{date::local_days{ymd}, std::nullopt, {}};
  if (in.done()) return parsed;
  if (!in.eat('T') && !in.eat('t') && !in.eat(' ')) return std::nullopt;
  milliseconds time_of_day{};
  if (!read_time_of_day(in, time_of_day) || !read_offset(in, parsed.offset)) return std::nullopt;
  parsed.local += time_of_day;
  if (in.eat('[')) {
    const auto zone = in.until(']');
    if (!zone || zone->empty()) return std::nullopt;
    parsed.zone = std::string(*zone);
  }
  if (!in.done()) return std::nullopt;
  return parsed;
}

namespace {

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

bool read_pattern(Reader& in, std::string_view pattern, PatternFields& f);

/// By reference: `value` is read after the read that fills it.
bool in_range(bool read, const int& value, int low, int high) { return read && value >= low && value <= high; }

/// One conversion (`modifier` is E or O when one came between '%' and it).
/// Throws RunError for a conversion parse_date does not read.
bool read_conversion(Reader& in, char modifier, char conversion, PatternFields& f) {
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
    case 'z': return (in.peek() == '+' || in.peek() == '-' || in.peek() == 'Z') && read_offset(in, f.parsed.offset);
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
bool read_pattern(Reader& in, std::string_view pattern, PatternFields& f) {
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
  Reader in(text);
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

TimePoint resolve(const ParsedDate& parsed, const date::time_zone* zone) {
  if (parsed.offset) return TimePoint{parsed.local.time_since_epoch()} - *parsed.offset;
  if (zone != nullptr) return zone->to_sys(parsed.local, date::choose::earliest);
  return TimePoint{parsed.local.time_since_epoch()};
}

}  // namespace flow::stdlib
