#include "grammar/habit_hint.hpp"

#include <algorithm>

#include "grammar/errors.hpp"
#include "grammar/grammar.hpp"
#include "grammar/unit_hint.hpp"

namespace flow::syntax {
namespace {

/// The first character after `offset` that is not a space or tab ('\0' at the end).
char next_after_spaces(std::string_view text, std::size_t offset) {
  while (offset < text.size() && (text[offset] == ' ' || text[offset] == '\t')) ++offset;
  return offset < text.size() ? text[offset] : '\0';
}

}  // namespace

std::string habit_hint(std::string_view text, std::size_t offset, std::string_view message) {
  const std::string_view here = text.substr(std::min(offset, text.size()));
  if (here.starts_with("&&")) return "; Flow writes `and` for `&&`";
  if (here.starts_with("||")) return "; Flow writes `or` for `||`";
  if (message == error_message<rule_block> && here.starts_with('=') && !here.starts_with("==")) {
    return "; a comparison is written '==' ('=' assigns, in `set`)";
  }
  if (message == error_message<expression> && here.starts_with('\'')) {
    return "; a string is written in double quotes: \"...\"";
  }
  if (message.starts_with("expected a rule")) {
    const auto word = word_at(text, offset);
    if (word == "elif" || word == "elseif" || word == "elsif") return "; Flow writes `else if`";
    const std::size_t after = offset + word.size();
    if (!word.empty() && next_after_spaces(text, after) == '=' &&
        next_after_spaces(text, text.find('=', after) + 1) != '=') {
      return "; a field is assigned with `set " + std::string(word) + " = ...;`";
    }
  }
  if (message == error_message<call_end_semi>) {
    const auto word = word_at(text, offset);
    if (word == "map" || word == "on_success" || word == "on_error") {
      return "; `into FIELD` comes last, after map, on_success and on_error";
    }
  }
  return "";
}

}  // namespace flow::syntax
