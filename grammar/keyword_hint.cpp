#include "grammar/keyword_hint.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "grammar/suggest.hpp"
#include "grammar/unit_hint.hpp"

namespace flow::syntax {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/// The words of `message` that name what may stand at the error: those in
/// single quotes (`'request' or 'response'`) and in the parenthesized list
/// (`(set, clear, create_item, ...)`). Text in double quotes is an example
/// value ("Europe/Dublin"), not a keyword.
std::vector<std::string> listed_words(std::string_view message) {
  std::vector<std::string> words;
  bool quoted = false, listed = false, in_text = false;
  std::string word;
  const auto flush = [&] {
    // One- and two-letter words (`s`, `e`, `id`) are one edit from any short word.
    if (word.size() >= 3 && (quoted || listed) && !in_text && !std::isdigit(static_cast<unsigned char>(word[0]))) {
      words.push_back(word);
    }
    word.clear();
  };
  for (const char c : message) {
    if (is_word_char(c)) {
      word += c;
      continue;
    }
    flush();
    if (c == '"') in_text = !in_text;
    if (in_text) continue;
    if (c == '\'') quoted = !quoted;
    if (c == '(') listed = true;
    if (c == ')') listed = false;
  }
  flush();
  return words;
}

/// What may follow a complete rule besides its `;`: a call's clauses.
const std::vector<std::string>& after_rule_words() {
  static const std::vector<std::string> words{"map", "on_success", "on_error", "into"};
  return words;
}

/// The keywords that may stand where the rule that says `message` failed.
std::vector<std::string> keywords_for(std::string_view message) {
  auto words = listed_words(message);
  if (message.starts_with("expected ';' after the rule")) {
    words.insert(words.end(), after_rule_words().begin(), after_rule_words().end());
  }
  if (message.starts_with("expected ';' after the field declaration")) words.push_back("required");
  return words;
}

/// Where the `//` comment of the line `line` starts, or npos: a `//` inside a
/// string is text.
std::size_t comment_start(std::string_view line) {
  bool in_string = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (in_string && line[i] == '\\') {
      ++i;
    } else if (line[i] == '"') {
      in_string = !in_string;
    } else if (!in_string && line.substr(i, 2) == "//") {
      return i;
    }
  }
  return std::string_view::npos;
}

/// "; did you mean 'K'?" when `word` is a misspelling of the keyword K of
/// `keywords`; "" when it is one of them, or too far from all.
std::string keyword_guess(std::string_view word, const std::vector<std::string>& keywords) {
  if (word.size() < 3) return "";
  // A keyword spelled right failed for another reason: nothing to guess.
  if (std::find(keywords.begin(), keywords.end(), word) != keywords.end()) return "";
  // Stricter than names' did_you_mean: a keyword list is short and its words
  // alike, so two edits would turn another word (`FETCH`) into one (`PATCH`).
  const std::size_t allowed = word.size() >= 8 ? 2 : 1;
  const std::string* best = nullptr;
  std::size_t best_distance = allowed + 1;
  for (const auto& keyword : keywords) {
    const std::size_t distance = edit_distance(word, keyword);
    if (distance < best_distance) {
      best = &keyword;
      best_distance = distance;
    }
  }
  return best ? "; did you mean '" + *best + "'?" : "";
}

}  // namespace

std::string keyword_hint(std::string_view text, std::size_t offset, std::string_view message) {
  return keyword_guess(word_at(text, offset), keywords_for(message));
}

std::optional<KeywordGuess> keyword_before(std::string_view text, std::size_t offset,
                                           const std::vector<std::string>& keywords) {
  std::size_t end = std::min(offset, text.size());
  while (end > 0 && is_space(text[end - 1])) --end;
  std::size_t start = end;
  while (start > 0 && is_word_char(text[start - 1])) --start;
  auto hint = keyword_guess(text.substr(start, end - start), keywords);
  if (hint.empty()) return std::nullopt;
  return KeywordGuess{start, std::move(hint)};
}

std::size_t semicolon_offset(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::size_t end = offset;
  bool crossed_line = false;
  for (;;) {
    while (end > 0 && is_space(text[end - 1])) crossed_line |= text[--end] == '\n';
    if (!crossed_line || end == 0) return offset;
    const std::size_t newline = text.rfind('\n', end - 1);
    const std::size_t line_start = newline == std::string_view::npos ? 0 : newline + 1;
    const std::size_t comment = comment_start(text.substr(line_start, end - line_start));
    if (comment == std::string_view::npos) return end;
    end = line_start + comment;  // a comment-only line: look further back
  }
}

}  // namespace flow::syntax
