#pragma once
// Secret literals in the source (`instance "TK-1" of P { RefreshToken = "..."; }`)
// are shown as their masks in every excerpt of their file: a warning about one
// of them, or any diagnostic or run error whose source line holds one, never
// prints them.

#include "engine/program.hpp"

namespace flow {

/// Hides (SourceSet::hide) the string literals of every expression given to a
/// secret field: a field's default, an instance's or a test instance's value,
/// `set`, an on_success / on_error mapping, a `start`'s map. A literal text
/// (`"abc"`, `"ab" + "c"`) shows as the mask of its text, a literal with
/// `${...}` as `••••`, without quotes as every masked secret; the variable
/// env() reads is not hidden, its default is.
void hide_secret_literals(Program& program);

}  // namespace flow
