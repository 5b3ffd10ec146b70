#pragma once
// Secret literals in the source (`instance "TK-1" of P { RefreshToken = "..."; }`)
// are shown as their masks in every excerpt of their file: a warning about one
// of them, or any diagnostic or run error whose source line holds one, never
// prints them.

#include <functional>
#include <string_view>
#include <vector>

#include "engine/program.hpp"

namespace flow {

/// Hides (SourceSet::hide) the string literals of every expression given to a
/// secret field: a field's default, an instance's or a test instance's value,
/// `set`, an on_success / on_error mapping, a `start`'s map; and the literal
/// value of a credential request part (ast::RequestPart::credential, a datasource's
/// `header "X-Api-Key" = "..."` named so or declared `secret`), as its default
/// or as a call's map entry for it (`body.client_secret = "..."`). A literal text
/// (`"abc"`, `"ab" + "c"`) shows as the mask of its text, a literal with
/// `${...}` as `••••`, without quotes as every masked secret; the variable
/// env() reads is not hidden, its default is.
void hide_secret_literals(Program& program);

/// The string literals of a source `text` no AST describes (a REPL input, a
/// file that does not parse) that read as given to a secret: after `TARGET =`
/// (not `==`), every literal up to the statement's end (`;`, a line break or
/// `}`), when `is_secret(TARGET)`; TARGET is the name just before `=` (the
/// last of a path such as `body.password`) or a quoted name (a header's).
/// Masked as hide_secret_literals() masks them; env()'s variable name stays.
std::vector<HiddenText> scan_secret_literals(std::string_view text,
                                             const std::function<bool(std::string_view)>& is_secret);

/// For a file that does not parse: scan_secret_literals() of the names it
/// declares `field NAME secret` or `header NAME "WIRE"` with WIRE a
/// credential's name or declared `secret` (read leniently, as far as the text
/// goes) and
/// of every name that reads as a credential (is_credential_name(): `secret`
/// of `field Key secret = "..."`, `Authorization`, `"X-Api-Key"`, `password`).
std::vector<HiddenText> likely_secret_literals(std::string_view text);

}  // namespace flow
