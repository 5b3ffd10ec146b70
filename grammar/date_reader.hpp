#pragma once
// A cursor over date-time text, read by hand: the ISO 8601 reader
// (grammar/iso_date.hpp) and parse_date's patterns (stdlib/time_pattern.hpp)
// are both written with it. Never date::parse: it reads an uninitialized
// value when a pattern fails half-way (found by fuzzing).

#include <chrono>
#include <optional>
#include <span>
#include <string_view>

namespace flow {

/// Every read either consumes what it expects and returns true, or returns
/// false; a failed read may have consumed part of the text, so a caller
/// gives up on the whole text when one fails.
class DateReader {
 public:
  explicit DateReader(std::string_view text) : text_(text) {}

  bool done() const { return pos_ == text_.size(); }
  /// The next character, or '\0' at the end.
  char peek() const { return done() ? '\0' : text_[pos_]; }

  /// Consumes `c` when it comes next.
  bool eat(char c);

  /// Exactly `count` digits (at most 9: an int holds them).
  bool digits(int count, int& out);

  /// One to `most` digits (at most 9), as many as there are.
  bool number(int most, int& out);

  /// Digits of a fraction of a second, after its '.' or ',': any number of
  /// them, read to the millisecond (the rest are dropped, not rounded).
  bool fraction(int& ms);

  /// A UTC offset: Z or z (zero), or a sign and HH:MM, HHMM or HH (HH at most
  /// 23, MM at most 59). Absent is fine: `out` is left as it is.
  bool offset(std::optional<std::chrono::minutes>& out);

  void skip_spaces();

  /// The run of characters up to the next space or the end.
  std::string_view word();

  /// The index in `names` (lower case) of the full English name, or its first
  /// three letters, that comes next in any case; -1 when none does.
  int name(std::span<const std::string_view> names);

  /// Everything up to `end`, which is consumed too; nullopt when `end` never comes.
  std::optional<std::string_view> until(char end);

 private:
  bool starts_with_folded(std::string_view lower) const;

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace flow
