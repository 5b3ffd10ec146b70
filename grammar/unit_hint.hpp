#pragma once
// "Did you mean" for units: `5 minites` stops the parser at a word it cannot
// place, and the message of whatever rule failed there ("expected ';'") hides
// that the word was meant as a unit.

#include <optional>
#include <string>
#include <string_view>

namespace flow::syntax {

/// Which units a number may take: a duration's (`500ms` to `2 weeks`) or an
/// `every` interval's (`5 seconds` to `3 months`).
enum class UnitSet { duration, interval };

/// Whether `c` may be part of an identifier: a letter, a digit or '_'.
bool is_word_char(char c);

/// The identifier (letters, digits, '_'; not starting with a digit) that
/// starts at byte `offset` of `text`, or "" when none does.
std::string_view word_at(std::string_view text, std::size_t offset);

/// The unit `word` most likely meant (`minites` -> `minutes`, `hrs` -> `hours`);
/// nullopt when it is too far from all of them.
std::optional<std::string> closest_unit(std::string_view word, UnitSet units);

/// For a syntax error at byte `offset` of `text`: when a word there follows a
/// number and is a misspelled unit, "unknown unit 'W'; did you mean 'U'?";
/// otherwise nullopt and the failed rule's own message stands.
std::optional<std::string> misspelled_unit_message(std::string_view text, std::size_t offset, UnitSet units);

/// For a text meant as one duration ("5 minites", on the command line or in
/// quotes): the misspelled_unit_message of the word after its number.
std::optional<std::string> misspelled_duration_unit(std::string_view text);

}  // namespace flow::syntax
