#pragma once
// Syntax errors a person reads: a misspelled keyword is named with the keyword
// it resembles (`create_itm`, `} on_sucess {`, `field X numbr`), and a missing
// `;` is pointed at where it belongs, not at the start of the next line.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flow::syntax {

/// For a syntax error at byte `offset` of `text` whose failed rule says
/// `message`: when the word there is a misspelling of a keyword that may stand
/// there, "; did you mean 'K'?"; otherwise "". The keywords that may stand
/// there are those the message lists (`expected a rule (set, clear, ...)`),
/// and after a rule, the clauses that may follow it (`map`, `on_success`, ...).
std::string keyword_hint(std::string_view text, std::size_t offset, std::string_view message);

/// Where a keyword was taken for a name: for a syntax error at byte `offset`
/// of `text` found after a word the grammar read as a name (a datasource
/// setting's: `methd GetToken POST ...`), when that word is a misspelling of
/// one of `keywords`, where it starts and "; did you mean 'K'?".
struct KeywordGuess {
  std::size_t offset = 0;
  std::string hint;
};
std::optional<KeywordGuess> keyword_before(std::string_view text, std::size_t offset,
                                           const std::vector<std::string>& keywords);

/// Where an "expected ';'" error found at byte `offset` belongs: right after
/// the last token before it when that token is on an earlier line (comments
/// and blank lines skipped); otherwise `offset` itself.
std::size_t semicolon_offset(std::string_view text, std::size_t offset);

}  // namespace flow::syntax
