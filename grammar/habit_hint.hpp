#pragma once
// Syntax errors a person coming from another language makes out of habit:
// `if Q = 3`, `&&`, 'single quotes', `Q = 1;` without `set`, `elif`, and
// `into L` written before `on_success`. The error says how Flow writes it.

#include <cstddef>
#include <string>
#include <string_view>

namespace flow::syntax {

/// For a syntax error at byte `offset` of `text` whose failed rule says
/// `message`: when the text there is written as another language would,
/// "; " and how Flow writes it; otherwise "".
std::string habit_hint(std::string_view text, std::size_t offset, std::string_view message);

}  // namespace flow::syntax
