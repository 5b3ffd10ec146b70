#pragma once
// Characters that look like others, or like nothing: text pasted from a
// browser, a chat or a word processor brings a no-break space, a zero-width
// space or curly quotes, and the line with the error then looks right. A
// syntax error names the one it stopped at.

#include <cstddef>
#include <string>
#include <string_view>

namespace flow::syntax {

/// For a syntax error at byte `offset` of `text`: when the character there,
/// or the one right after the word there, is a control byte or not ASCII,
/// "; found " and what it is (`U+00A0, a no-break space, which looks like a
/// space`); otherwise "".
std::string odd_character_hint(std::string_view text, std::size_t offset);

/// For a control byte at byte `offset` of `text` inside a string: the escape
/// that writes it there (`\u0000` for NUL).
std::string control_byte_escape(std::string_view text, std::size_t offset);

}  // namespace flow::syntax
