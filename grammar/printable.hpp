#pragma once
// Text from outside (HTTP bodies and headers, messages built from them, values a
// server or a user supplied) made safe to print: a terminal, a log line or the
// run history shows its control characters as escapes (\x1b, \r, \n) instead of
// obeying them, so an answer can neither clear the screen nor forge a log line.
// And such text shortened for a message, whole characters only.

#include <string>
#include <string_view>

namespace flow {

/// Which line structure printable() keeps.
enum class Layout {
  one_line,  // every control character escaped, \n and \t included: a log line, a message
  ours,      // \n and \t kept: multi-line text whose lines Flow made (a rendered error)
};

/// `text` with control characters written visibly: C0 (as \n, \r, \t or \xNN,
/// except what `layout` keeps), DEL (\x7f), C1 (\u0080..\u009f) and bytes that
/// are not UTF-8 (\xNN), which a terminal might read as C1. The rest is kept
/// as it is, backslashes included: the result is for people, not parsers.
std::string printable(std::string_view text, Layout layout = Layout::one_line);

/// `text` in double quotes as a literal shows it: `"` and `\` escaped with a
/// backslash, control characters as printable() writes them.
std::string quoted_text(std::string_view text);

/// `text` when it has at most `limit` bytes; else its first `limit` bytes or
/// fewer, never part of a UTF-8 character (the one the limit falls in is left
/// out whole, so a message stays valid UTF-8), followed by "...".
std::string shortened(std::string_view text, std::size_t limit);

}  // namespace flow
