#include "stdlib/time_iso.hpp"

#include <sstream>

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

std::optional<ParsedDate> parse_with_pattern(const std::string& text, const std::string& pattern) {
  std::istringstream in(text);
  ParsedDate parsed{};
  std::string abbreviation;
  minutes offset = minutes::min();  // date::parse leaves it alone unless %z matched
  in >> date::parse(pattern, parsed.local, abbreviation, offset);
  if (in.fail() || in.peek() != std::char_traits<char>::eof()) return std::nullopt;
  if (offset != minutes::min()) parsed.offset = offset;
  // %Z reads an abbreviation or a zone name; only a zone name places the time.
  if (!parsed.offset && abbreviation.find('/') != std::string::npos) parsed.zone = abbreviation;
  if (!parsed.offset && abbreviation == "UTC") parsed.offset = minutes{0};
  return parsed;
}

TimePoint resolve(const ParsedDate& parsed, const date::time_zone* zone) {
  if (parsed.offset) return TimePoint{parsed.local.time_since_epoch()} - *parsed.offset;
  if (zone != nullptr) return zone->to_sys(parsed.local, date::choose::earliest);
  return TimePoint{parsed.local.time_since_epoch()};
}

}  // namespace flow::stdlib
