#include "grammar/unit_hint.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>
#include <vector>

#include "grammar/suggest.hpp"

namespace flow::syntax {
namespace {

// The unit words of grammar.hpp's duration_word and interval_word, plural
// first so that an equally close plural wins. The one-letter forms are left
// out: one edit from any short word, they would be guessed for everything.
const std::vector<std::string>& unit_words(UnitSet units) {
  static const std::vector<std::string> duration{"milliseconds", "millisecond", "seconds", "second", "minutes",
                                                 "minute",       "hours",       "hour",    "days",   "day",
                                                 "weeks",        "week"};
  static const std::vector<std::string> interval{"seconds", "second", "minutes", "minute", "hours", "hour",
                                                 "days",    "day",    "weeks",   "week",   "months", "month"};
  return units == UnitSet::interval ? interval : duration;
}

// Abbreviations too far from their word for the edit distance to find it.
constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kAbbreviations{{
    {"msec", "milliseconds"}, {"msecs", "milliseconds"}, {"sec", "seconds"}, {"secs", "seconds"},
    {"min", "minutes"}, {"mins", "minutes"}, {"hr", "hours"}, {"hrs", "hours"},
}};

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)); }

/// Whether a number literal ends right before `offset`, blanks aside
/// (`5 |minites`, `10|x`), and not the digits at the end of a name (`B2 x`).
bool follows_number(std::string_view text, std::size_t offset) {
  std::size_t i = offset;
  while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t')) --i;
  if (i == 0 || !is_digit(text[i - 1])) return false;
  while (i > 0 && (is_digit(text[i - 1]) || text[i - 1] == '.')) --i;
  return i == 0 || !is_word_char(text[i - 1]);
}

}  // namespace

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string_view word_at(std::string_view text, std::size_t offset) {
  if (offset >= text.size() || is_digit(text[offset]) || !is_word_char(text[offset])) return {};
  std::size_t end = offset;
  while (end < text.size() && is_word_char(text[end])) ++end;
  return text.substr(offset, end - offset);
}

std::optional<std::string> closest_unit(std::string_view word, UnitSet units) {
  const auto& words = unit_words(units);
  for (const auto& [abbreviation, unit] : kAbbreviations) {
    const bool in_set = std::find(words.begin(), words.end(), unit) != words.end();
    if (word == abbreviation) return in_set ? std::optional<std::string>(unit) : std::nullopt;
  }
  return closest_name(word, words);
}

std::optional<std::string> misspelled_unit_message(std::string_view text, std::size_t offset, UnitSet units) {
  const auto word = word_at(text, offset);
  if (word.empty() || !follows_number(text, offset)) return std::nullopt;
  const auto unit = closest_unit(word, units);
  if (!unit) return std::nullopt;
  return "unknown unit '" + std::string(word) + "'; did you mean '" + *unit + "'?";
}

std::optional<std::string> misspelled_duration_unit(std::string_view text) {
  const auto unit_at = std::min(text.find_first_not_of("0123456789. \t"), text.size());
  return misspelled_unit_message(text, unit_at, UnitSet::duration);
}

}  // namespace flow::syntax
